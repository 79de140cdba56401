import { type Address, encodeAbiParameters, encodeFunctionData, type Hex, stringToHex } from 'viem'
import { MULTICALL3_ADDRESS } from '../lambda/chain/aggregate3.ts'
import type { ChainClient } from '../lambda/chain/createChainClient.ts'
import { NATIVE_TOKEN_ADDRESS } from '../lambda/chain/readTokenMetadata.ts'
import type { Artifact } from './compileContracts.ts'
import type { DevnetWallet } from './devnetWallet.ts'
import { ASSETS, type AssetKey, FEED_DECIMALS } from './scenario.ts'

/** What every protocol's deployment and simulation works with. */
export interface DevnetContext {
  readonly wallet: DevnetWallet
  readonly client: ChainClient
  readonly artifacts: Record<string, Artifact>
}

/** Tokens and price feeds, by asset (the native coin's "token" is `0xEeee…EEeE`). */
export interface BaseDeployment {
  readonly tokens: Record<AssetKey, Address>
  readonly feeds: Partial<Record<AssetKey, Address>>
}

/**
 * Puts Multicall3 at its canonical address and deploys the test tokens and price feeds, in
 * one block at `timestamp`.
 */
export async function deployBase(
  context: DevnetContext,
  timestamp: bigint,
): Promise<BaseDeployment> {
  const { wallet, artifacts } = context
  await installMulticall3(context)

  const tokens = {} as Record<AssetKey, Address>
  const feeds: Partial<Record<AssetKey, Address>> = {}
  for (const [key, asset] of Object.entries(ASSETS) as [AssetKey, (typeof ASSETS)[AssetKey]][]) {
    tokens[key] = asset.native
      ? NATIVE_TOKEN_ADDRESS
      : asset.rate
        ? wallet.deploy(
            `deploy ${key}`,
            withArgs(
              artifacts.RateBearingToken!,
              ['string', 'string', 'uint256'],
              [asset.name, asset.symbol, toRaw(asset.rate.start, 18)],
            ),
          )
        : asset.bytes32Symbol
          ? wallet.deploy(
              `deploy ${key}`,
              withArgs(
                artifacts.Bytes32SymbolToken!,
                ['bytes32', 'bytes32', 'uint8'],
                [
                  stringToHex(asset.name, { size: 32 }),
                  stringToHex(asset.symbol, { size: 32 }),
                  asset.decimals,
                ],
              ),
            )
          : wallet.deploy(
              `deploy ${key}`,
              withArgs(
                artifacts.TestToken!,
                ['string', 'string', 'uint8'],
                [asset.name, asset.symbol, asset.decimals],
              ),
            )
    if (asset.price === 'feed') {
      feeds[key] = wallet.deploy(
        `deploy ${key} feed`,
        withArgs(
          artifacts.PriceFeed!,
          ['uint8', 'string', 'int256'],
          [FEED_DECIMALS, `${asset.symbol} / USD`, toFeedAnswer(asset.startPriceUsd)],
        ),
      )
    }
  }
  await wallet.mine(timestamp)
  return { tokens, feeds }
}

/** Installs Multicall3 at its canonical address, where the report looks for it on every chain. */
export async function installMulticall3({
  wallet,
  artifacts,
}: Pick<DevnetContext, 'wallet' | 'artifacts'>): Promise<void> {
  // Running the creation code in an eth_call returns the runtime code to install.
  const runtime = (await wallet.request(
    'eth_call',
    { data: artifacts.Multicall3!.bytecode },
    'latest',
  )) as Hex
  await wallet.request('anvil_setCode', MULTICALL3_ADDRESS, runtime)
}

/** Queues `setAnswer` on every feed. */
export function updateFeeds(
  context: DevnetContext,
  base: BaseDeployment,
  priceOf: (asset: AssetKey) => number,
): void {
  for (const [key, feed] of Object.entries(base.feeds) as [AssetKey, Address][]) {
    context.wallet.send(
      `update ${key} feed`,
      feed,
      encodeFunctionData({
        abi: context.artifacts.PriceFeed!.abi,
        functionName: 'setAnswer',
        args: [toFeedAnswer(priceOf(key))],
      }),
    )
  }
}

/** Queues `setRate` on every rate-bearing token. */
export function updateRates(
  context: DevnetContext,
  base: BaseDeployment,
  rateOf: (asset: AssetKey) => number,
): void {
  for (const [key, asset] of Object.entries(ASSETS) as [AssetKey, (typeof ASSETS)[AssetKey]][]) {
    if (!asset.rate) continue
    context.wallet.send(
      `update ${key} rate`,
      base.tokens[key],
      encodeFunctionData({
        abi: context.artifacts.RateBearingToken!.abi,
        functionName: 'setRate',
        args: [toRaw(rateOf(key), 18)],
      }),
    )
  }
}

/** Creation bytecode followed by ABI-encoded constructor arguments. */
export function withArgs(
  artifact: Pick<Artifact, 'bytecode'>,
  types: string[],
  values: unknown[],
): Hex {
  const encoded = encodeAbiParameters(
    types.map((type) => ({ type })),
    values,
  )
  return `${artifact.bytecode}${encoded.slice(2)}`
}

/** Converts a human amount to raw token units (floor). */
export function toRaw(amount: number, decimals: number): bigint {
  return BigInt(Math.floor(amount * 10 ** decimals))
}

function toFeedAnswer(priceUsd: number): bigint {
  return BigInt(Math.round(priceUsd * 10 ** FEED_DECIMALS))
}
