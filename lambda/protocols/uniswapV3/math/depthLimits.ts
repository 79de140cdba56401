import { isqrt } from './fullMath.ts'
import { getTickAtSqrtRatio, MAX_SQRT_RATIO, MIN_SQRT_RATIO } from './tickMath.ts'

/** The depth's price move (2%) as an exact fraction; `DEPTH_PRICE_MOVE` is its float. */
export const DEPTH_MOVE_NUMERATOR = 2n
export const DEPTH_MOVE_DENOMINATOR = 100n

/** The two sqrt prices a 2% move reaches, and the ticks they lie in. */
export interface DepthLimits {
  /** Sqrt price at which the price of token 0 has fallen to 0.98x (rounded down), Q64.96. */
  readonly down: bigint
  /** Sqrt price at which it has risen to 1.02x (rounded up), Q64.96. */
  readonly up: bigint
  readonly tickDown: number
  readonly tickUp: number
}

/**
 * The sqrt price limits of the depth trades around `sqrtPriceX96`: the price (token1 per
 * token0, `sqrtPrice^2`) times 0.98 and times 1.02, rounded outwards so that reaching them
 * moves the price by at least 2%, and kept inside the range a pool accepts as a swap limit.
 *
 * @param sqrtPriceX96 - the pool's sqrt price, Q64.96
 * @returns the two limits and their ticks
 */
export function depthLimits(sqrtPriceX96: bigint): DepthLimits {
  const squared = sqrtPriceX96 * sqrtPriceX96
  const down = isqrt(
    (squared * (DEPTH_MOVE_DENOMINATOR - DEPTH_MOVE_NUMERATOR)) / DEPTH_MOVE_DENOMINATOR,
  )
  const upSquared = ceilDiv(
    squared * (DEPTH_MOVE_DENOMINATOR + DEPTH_MOVE_NUMERATOR),
    DEPTH_MOVE_DENOMINATOR,
  )
  const upFloor = isqrt(upSquared)
  const up = upFloor * upFloor === upSquared ? upFloor : upFloor + 1n
  const clampedDown = down > MIN_SQRT_RATIO ? down : MIN_SQRT_RATIO + 1n
  const clampedUp = up < MAX_SQRT_RATIO ? up : MAX_SQRT_RATIO - 1n
  return {
    down: clampedDown,
    up: clampedUp,
    tickDown: getTickAtSqrtRatio(clampedDown),
    tickUp: getTickAtSqrtRatio(clampedUp),
  }
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator
}
