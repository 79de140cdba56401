import { pairwiseDepthUsd } from '../../metrics/depth.ts'

/**
 * Gross amount of a token that must be sold into a constant-product pool (Uniswap V2) to
 * move the marginal price of that token, in units of the other token, by the factor
 * `priceFactor` (< 1: selling a token lowers its price).
 *
 * Mirrors the pair contract: the whole input stays in the reserve, while only
 * `amountIn*(1 - fee)` counts towards the invariant. Solving
 * `x^2 / ((x + a*(1 - fee)) * (x + a)) = priceFactor` for `a` gives the root below, written
 * in its cancellation-free form.
 *
 * @param reserveIn - reserve of the token being sold (any unit; the result is in the same unit)
 * @param priceFactor - target price over current price, in (0, 1)
 * @param fee - swap fee as a fraction (0.003 for 0.30%)
 * @returns the amount to sell, fee included
 * @example constantProductAmountIn(1000, 0.98, 0) // 1000 * (1/sqrt(0.98) - 1) = 10.15...
 */
export function constantProductAmountIn(
  reserveIn: number,
  priceFactor: number,
  fee: number,
): number {
  if (!(priceFactor > 0 && priceFactor < 1)) {
    throw new RangeError(`constantProductAmountIn: priceFactor ${priceFactor} is not in (0, 1)`)
  }
  if (!(fee >= 0 && fee < 1))
    throw new RangeError(`constantProductAmountIn: fee ${fee} is not in [0, 1)`)
  const a = 1 - fee
  const b = reserveIn * (2 - fee)
  const c = reserveIn * reserveIn * (1 / priceFactor - 1)
  return (2 * c) / (b + Math.sqrt(b * b + 4 * a * c))
}

/**
 * Depth of a two-token constant-product pool: the smaller USD value that must be sold into
 * it to move its price by 2%, either selling token 0 (its price falls 2%) or selling token 1
 * (the price of token 0 rises 2%).
 *
 * @param reserves - the two reserves in human units
 * @param prices - reference prices of the two tokens (USD)
 * @param fee - swap fee as a fraction
 * @returns the USD value of the cheaper of the two trades
 */
export function constantProductDepthUsd(
  reserves: readonly [number, number],
  prices: readonly [number, number],
  fee: number,
): number {
  return pairwiseDepthUsd(
    2,
    (sold, _bought, priceFactor) =>
      constantProductAmountIn(reserves[sold]!, priceFactor, fee) * prices[sold]!,
  )
}
