/** Price move that defines depth: 2% either way. */
export const DEPTH_PRICE_MOVE = 0.02

/**
 * USD value of `sold` that must be sold into the pool for `bought` so that the marginal
 * price of `sold` in units of `bought` becomes `priceFactor` times what it was (< 1).
 */
export type SellCostUsd = (sold: number, bought: number, priceFactor: number) => number

/**
 * Depth of an n-token pool: the smallest USD value that moves the price of some pair of its
 * tokens by 2%. For every pair `i < j` there are two trades, as for a two-token pool priced
 * as "token i in token j": selling token i until that price is 2% lower, and selling token j
 * until it is 2% higher (the price of j in i falls to `1/1.02`). Each trade swaps one token
 * for the other, the rest of the pool untouched, as a single exchange does.
 *
 * @param tokenCount - number of tokens in the pool (2 or more)
 * @param costUsd - the protocol's cost of a one-pair trade, fee included
 * @returns the cheapest of the `n*(n-1)` trades, in USD
 * @example pairwiseDepthUsd(2, cost) // min(cost(0, 1, 0.98), cost(1, 0, 1 / 1.02))
 */
export function pairwiseDepthUsd(tokenCount: number, costUsd: SellCostUsd): number {
  if (!(Number.isInteger(tokenCount) && tokenCount >= 2)) {
    throw new RangeError(`pairwiseDepthUsd: a pool has 2 or more tokens, not ${tokenCount}`)
  }
  let cheapest = Number.POSITIVE_INFINITY
  for (let i = 0; i < tokenCount; i++) {
    for (let j = i + 1; j < tokenCount; j++) {
      cheapest = Math.min(
        cheapest,
        costUsd(i, j, 1 - DEPTH_PRICE_MOVE),
        costUsd(j, i, 1 / (1 + DEPTH_PRICE_MOVE)),
      )
    }
  }
  return cheapest
}
