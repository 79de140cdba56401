/**
 * The boundary between the chain's integers and the report's floating-point metrics: every
 * V3 quantity is exact (bigint) up to here and becomes a double once, through these.
 */
import { Q96, Q128 } from './fullMath.ts'

/** Bits kept in the integer quotient before rounding to a double (53 bits of mantissa). */
const QUOTIENT_BITS = 64

/**
 * The double nearest to `numerator / denominator` (within one unit in the last place), for
 * integers of any size: no intermediate overflows to Infinity or underflows to 0 unless the
 * result itself does.
 *
 * @param numerator - non-negative integer
 * @param denominator - positive integer
 * @returns the ratio as a number
 * @example ratioToNumber(10n ** 400n, 10n ** 399n) // 10
 */
export function ratioToNumber(numerator: bigint, denominator: bigint): number {
  if (denominator <= 0n) throw new RangeError('ratioToNumber: denominator must be positive')
  if (numerator < 0n) return -ratioToNumber(-numerator, denominator)
  if (numerator === 0n) return 0
  const shift = QUOTIENT_BITS - (bitLength(numerator) - bitLength(denominator))
  const quotient =
    shift >= 0
      ? (numerator << BigInt(shift)) / denominator
      : numerator / (denominator << BigInt(-shift))
  // Scale in two halves so that 2^-shift itself never leaves the double range.
  const half = Math.trunc(shift / 2)
  return Number(quotient) * 2 ** -half * 2 ** -(shift - half)
}

/**
 * A Q64.96 sqrt price as a number: `sqrtPriceX96 / 2^96`, the square root of the raw price
 * (token1 raw units per token0 raw unit).
 *
 * @param sqrtPriceX96 - Q64.96 sqrt price
 * @returns the raw sqrt price
 */
export function sqrtPriceToNumber(sqrtPriceX96: bigint): number {
  return ratioToNumber(sqrtPriceX96, Q96)
}

/**
 * A Q128.128 value (fee growth per unit of liquidity) as a number: `value / 2^128`.
 *
 * @param value - Q128.128 integer
 * @returns raw token units per unit of liquidity
 */
export function q128ToNumber(value: bigint): number {
  return ratioToNumber(value, Q128)
}

/**
 * A raw token amount in token units: `raw / 10^decimals`.
 *
 * @param raw - amount in the token's smallest unit
 * @param decimals - the token's decimals
 * @returns the amount in token units
 */
export function toTokenUnits(raw: bigint, decimals: number): number {
  return ratioToNumber(raw, 10n ** BigInt(decimals))
}

/**
 * Price of token0 in units of token1, in token units (decimals applied), from a Q64.96 sqrt
 * price: `sqrtPriceX96^2 / 2^192 * 10^(decimals0 - decimals1)`, computed exactly and rounded
 * once.
 *
 * @param sqrtPriceX96 - the pool's sqrt price, Q64.96
 * @param decimals0 - decimals of token0
 * @param decimals1 - decimals of token1
 * @returns token1 per token0
 * @example poolPrice(2n ** 96n, 18, 6) // 1e12: one raw unit each way is 10^12 USDC per ETH
 */
export function poolPrice(sqrtPriceX96: bigint, decimals0: number, decimals1: number): number {
  return ratioToNumber(
    sqrtPriceX96 * sqrtPriceX96 * 10n ** BigInt(decimals0),
    Q96 * Q96 * 10n ** BigInt(decimals1),
  )
}

function bitLength(value: bigint): number {
  return value.toString(2).length
}
