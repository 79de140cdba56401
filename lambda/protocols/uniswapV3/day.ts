import { imbalance } from '../../metrics/imbalance.ts'
import { priceDeviation } from '../../metrics/priceDeviation.ts'
import type { PoolDayMetrics } from '../../metrics/types.ts'
import { totalValue, valueShares } from '../../metrics/valueShares.ts'
import { depthLimits } from './math/depthLimits.ts'
import { feeGrowthDelta } from './math/feeGrowth.ts'
import { referenceRangePosition } from './math/referenceRange.ts'
import { amountInToReachPrice } from './math/swapToPrice.ts'
import { poolPrice, q128ToNumber, sqrtPriceToNumber, toTokenUnits } from './math/toNumber.ts'
import type { UniswapV3State } from './read.ts'

/** Inputs of a Uniswap V3 pool's day. */
export interface UniswapV3DayInput {
  readonly start: UniswapV3State
  readonly end: UniswapV3State
  /** Decimals of token0 and token1. */
  readonly decimals: readonly [number, number]
  readonly pricesStart: readonly [number, number]
  readonly pricesEnd: readonly [number, number]
  /** Half-width of the reference position's range, percent of the start price. */
  readonly rangePct: number
}

const WEIGHTS = [0.5, 0.5] as const

/**
 * Day metrics of a concentrated-liquidity pool, as DESIGN.md "Uniswap V3 precisely" defines
 * them. V3 fees do not compound into liquidity, so the LP result is additive: for one unit of
 * in-range liquidity, `H` is the value of its start virtual reserves (`1/sqrtP`, `sqrtP`),
 * `V` of its end ones and `F` of the fees it earned (the `feeGrowthGlobal` deltas), all at
 * end reference prices; `fee_return = F/H`, `il = V/H - 1`, `lp_vs_hodl = (V + F)/H - 1`.
 *
 * - Value shares, imbalance and price deviation come from the virtual reserves (their shares
 *   do not depend on the amount of liquidity).
 * - TVL is the pool's token balances.
 * - Fees (USD) are what the end-of-day in-range liquidity earned over the day, `F * L_end`
 *   (as V2's fees are what the end-of-day reserves earned); the volume estimate divides each
 *   token's fees by the rate the LPs keep on swaps paying in that token (the fee minus the
 *   protocol's share).
 * - Depth replays the pool's swap loop over the initialized ticks to a 2% move either way and
 *   takes the cheaper side in USD.
 *
 * @param input - the pool at the start and end blocks, decimals, prices, reference range
 * @returns the day's metrics, with the reference position under `range`
 */
export function uniswapV3Day({
  start,
  end,
  decimals,
  pricesStart,
  pricesEnd,
  rangePct,
}: UniswapV3DayInput): PoolDayMetrics {
  const reservesStart = uniswapV3VirtualReserves(start, decimals)
  const reservesEnd = uniswapV3VirtualReserves(end, decimals)
  const feesPerLiquidity = [
    q128ToNumber(feeGrowthDelta(start.feeGrowthGlobal0X128, end.feeGrowthGlobal0X128)) /
      10 ** decimals[0],
    q128ToNumber(feeGrowthDelta(start.feeGrowthGlobal1X128, end.feeGrowthGlobal1X128)) /
      10 ** decimals[1],
  ] as const
  const held = totalValue(reservesStart, pricesEnd)
  const endValue = totalValue(reservesEnd, pricesEnd)
  const earned = totalValue(feesPerLiquidity, pricesEnd)
  const sharesStart = valueShares(reservesStart, pricesStart)
  const sharesEnd = valueShares(reservesEnd, pricesEnd)
  const liquidityEnd = Number(end.liquidity)
  const feesUsdByToken = feesPerLiquidity.map((fees, i) => fees * pricesEnd[i]! * liquidityEnd)
  return {
    tvlUsdStart: totalValue(tokenBalances(start, decimals), pricesStart),
    tvlUsdEnd: totalValue(tokenBalances(end, decimals), pricesEnd),
    valueSharesStart: sharesStart,
    valueSharesEnd: sharesEnd,
    imbalanceStart: imbalance(sharesStart, WEIGHTS),
    imbalanceEnd: imbalance(sharesEnd, WEIGHTS),
    priceDeviationEnd: priceDeviation(uniswapV3MarginalPrices(end, decimals), pricesEnd),
    lpVsHodl: (endValue + earned) / held - 1,
    feeReturn: earned / held,
    divergenceLoss: endValue / held - 1,
    feesUsd: feesUsdByToken[0]! + feesUsdByToken[1]!,
    volumeUsdEst: estimateVolumeUsd(feesUsdByToken, end),
    depth2pctUsd: depthUsd(end, decimals, pricesEnd),
    range: referenceRangePosition({
      sqrtPriceStartX96: start.sqrtPriceX96,
      sqrtPriceEndX96: end.sqrtPriceX96,
      rangePct,
      decimals,
      pricesEnd,
    }),
  }
}

/**
 * Virtual reserves of one unit of liquidity in token units: `1/sqrtP`, `sqrtP` (raw), scaled
 * by the decimals. Their value shares are the pool's (they do not depend on the liquidity).
 *
 * @param state - the pool's price
 * @param decimals - decimals of token0 and token1
 * @returns `[x, y]` of `L = 1`
 */
export function uniswapV3VirtualReserves(
  state: Pick<UniswapV3State, 'sqrtPriceX96'>,
  decimals: readonly number[],
): number[] {
  const sqrtPrice = sqrtPriceToNumber(state.sqrtPriceX96)
  return [1 / sqrtPrice / 10 ** decimals[0]!, sqrtPrice / 10 ** decimals[1]!]
}

function tokenBalances(state: UniswapV3State, decimals: readonly [number, number]): number[] {
  return state.balances.map((raw, i) => toTokenUnits(raw, decimals[i]!))
}

/**
 * Volume behind the fees: swaps selling token0 pay their fee in token0, and the LPs keep
 * `fee * (1 - 1/n)` of it when the protocol takes `1/n` (`feeProtocol % 16` for token0,
 * `>> 4` for token1, n = 0 meaning no protocol fee). Undefined without a fee, or when
 * `feeProtocol` is not in Uniswap's encoding (n in 4..10), as some forks use another.
 */
function estimateVolumeUsd(
  feesUsdByToken: readonly number[],
  state: UniswapV3State,
): number | undefined {
  if (state.feePips === 0) return undefined
  const denominators = [state.feeProtocol % 16, state.feeProtocol >> 4]
  if (state.feeProtocol > 0xff || denominators.some((n) => n !== 0 && (n < 4 || n > 10))) {
    return undefined
  }
  return denominators.reduce((volume, n, i) => {
    const lpRate = (state.feePips / 1e6) * (n === 0 ? 1 : 1 - 1 / n)
    return volume + feesUsdByToken[i]! / lpRate
  }, 0)
}

/** The cheaper in USD of selling token0 to a 2% lower price and token1 to a 2% higher one. */
function depthUsd(
  state: UniswapV3State,
  decimals: readonly [number, number],
  prices: readonly [number, number],
): number {
  const limits = depthLimits(state.sqrtPriceX96)
  const sell0 = limits.down < state.sqrtPriceX96 ? amountInToReachPrice(state, limits.down) : 0n
  const sell1 = limits.up > state.sqrtPriceX96 ? amountInToReachPrice(state, limits.up) : 0n
  return Math.min(
    toTokenUnits(sell0, decimals[0]) * prices[0],
    toTokenUnits(sell1, decimals[1]) * prices[1],
  )
}

/**
 * Marginal price of token 0 in token 1 of a V3 pool, fees excluded: from `sqrtPriceX96`,
 * with both tokens' decimals.
 *
 * @param state - the pool
 * @param decimals - decimals of token0 and token1
 * @returns `[1, price of token 0 in token 1]`
 */
export function uniswapV3MarginalPrices(
  state: Pick<UniswapV3State, 'sqrtPriceX96'>,
  decimals: readonly number[],
): number[] {
  return [1, poolPrice(state.sqrtPriceX96, decimals[0]!, decimals[1]!)]
}
