import type { Address } from 'viem'
import type { BlockReader } from '../chain/blockReader.ts'
import type { PriceSource } from '../config/schema.ts'
import {
  aggregatorV3Abi,
  DEFAULT_MAX_AGE_SECONDS,
  readChainlinkPrice,
} from '../prices/readChainlinkPrice.ts'
import { type Check, fail, pass } from './check.ts'
import { describeError } from './describeError.ts'

/**
 * Reads each configured Chainlink feed of a chain at the reader's block, as the report does,
 * and gives its age against its `maxAgeSeconds`. Fixed and pool prices have no age.
 *
 * @param reader - reader pinned to the latest block
 * @param blockTimestamp - that block's timestamp
 * @param prices - the config's prices of this chain, by `chain:token` key
 * @returns one check per feed, in config order
 */
export function checkPriceFeeds(
  reader: BlockReader,
  blockTimestamp: bigint,
  prices: readonly (readonly [key: string, source: PriceSource])[],
): Promise<Check[]> {
  const feeds = prices.flatMap(([key, source]) =>
    source.chainlink === undefined
      ? []
      : [
          {
            key,
            feed: source.chainlink as Address,
            maxAge: source.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
          },
        ],
  )
  return Promise.all(
    feeds.map(async ({ key, feed, maxAge }) => {
      const subject = `feed ${key}`
      try {
        // The same latestRoundData call as readChainlinkPrice's: the reader sends it once.
        const [price, [, , , updatedAt]] = await Promise.all([
          readChainlinkPrice(reader, { feed, blockTimestamp, maxAgeSeconds: maxAge }),
          reader.read({ address: feed, abi: aggregatorV3Abi, functionName: 'latestRoundData' }),
        ])
        return pass(
          subject,
          `${feed} answers ${price} USD, updated ${blockTimestamp - updatedAt} s before block ${reader.blockNumber} (limit ${maxAge} s)`,
        )
      } catch (error) {
        return fail(subject, describeError(error))
      }
    }),
  )
}
