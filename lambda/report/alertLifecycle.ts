import type { AlertLifecycleConfig, Thresholds } from '../config/poolFields.ts'
import type { AlertCode } from './alerts.ts'
import { daysBetween } from './date.ts'

/** Where an alert stands on a date (DESIGN.md, "The digest people act on"). */
export type AlertStatus = 'new' | 'ongoing' | 'escalated' | 'cleared'

/** An alert's state after a date. Values are in the config's units: pp, or percent. */
export interface AlertEntry {
  readonly status: AlertStatus
  /** The day's value. */
  readonly value: number
  /** The value when the alert was last notified (new, escalated or reminded). */
  readonly notifiedValue: number
  readonly notifiedOn: string
  /** First day of this episode. */
  readonly since: string
  /** An ongoing alert notified again after `remindDays`. */
  readonly reminder?: boolean
  /** For an escalated alert: the value and date of the notice it got worse than. */
  readonly escalatedFrom?: { readonly value: number; readonly on: string }
}

/** Every alert of a digest after one date: pool id, then alert code. */
export type AlertDay = Readonly<Record<string, Partial<Record<AlertCode, AlertEntry>>>>

/** The lifecycle settings with their defaults filled in. */
export interface LifecycleSettings {
  readonly escalateBy: Readonly<Record<AlertCode, number>>
  readonly hysteresisPct: number
  readonly remindDays: number
}

/** A pool's day as the lifecycle sees it: its values, thresholds and settings, or a failed read. */
export type AlertObservation =
  | {
      readonly poolId: string
      /** Imbalance in pp, price deviation and divergence loss in percent (signed). */
      readonly values: Readonly<Record<AlertCode, number>>
      readonly thresholds: Thresholds
      readonly settings: LifecycleSettings
    }
  | { readonly poolId: string; readonly values?: undefined }

const CODES: readonly AlertCode[] = ['imbalance', 'price_deviation', 'il']

/**
 * Lifecycle settings, most specific first, over the defaults (escalate by 5 pp of imbalance,
 * 0.5 points of percent of deviation and IL; hysteresis 20% of the threshold; remind after 7 days).
 */
export function lifecycleSettings(
  ...layers: (AlertLifecycleConfig | undefined)[]
): LifecycleSettings {
  const pick = <K extends keyof AlertLifecycleConfig>(key: K) =>
    layers.find((layer) => layer?.[key] !== undefined)?.[key]
  const escalate = (key: 'imbalancePp' | 'priceDeviationPct' | 'ilPct', fallback: number) =>
    layers.find((layer) => layer?.escalateBy?.[key] !== undefined)?.escalateBy?.[key] ?? fallback
  return {
    escalateBy: {
      imbalance: escalate('imbalancePp', 5),
      price_deviation: escalate('priceDeviationPct', 0.5),
      il: escalate('ilPct', 0.5),
    },
    hysteresisPct: pick('hysteresisPct') ?? 20,
    remindDays: pick('remindDays') ?? 7,
  }
}

/**
 * The alerts of a date from the alerts after the previous reported date and the date's values.
 * Pure: the same inputs give the same day, so a re-run or a backfill recomputes a date the same
 * way. A pool that could not be read keeps its open alerts as they were.
 *
 * @param previous - the alerts after the previous reported date (cleared ones count as closed)
 * @param date - the date, `YYYY-MM-DD`
 * @param observations - the digest's pools on the date
 * @returns the alerts of the date: open ones and those cleared on it
 */
export function advanceAlerts(
  previous: AlertDay | undefined,
  date: string,
  observations: readonly AlertObservation[],
): AlertDay {
  const day: Record<string, Partial<Record<AlertCode, AlertEntry>>> = {}
  for (const observation of observations) {
    const before = previous?.[observation.poolId] ?? {}
    const entries: Partial<Record<AlertCode, AlertEntry>> = {}
    for (const code of CODES) {
      const prior = before[code]
      const open = prior !== undefined && prior.status !== 'cleared' ? prior : undefined
      const entry = observation.values
        ? nextEntry(code, open, date, observation)
        : open && carried(open, open.status, open.value)
      if (entry) entries[code] = entry
    }
    if (Object.keys(entries).length > 0) day[observation.poolId] = entries
  }
  return day
}

function nextEntry(
  code: AlertCode,
  open: AlertEntry | undefined,
  date: string,
  { values, thresholds, settings }: Extract<AlertObservation, { values: object }>,
): AlertEntry | undefined {
  const limit = limitOf(code, thresholds)
  if (limit === undefined) return undefined
  const value = values[code]
  const severity = severityOf(code, value)
  const notified = (status: AlertStatus): AlertEntry => ({
    status,
    value,
    notifiedValue: value,
    notifiedOn: date,
    since: open?.since ?? date,
  })
  if (!open) return severity > limit ? notified('new') : undefined
  if (severity <= limit * (1 - settings.hysteresisPct / 100)) {
    return carried(open, 'cleared', value)
  }
  if (severity - severityOf(code, open.notifiedValue) >= settings.escalateBy[code]) {
    return {
      ...notified('escalated'),
      escalatedFrom: { value: open.notifiedValue, on: open.notifiedOn },
    }
  }
  if (daysBetween(open.notifiedOn, date) >= settings.remindDays) {
    return { ...notified('ongoing'), reminder: true }
  }
  return carried(open, 'ongoing', value)
}

/** An open alert with a new status and value, last notified as before. */
function carried(open: AlertEntry, status: AlertStatus, value: number): AlertEntry {
  const { notifiedValue, notifiedOn, since } = open
  return { status, value, notifiedValue, notifiedOn, since }
}

/**
 * How bad a value is, growing as it gets worse: imbalance as is, the deviation's size, the
 * loss as a positive number.
 */
export function severityOf(code: AlertCode, value: number): number {
  switch (code) {
    case 'imbalance':
      return value
    case 'price_deviation':
      return Math.abs(value)
    case 'il':
      return -value
  }
}

/** The threshold on the severity scale, or `undefined` when the alert is off. */
function limitOf(code: AlertCode, thresholds: Thresholds): number | undefined {
  switch (code) {
    case 'imbalance':
      return thresholds.imbalancePp
    case 'price_deviation':
      return thresholds.priceDeviationPct
    case 'il':
      return thresholds.ilPct === undefined ? undefined : -thresholds.ilPct
  }
}
