import { type StoredDay, storedPoolDay } from './storedDay.ts'
import type { PoolDay } from './types.ts'

/** Days a digest's history covers, the reported one included. */
export const HISTORY_DAYS = 7

/** A pool's values on one day; absent where the day is not stored or the pool was not read. */
export interface HistoryPoint {
  readonly date: string
  readonly imbalancePp?: number
  readonly tvlUsd?: number
  readonly priceDeviationPct?: number
}

/** Stored days before the reported one, oldest first (see `readDaysBefore`). */
export type StoredHistory = readonly {
  readonly date: string
  readonly stored: StoredDay | undefined
}[]

/**
 * A pool's history: one point per stored day before the date, then the day itself.
 *
 * @param history - the stored days before the date, oldest first
 * @param today - the pool's day
 * @param date - the reported date
 * @returns points, oldest first, the last one the reported day
 */
export function poolHistory(history: StoredHistory, today: PoolDay, date: string): HistoryPoint[] {
  return [
    ...history.map(({ date: day, stored }) => pointOf(day, storedPoolDay(stored, today.pool))),
    pointOf(date, today),
  ]
}

/**
 * A pool's change since the previous day, where both days have a value: imbalance in pp, TVL
 * in percent, price deviation in pp of percent.
 *
 * @param points - the pool's history (the last two points are yesterday and today)
 * @returns the changes that can be computed
 */
export function dayChange(points: readonly HistoryPoint[]): {
  readonly imbalancePp?: number
  readonly tvlPct?: number
  readonly priceDeviationPp?: number
} {
  const today = points.at(-1)
  const before = points.at(-2)
  if (!today || !before) return {}
  const difference = (key: 'imbalancePp' | 'priceDeviationPct') =>
    today[key] !== undefined && before[key] !== undefined ? today[key] - before[key] : undefined
  const tvlPct =
    today.tvlUsd !== undefined && before.tvlUsd !== undefined && before.tvlUsd > 0
      ? (today.tvlUsd / before.tvlUsd - 1) * 100
      : undefined
  const imbalancePp = difference('imbalancePp')
  const priceDeviationPp = difference('priceDeviationPct')
  return {
    ...(imbalancePp !== undefined && { imbalancePp }),
    ...(tvlPct !== undefined && { tvlPct }),
    ...(priceDeviationPp !== undefined && { priceDeviationPp }),
  }
}

function pointOf(date: string, day: PoolDay | undefined): HistoryPoint {
  if (day?.status !== 'ok') return { date }
  const { metrics } = day
  return {
    date,
    imbalancePp: metrics.imbalanceEnd * 100,
    tvlUsd: metrics.tvlUsdEnd,
    priceDeviationPct: metrics.priceDeviationEnd * 100,
  }
}
