import type { RangePositionMetrics } from '../../../metrics/types.ts'
import { isqrt } from './fullMath.ts'
import { getAmountsForLiquidity, type TokenAmounts } from './liquidityAmounts.ts'
import { toTokenUnits } from './toNumber.ts'

/**
 * Liquidity the reference position is valued with: any amount gives the same ratios, the
 * largest uint128 keeps the integer amounts precise to far below a double's resolution.
 */
const REFERENCE_LIQUIDITY = (1n << 128n) - 1n

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
 * start pool price `P0` (no tick rounding), its value at the end price `P1` against its value
 * at `P0`, both at end reference prices (fees excluded), and whether `P1` lies inside the
 * closed range. The amounts are those of the concentrated-liquidity formulas (only token0
 * below the range, only token1 above it), on Q64.96 bounds; the range test is exact.
 *
 * @param input - start and end sqrt prices, range, decimals, end reference prices
 * @returns the range, its divergence loss as a fraction, and whether it ended in range
 */
export function referenceRangePosition(input: ReferenceRangeInput): RangePositionMetrics {
  const { sqrtPriceStartX96, sqrtPriceEndX96, rangePct, decimals, pricesEnd } = input
  if (!(rangePct > 0 && rangePct < 100)) {
    throw new RangeError(`referenceRangePosition: rangePct ${rangePct} is not in (0, 100)`)
  }
  const [numerator, denominator] = exactFraction(rangePct)
  const hundred = 100n * denominator
  const startSquared = sqrtPriceStartX96 * sqrtPriceStartX96
  const sqrtLower = isqrt((startSquared * (hundred - numerator)) / hundred)
  const sqrtUpper = isqrt((startSquared * (hundred + numerator)) / hundred)
  const value = ({ amount0, amount1 }: TokenAmounts) =>
    toTokenUnits(amount0, decimals[0]) * pricesEnd[0] +
    toTokenUnits(amount1, decimals[1]) * pricesEnd[1]
  const amountsAt = (sqrtPriceX96: bigint) =>
    getAmountsForLiquidity(sqrtPriceX96, sqrtLower, sqrtUpper, REFERENCE_LIQUIDITY)
  const held = value(amountsAt(sqrtPriceStartX96))
  if (!(held > 0)) throw new RangeError('referenceRangePosition: the position holds no value')
  const endSquaredScaled = sqrtPriceEndX96 * sqrtPriceEndX96 * hundred
  return {
    rangePct,
    divergenceLoss: value(amountsAt(sqrtPriceEndX96)) / held - 1,
    // P0*(1 - r) <= P1 <= P0*(1 + r), on the integers.
    inRange:
      endSquaredScaled >= startSquared * (hundred - numerator) &&
      endSquaredScaled <= startSquared * (hundred + numerator),
  }
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
