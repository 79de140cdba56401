import type { Address } from 'viem'
import type { ChainClient } from '../../lambda/chain/createChainClient.ts'
import type { Config } from '../../lambda/config/schema.ts'
import { aggregatorV3Abi } from '../../lambda/prices/readChainlinkPrice.ts'

/**
 * A token's configured reference price at a block, read straight from its feed: the
 * expectation side of the tests, written without the report's price code.
 *
 * @returns the USD price, or `undefined` when the config has none for the token
 */
export async function configuredPrice(
  client: ChainClient,
  config: Pick<Config, 'prices'>,
  token: Address,
  blockNumber: bigint,
): Promise<number | undefined> {
  const source = Object.entries(config.prices).find(
    ([key]) => key.toLowerCase() === `devnet:${token.toLowerCase()}`,
  )?.[1]
  if (!source) return undefined
  if (source.fixed !== undefined) return source.fixed
  const feed = source.chainlink as Address
  const [[, answer], decimals] = await Promise.all([
    client.readContract({
      address: feed,
      abi: aggregatorV3Abi,
      functionName: 'latestRoundData',
      blockNumber,
    }),
    client.readContract({
      address: feed,
      abi: aggregatorV3Abi,
      functionName: 'decimals',
      blockNumber,
    }),
  ])
  return Number(answer) / 10 ** decimals
}

/**
 * Reference prices of a stable pool's coins as the README documents them: a configured
 * price, else par with the pool's first priced coin (scaled by what the pool counts each
 * coin as, `par`), else 1 USD per unit of par.
 */
export async function stablePoolPrices(
  client: ChainClient,
  config: Pick<Config, 'prices'>,
  coins: readonly Address[],
  blockNumber: bigint,
  par: readonly number[] = coins.map(() => 1),
): Promise<number[]> {
  const own = await Promise.all(
    coins.map((coin) => configuredPrice(client, config, coin, blockNumber)),
  )
  const anchor = own.findIndex((price) => price !== undefined)
  const perPar = anchor === -1 ? 1 : own[anchor]! / par[anchor]!
  return own.map((price, i) => price ?? perPar * par[i]!)
}
