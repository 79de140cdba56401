/**
 * Divergence loss (impermanent loss) separated from fees: `(1 + lpVsHodl) / (1 + feeReturn) - 1`.
 *
 * Fees compound into the reserves of constant-product, StableSwap and weighted pools, so
 * the LP result divides into a fee factor and a price factor.
 *
 * @param lpVsHodl - LP versus HODL as a fraction
 * @param feeReturn - growth of the invariant per LP share as a fraction
 * @returns the divergence loss as a fraction (zero or negative when the pool tracks the market)
 */
export function divergenceLoss(lpVsHodl: number, feeReturn: number): number {
  return (1 + lpVsHodl) / (1 + feeReturn) - 1
}

/**
 * Closed-form divergence loss of a constant-product pool that tracks the market:
 * `2*sqrt(r)/(1+r) - 1`.
 *
 * @param priceRatio - end price of token 0 in token 1 divided by its start price
 * @returns the divergence loss as a fraction
 * @example constantProductDivergenceLoss(2) // -0.0571909584...
 */
export function constantProductDivergenceLoss(priceRatio: number): number {
  if (!(priceRatio > 0)) throw new RangeError('constantProductDivergenceLoss: ratio must be > 0')
  return (2 * Math.sqrt(priceRatio)) / (1 + priceRatio) - 1
}

/**
 * Closed-form divergence loss of a weighted pool that tracks the market:
 * `prod(r_i^w_i) / sum(w_i*r_i) - 1`.
 *
 * @param priceRatios - end price over start price of each token (same numeraire)
 * @param weights - normalized weights of the tokens (sum to 1)
 * @returns the divergence loss as a fraction
 * @example weightedDivergenceLoss([2, 1], [0.8, 0.2]) // -0.0327216...
 */
export function weightedDivergenceLoss(
  priceRatios: readonly number[],
  weights: readonly number[],
): number {
  if (priceRatios.length !== weights.length) {
    throw new RangeError('weightedDivergenceLoss: one weight per price ratio')
  }
  let product = 1
  let mean = 0
  priceRatios.forEach((ratio, i) => {
    product *= ratio ** weights[i]!
    mean += weights[i]! * ratio
  })
  return product / mean - 1
}
