import type { Thresholds } from '../config/poolFields.ts'
import type { Config, DigestConfig } from '../config/schema.ts'
import type { RangePositionMetrics } from '../metrics/types.ts'
import { formatDecimal } from '../output/formatDecimal.ts'
import { isStablePool } from '../protocols/registry.ts'
import {
  type AlertDay,
  type AlertEntry,
  type AlertObservation,
  type AlertStatus,
  advanceAlerts,
  lifecycleSettings,
} from '../report/alertLifecycle.ts'
import { type AlertCode, evaluateAlerts, thresholdsFor } from '../report/alerts.ts'
import { dayChange, type HistoryPoint, poolHistory, type StoredHistory } from '../report/history.ts'
import type { DailyReport, PoolDay, TokenDay } from '../report/types.ts'

/** Download links of the day's files. */
export interface DigestLinks {
  readonly metrics: string
  readonly balances: string
}

/** A chart image of the digest: drawn after the view, sent as a `cid:` part. */
export type ChartSpec =
  | {
      readonly cid: string
      readonly kind: 'history'
      /** Oldest first, `null` for a gap. */
      readonly imbalancePp: readonly (number | null)[]
      readonly tvlUsd: readonly (number | null)[]
    }
  | {
      readonly cid: string
      readonly kind: 'composition'
      /** Value shares (fractions), in the legend's order, with their colours. */
      readonly shares: readonly number[]
      readonly colors: readonly string[]
    }

/** How a template shows a chart: `<img src="cid:...">` with its text equivalent. */
export interface ChartRef {
  readonly cid: string
  readonly alt: string
}

/** A pool's line in the digest, every value already formatted for reading. */
export interface DigestPoolRow {
  readonly poolId: string
  readonly protocol: string
  readonly tokens: string
  /** "USDC 48.0% / USDT 31.0% / DAI 21.0%" (end value shares, largest first). */
  readonly composition: string
  readonly tvl: string
  readonly imbalance: string
  /** The day's peak and hours over the limit, when the day is sampled: "peak 20.00 pp, 4 h over"; else empty. */
  readonly imbalancePeak: string
  readonly priceDeviation: string
  /** "peak -1.20%, 3 h over", or empty. */
  readonly priceDeviationPeak: string
  /** Change since the previous day, "—" where either day has no value. */
  readonly change: {
    readonly imbalance: string
    readonly tvl: string
    readonly priceDeviation: string
  }
  /** The 7-day picture of imbalance and TVL, and what it shows in words. */
  readonly trend: ChartRef & { readonly caption: string }
  readonly divergenceLoss: string
  readonly feeReturn: string
  readonly lpVsHodl: string
  readonly fees: string
  readonly depth: string
  /**
   * The reference concentrated position (Uniswap V3): "±10% range: IL -9.465%, left the
   * range"; empty for other protocols.
   */
  readonly range: string
  readonly alerts: string
}

/** An alert that asks for attention today: new, escalated, cleared, or a reminder. */
export interface DigestNotice {
  readonly poolId: string
  readonly tokens: string
  readonly status: AlertStatus
  /** "NEW", "ESCALATED", "CLEARED", "REMINDER". */
  readonly label: string
  readonly message: string
}

/** Everything the digest templates show. Strings from the chain are escaped by the HTML template. */
export interface DigestView {
  readonly date: string
  readonly digest: string
  /** New, escalated and cleared alerts and reminders, listed first. */
  readonly notices: readonly DigestNotice[]
  /** Ongoing alerts, one compact line each. */
  readonly ongoing: readonly { readonly poolId: string; readonly line: string }[]
  /** Pools of the table: all of them, or past `TABLE_LIMIT` the largest movers. */
  readonly pools: readonly DigestPoolRow[]
  readonly table: {
    /** Every pool of the digest is in the table. */
    readonly complete: boolean
    readonly shown: number
    readonly total: number
  }
  readonly totals: {
    readonly tvl: string
    /** TVL change since the previous day over the pools read on both days, or "—". */
    readonly tvlChange: string
    readonly fees: string
  }
  /** Stable pools (StableSwap), whose composition is the headline: shown before the table. */
  readonly stablePools: readonly {
    readonly poolId: string
    readonly composition: string
    readonly imbalance: string
    /** As in the table: the day's peak and hours over the limit, or empty. */
    readonly imbalancePeak: string
    /** Set when the pool's imbalance is over its threshold: "5 pp". */
    readonly overLimit?: string
    readonly bar: ChartRef
    readonly legend: readonly { readonly text: string; readonly color: string }[]
  }[]
  readonly errors: readonly { readonly poolId: string; readonly error: string }[]
  /** How many items each capped list leaves out (the full lists are in metrics.csv). */
  readonly more: {
    readonly notices: number
    readonly ongoing: number
    readonly stablePools: number
    readonly errors: number
  }
  readonly links: DigestLinks
  readonly counts: {
    readonly pools: number
    readonly ok: number
    readonly errors: number
    /** Pools over a threshold today (the CSV's alerts column). */
    readonly alerts: number
    readonly new: number
    readonly escalated: number
    readonly cleared: number
    readonly ongoing: number
  }
  /** The images the view refers to, to be drawn and attached. */
  readonly charts: readonly ChartSpec[]
}

/** What a digest knows beyond the day: the stored days before it and its alert lifecycle. */
export interface DigestContext {
  readonly history: StoredHistory
  readonly alerts: AlertDay
}

/** A table of more pools than this shows the largest movers instead (the HTML stays small). */
export const TABLE_LIMIT = 30
/** Largest movers shown past `TABLE_LIMIT`. */
export const MOVERS = 20
const LIST_LIMITS = { notices: 40, ongoing: 50, stablePools: 12, errors: 20 } as const
/** Longest token symbol or error message shown (chain data can be of any length). */
const MAX_SYMBOL = 32
const MAX_ERROR = 200
/** Colours of the composition bars, readable on light and dark backgrounds. */
const PALETTE = [
  '#2e90fa',
  '#f79009',
  '#12b76a',
  '#9e77ed',
  '#f04438',
  '#06aed4',
  '#ee46bc',
  '#84adff',
]
const STATUS_ORDER: Record<AlertStatus, number> = { escalated: 0, new: 1, cleared: 2, ongoing: 3 }

const usdCompact = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
})

/**
 * Builds a digest's view: its alerts in their lifecycle (new, escalated and cleared first,
 * ongoing in one line each), the change since the previous day and the 7-day picture of each
 * pool, the stable pools' composition, and the table of its pools (past `TABLE_LIMIT` pools:
 * the largest movers and the totals, the full table being the linked CSV). Thresholds are the
 * pool's own first, then the digest's, then the config's.
 *
 * @param report - the day's report
 * @param digest - the digest config
 * @param config - for default thresholds
 * @param links - download links of the CSVs
 * @param context - stored history and the digest's alerts of the day (see `recordDigestAlerts`);
 *   without it there is no history and every alert counts as new
 * @returns the view, or `undefined` if none of the digest's pools is in the report
 */
export function buildDigestView(
  report: DailyReport,
  digest: DigestConfig,
  config: Pick<Config, 'thresholds'>,
  links: DigestLinks,
  context?: DigestContext,
): DigestView | undefined {
  const selected = report.pools.filter((day) => digestCovers(digest, day.pool.id))
  if (selected.length === 0) return undefined
  const history = context?.history ?? []
  const alertDay =
    context?.alerts ??
    advanceAlerts(undefined, report.date, digestObservations(report, digest, config))
  const ok = selected.filter((day) => day.status === 'ok')
  const errors = selected.flatMap((day) =>
    day.status === 'error' ? [{ poolId: day.pool.id, error: clip(day.error, MAX_ERROR) }] : [],
  )
  const points = new Map(ok.map((day) => [day.pool.id, poolHistory(history, day, report.date)]))
  const tokensOf = new Map(ok.map((day) => [day.pool.id, symbols(day.tokens)]))

  const notices: DigestNotice[] = []
  const ongoing: DigestView['ongoing'][number][] = []
  const statusCounts = { new: 0, escalated: 0, cleared: 0, ongoing: 0 }
  for (const day of selected) {
    const thresholds = thresholdsFor(day.pool.thresholds, digest.thresholds, config.thresholds)
    for (const [code, entry] of Object.entries(alertDay[day.pool.id] ?? {}) as [
      AlertCode,
      AlertEntry,
    ][]) {
      statusCounts[entry.status]++
      const message = noticeMessage(code, entry, thresholds)
      if (entry.status === 'ongoing' && !entry.reminder) {
        ongoing.push({ poolId: day.pool.id, line: message })
      } else {
        const holds = day.status === 'ok' && code === 'imbalance' && entry.status !== 'cleared'
        const detail = holds ? `${message}; holds ${composition(day.tokens)}` : message
        const tokens = tokensOf.get(day.pool.id) ?? ''
        const label = entry.reminder ? 'REMINDER' : entry.status.toUpperCase()
        notices.push({ poolId: day.pool.id, tokens, status: entry.status, label, message: detail })
      }
    }
  }
  notices.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status])

  const charts: ChartSpec[] = []
  const complete = ok.length <= TABLE_LIMIT
  const tableDays = complete ? ok : largestMovers(ok, points).slice(0, MOVERS)
  const pools = tableDays.map((day, index) => {
    const dayPoints = points.get(day.pool.id)!
    const cid = `trend-${index}@pool-report`
    charts.push({
      cid,
      kind: 'history',
      imbalancePp: dayPoints.map((point) => point.imbalancePp ?? null),
      tvlUsd: dayPoints.map((point) => point.tvlUsd ?? null),
    })
    return poolRow(day, tokensOf.get(day.pool.id)!, dayPoints, cid)
  })

  const stable = ok.filter((day) => isStablePool(day.pool))
  const stablePools = stable.slice(0, LIST_LIMITS.stablePools).map((day, index) => {
    const thresholds = thresholdsFor(day.pool.thresholds, digest.thresholds, config.thresholds)
    const cid = `mix-${index}@pool-report`
    const ordered = byShare(day.tokens)
    const colors = ordered.map((_, i) => PALETTE[i % PALETTE.length]!)
    charts.push({ cid, kind: 'composition', shares: ordered.map((t) => t.shareEnd), colors })
    const text = composition(day.tokens)
    return {
      poolId: day.pool.id,
      composition: text,
      imbalance: `${(day.metrics.imbalanceEnd * 100).toFixed(2)} pp`,
      imbalancePeak: intradayPeaks(day).imbalance,
      ...(evaluateAlerts(day.metrics, thresholds).includes('imbalance') && {
        overLimit: `${thresholds.imbalancePp} pp`,
      }),
      bar: { cid, alt: `Composition: ${text}` },
      legend: ordered.map((token, i) => ({
        text: `${clip(token.symbol, MAX_SYMBOL)} ${(token.shareEnd * 100).toFixed(1)}%`,
        color: colors[i]!,
      })),
    }
  })

  const alerting = ok.filter(
    (day) =>
      evaluateAlerts(
        day.metrics,
        thresholdsFor(day.pool.thresholds, digest.thresholds, config.thresholds),
      ).length > 0,
  ).length
  return {
    date: report.date,
    digest: digest.name,
    notices: notices.slice(0, LIST_LIMITS.notices),
    ongoing: ongoing.slice(0, LIST_LIMITS.ongoing),
    pools,
    table: { complete, shown: pools.length, total: ok.length },
    totals: totals(ok, points),
    stablePools,
    errors: errors.slice(0, LIST_LIMITS.errors),
    more: {
      notices: Math.max(0, notices.length - LIST_LIMITS.notices),
      ongoing: Math.max(0, ongoing.length - LIST_LIMITS.ongoing),
      stablePools: Math.max(0, stable.length - LIST_LIMITS.stablePools),
      errors: Math.max(0, errors.length - LIST_LIMITS.errors),
    },
    links,
    counts: {
      pools: selected.length,
      ok: ok.length,
      errors: errors.length,
      alerts: alerting,
      ...statusCounts,
    },
    charts,
  }
}

/**
 * What the alert lifecycle needs of a digest's pools on a day: their values, thresholds and
 * lifecycle settings (each pool's own first, then the digest's, then the config's).
 *
 * @param report - the day's report
 * @param digest - the digest
 * @param config - default thresholds
 * @returns one observation per pool of the digest in the report
 */
export function digestObservations(
  report: DailyReport,
  digest: DigestConfig,
  config: Pick<Config, 'thresholds'>,
): AlertObservation[] {
  return report.pools
    .filter((day) => digestCovers(digest, day.pool.id))
    .map((day) =>
      day.status === 'error'
        ? { poolId: day.pool.id }
        : {
            poolId: day.pool.id,
            values: {
              imbalance: day.metrics.imbalanceEnd * 100,
              price_deviation: day.metrics.priceDeviationEnd * 100,
              il: day.metrics.divergenceLoss * 100,
            },
            thresholds: thresholdsFor(day.pool.thresholds, digest.thresholds, config.thresholds),
            settings: lifecycleSettings(day.pool.alertLifecycle, digest.alertLifecycle),
          },
    )
}

/**
 * Whether a digest reports on a pool.
 *
 * @param digest - the digest config
 * @param poolId - the pool's id
 * @returns `true` for every pool of a `"*"` digest, else for the pools it names
 */
export function digestCovers(digest: Pick<DigestConfig, 'pools'>, poolId: string): boolean {
  return digest.pools === '*' || digest.pools.includes(poolId)
}

type OkDay = Extract<PoolDay, { status: 'ok' }>

function poolRow(
  day: OkDay,
  tokens: string,
  points: readonly HistoryPoint[],
  cid: string,
): DigestPoolRow {
  const { metrics } = day
  const change = dayChange(points)
  const peaks = intradayPeaks(day)
  return {
    poolId: day.pool.id,
    protocol: day.pool.protocol,
    tokens,
    composition: composition(day.tokens),
    tvl: usdCompact.format(metrics.tvlUsdEnd),
    imbalance: `${(metrics.imbalanceEnd * 100).toFixed(2)} pp`,
    imbalancePeak: peaks.imbalance,
    priceDeviation: signedPercent(metrics.priceDeviationEnd),
    priceDeviationPeak: peaks.priceDeviation,
    change: {
      imbalance: signedNumber(change.imbalancePp, 2, ' pp'),
      tvl: signedNumber(change.tvlPct, 1, '%'),
      priceDeviation: signedNumber(change.priceDeviationPp, 2, ' pp'),
    },
    trend: { cid, ...trendWords(points) },
    divergenceLoss: signedPercent(metrics.divergenceLoss, 3),
    feeReturn: signedPercent(metrics.feeReturn, 3),
    lpVsHodl: signedPercent(metrics.lpVsHodl, 3),
    fees: usdCompact.format(metrics.feesUsd),
    depth: usdCompact.format(metrics.depth2pctUsd),
    range: metrics.range ? rangeSummary(metrics.range) : '',
    alerts: day.alerts.join(', '),
  }
}

/** The day's peaks and hours over the limits, when the day was sampled; empty otherwise. */
function intradayPeaks({ intraday }: OkDay): { imbalance: string; priceDeviation: string } {
  if (!intraday) return { imbalance: '', priceDeviation: '' }
  const over = (hours: number | undefined) =>
    hours === undefined ? '' : `, ${Number(hours.toFixed(1))} h over`
  return {
    imbalance: `peak ${(intraday.imbalanceMax * 100).toFixed(2)} pp${over(intraday.hoursOverImbalance)}`,
    priceDeviation: `peak ${signedPercent(intraday.priceDeviationPeak)}${over(intraday.hoursOverDeviation)}`,
  }
}

/** The 7-day picture in words: first and last value of each series, and the days it has. */
function trendWords(points: readonly HistoryPoint[]): { alt: string; caption: string } {
  const known = points.filter((point) => point.imbalancePp !== undefined)
  const first = known[0]
  const last = known.at(-1)
  if (!first || !last || known.length < 2) {
    return { alt: 'No history yet', caption: `${known.length} of ${points.length} days` }
  }
  const caption = `${first.imbalancePp!.toFixed(1)} → ${last.imbalancePp!.toFixed(1)} pp, TVL ${usdCompact.format(first.tvlUsd!)} → ${usdCompact.format(last.tvlUsd!)} (${known.length} of ${points.length} days)`
  return { alt: `${points.length} days: imbalance ${caption}`, caption }
}

/** Pools by how much their imbalance moved since the previous day, then by imbalance. */
function largestMovers(
  days: readonly OkDay[],
  points: ReadonlyMap<string, HistoryPoint[]>,
): OkDay[] {
  const moved = new Map(
    days.map((day) => [
      day.pool.id,
      Math.abs(dayChange(points.get(day.pool.id)!).imbalancePp ?? 0),
    ]),
  )
  return [...days].sort(
    (a, b) =>
      moved.get(b.pool.id)! - moved.get(a.pool.id)! ||
      b.metrics.imbalanceEnd - a.metrics.imbalanceEnd,
  )
}

function totals(
  days: readonly OkDay[],
  points: ReadonlyMap<string, HistoryPoint[]>,
): DigestView['totals'] {
  let tvl = 0
  let fees = 0
  let before = 0
  let after = 0
  for (const day of days) {
    tvl += day.metrics.tvlUsdEnd
    fees += day.metrics.feesUsd
    const [yesterday, today] = points.get(day.pool.id)!.slice(-2)
    if (yesterday?.tvlUsd !== undefined && today?.tvlUsd !== undefined) {
      before += yesterday.tvlUsd
      after += today.tvlUsd
    }
  }
  return {
    tvl: usdCompact.format(tvl),
    tvlChange: signedNumber(before > 0 ? (after / before - 1) * 100 : undefined, 1, '%'),
    fees: usdCompact.format(fees),
  }
}

/** `±10% range: IL -9.465%, left the range` */
export function rangeSummary(range: RangePositionMetrics): string {
  const where = range.inRange ? 'still in range' : 'left the range'
  return `±${range.rangePct}% range: IL ${signedPercent(range.divergenceLoss, 3)}, ${where}`
}

/** "imbalance 6.20 pp (limit 5 pp), was 1.20 pp when notified on 2026-11-20". */
function noticeMessage(code: AlertCode, entry: AlertEntry, thresholds: Thresholds): string {
  const now = `${ALERT_NAMES[code]} ${formatValue(code, entry.value)} (limit ${formatLimit(code, thresholds)})`
  switch (entry.status) {
    case 'new':
      return now
    case 'escalated':
      return entry.escalatedFrom
        ? `${now}, up from ${formatValue(code, entry.escalatedFrom.value)} when notified on ${entry.escalatedFrom.on}`
        : now
    case 'cleared':
      return `${now}, back under the limit; open since ${entry.since}`
    case 'ongoing':
      return `${now}, since ${entry.since}`
  }
}

const ALERT_NAMES: Record<AlertCode, string> = {
  imbalance: 'imbalance',
  price_deviation: 'price vs market',
  il: 'divergence loss',
}

function formatValue(code: AlertCode, value: number): string {
  return code === 'imbalance'
    ? `${value.toFixed(2)} pp`
    : signedPercent(value / 100, code === 'il' ? 3 : 2)
}

function formatLimit(code: AlertCode, thresholds: Thresholds): string {
  switch (code) {
    case 'imbalance':
      return `${thresholds.imbalancePp} pp`
    case 'price_deviation':
      return `±${thresholds.priceDeviationPct}%`
    case 'il':
      return `${thresholds.ilPct}%`
  }
}

/** `+1.20 pp`, `-3.4%`, `0.00 pp`; "—" when there is no value. */
function signedNumber(value: number | undefined, digits: number, unit: string): string {
  if (value === undefined) return '—'
  const text = formatDecimal(value, digits)
  return `${value > 0 && Number(text) !== 0 ? '+' : ''}${text}${unit}`
}

/** Untrusted text cut to a length that cannot blow up the email. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function symbols(tokens: readonly TokenDay[]): string {
  return tokens.map((token) => clip(token.symbol, MAX_SYMBOL)).join('/')
}

/** Tokens by end value share, largest first (ties keep the pool's order). */
function byShare(tokens: readonly TokenDay[]): TokenDay[] {
  return tokens
    .map((token, index) => ({ token, index }))
    .sort((a, b) => b.token.shareEnd - a.token.shareEnd || a.index - b.index)
    .map(({ token }) => token)
}

/**
 * What a pool holds at the end of the day, largest value share first: "USDT 69.5% / USDC
 * 15.5% / DAI 15.0%". Where the target weights differ (an 80/20 pool) each token shows its
 * target: "LINK 80.4% (target 80%) / WETH 19.6% (target 20%)".
 *
 * @param tokens - the pool's tokens with their end shares and target weights
 * @returns the composition line
 */
export function composition(tokens: readonly TokenDay[]): string {
  const equalWeights = tokens.every((token) => Math.abs(token.weight - tokens[0]!.weight) < 1e-9)
  return byShare(tokens)
    .map((token) => {
      const target = equalWeights ? '' : ` (target ${Number((token.weight * 100).toFixed(1))}%)`
      return `${clip(token.symbol, MAX_SYMBOL)} ${(token.shareEnd * 100).toFixed(1)}%${target}`
    })
    .join(' / ')
}

/** `+1.23%`, `-1.23%`, and `0.00%` for anything that rounds to zero (never `-0.00%`). */
export function signedPercent(fraction: number, digits = 2): string {
  const text = formatDecimal(fraction * 100, digits)
  return `${fraction > 0 && Number(text) !== 0 ? '+' : ''}${text}%`
}
