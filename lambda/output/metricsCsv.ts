import { stringify } from 'csv-stringify/sync'
import { poolLocator } from '../config/schema.ts'
import type { DailyReport, PoolDay } from '../report/types.ts'
import { formatDecimal, formatSignificant } from './formatDecimal.ts'
import { guardFormula, oneLine } from './untrustedText.ts'

/** The columns of `metrics.csv`, in order: a public interface (see README). */
export const METRICS_COLUMNS = [
  'date',
  'chain',
  'chain_id',
  'pool_id',
  'protocol',
  'pool_address',
  'tokens',
  'status',
  'error',
  'start_block',
  'end_block',
  'start_time',
  'end_time',
  'tvl_usd_start',
  'tvl_usd_end',
  'imbalance_pp_start',
  'imbalance_pp_end',
  'price_deviation_pct_end',
  'lp_vs_hodl_pct',
  'fee_return_pct',
  'il_pct',
  'fees_usd',
  'volume_usd_est',
  'depth_2pct_usd',
  'range_pct',
  'range_il_pct',
  'range_in_range',
  'alerts',
  'samples',
  'imbalance_pp_max',
  'imbalance_pp_twa',
  'price_deviation_pct_peak',
  'hours_over_imbalance',
  'hours_over_deviation',
  'ref_volatility_pct',
  'lvr_usd_est',
] as const

/** A row of `metrics.csv`. */
export type MetricsRow = Record<(typeof METRICS_COLUMNS)[number], string>

const usd = (value: number | undefined) => formatDecimal(value, 2)
const percent = (fraction: number | undefined) =>
  formatDecimal(fraction === undefined ? undefined : fraction * 100, 6)
// Multiples of 24/n: `3` at hourly samples, `10.285714` at seven a day.
const hours = (value: number | undefined) =>
  formatSignificant(value === undefined ? undefined : Math.round(value * 1e6) / 1e6)

/**
 * Renders `metrics.csv`: one row per pool, error rows included, RFC 4180 quoting, LF line
 * ends, plain decimals, and strings from the chain guarded against formula injection.
 *
 * @param report - the day's report
 * @returns the CSV text
 */
export function renderMetricsCsv(report: DailyReport): string {
  return stringify(metricsRows(report), { header: true, columns: [...METRICS_COLUMNS] })
}

/**
 * The rows of `metrics.csv` as objects keyed by column, cells as in the file (what a dry
 * run returns).
 *
 * @param report - the day's report
 * @returns one row per pool
 */
export function metricsRows(report: DailyReport): MetricsRow[] {
  return report.pools.map((day) => metricsRow(report.date, day))
}

function metricsRow(date: string, day: PoolDay): MetricsRow {
  const { pool } = day
  const ok = day.status === 'ok' ? day : undefined
  const metrics = ok?.metrics
  const intraday = ok?.intraday
  return {
    date,
    chain: pool.chain,
    chain_id: String(day.chainId),
    pool_id: pool.id,
    protocol: pool.protocol,
    pool_address: poolLocator(pool),
    tokens: guardFormula(ok ? ok.tokens.map((token) => token.symbol).join('/') : ''),
    status: day.status,
    error: guardFormula(oneLine(day.status === 'error' ? day.error : (day.note ?? ''))),
    start_block: day.start ? String(day.start.number) : '',
    end_block: day.end ? String(day.end.number) : '',
    start_time: day.start ? isoTime(day.start.timestamp) : '',
    end_time: day.end ? isoTime(day.end.timestamp) : '',
    tvl_usd_start: usd(metrics?.tvlUsdStart),
    tvl_usd_end: usd(metrics?.tvlUsdEnd),
    imbalance_pp_start: percent(metrics?.imbalanceStart),
    imbalance_pp_end: percent(metrics?.imbalanceEnd),
    price_deviation_pct_end: percent(metrics?.priceDeviationEnd),
    lp_vs_hodl_pct: percent(metrics?.lpVsHodl),
    fee_return_pct: percent(metrics?.feeReturn),
    il_pct: percent(metrics?.divergenceLoss),
    fees_usd: usd(metrics?.feesUsd),
    volume_usd_est: usd(metrics?.volumeUsdEst),
    depth_2pct_usd: usd(metrics?.depth2pctUsd),
    range_pct: formatSignificant(metrics?.range?.rangePct),
    range_il_pct: percent(metrics?.range?.divergenceLoss),
    range_in_range: metrics?.range ? String(metrics.range.inRange) : '',
    alerts: ok ? ok.alerts.join(';') : '',
    samples: intraday ? String(intraday.samples) : '',
    imbalance_pp_max: percent(intraday?.imbalanceMax),
    imbalance_pp_twa: percent(intraday?.imbalanceTwa),
    price_deviation_pct_peak: percent(intraday?.priceDeviationPeak),
    hours_over_imbalance: hours(intraday?.hoursOverImbalance),
    hours_over_deviation: hours(intraday?.hoursOverDeviation),
    ref_volatility_pct: percent(intraday?.refVolatility),
    lvr_usd_est: usd(intraday?.lvrUsd),
  }
}

/** A block timestamp as `2026-11-23T00:00:00Z`. */
export function isoTime(timestamp: bigint): string {
  return new Date(Number(timestamp) * 1000).toISOString().replace('.000Z', 'Z')
}
