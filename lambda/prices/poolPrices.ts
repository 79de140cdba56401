import type { Address } from 'viem'
import type { PriceSource } from '../config/schema.ts'
import { readTokenPrices, type SnapshotPrices } from './readPoolPrice.ts'

/** Where one token of a pool takes its reference price from. */
export type TokenPriceSource =
  | { readonly kind: 'configured'; readonly source: PriceSource }
  /** A stable pool's token without a price: at par with the pool's token at `index`. */
  | { readonly kind: 'peg'; readonly index: number }
  /** A stable pool none of whose tokens has a price: 1 USD (per unit of par value). */
  | { readonly kind: 'usd' }

/** A token without a configured price, in a pool that needs one for every token. */
export class MissingPriceError extends Error {
  override name = 'MissingPriceError'
  constructor(readonly index: number) {
    super(`token ${index} has no configured price`)
  }
}

/**
 * Decides where each token of a pool gets its reference price. A configured price always
 * wins. In a stable pool (`pegged`), a token without one is taken to trade at par with the
 * first priced token of the pool (stETH with ETH, USDT with USDC), or at 1 USD when no token
 * of the pool is priced; a depeg then shows as price deviation and imbalance against par.
 *
 * @param configured - the configured source of each token, `undefined` where there is none
 * @param pegged - whether the pool's tokens are meant to trade at par
 * @returns one source per token
 * @throws MissingPriceError for the first unpriced token of a pool that is not pegged
 * @example planPoolPrices([{ chainlink: ethFeed }, undefined], true) // [configured, { kind: 'peg', index: 0 }]
 */
export function planPoolPrices(
  configured: readonly (PriceSource | undefined)[],
  pegged: boolean,
): TokenPriceSource[] {
  const anchor = configured.findIndex((source) => source !== undefined)
  return configured.map((source, index): TokenPriceSource => {
    if (source) return { kind: 'configured', source }
    if (!pegged) throw new MissingPriceError(index)
    return anchor === -1 ? { kind: 'usd' } : { kind: 'peg', index: anchor }
  })
}

/**
 * Reads the configured prices of a plan at a snapshot, in the reader's rounds.
 *
 * @param snapshot - reader, block time, chain and the config's pools and prices
 * @param tokens - the pool's tokens, in the plan's order
 * @param plan - from `planPoolPrices`
 * @returns the USD price of each configured token, `undefined` for the others
 */
export async function readConfiguredPrices(
  snapshot: SnapshotPrices,
  tokens: readonly Address[],
  plan: readonly TokenPriceSource[],
): Promise<(number | undefined)[]> {
  const entries = plan.flatMap((entry, i) =>
    entry.kind === 'configured' ? [{ token: tokens[i]!, source: entry.source }] : [],
  )
  const read = await readTokenPrices(snapshot, entries)
  let next = 0
  return plan.map((entry) => (entry.kind === 'configured' ? read[next++]! : undefined))
}

/**
 * Completes a pool's prices: a pegged token is worth its anchor's price times the ratio of
 * their par values, as the pool itself counts them (1:1 for plain coins; a metapool's base
 * LP token at the base pool's virtual price).
 *
 * @param plan - from `planPoolPrices`
 * @param configured - from `readConfiguredPrices`
 * @param parValues - the pool's value of one token of each (all 1 when absent)
 * @returns one USD price per token
 * @example completePoolPrices(plan, [3000, undefined], [1, 1]) // [3000, 3000]
 */
export function completePoolPrices(
  plan: readonly TokenPriceSource[],
  configured: readonly (number | undefined)[],
  parValues?: readonly number[],
): number[] {
  const par = (i: number) => parValues?.[i] ?? 1
  return plan.map((entry, i) => {
    if (entry.kind === 'configured') return configured[i]!
    if (entry.kind === 'usd') return par(i)
    return (configured[entry.index]! * par(i)) / par(entry.index)
  })
}
