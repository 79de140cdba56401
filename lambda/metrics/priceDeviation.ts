/**
 * Price deviation of a pool from the market: for each token `i >= 1`, the pool's marginal
 * price of token 0 in token i against the reference ratio `m_0/m_i`, minus one. Returns
 * the deviation with the largest absolute value, with its sign.
 *
 * @param poolPrices - marginal price of token 0 in units of token i, for `i = 0..n-1`
 *   (index 0 is ignored; it is 1 by definition)
 * @param referencePrices - reference price of each token (USD)
 * @returns the signed deviation as a fraction: 0.005 means the pool prices token 0 0.5%
 *   above the market
 * @example priceDeviation([1, 3030], [3000, 1]) // 0.01
 */
export function priceDeviation(
  poolPrices: readonly number[],
  referencePrices: readonly number[],
): number {
  if (poolPrices.length < 2 || poolPrices.length !== referencePrices.length) {
    throw new RangeError('priceDeviation: needs one pool price and one reference price per token')
  }
  let largest = 0
  for (let i = 1; i < poolPrices.length; i++) {
    const deviation = poolPrices[i]! / (referencePrices[0]! / referencePrices[i]!) - 1
    if (Math.abs(deviation) > Math.abs(largest)) largest = deviation
  }
  return largest
}
