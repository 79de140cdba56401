import type { BlockReader } from '../chain/blockReader.ts'
import type { PriceSource } from '../config/schema.ts'
import { readReferencePrices } from './readReferencePrices.ts'

/** Where one token of a pool takes its reference price from. */
export type TokenPriceSource =
  | { readonly kind: 'configured'; readonly source: PriceSource }
  /** A stable pool's token without a price: at par with the pool's token at `index`. */
  | { readonly kind: 'peg'; readonly index: number }
  /** A stable pool none of whose tokens has a price: 1 USD. */
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
 * Reads the planned reference prices at the reader's block: configured sources in the
 * reader's round, pegged tokens copied from their anchor.
 *
 * @param reader - reader pinned to the snapshot block
 * @param plan - from `planPoolPrices`
 * @param blockTimestamp - timestamp of the reader's block, for feed staleness
 * @returns one USD price per token
 */
export async function readPoolPrices(
  reader: BlockReader,
  plan: readonly TokenPriceSource[],
  blockTimestamp: bigint,
): Promise<number[]> {
  const sources = plan.flatMap((entry) => (entry.kind === 'configured' ? [entry.source] : []))
  const read = await readReferencePrices(reader, sources, blockTimestamp)
  let next = 0
  const own = plan.map((entry) =>
    entry.kind === 'configured' ? read[next++]! : entry.kind === 'usd' ? 1 : undefined,
  )
  // A pegged token's anchor is a configured token of the same pool.
  return plan.map((entry, i) => (entry.kind === 'peg' ? own[entry.index]! : own[i]!))
}
