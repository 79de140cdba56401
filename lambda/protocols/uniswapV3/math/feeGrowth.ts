import { MAX_UINT256, UINT256_MODULUS } from './fullMath.ts'

/**
 * Growth of a `feeGrowthGlobal{0,1}X128` counter between two reads. The counters are
 * uint256 that wrap around by design, so the growth is the difference modulo 2^256.
 *
 * @param start - counter at the start block (Q128.128, raw token per unit of liquidity)
 * @param end - counter at the end block
 * @returns the growth, Q128.128, in `[0, 2^256)`
 * @throws RangeError if a counter is not a uint256
 * @example feeGrowthDelta(2n ** 256n - 10n, 5n) // 15n
 */
export function feeGrowthDelta(start: bigint, end: bigint): bigint {
  for (const value of [start, end]) {
    if (value < 0n || value > MAX_UINT256) throw new RangeError('feeGrowthDelta: not a uint256')
  }
  return (((end - start) % UINT256_MODULUS) + UINT256_MODULUS) % UINT256_MODULUS
}
