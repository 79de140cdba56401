import { type Address, isAddressEqual } from 'viem'
import type { BlockReader } from '../chain/blockReader.ts'
import { readTokenMetadata } from '../chain/readTokenMetadata.ts'
import type { Config, PriceSource } from '../config/schema.ts'
import { protocolAdapter } from '../protocols/registry.ts'
import { type PriceIndex, priceKey } from './priceIndex.ts'
import { PriceUnavailableError } from './readChainlinkPrice.ts'
import { isDirectSource, readReferencePrices } from './readReferencePrices.ts'

/** What reading a token's price at one snapshot needs. */
export interface SnapshotPrices {
  readonly reader: BlockReader
  readonly blockTimestamp: bigint
  readonly chain: string
  readonly config: Pick<Config, 'pools' | 'chains'>
  readonly prices: PriceIndex
}

/**
 * Reads the USD price of each token from its configured source at the snapshot block: a
 * feed, a fixed value, or another configured pool (see `readPoolPrice`).
 *
 * @param snapshot - reader, block time, chain and the config's pools and prices
 * @param entries - each token with its source
 * @returns one USD price per entry
 */
export function readTokenPrices(
  snapshot: SnapshotPrices,
  entries: readonly { readonly token: Address; readonly source: PriceSource }[],
): Promise<number[]> {
  let read = pricesRead.get(snapshot.reader)
  if (!read) {
    read = new Map()
    pricesRead.set(snapshot.reader, read)
  }
  const known = read
  return Promise.all(
    entries.map(({ token, source }) => {
      // A feed or fixed price is the same for every token it prices; a pool's, per token.
      const key = source.pool !== undefined ? `${source.pool}:${token.toLowerCase()}` : source
      let price = known.get(key)
      if (!price) {
        price =
          source.pool !== undefined
            ? readPoolPrice(snapshot, token, source.pool)
            : readReferencePrices(snapshot.reader, [source], snapshot.blockTimestamp).then(
                ([usd]) => usd!,
              )
        known.set(key, price)
      }
      return price
    }),
  )
}

/**
 * The prices read at each reader's block, by source: every pool asks for the prices of its
 * tokens at every sample, 10,000 pools for a few dozen feeds, and each ask encoded its calls
 * again only to find them read.
 */
const pricesRead = new WeakMap<BlockReader, Map<PriceSource | string, Promise<number>>>()

/**
 * Prices a token through a configured pool at the snapshot block, one level deep only (so
 * prices cannot go round in a circle); the pool's reads are the same calls the report makes
 * for it, so the block reader sends them once.
 * - A token the pool holds: its marginal price there (fees excluded) against a pool token that
 *   has a feed or a fixed price, times that price.
 * - The pool's own LP share (a metapool's base LP token, say): the pool's value at the direct
 *   prices of all its tokens, per share.
 *
 * @param snapshot - reader, block time, chain and the config's pools and prices
 * @param token - the token to price
 * @param poolId - the configured pool to price it in
 * @returns the token's USD price
 * @throws PriceUnavailableError if the pool neither holds the token nor issues it, or lacks
 *   the direct prices to value it
 */
export async function readPoolPrice(
  snapshot: SnapshotPrices,
  token: Address,
  poolId: string,
): Promise<number> {
  const { reader, chain, prices } = snapshot
  const pool = snapshot.config.pools.find((candidate) => candidate.id === poolId)
  if (!pool) throw new PriceUnavailableError(`price of ${token}: unknown pool "${poolId}"`)
  const protocol = protocolAdapter(pool)
  const state = await protocol.read(reader, pool, snapshot.config.chains[pool.chain]!)
  const directSource = (candidate: Address) => {
    const source = prices.get(priceKey(chain, candidate))
    return isDirectSource(source) ? source : undefined
  }
  const index = state.tokens.findIndex((candidate) => isAddressEqual(candidate, token))
  const share = protocol.lpShare?.(state, pool)
  if (index === -1 && share && isAddressEqual(share.token, token)) {
    const sources = state.tokens.map(directSource)
    const unpriced = state.tokens.filter((_, i) => sources[i] === undefined)
    if (unpriced.length > 0) {
      throw new PriceUnavailableError(
        `price of ${token}: pool ${poolId} holds ${unpriced.join(', ')} without a "chainlink" or "fixed" price`,
      )
    }
    const [metadata, usd] = await Promise.all([
      Promise.all([...state.tokens, token].map((address) => readTokenMetadata(reader, address))),
      readReferencePrices(reader, sources as PriceSource[], snapshot.blockTimestamp),
    ])
    const units = (raw: bigint, i: number) => Number(raw) / 10 ** metadata[i]!.decimals
    const value = state.balances.reduce((total, raw, i) => total + units(raw, i) * usd[i]!, 0)
    return value / units(share.supply, state.tokens.length)
  }
  if (index === -1)
    throw new PriceUnavailableError(`price of ${token}: pool ${poolId} does not hold it`)
  const anchor = state.tokens.findIndex(
    (candidate, i) => i !== index && directSource(candidate) !== undefined,
  )
  if (anchor === -1) {
    throw new PriceUnavailableError(
      `price of ${token}: pool ${poolId} holds no other token with a "chainlink" or "fixed" price`,
    )
  }
  const [metadata, [anchorUsd]] = await Promise.all([
    Promise.all(state.tokens.map((address) => readTokenMetadata(reader, address))),
    readReferencePrices(reader, [directSource(state.tokens[anchor]!)!], snapshot.blockTimestamp),
  ])
  // Marginal prices are token 0's price in each token, so one token is p_anchor/p_index anchors.
  const marginal = protocol.marginalPrices(
    state,
    metadata.map((entry) => entry.decimals),
  )
  return (anchorUsd! * marginal[anchor]!) / marginal[index]!
}
