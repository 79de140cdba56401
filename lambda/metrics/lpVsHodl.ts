/**
 * LP versus HODL over a period: what one LP share is worth at the end against holding what
 * it was made of at the start, both valued at end prices:
 * `(sum_i b_i,end/S_end * m_i,end) / (sum_i b_i,start/S_start * m_i,end) - 1`.
 *
 * Fees, divergence and donations all count.
 *
 * @param startPerShare - token amounts behind one LP share at the start (human units)
 * @param endPerShare - token amounts behind one LP share at the end (human units)
 * @param endPrices - reference prices at the end (USD)
 * @returns the relative result as a fraction: -0.02 means the LP is 2% behind holding
 */
export function lpVsHodl(
  startPerShare: readonly number[],
  endPerShare: readonly number[],
  endPrices: readonly number[],
): number {
  const held = valueAt(startPerShare, endPrices)
  if (!(held > 0)) throw new RangeError('lpVsHodl: the start position holds no value')
  return valueAt(endPerShare, endPrices) / held - 1
}

function valueAt(amounts: readonly number[], prices: readonly number[]): number {
  return amounts.reduce((total, amount, i) => total + amount * prices[i]!, 0)
}
