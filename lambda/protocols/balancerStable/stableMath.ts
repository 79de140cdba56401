import type { StableSwapTrade } from '../../metrics/stableSwapDepth.ts'
import {
  PRECISION,
  poolInvariant,
  scaledBalances,
  stableSwapY,
} from '../../metrics/stableSwapMath.ts'

/**
 * A Balancer stable pool as the StableSwap math sees it. Balancer's invariant is Curve's
 * (`StableMath._calculateInvariant` iterates the same formula), with the scaling factors as
 * rates and the amplification's own precision.
 */
export interface BalancerStablePool {
  /** Raw balances, the pool's own BPT left out. */
  readonly balances: readonly bigint[]
  /** Scaling factors (decimals and token rates), 18 decimals. */
  readonly rates: readonly bigint[]
  readonly amp: bigint
  readonly aPrecision: bigint
  /** Swap fee, 18 decimals. */
  readonly swapFee: bigint
}

/**
 * A swap given in, as `StableMath._calcOutGivenIn` behind `BaseGeneralPool.onSwap`: the fee
 * is taken from the input (rounded up), the rest is scaled up and the invariant solved for
 * the output, less one unit, scaled down. The whole input enters the Vault's balance.
 *
 * @returns the pool's raw balances after the swap
 */
export const balancerStableSwap: StableSwapTrade<BalancerStablePool> = (pool, i, j, dx) => {
  const fee = dx === 0n ? 0n : (dx * pool.swapFee - 1n) / PRECISION + 1n
  const xp = scaledBalances(pool)
  const x = xp[i]! + ((dx - fee) * pool.rates[i]!) / PRECISION
  const y = stableSwapY(i, j, x, xp, pool.amp, pool.aPrecision, poolInvariant(pool, xp))
  const outScaled = xp[j]! - y - 1n
  const out = outScaled > 0n ? (outScaled * PRECISION) / pool.rates[j]! : 0n
  const balances = [...pool.balances]
  balances[i] = balances[i]! + dx
  balances[j] = balances[j]! - out
  return balances
}
