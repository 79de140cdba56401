import { type CompoundingSnapshot, compoundingPoolDay } from '../../metrics/compoundingPoolDay.ts'
import type { PoolDayMetrics } from '../../metrics/types.ts'
import { BALANCER_ONE, type BalancerWeightedState } from './read.ts'
import { weightedDepthUsd, weightedMarginalPrices } from './weightedMath.ts'

/** Inputs of a Balancer weighted pool's day. */
export interface BalancerWeightedDayInput {
  readonly start: BalancerWeightedState
  readonly end: BalancerWeightedState
  readonly decimals: readonly number[]
  readonly pricesStart: readonly number[]
  readonly pricesEnd: readonly number[]
}

/**
 * Day metrics of a weighted pool: target weights are the pool's normalized weights,
 * marginal prices the weighted spot prices, fee return the growth of `getInvariant()` per
 * BPT, depth solved on the weighted swap formula with the swap fee.
 *
 * @param input - the pool at the start and end blocks, decimals, reference prices
 * @returns the day's metrics
 */
export function balancerWeightedDay({
  start,
  end,
  decimals,
  pricesStart,
  pricesEnd,
}: BalancerWeightedDayInput): PoolDayMetrics {
  const endSnapshot = toSnapshot(end, decimals, 'end')
  const weights = normalizedWeights(end)
  const fee = Number(end.swapFee) / Number(BALANCER_ONE)
  return compoundingPoolDay({
    start: toSnapshot(start, decimals, 'start'),
    end: endSnapshot,
    weights,
    weightsStart: normalizedWeights(start),
    pricesStart,
    pricesEnd,
    feeRate: fee,
    depth2pctUsd: weightedDepthUsd(endSnapshot.balances, weights, pricesEnd, fee),
  })
}

/** The pool's weights as fractions. */
export function normalizedWeights(state: Pick<BalancerWeightedState, 'weights'>): number[] {
  return state.weights.map((weight) => Number(weight) / Number(BALANCER_ONE))
}

function toSnapshot(
  state: BalancerWeightedState,
  decimals: readonly number[],
  when: string,
): CompoundingSnapshot {
  if (state.balances.some((balance) => balance === 0n)) {
    throw new RangeError(`the pool holds no liquidity at the ${when} block`)
  }
  const balances = state.balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!)
  return {
    balances,
    supply: Number(state.totalSupply),
    invariantPerShare: Number(state.invariant) / Number(state.totalSupply),
    marginalPrices: balancerWeightedMarginalPrices(state, decimals),
  }
}

/**
 * Weighted spot prices of token 0 in each token, fees excluded: `(b_i/w_i) / (b_0/w_0)`.
 *
 * @param state - the pool
 * @param decimals - decimals of each token
 * @returns the price of token 0 in units of each token (index 0 is 1)
 */
export function balancerWeightedMarginalPrices(
  state: Pick<BalancerWeightedState, 'balances' | 'weights'>,
  decimals: readonly number[],
): number[] {
  const balances = state.balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!)
  return weightedMarginalPrices(balances, normalizedWeights(state))
}
