import type { Address } from 'viem'
import type { BlockReader } from '../chain/blockReader.ts'
import type { PriceSource } from '../config/schema.ts'
import { readChainlinkPrice } from './readChainlinkPrice.ts'

/** A price source that needs no other pool: a feed or a fixed value. */
export type DirectPriceSource = Pick<PriceSource, 'chainlink' | 'fixed' | 'maxAgeSeconds'>

/** Whether a source prices a token by itself (a feed or a fixed value), not through a pool. */
export function isDirectSource(source: PriceSource | undefined): source is PriceSource {
  return source !== undefined && (source.chainlink !== undefined || source.fixed !== undefined)
}

/**
 * Reads the USD reference price of each token at the reader's block, from its configured
 * feed or fixed value (feeds are read in the same Multicall3 round as everything else).
 *
 * @param reader - reader pinned to the snapshot block
 * @param sources - one feed or fixed source per token
 * @param blockTimestamp - timestamp of the reader's block, for feed staleness
 * @returns one USD price per token
 */
export function readReferencePrices(
  reader: BlockReader,
  sources: readonly DirectPriceSource[],
  blockTimestamp: bigint,
): Promise<number[]> {
  return Promise.all(
    sources.map(async (source) => {
      if (source.fixed !== undefined) return source.fixed
      if (source.chainlink === undefined)
        throw new Error('a direct price source has a feed or a fixed value')
      return readChainlinkPrice(reader, {
        feed: source.chainlink as Address,
        blockTimestamp,
        ...(source.maxAgeSeconds !== undefined && { maxAgeSeconds: source.maxAgeSeconds }),
      })
    }),
  )
}
