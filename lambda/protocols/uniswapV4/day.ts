import type { PoolDayMetrics } from '../../metrics/types.ts'
import { type UniswapV3DayInput, uniswapV3Day } from '../uniswapV3/day.ts'
import type { UniswapV4State } from './read.ts'

/** Inputs of a Uniswap V4 pool's day: the V3 ones, with V4 states. */
export interface UniswapV4DayInput extends UniswapV3DayInput {
  readonly start: UniswapV4State
  readonly end: UniswapV4State
}

/**
 * Day metrics of a V4 pool: the V3 ones (DESIGN.md "Uniswap V3 precisely"), with the TVL of
 * all the pool's liquidity (the states' `balances`). The volume estimate divides the LPs'
 * fees by the rate they keep, `lpFee * (1 - protocolFee)`; it is left empty when the protocol
 * takes different fees in the two directions (fee growth does not say which swaps paid).
 *
 * @param input - the pool at the start and end blocks, decimals, prices, reference range
 * @returns the day's metrics
 */
export function uniswapV4Day(input: UniswapV4DayInput): PoolDayMetrics {
  const { end } = input
  const metrics = uniswapV3Day(input)
  const protocolFees = [end.protocolFee & 0xfff, end.protocolFee >> 12]
  if (protocolFees[0] === 0 && protocolFees[1] === 0) {
    // The V3 estimate divides by `feePips`, which is then the LP fee.
    return metrics
  }
  const lpRate = (end.lpFee / 1e6) * (1 - protocolFees[0]! / 1e6)
  const volumeUsdEst =
    protocolFees[0] === protocolFees[1] && lpRate > 0 && metrics.feesUsd !== undefined
      ? metrics.feesUsd / lpRate
      : undefined
  return { ...metrics, volumeUsdEst }
}
