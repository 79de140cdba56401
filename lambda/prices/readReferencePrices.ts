import type { Address } from 'viem'
import type { BlockReader } from '../chain/blockReader.ts'
import type { PriceSource } from '../config/schema.ts'
import { readChainlinkPrice } from './readChainlinkPrice.ts'

/**
 * Reads the USD reference price of each token at the reader's block, from its configured
 * source (a fixed value, or a feed read in the same Multicall3 round as everything else).
 *
 * @param reader - reader pinned to the snapshot block
 * @param sources - one configured source per token
 * @param blockTimestamp - timestamp of the reader's block, for feed staleness
 * @returns one USD price per token
 */
export function readReferencePrices(
  reader: BlockReader,
  sources: readonly PriceSource[],
  blockTimestamp: bigint,
): Promise<number[]> {
  return Promise.all(
    sources.map((source) =>
      source.fixed !== undefined
        ? source.fixed
        : readChainlinkPrice(reader, {
            feed: source.chainlink as Address,
            blockTimestamp,
            ...(source.maxAgeSeconds !== undefined && { maxAgeSeconds: source.maxAgeSeconds }),
          }),
    ),
  )
}
