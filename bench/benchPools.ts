/** The benchmarks' pools: the same deployment for the snapshot and the sampled-day benches. */
import { type Address, createPublicClient, encodeFunctionData, http, parseAbi } from 'viem'
import { compileContracts } from '../devnet/compileContracts.ts'
import { installMulticall3, toRaw, withArgs } from '../devnet/deployBase.ts'
import { DevnetWallet } from '../devnet/devnetWallet.ts'
import { queueUniswapV2Core } from '../devnet/uniswapV2.ts'
import { deployV3Pools } from './uniswapV3Pools.ts'
import { deployV4Pools } from './uniswapV4Pools.ts'

/** Tokens the pools pair up, each with a USD feed. */
export const BENCH_TOKENS = 50

const factoryAbi = parseAbi([
  'function createPair(address, address) returns (address)',
  'function allPairs(uint256) view returns (address)',
])

/**
 * Deploys the benchmark's pools on a fresh anvil: 50 tokens with feeds, `pools` seeded V2
 * pairs and `pools` V3 pools with positions, and one more block to snapshot at.
 *
 * @param rpcUrl - the node
 * @param pools - how many pools of each kind
 * @returns the tokens, their feeds, the pairs, the V3 pools, the V4 contracts and pools, and
 *   the last block
 */
export async function deployBenchPools(rpcUrl: string, pools: number) {
  const artifacts = await compileContracts()
  const wallet = new DevnetWallet(rpcUrl)
  await wallet.syncNonce()
  await installMulticall3({ wallet, artifacts })
  const now = BigInt(Math.floor(Date.now() / 1000)) + 10n
  const tokens: Address[] = []
  const feeds = new Map<Address, Address>()
  for (let i = 0; i < BENCH_TOKENS; i++) {
    const token = wallet.deploy(
      `token ${i}`,
      withArgs(artifacts.TestToken!, ['string', 'string', 'uint8'], [`Token ${i}`, `TK${i}`, 18]),
    )
    tokens.push(token)
    feeds.set(
      token,
      wallet.deploy(
        `feed ${i}`,
        withArgs(
          artifacts.PriceFeed!,
          ['uint8', 'string', 'int256'],
          [8, `TK${i} / USD`, 10n ** 8n],
        ),
      ),
    )
  }
  const { factory, trader } = await queueUniswapV2Core({ wallet, artifacts })
  await wallet.mine(now)
  // A block holds a few hundred of these transactions (anvil's 1e9 gas limit, 3e6 per transaction).
  let timestamp = now
  const mineEvery = async (count: number) => {
    if (count % 300 === 299) await wallet.mine(++timestamp)
  }
  let created = 0
  for (let a = 0; a < BENCH_TOKENS && created < pools; a++) {
    for (let b = a + 1; b < BENCH_TOKENS && created < pools; b++, created++) {
      wallet.send(
        `pair ${a}-${b}`,
        factory,
        encodeFunctionData({
          abi: factoryAbi,
          functionName: 'createPair',
          args: [tokens[a]!, tokens[b]!],
        }),
      )
      await mineEvery(created)
    }
  }
  await wallet.mine(++timestamp)
  const client = createPublicClient({ transport: http(rpcUrl) })
  const pairs = (await Promise.all(
    Array.from({ length: pools }, (_, i) =>
      client.readContract({
        address: factory,
        abi: factoryAbi,
        functionName: 'allPairs',
        args: [BigInt(i)],
      }),
    ),
  )) as Address[]
  for (const [i, pair] of pairs.entries()) {
    wallet.send(
      `seed ${pair}`,
      trader,
      encodeFunctionData({
        abi: artifacts.UniswapV2Trader!.abi,
        functionName: 'seed',
        args: [pair, toRaw(1000, 18), toRaw(1000, 18)],
      }),
    )
    await mineEvery(i)
  }
  await wallet.mine(++timestamp)
  const v3Pools = await deployV3Pools(wallet, client, tokens, pools, () => ++timestamp)
  const v4 = await deployV4Pools(wallet, tokens, pools, () => ++timestamp)
  const block = await client.getBlock()
  return { pairs, v3Pools, v4, feeds, block: { number: block.number, timestamp: block.timestamp } }
}
