/**
 * Imbalance of a pool: the largest distance of a token's value share from its target
 * weight, `max_i |s_i - w_i|`.
 *
 * @param shares - value share of each token (fractions, see `valueShares`)
 * @param weights - target weight of each token (1/2 for Uniswap, 1/n for StableSwap, the
 *   pool's weights for weighted pools)
 * @returns the imbalance as a fraction: 0.1 means 10 percentage points
 * @example imbalance([0.6, 0.4], [0.5, 0.5]) // 0.1
 */
export function imbalance(shares: readonly number[], weights: readonly number[]): number {
  if (shares.length !== weights.length) {
    throw new RangeError(`imbalance: ${shares.length} shares but ${weights.length} weights`)
  }
  return Math.max(...shares.map((share, i) => Math.abs(share - weights[i]!)))
}
