/**
 * Integer arithmetic of Uniswap V3's `FullMath` and `UnsafeMath` on native bigints: the
 * chain works in uint256 with 512-bit intermediates, which bigint reproduces exactly as long
 * as results are checked to fit where the contracts would revert.
 */

/** 2^96: one in Q64.96 fixed point (sqrt prices). */
export const Q96 = 1n << 96n
/** 2^128: one in Q128.128 fixed point (fee growth). */
export const Q128 = 1n << 128n
/** 2^256: the modulus of uint256 counters. */
export const UINT256_MODULUS = 1n << 256n
/** Largest uint256. */
export const MAX_UINT256 = UINT256_MODULUS - 1n

function checkOperands(name: string, a: bigint, b: bigint, denominator: bigint): void {
  if (a < 0n || b < 0n || a > MAX_UINT256 || b > MAX_UINT256) {
    throw new RangeError(`${name}: operands must be uint256`)
  }
  if (denominator <= 0n || denominator > MAX_UINT256) {
    throw new RangeError(`${name}: denominator must be a positive uint256`)
  }
}

/**
 * `floor(a*b/denominator)` with a full-precision product, as `FullMath.mulDiv`.
 *
 * @param a - uint256 multiplicand
 * @param b - uint256 multiplier
 * @param denominator - positive uint256 divisor
 * @returns the floored quotient
 * @throws RangeError if an operand is out of range or the result does not fit in uint256
 * @example mulDiv(Q128, 50n, 150n) // Q128 / 3n
 */
export function mulDiv(a: bigint, b: bigint, denominator: bigint): bigint {
  checkOperands('mulDiv', a, b, denominator)
  const result = (a * b) / denominator
  if (result > MAX_UINT256) throw new RangeError('mulDiv: result overflows uint256')
  return result
}

/**
 * `ceil(a*b/denominator)` with a full-precision product, as `FullMath.mulDivRoundingUp`.
 *
 * @param a - uint256 multiplicand
 * @param b - uint256 multiplier
 * @param denominator - positive uint256 divisor
 * @returns the quotient rounded up
 * @throws RangeError if an operand is out of range or the result does not fit in uint256
 */
export function mulDivRoundingUp(a: bigint, b: bigint, denominator: bigint): bigint {
  checkOperands('mulDivRoundingUp', a, b, denominator)
  const product = a * b
  const result = product / denominator + (product % denominator === 0n ? 0n : 1n)
  if (result > MAX_UINT256) throw new RangeError('mulDivRoundingUp: result overflows uint256')
  return result
}

/**
 * `ceil(x/y)` for unsigned integers, as `UnsafeMath.divRoundingUp`.
 *
 * @param x - uint256 dividend
 * @param y - positive divisor
 * @returns the quotient rounded up
 */
export function divRoundingUp(x: bigint, y: bigint): bigint {
  checkOperands('divRoundingUp', x, 0n, y)
  return x / y + (x % y === 0n ? 0n : 1n)
}

/**
 * Integer square root: the largest `r` with `r*r <= value`.
 *
 * @param value - a non-negative integer of any size
 * @returns `floor(sqrt(value))`
 * @example isqrt(99n) // 9n
 */
export function isqrt(value: bigint): bigint {
  if (value < 0n) throw new RangeError('isqrt: negative value')
  if (value < 2n) return value
  // Newton's iteration from a power of two above the root decreases monotonically to it.
  let x = 1n << BigInt(Math.ceil(value.toString(2).length / 2))
  for (;;) {
    const next = (x + value / x) >> 1n
    if (next >= x) return x
    x = next
  }
}
