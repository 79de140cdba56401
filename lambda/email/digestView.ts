import type { Config, DigestConfig } from '../config/schema.ts'
import type { RangePositionMetrics } from '../metrics/types.ts'
import { formatDecimal } from '../output/formatDecimal.ts'
import { isStablePool } from '../protocols/registry.ts'
import { type AlertCode, evaluateAlerts, thresholdsFor } from '../report/alerts.ts'
import type { DailyReport, PoolDay, TokenDay } from '../report/types.ts'

/** Download links of the day's files. */
export interface DigestLinks {
  readonly metrics: string
  readonly balances: string
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
  readonly priceDeviation: string
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

/** Everything the digest templates show. Strings from the chain are escaped by the HTML template. */
export interface DigestView {
  readonly date: string
  readonly digest: string
  readonly alerts: readonly {
    readonly poolId: string
    readonly tokens: string
    readonly messages: readonly string[]
  }[]
  readonly pools: readonly DigestPoolRow[]
  /** Stable pools (StableSwap), whose composition is the headline: shown before the table. */
  readonly stablePools: readonly {
    readonly poolId: string
    readonly composition: string
    readonly imbalance: string
    /** Set when the pool's imbalance is over its threshold: "5 pp". */
    readonly overLimit?: string
  }[]
  readonly errors: readonly { readonly poolId: string; readonly error: string }[]
  readonly links: DigestLinks
  readonly counts: {
    readonly pools: number
    readonly ok: number
    readonly errors: number
    readonly alerts: number
  }
}

const usdCompact = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
})

/**
 * Builds a digest's view: its pools with alerts evaluated against its thresholds (a pool's
 * own thresholds first, then the digest's, then the config's), the table of all its pools,
 * and the pools that could not be read.
 *
 * @param report - the day's report
 * @param digest - the digest config
 * @param config - for default thresholds
 * @param links - download links of the CSVs
 * @returns the view, or `undefined` if none of the digest's pools is in the report
 */
export function buildDigestView(
  report: DailyReport,
  digest: DigestConfig,
  config: Pick<Config, 'thresholds'>,
  links: DigestLinks,
): DigestView | undefined {
  const selected = report.pools.filter((day) => digestCovers(digest, day.pool.id))
  if (selected.length === 0) return undefined
  const rows: DigestPoolRow[] = []
  const stablePools: DigestView['stablePools'][number][] = []
  const alerts: DigestView['alerts'][number][] = []
  const errors: DigestView['errors'][number][] = []
  for (const day of selected) {
    if (day.status === 'error') {
      errors.push({ poolId: day.pool.id, error: day.error })
      continue
    }
    const thresholds = thresholdsFor(day.pool.thresholds, digest.thresholds, config.thresholds)
    const codes = evaluateAlerts(day.metrics, thresholds)
    const tokens = day.tokens.map((token) => token.symbol).join('/')
    if (codes.length > 0) {
      alerts.push({
        poolId: day.pool.id,
        tokens,
        messages: codes.map((code) => alertMessage(code, day, thresholds)),
      })
    }
    rows.push(poolRow(day, tokens, codes))
    if (isStablePool(day.pool)) {
      stablePools.push({
        poolId: day.pool.id,
        composition: composition(day.tokens),
        imbalance: `${(day.metrics.imbalanceEnd * 100).toFixed(2)} pp`,
        ...(codes.includes('imbalance') && { overLimit: `${thresholds.imbalancePp} pp` }),
      })
    }
  }
  return {
    date: report.date,
    digest: digest.name,
    alerts,
    pools: rows,
    stablePools,
    errors,
    links,
    counts: {
      pools: selected.length,
      ok: rows.length,
      errors: errors.length,
      alerts: alerts.length,
    },
  }
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

function poolRow(
  day: Extract<PoolDay, { status: 'ok' }>,
  tokens: string,
  codes: readonly AlertCode[],
): DigestPoolRow {
  const { metrics } = day
  return {
    poolId: day.pool.id,
    protocol: day.pool.protocol,
    tokens,
    composition: composition(day.tokens),
    tvl: usdCompact.format(metrics.tvlUsdEnd),
    imbalance: `${(metrics.imbalanceEnd * 100).toFixed(2)} pp`,
    priceDeviation: signedPercent(metrics.priceDeviationEnd),
    divergenceLoss: signedPercent(metrics.divergenceLoss, 3),
    feeReturn: signedPercent(metrics.feeReturn, 3),
    lpVsHodl: signedPercent(metrics.lpVsHodl, 3),
    fees: usdCompact.format(metrics.feesUsd),
    depth: usdCompact.format(metrics.depth2pctUsd),
    range: metrics.range ? rangeSummary(metrics.range) : '',
    alerts: codes.join(', '),
  }
}

/** `±10% range: IL -9.465%, left the range` */
export function rangeSummary(range: RangePositionMetrics): string {
  const where = range.inRange ? 'still in range' : 'left the range'
  return `±${range.rangePct}% range: IL ${signedPercent(range.divergenceLoss, 3)}, ${where}`
}

function alertMessage(
  code: AlertCode,
  day: Extract<PoolDay, { status: 'ok' }>,
  thresholds: ReturnType<typeof thresholdsFor>,
): string {
  const { metrics } = day
  switch (code) {
    case 'imbalance':
      return `imbalance ${(metrics.imbalanceEnd * 100).toFixed(2)} pp (limit ${thresholds.imbalancePp} pp); holds ${composition(day.tokens)}`
    case 'price_deviation':
      return `price ${signedPercent(metrics.priceDeviationEnd)} off the market (limit ±${thresholds.priceDeviationPct}%)`
    case 'il':
      return `divergence loss ${signedPercent(metrics.divergenceLoss, 3)} (limit ${thresholds.ilPct}%)`
  }
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
  return tokens
    .map((token, index) => ({ token, index }))
    .sort((a, b) => b.token.shareEnd - a.token.shareEnd || a.index - b.index)
    .map(({ token }) => {
      const target = equalWeights ? '' : ` (target ${Number((token.weight * 100).toFixed(1))}%)`
      return `${token.symbol} ${(token.shareEnd * 100).toFixed(1)}%${target}`
    })
    .join(' / ')
}

/** `+1.23%`, `-1.23%`, and `0.00%` for anything that rounds to zero (never `-0.00%`). */
export function signedPercent(fraction: number, digits = 2): string {
  const text = formatDecimal(fraction * 100, digits)
  return `${fraction > 0 && Number(text) !== 0 ? '+' : ''}${text}%`
}
