import { divergenceLoss } from './divergenceLoss.ts'
import { imbalance } from './imbalance.ts'
import { lpVsHodl } from './lpVsHodl.ts'
import { priceDeviation } from './priceDeviation.ts'
import type { PoolDayMetrics } from './types.ts'
import { totalValue, valueShares } from './valueShares.ts'

/**
 * One snapshot of a pool whose fees compound into its reserves (constant product,
 * StableSwap, weighted), already converted to human units.
 */
export interface CompoundingSnapshot {
  /** Token balances in human units, in the pool's on-chain order. */
  readonly balances: readonly number[]
  /** LP share supply (any unit, as long as start and end agree). */
  readonly supply: number
  /** Pool invariant per LP share: `sqrt(x*y)/S`, `D/S` (virtual price), invariant per BPT. */
  readonly invariantPerShare: number
  /** Marginal price of token 0 in units of token i, fees excluded; index 0 is 1. */
  readonly marginalPrices: readonly number[]
}

/** Everything the day's metrics of a compounding pool need. */
export interface CompoundingPoolDayInput {
  readonly start: CompoundingSnapshot
  readonly end: CompoundingSnapshot
  /** Target weight of each token (fractions summing to 1) at the end snapshot. */
  readonly weights: readonly number[]
  /** Target weights at the start, where they move (Balancer LBPs). @default `weights` */
  readonly weightsStart?: readonly number[]
  /** Reference prices (USD) at the start and the end snapshot. */
  readonly pricesStart: readonly number[]
  readonly pricesEnd: readonly number[]
  /** Fee rate that stays with the LPs, as a fraction (0.003 for 0.30%). */
  readonly feeRate: number
  /** Depth for a 2% move at the end snapshot, computed by the protocol's own math. */
  readonly depth2pctUsd: number
}

/**
 * Day metrics of a pool whose fees compound into its reserves.
 *
 * Fees (USD) are the part of the end TVL that the day's invariant growth per share built:
 * `fee_return / (1 + fee_return) * tvl_end`; the volume estimate divides them by the fee rate.
 *
 * @param input - start and end snapshots, weights, reference prices, fee rate, depth
 * @returns the pool's metrics for the day, as fractions and USD
 */
export function compoundingPoolDay(input: CompoundingPoolDayInput): PoolDayMetrics {
  const { start, end, weights, pricesStart, pricesEnd, feeRate } = input
  const sharesStart = valueShares(start.balances, pricesStart)
  const sharesEnd = valueShares(end.balances, pricesEnd)
  const tvlUsdEnd = totalValue(end.balances, pricesEnd)
  const feeReturn = end.invariantPerShare / start.invariantPerShare - 1
  const lpResult = lpVsHodl(
    start.balances.map((balance) => balance / start.supply),
    end.balances.map((balance) => balance / end.supply),
    pricesEnd,
  )
  const feesUsd = (feeReturn / (1 + feeReturn)) * tvlUsdEnd
  return {
    tvlUsdStart: totalValue(start.balances, pricesStart),
    tvlUsdEnd,
    valueSharesStart: sharesStart,
    valueSharesEnd: sharesEnd,
    imbalanceStart: imbalance(sharesStart, input.weightsStart ?? weights),
    imbalanceEnd: imbalance(sharesEnd, weights),
    priceDeviationEnd: priceDeviation(end.marginalPrices, pricesEnd),
    lpVsHodl: lpResult,
    feeReturn,
    divergenceLoss: divergenceLoss(lpResult, feeReturn),
    feesUsd,
    volumeUsdEst: feeRate > 0 ? feesUsd / feeRate : undefined,
    depth2pctUsd: input.depth2pctUsd,
  }
}
