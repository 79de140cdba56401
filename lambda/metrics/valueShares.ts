/**
 * Value share of each token in a pool at reference prices: `s_i = b_i*m_i / sum_j(b_j*m_j)`.
 *
 * @param balances - token balances in human units (not raw integers)
 * @param prices - reference price of each token, in the same order (USD)
 * @returns the fraction of the pool's value held in each token (sums to 1)
 * @example valueShares([1, 3000], [3000, 1]) // [0.5, 0.5]
 */
export function valueShares(balances: readonly number[], prices: readonly number[]): number[] {
  if (balances.length !== prices.length) {
    throw new RangeError(`valueShares: ${balances.length} balances but ${prices.length} prices`)
  }
  const values = balances.map((balance, i) => balance * prices[i]!)
  const total = sum(values)
  if (!(total > 0)) throw new RangeError('valueShares: the pool holds no value at these prices')
  return values.map((value) => value / total)
}

/**
 * Total value of a pool's balances at the given prices.
 *
 * @param balances - token balances in human units
 * @param prices - price of each token (USD)
 * @returns `sum_i(b_i*m_i)`
 */
export function totalValue(balances: readonly number[], prices: readonly number[]): number {
  return sum(balances.map((balance, i) => balance * prices[i]!))
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0)
}
