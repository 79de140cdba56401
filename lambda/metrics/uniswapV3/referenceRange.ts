import type { RangePositionMetrics } from '../types.ts'
import { sqrtPriceToNumber } from './toNumber.ts'

/**
 * Token amounts (raw units) of one unit of liquidity over the range `[sqrtLower, sqrtUpper]`
 * at the sqrt price `sqrtPrice` (raw sqrt prices, not Q64.96): only token0 at or below the
 * range, only token1 at or above it, `(1/sqrtP - 1/sqrtUpper, sqrtP - sqrtLower)` inside.
 *
 * @param sqrtPrice - raw sqrt price
 * @param sqrtLower - raw sqrt price of the lower bound
 * @param sqrtUpper - raw sqrt price of the upper bound (> sqrtLower)
 * @returns token0 and token1 amounts per unit of liquidity
 * @example concentratedAmounts(1, 0.9, 1.1) // [0.0909..., 0.1]
 */
export function concentratedAmounts(
  sqrtPrice: number,
  sqrtLower: number,
  sqrtUpper: number,
): [number, number] {
  if (!(sqrtLower > 0 && sqrtUpper > sqrtLower)) {
    throw new RangeError('concentratedAmounts: needs 0 < sqrtLower < sqrtUpper')
  }
  const clipped = Math.min(Math.max(sqrtPrice, sqrtLower), sqrtUpper)
  return [(sqrtUpper - clipped) / (clipped * sqrtUpper), clipped - sqrtLower]
}

/** Inputs of the reference concentrated position of a V3 pool's day. */
export interface ReferenceRangeInput {
  /** Pool sqrt price at the start and the end block, Q64.96. */
  readonly sqrtPriceStartX96: bigint
  readonly sqrtPriceEndX96: bigint
  /** Half-width of the range in percent of the start price (10 = +/-10%), in (0, 100). */
  readonly rangePct: number
  readonly decimals: readonly [number, number]
  /** Reference prices (USD) at the end block: both holdings are valued at them. */
  readonly pricesEnd: readonly [number, number]
}

/**
 * The reference concentrated position: liquidity over `[P0*(1 - r), P0*(1 + r)]` around the
 * start pool price `P0` (no tick rounding), its value at the end price against its value at
 * the start price, both at end reference prices (fees excluded), and whether the end price
 * `P1` lies inside the closed range (decided on the exact integers).
 *
 * @param input - start and end sqrt prices, range, decimals, end reference prices
 * @returns the range, its divergence loss as a fraction, and whether it ended in range
 */
export function referenceRangePosition(input: ReferenceRangeInput): RangePositionMetrics {
  const { sqrtPriceStartX96, sqrtPriceEndX96, rangePct, decimals, pricesEnd } = input
  if (!(rangePct > 0 && rangePct < 100)) {
    throw new RangeError(`referenceRangePosition: rangePct ${rangePct} is not in (0, 100)`)
  }
  const start = sqrtPriceToNumber(sqrtPriceStartX96)
  const end = sqrtPriceToNumber(sqrtPriceEndX96)
  const r = rangePct / 100
  const lower = start * Math.sqrt(1 - r)
  const upper = start * Math.sqrt(1 + r)
  const value = ([amount0, amount1]: [number, number]) =>
    (amount0 / 10 ** decimals[0]) * pricesEnd[0] + (amount1 / 10 ** decimals[1]) * pricesEnd[1]
  const held = value(concentratedAmounts(start, lower, upper))
  if (!(held > 0)) throw new RangeError('referenceRangePosition: the position holds no value')
  return {
    rangePct,
    divergenceLoss: value(concentratedAmounts(end, lower, upper)) / held - 1,
    inRange: endsInRange(sqrtPriceStartX96, sqrtPriceEndX96, rangePct),
  }
}

/** `P0*(1 - r) <= P1 <= P0*(1 + r)` on the integers: `P = sqrtPriceX96^2` up to a common scale. */
function endsInRange(sqrtStart: bigint, sqrtEnd: bigint, rangePct: number): boolean {
  const [numerator, denominator] = exactFraction(rangePct)
  const hundred = 100n * denominator
  const startSquared = sqrtStart * sqrtStart
  const endScaled = sqrtEnd * sqrtEnd * hundred
  return (
    endScaled >= startSquared * (hundred - numerator) &&
    endScaled <= startSquared * (hundred + numerator)
  )
}

/** A finite double as the exact fraction it stores (a power of two as the denominator). */
function exactFraction(value: number): [bigint, bigint] {
  let scaled = value
  let denominator = 1n
  while (!Number.isInteger(scaled)) {
    scaled *= 2
    denominator *= 2n
  }
  return [BigInt(scaled), denominator]
}
