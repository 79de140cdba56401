import { type Address, isAddressEqual } from 'viem'
import type { BlockReader } from '../chain/blockReader.ts'
import { readTokenMetadata } from '../chain/readTokenMetadata.ts'
import type { Config, PriceSource } from '../config/schema.ts'
import { protocolModule } from '../protocols/registry.ts'
import { type PriceIndex, priceKey } from './priceIndex.ts'
import { PriceUnavailableError } from './readChainlinkPrice.ts'
import { isDirectSource, readReferencePrices } from './readReferencePrices.ts'

/** What reading a token's price at one snapshot needs. */
export interface SnapshotPrices {
  readonly reader: BlockReader
  readonly blockTimestamp: bigint
  readonly chain: string
  readonly config: Pick<Config, 'pools'>
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
  return Promise.all(
    entries.map(async ({ token, source }) =>
      source.pool !== undefined
        ? readPoolPrice(snapshot, token, source.pool)
        : (await readReferencePrices(snapshot.reader, [source], snapshot.blockTimestamp))[0]!,
    ),
  )
}

/**
 * Prices a token through a configured pool at the snapshot block: its marginal price there
 * (fees excluded) against a pool token that has a feed or a fixed price, times that price.
 * One level deep only, so prices cannot go round in a circle. The pool's reads are the same
 * calls the report makes for it, so the block reader sends them once.
 *
 * @param snapshot - reader, block time, chain and the config's pools and prices
 * @param token - the token to price
 * @param poolId - the configured pool to price it in
 * @returns the token's USD price
 * @throws PriceUnavailableError if the pool does not hold the token, or holds no other
 *   token with a direct price
 */
export async function readPoolPrice(
  snapshot: SnapshotPrices,
  token: Address,
  poolId: string,
): Promise<number> {
  const { reader, chain, prices } = snapshot
  const pool = snapshot.config.pools.find((candidate) => candidate.id === poolId)
  if (!pool) throw new PriceUnavailableError(`price of ${token}: unknown pool "${poolId}"`)
  const protocol = protocolModule(pool)
  const state = await protocol.read(reader, pool)
  const index = state.tokens.findIndex((candidate) => isAddressEqual(candidate, token))
  if (index === -1)
    throw new PriceUnavailableError(`price of ${token}: pool ${poolId} does not hold it`)
  const anchor = state.tokens.findIndex(
    (candidate, i) => i !== index && isDirectSource(prices.get(priceKey(chain, candidate))),
  )
  if (anchor === -1) {
    throw new PriceUnavailableError(
      `price of ${token}: pool ${poolId} holds no other token with a "chainlink" or "fixed" price`,
    )
  }
  const anchorSource = prices.get(priceKey(chain, state.tokens[anchor]!))!
  const [metadata, [anchorUsd]] = await Promise.all([
    Promise.all(state.tokens.map((address) => readTokenMetadata(reader, address))),
    readReferencePrices(reader, [anchorSource], snapshot.blockTimestamp),
  ])
  // Marginal prices are token 0's price in each token, so one token is p_anchor/p_index anchors.
  const marginal = protocol.marginalPrices(
    state,
    metadata.map((entry) => entry.decimals),
  )
  return (anchorUsd! * marginal[anchor]!) / marginal[index]!
}
