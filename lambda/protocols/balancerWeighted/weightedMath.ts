import { pairwiseDepthUsd } from '../../metrics/depth.ts'

/**
 * Spot price of token 0 in units of each token `i` in a weighted pool (Balancer), fees
 * excluded: `(b_i / w_i) / (b_0 / w_0)`.
 *
 * @param balances - balances in human units
 * @param weights - normalized weights (fractions)
 * @returns index 0 is 1; index `i` is how many token `i` one token 0 buys at the margin
 * @example weightedMarginalPrices([100, 3000], [0.8, 0.2]) // [1, 120]
 */
export function weightedMarginalPrices(
  balances: readonly number[],
  weights: readonly number[],
): number[] {
  if (balances.length !== weights.length) {
    throw new RangeError(
      `weightedMarginalPrices: ${balances.length} balances, ${weights.length} weights`,
    )
  }
  const base = balances[0]! / weights[0]!
  return balances.map((balance, i) => balance / weights[i]! / base)
}

/**
 * Amount of a token that must be sold into a weighted pool, fee included, to move its spot
 * price in the bought token to `priceFactor` times its current value.
 *
 * The pool keeps the whole input but prices the swap on `amountIn * (1 - fee)`, so with
 * `u = amountIn / balanceIn` the price moves by `(1 + u*(1 - fee))^(-wIn/wOut) / (1 + u)`.
 * Without a fee that solves in closed form, `u = q^(-wOut/(wIn + wOut)) - 1`; with one,
 * Newton's method on the logarithm starts from that root and climbs to the exact one (the
 * function is concave and increasing, so every step stays below the root).
 *
 * @param balanceIn - balance of the token sold (any unit; the result has the same)
 * @param weightIn - weight of the token sold
 * @param weightOut - weight of the token bought
 * @param priceFactor - target price over current price, in (0, 1)
 * @param fee - swap fee as a fraction
 * @returns the amount to sell
 * @example weightedAmountIn(1000, 0.5, 0.5, 0.98, 0) // 1000 * (1/sqrt(0.98) - 1)
 */
export function weightedAmountIn(
  balanceIn: number,
  weightIn: number,
  weightOut: number,
  priceFactor: number,
  fee: number,
): number {
  if (!(priceFactor > 0 && priceFactor < 1)) {
    throw new RangeError(`weightedAmountIn: priceFactor ${priceFactor} is not in (0, 1)`)
  }
  if (!(fee >= 0 && fee < 1)) throw new RangeError(`weightedAmountIn: fee ${fee} is not in [0, 1)`)
  const ratio = weightIn / weightOut
  const logTarget = Math.log(priceFactor)
  let u = Math.expm1(-logTarget / (ratio + 1))
  for (let iteration = 0; iteration < 100; iteration++) {
    const g = ratio * Math.log1p(u * (1 - fee)) + Math.log1p(u) + logTarget
    const slope = (ratio * (1 - fee)) / (1 + u * (1 - fee)) + 1 / (1 + u)
    const step = -g / slope
    u += step
    if (Math.abs(step) <= u * 1e-15) break
  }
  return u * balanceIn
}

/**
 * Depth of a weighted pool for a 2% move (see `pairwiseDepthUsd` for the directions).
 *
 * @param balances - balances in human units
 * @param weights - normalized weights
 * @param prices - reference prices (USD)
 * @param fee - swap fee as a fraction
 * @returns USD value of the cheapest trade
 */
export function weightedDepthUsd(
  balances: readonly number[],
  weights: readonly number[],
  prices: readonly number[],
  fee: number,
): number {
  return pairwiseDepthUsd(
    balances.length,
    (sold, bought, priceFactor) =>
      weightedAmountIn(balances[sold]!, weights[sold]!, weights[bought]!, priceFactor, fee) *
      prices[sold]!,
  )
}
