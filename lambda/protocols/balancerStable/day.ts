import { type CompoundingSnapshot, compoundingPoolDay } from '../../metrics/compoundingPoolDay.ts'
import { stableSwapDepthUsd } from '../../metrics/stableSwapDepth.ts'
import { PRECISION, stableSwapMarginalPrices } from '../../metrics/stableSwapMath.ts'
import type { PoolDayMetrics } from '../../metrics/types.ts'
import type { BalancerStableState } from './read.ts'
import { type BalancerStablePool, balancerStableSwap } from './stableMath.ts'

/** Inputs of a Balancer stable pool's day. */
export interface BalancerStableDayInput {
  readonly start: BalancerStableState
  readonly end: BalancerStableState
  readonly decimals: readonly number[]
  readonly pricesStart: readonly number[]
  readonly pricesEnd: readonly number[]
}

/**
 * Day metrics of a Balancer stable pool: target weights `1/n`, marginal prices from the
 * StableSwap invariant on the scaled (rate-adjusted) balances, fee return the growth of
 * `getRate()` (swap fees, and the yield of rate-bearing tokens), depth by replaying swaps on
 * the invariant with the swap fee taken from the input.
 *
 * @param input - the pool at the start and end blocks, decimals, reference prices
 * @returns the day's metrics
 */
export function balancerStableDay({
  start,
  end,
  decimals,
  pricesStart,
  pricesEnd,
}: BalancerStableDayInput): PoolDayMetrics {
  const n = end.tokens.length
  const endPool = toStablePool(end)
  return compoundingPoolDay({
    start: toSnapshot(start, decimals),
    end: toSnapshot(end, decimals),
    weights: Array(n).fill(1 / n),
    pricesStart,
    pricesEnd,
    feeRate: Number(end.swapFee) / Number(PRECISION),
    depth2pctUsd: stableSwapDepthUsd(endPool, decimals, pricesEnd, balancerStableSwap),
  })
}

/** The state as the pool's math sees it. */
export function toStablePool(state: BalancerStableState): BalancerStablePool {
  return {
    balances: state.balances,
    rates: state.scalingFactors,
    amp: state.amp,
    aPrecision: state.ampPrecision,
    swapFee: state.swapFee,
  }
}

/**
 * What one whole token of each is worth in the pool's own accounting: its scaling factor
 * without the decimals, i.e. the token's rate (1 for a token without a rate provider).
 *
 * @param state - the pool
 * @param decimals - decimals of each token
 * @returns the par value of each token
 */
export function balancerStableParValues(
  state: Pick<BalancerStableState, 'scalingFactors'>,
  decimals: readonly number[],
): number[] {
  return state.scalingFactors.map((factor, i) => Number(factor) * 10 ** (decimals[i]! - 36))
}

/**
 * Marginal prices of token 0 in each token from the invariant on the scaled balances, fees
 * excluded, in token units.
 *
 * @param state - the pool
 * @param decimals - decimals of each token
 * @returns the price of token 0 in units of each token (index 0 is 1)
 */
export function balancerStableMarginalPrices(
  state: BalancerStableState,
  decimals: readonly number[],
): number[] {
  return stableSwapMarginalPrices(toStablePool(state), decimals)
}

function toSnapshot(state: BalancerStableState, decimals: readonly number[]): CompoundingSnapshot {
  return {
    balances: state.balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!),
    supply: Number(state.supply),
    invariantPerShare: Number(state.rate) / Number(PRECISION),
    marginalPrices: balancerStableMarginalPrices(state, decimals),
  }
}
