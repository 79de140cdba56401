import { type Address, parseAbi } from 'viem'
import type { BlockReader } from '../chain/blockReader.ts'
import { ReportError } from '../errors.ts'

export const aggregatorV3Abi = parseAbi([
  'function decimals() view returns (uint8)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
])

/** Default staleness limit: a day plus an hour, for feeds with a 24 h heartbeat. */
export const DEFAULT_MAX_AGE_SECONDS = 90_000

/** A price feed that cannot give a usable answer at the snapshot block. */
export class PriceUnavailableError extends ReportError {
  override name = 'PriceUnavailableError'
}

export interface ReadChainlinkPriceParameters {
  readonly feed: Address
  /** Timestamp of the reader's block: the answer must be fresh relative to it. */
  readonly blockTimestamp: bigint
  readonly maxAgeSeconds?: number
}

/**
 * Reads a Chainlink-style USD feed at the reader's block.
 *
 * @param reader - reader pinned to the snapshot block
 * @param parameters - feed address, block timestamp, staleness limit
 * @returns the price in USD
 * @throws PriceUnavailableError if the answer is not positive or is stale
 */
export function readChainlinkPrice(
  reader: BlockReader,
  { feed, blockTimestamp, maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS }: ReadChainlinkPriceParameters,
): Promise<number> {
  // Every pool that holds the token asks for its price at the block: read and check it once.
  let byFeed = pricesRead.get(reader)
  if (!byFeed) {
    byFeed = new Map()
    pricesRead.set(reader, byFeed)
  }
  const key = `${feed.toLowerCase()}:${blockTimestamp}:${maxAgeSeconds}`
  let price = byFeed.get(key)
  if (!price) {
    price = readFeed(reader, feed, blockTimestamp, maxAgeSeconds)
    byFeed.set(key, price)
  }
  return price
}

const pricesRead = new WeakMap<BlockReader, Map<string, Promise<number>>>()

async function readFeed(
  reader: BlockReader,
  feed: Address,
  blockTimestamp: bigint,
  maxAgeSeconds: number,
): Promise<number> {
  const [decimals, [, answer, , updatedAt]] = await Promise.all([
    reader.read({ address: feed, abi: aggregatorV3Abi, functionName: 'decimals' }),
    reader.read({ address: feed, abi: aggregatorV3Abi, functionName: 'latestRoundData' }),
  ])
  if (answer <= 0n)
    throw new PriceUnavailableError(
      `price feed ${feed} answers ${answer} at block ${reader.blockNumber}`,
    )
  const age = blockTimestamp - updatedAt
  if (age > BigInt(maxAgeSeconds)) {
    throw new PriceUnavailableError(
      `price feed ${feed} is stale at block ${reader.blockNumber}: last updated ${age} s before the snapshot (limit ${maxAgeSeconds} s)`,
    )
  }
  return Number(answer) / 10 ** decimals
}
