import { divRoundingUp, MAX_UINT256, mulDiv, mulDivRoundingUp, Q96 } from './fullMath.ts'

const MAX_UINT128 = (1n << 128n) - 1n

function checkInputs(name: string, sqrtA: bigint, sqrtB: bigint, liquidity: bigint) {
  if (sqrtA <= 0n || sqrtB <= 0n || sqrtA > MAX_UINT256 || sqrtB > MAX_UINT256) {
    throw new RangeError(`${name}: sqrt prices must be positive`)
  }
  if (liquidity < 0n || liquidity > MAX_UINT128) {
    throw new RangeError(`${name}: liquidity must be a uint128`)
  }
  return sqrtA <= sqrtB ? [sqrtA, sqrtB] : [sqrtB, sqrtA]
}

/**
 * Amount of token0 (raw) between two sqrt prices for `liquidity`:
 * `L * 2^96 * (sqrtB - sqrtA) / sqrtB / sqrtA`, rounded as v3-core's
 * `SqrtPriceMath.getAmount0Delta` (up for what a pool takes, down for what it gives).
 *
 * @param sqrtRatioAX96 - one sqrt price, Q64.96 (order does not matter)
 * @param sqrtRatioBX96 - the other sqrt price, Q64.96
 * @param liquidity - uint128 liquidity
 * @param roundUp - round up (amount paid into the pool) or down (amount paid out)
 * @returns the token0 amount
 */
export function getAmount0Delta(
  sqrtRatioAX96: bigint,
  sqrtRatioBX96: bigint,
  liquidity: bigint,
  roundUp: boolean,
): bigint {
  const [lower, upper] = checkInputs('getAmount0Delta', sqrtRatioAX96, sqrtRatioBX96, liquidity)
  const numerator1 = liquidity << 96n
  const numerator2 = upper! - lower!
  return roundUp
    ? divRoundingUp(mulDivRoundingUp(numerator1, numerator2, upper!), lower!)
    : mulDiv(numerator1, numerator2, upper!) / lower!
}

/**
 * Amount of token1 (raw) between two sqrt prices for `liquidity`: `L * (sqrtB - sqrtA) / 2^96`,
 * rounded as v3-core's `SqrtPriceMath.getAmount1Delta`.
 *
 * @param sqrtRatioAX96 - one sqrt price, Q64.96 (order does not matter)
 * @param sqrtRatioBX96 - the other sqrt price, Q64.96
 * @param liquidity - uint128 liquidity
 * @param roundUp - round up (amount paid into the pool) or down (amount paid out)
 * @returns the token1 amount
 */
export function getAmount1Delta(
  sqrtRatioAX96: bigint,
  sqrtRatioBX96: bigint,
  liquidity: bigint,
  roundUp: boolean,
): bigint {
  const [lower, upper] = checkInputs('getAmount1Delta', sqrtRatioAX96, sqrtRatioBX96, liquidity)
  return roundUp
    ? mulDivRoundingUp(liquidity, upper! - lower!, Q96)
    : mulDiv(liquidity, upper! - lower!, Q96)
}
