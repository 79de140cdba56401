import { type CompoundingSnapshot, compoundingPoolDay } from '../../metrics/compoundingPoolDay.ts'
import type { PoolDayMetrics } from '../../metrics/types.ts'
import { constantProductDepthUsd } from './constantProduct.ts'
import type { UniswapV2State } from './read.ts'

/** Inputs of a Uniswap V2 pair's day. */
export interface UniswapV2DayInput {
  readonly start: UniswapV2State
  readonly end: UniswapV2State
  /** Decimals of token0 and token1. */
  readonly decimals: readonly [number, number]
  readonly pricesStart: readonly [number, number]
  readonly pricesEnd: readonly [number, number]
  /** Swap fee kept by the LPs, as a fraction (0.003 for Uniswap V2). */
  readonly feeRate: number
}

/**
 * Day metrics of a constant-product pair. The invariant per share is `sqrt(x*y)/S` on raw
 * reserves; the marginal price of token 0 in token 1 is the reserve ratio in human units.
 *
 * @param input - the pair at the start and end blocks, decimals, prices, fee
 * @returns the day's metrics
 */
export function uniswapV2Day({
  start,
  end,
  decimals,
  pricesStart,
  pricesEnd,
  feeRate,
}: UniswapV2DayInput): PoolDayMetrics {
  const endSnapshot = toSnapshot(end, decimals, 'end')
  const [reserve0, reserve1] = endSnapshot.balances as [number, number]
  return compoundingPoolDay({
    start: toSnapshot(start, decimals, 'start'),
    end: endSnapshot,
    weights: [0.5, 0.5],
    pricesStart,
    pricesEnd,
    feeRate,
    depth2pctUsd: constantProductDepthUsd([reserve0, reserve1], pricesEnd, feeRate),
  })
}

function toSnapshot(
  state: UniswapV2State,
  decimals: readonly [number, number],
  when: string,
): CompoundingSnapshot {
  const [raw0, raw1] = state.balances
  if (raw0 === 0n || raw1 === 0n || state.totalSupply === 0n) {
    throw new RangeError(`the pair holds no liquidity at the ${when} block`)
  }
  const balances = [Number(raw0) / 10 ** decimals[0], Number(raw1) / 10 ** decimals[1]] as const
  return {
    balances,
    supply: Number(state.totalSupply),
    invariantPerShare: Math.sqrt(Number(raw0) * Number(raw1)) / Number(state.totalSupply),
    marginalPrices: uniswapV2MarginalPrices(state, decimals),
  }
}

/**
 * Marginal price of token 0 in token 1 of a pair, fees excluded: the reserve ratio in human
 * units.
 *
 * @param state - the pair
 * @param decimals - decimals of token0 and token1
 * @returns `[1, price of token 0 in token 1]`
 */
export function uniswapV2MarginalPrices(
  state: Pick<UniswapV2State, 'balances'>,
  decimals: readonly number[],
): number[] {
  const [raw0, raw1] = state.balances
  return [1, Number(raw1) / 10 ** decimals[1]! / (Number(raw0) / 10 ** decimals[0]!)]
}
