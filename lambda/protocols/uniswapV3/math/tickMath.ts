import { MAX_UINT256 } from './fullMath.ts'

/** Lowest tick a Uniswap V3 pool accepts: log base 1.0001 of 2^-128. */
export const MIN_TICK = -887272
/** Highest tick a Uniswap V3 pool accepts. */
export const MAX_TICK = 887272
/** `getSqrtRatioAtTick(MIN_TICK)`, Q64.96: the lowest sqrt price a pool can hold. */
export const MIN_SQRT_RATIO = 4295128739n
/** `getSqrtRatioAtTick(MAX_TICK)`, Q64.96: a pool's sqrt price always stays below it. */
export const MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342n

/**
 * `1/sqrt(1.0001)^(2^i)` in Q128.128 for bit i of |tick|, the constants of v3-core's
 * `TickMath`. Multiplying those of the set bits gives `1/sqrt(1.0001)^|tick|`.
 */
const INVERSE_SQRT_POWERS: readonly bigint[] = [
  0xfffcb933bd6fad37aa2d162d1a594001n,
  0xfff97272373d413259a46990580e213an,
  0xfff2e50f5f656932ef12357cf3c7fdccn,
  0xffe5caca7e10e4e61c3624eaa0941cd0n,
  0xffcb9843d60f6159c9db58835c926644n,
  0xff973b41fa98c081472e6896dfb254c0n,
  0xff2ea16466c96a3843ec78b326b52861n,
  0xfe5dee046a99a2a811c461f1969c3053n,
  0xfcbe86c7900a88aedcffc83b479aa3a4n,
  0xf987a7253ac413176f2b074cf7815e54n,
  0xf3392b0822b70005940c7a398e4b70f3n,
  0xe7159475a2c29b7443b29c7fa6e889d9n,
  0xd097f3bdfd2022b8845ad8f792aa5825n,
  0xa9f746462d870fdf8a65dc1f90e061e5n,
  0x70d869a156d2a1b890bb3df62baf32f7n,
  0x31be135f97d08fd981231505542fcfa6n,
  0x9aa508b5b7a84e1c677de54f3e99bc9n,
  0x5d6af8dedb81196699c329225ee604n,
  0x2216e584f5fa1ea926041bedfe98n,
  0x48a170391f7dc42444e8fa2n,
]

/**
 * `sqrt(1.0001^tick) * 2^96` as a Q64.96 integer, bit for bit as v3-core's
 * `TickMath.getSqrtRatioAtTick` (rounded up from Q128.128).
 *
 * @param tick - an integer in `[MIN_TICK, MAX_TICK]`
 * @returns the sqrt price, Q64.96
 * @throws RangeError for a tick outside the range
 * @example getSqrtRatioAtTick(0) // 2n ** 96n
 */
export function getSqrtRatioAtTick(tick: number): bigint {
  if (!Number.isInteger(tick) || tick < MIN_TICK || tick > MAX_TICK) {
    throw new RangeError(`getSqrtRatioAtTick: tick ${tick} is outside [${MIN_TICK}, ${MAX_TICK}]`)
  }
  const absTick = Math.abs(tick)
  let ratio = 1n << 128n
  INVERSE_SQRT_POWERS.forEach((factor, bit) => {
    if ((absTick >> bit) & 1) ratio = (ratio * factor) >> 128n
  })
  if (tick > 0) ratio = MAX_UINT256 / ratio
  const remainder = ratio & 0xffffffffn
  return (ratio >> 32n) + (remainder === 0n ? 0n : 1n)
}

/**
 * The greatest tick whose sqrt price is at or below `sqrtPriceX96`, the result v3-core's
 * `TickMath.getTickAtSqrtRatio` specifies. A floating-point logarithm gives a first guess
 * that is then corrected against `getSqrtRatioAtTick` itself, so the result is exact.
 *
 * @param sqrtPriceX96 - Q64.96 sqrt price in `[MIN_SQRT_RATIO, MAX_SQRT_RATIO)`
 * @returns the tick
 * @throws RangeError for a sqrt price outside the range
 */
export function getTickAtSqrtRatio(sqrtPriceX96: bigint): number {
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw new RangeError(`getTickAtSqrtRatio: ${sqrtPriceX96} is outside the sqrt price range`)
  }
  const estimate = Math.floor((2 * Math.log(Number(sqrtPriceX96) / 2 ** 96)) / Math.log(1.0001))
  let tick = Math.min(Math.max(estimate, MIN_TICK), MAX_TICK - 1)
  while (getSqrtRatioAtTick(tick) > sqrtPriceX96) tick--
  while (getSqrtRatioAtTick(tick + 1) <= sqrtPriceX96) tick++
  return tick
}
