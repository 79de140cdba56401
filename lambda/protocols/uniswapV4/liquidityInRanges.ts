import { getAmountsForLiquidity, type TokenAmounts } from '../uniswapV3/math/liquidityAmounts.ts'
import { getSqrtRatioAtTick } from '../uniswapV3/math/tickMath.ts'

/**
 * Token amounts (raw, rounded down per range as a burn pays out) of all the liquidity of a
 * concentrated-liquidity pool at `sqrtPriceX96`: the ranges between consecutive initialized
 * ticks, each holding the running sum of `liquidityNet` from below, valued with the position
 * formulas. This is what the pool's LPs own in principal, apart from uncollected fees.
 *
 * @param sqrtPriceX96 - the pool's sqrt price, Q64.96
 * @param tick - the pool's current tick (`slot0.tick`)
 * @param liquidity - the pool's in-range liquidity, which the sum must reproduce at `tick`
 * @param liquidityNet - `liquidityNet` of every initialized tick of the pool
 * @returns token0 and token1 amounts
 * @throws RangeError if the ticks do not add up: a range with negative liquidity, liquidity
 *   left above the highest tick, or a running sum at `tick` other than `liquidity`
 */
export function amountsOfAllLiquidity(
  sqrtPriceX96: bigint,
  tick: number,
  liquidity: bigint,
  liquidityNet: ReadonlyMap<number, bigint>,
): TokenAmounts {
  const ticks = [...liquidityNet.keys()].sort((a, b) => a - b)
  let running = 0n
  let activeLiquidity = 0n
  let amount0 = 0n
  let amount1 = 0n
  ticks.forEach((lower, i) => {
    running += liquidityNet.get(lower)!
    if (running < 0n) throw new RangeError(`the liquidity above tick ${lower} is negative`)
    if (lower <= tick) activeLiquidity = running
    const upper = ticks[i + 1]
    if (upper === undefined || running === 0n) return
    const amounts = getAmountsForLiquidity(
      sqrtPriceX96,
      getSqrtRatioAtTick(lower),
      getSqrtRatioAtTick(upper),
      running,
    )
    amount0 += amounts.amount0
    amount1 += amounts.amount1
  })
  if (running !== 0n) {
    throw new RangeError(`liquidity ${running} is left above the highest tick ${ticks.at(-1)}`)
  }
  if (activeLiquidity !== liquidity) {
    throw new RangeError(
      `the ticks add up to liquidity ${activeLiquidity} at tick ${tick}, the pool reports ${liquidity}`,
    )
  }
  return { amount0, amount1 }
}
