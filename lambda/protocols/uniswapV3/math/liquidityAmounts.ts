import { getAmount0Delta, getAmount1Delta } from './sqrtPriceMath.ts'

/** Raw token amounts of a position. */
export interface TokenAmounts {
  readonly amount0: bigint
  readonly amount1: bigint
}

/**
 * Token amounts (raw, rounded down) that `liquidity` holds over the range
 * `[sqrtRatioAX96, sqrtRatioBX96]` at the pool price `sqrtRatioX96`, as v3-periphery's
 * `LiquidityAmounts.getAmountsForLiquidity` and what burning the liquidity pays out: only
 * token0 at or below the range, only token1 at or above it, both inside.
 *
 * @param sqrtRatioX96 - the pool's sqrt price, Q64.96
 * @param sqrtRatioAX96 - one bound of the range, Q64.96 (order does not matter)
 * @param sqrtRatioBX96 - the other bound, Q64.96
 * @param liquidity - uint128 liquidity
 * @returns token0 and token1 amounts
 * @example getAmountsForLiquidity(Q96, lower, upper, 2148n) // inside: both tokens
 */
export function getAmountsForLiquidity(
  sqrtRatioX96: bigint,
  sqrtRatioAX96: bigint,
  sqrtRatioBX96: bigint,
  liquidity: bigint,
): TokenAmounts {
  const [lower, upper] =
    sqrtRatioAX96 <= sqrtRatioBX96 ? [sqrtRatioAX96, sqrtRatioBX96] : [sqrtRatioBX96, sqrtRatioAX96]
  if (sqrtRatioX96 <= lower) {
    return { amount0: getAmount0Delta(lower, upper, liquidity, false), amount1: 0n }
  }
  if (sqrtRatioX96 < upper) {
    return {
      amount0: getAmount0Delta(sqrtRatioX96, upper, liquidity, false),
      amount1: getAmount1Delta(lower, sqrtRatioX96, liquidity, false),
    }
  }
  return { amount0: 0n, amount1: getAmount1Delta(lower, upper, liquidity, false) }
}
