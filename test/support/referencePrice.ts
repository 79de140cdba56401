import type { Address } from 'viem'
import type { ChainClient } from '../../lambda/chain/createChainClient.ts'
import type { Config } from '../../lambda/config/schema.ts'
import { aggregatorV3Abi } from '../../lambda/prices/readChainlinkPrice.ts'

/**
 * A token's reference price at a block, read straight from its configured feed (or the
 * fixed price), without the report's price code: what tests compare the report against.
 */
export async function referencePrice(
  client: ChainClient,
  config: Config,
  token: Address,
  blockNumber: bigint,
): Promise<number> {
  const source = Object.entries(config.prices).find(
    ([key]) => key.toLowerCase() === `devnet:${token.toLowerCase()}`,
  )?.[1]
  if (source?.fixed !== undefined) return source.fixed
  const feed = source!.chainlink as Address
  const [, answer] = await client.readContract({
    address: feed,
    abi: aggregatorV3Abi,
    functionName: 'latestRoundData',
    blockNumber,
  })
  const decimals = await client.readContract({
    address: feed,
    abi: aggregatorV3Abi,
    functionName: 'decimals',
  })
  return Number(answer) / 10 ** decimals
}
