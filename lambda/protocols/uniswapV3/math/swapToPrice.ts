import { mulDivRoundingUp } from './fullMath.ts'
import { getAmount0Delta, getAmount1Delta } from './sqrtPriceMath.ts'
import { nextInitializedTickWithinOneWord, type TickBitmapWords } from './tickBitmap.ts'
import {
  getSqrtRatioAtTick,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
} from './tickMath.ts'

/** Fee unit of Uniswap V3: fees are in hundredths of a basis point (pips). */
export const FEE_PIPS_DENOMINATOR = 1_000_000n

/** The part of a V3 pool a swap walks through: its price, liquidity and nearby ticks. */
export interface ConcentratedLiquidityView {
  /** Q64.96 sqrt price, from `slot0`. */
  readonly sqrtPriceX96: bigint
  /** Current tick, from `slot0` (the swap loop starts from it, as the pool's does). */
  readonly tick: number
  /** In-range liquidity. */
  readonly liquidity: bigint
  readonly tickSpacing: number
  /** Swap fee in pips (3000 = 0.30%). */
  readonly feePips: number
  /** Bitmap words covering the walk. */
  readonly bitmap: TickBitmapWords
  /** `liquidityNet` of the initialized ticks the walk may cross. */
  readonly liquidityNet: ReadonlyMap<number, bigint>
}

/**
 * Gross amount (raw, fee included) that an exact-input swap must sell into the pool to move
 * its sqrt price to `sqrtPriceLimitX96`: token0 when the limit is below the current price,
 * token1 when above. Replays the pool's swap loop step by step (next initialized tick within
 * one bitmap word, `computeSwapStep` with the target reached, liquidity crossing), with the
 * pool's rounding, so it equals what the pool itself charges for a swap with that price limit.
 *
 * @param pool - price, liquidity, fee and the ticks around the price
 * @param sqrtPriceLimitX96 - target sqrt price, Q64.96, strictly inside the sqrt price range
 * @returns the amount in, raw units of the sold token
 * @throws RangeError if the walk needs a tick or word that is not in `pool`, or the tick
 *   data make the liquidity negative (inconsistent reads)
 */
export function amountInToReachPrice(
  pool: ConcentratedLiquidityView,
  sqrtPriceLimitX96: bigint,
): bigint {
  if (sqrtPriceLimitX96 <= MIN_SQRT_RATIO || sqrtPriceLimitX96 >= MAX_SQRT_RATIO) {
    throw new RangeError('amountInToReachPrice: the price limit is outside the sqrt price range')
  }
  const zeroForOne = sqrtPriceLimitX96 < pool.sqrtPriceX96
  const fee = BigInt(pool.feePips)
  let { sqrtPriceX96: price, tick, liquidity } = pool
  let total = 0n
  while (price !== sqrtPriceLimitX96) {
    const step = nextInitializedTickWithinOneWord(pool.bitmap, tick, pool.tickSpacing, zeroForOne)
    const tickNext = Math.min(Math.max(step.next, MIN_TICK), MAX_TICK)
    const sqrtNext = getSqrtRatioAtTick(tickNext)
    const target = (zeroForOne ? sqrtNext < sqrtPriceLimitX96 : sqrtNext > sqrtPriceLimitX96)
      ? sqrtPriceLimitX96
      : sqrtNext
    // With an unbounded input every step reaches its target; the fee is charged on top.
    const amountIn = zeroForOne
      ? getAmount0Delta(target, price, liquidity, true)
      : getAmount1Delta(price, target, liquidity, true)
    total += amountIn + mulDivRoundingUp(amountIn, fee, FEE_PIPS_DENOMINATOR - fee)
    price = target
    if (price === sqrtNext) {
      if (step.initialized) {
        const net = pool.liquidityNet.get(tickNext)
        if (net === undefined) throw new RangeError(`tick ${tickNext} was not read`)
        liquidity += zeroForOne ? -net : net
        if (liquidity < 0n) {
          throw new RangeError(`crossing tick ${tickNext} makes the liquidity negative`)
        }
      }
      tick = zeroForOne ? tickNext - 1 : tickNext
    }
  }
  return total
}
