/**
 * `npm run bench`: snapshots 1,000 Uniswap V2 pools and 1,000 Uniswap V3 pools (their tick
 * windows included) at one block of a local anvil, the way the report does (Multicall3
 * rounds through a block reader) and the naive way (one `eth_call` per read), and 1,000
 * Uniswap V4 pools (every tick) the report's way, and prints JSON-RPC requests, wall time and
 * peak memory of each. Then mines a full UTC day of blocks and
 * reports it on each kind of pool, with `samplesPerDay` 1 and 24 (see `sampledDay.ts`).
 */
import { type Address, erc20Abi, type Hex } from 'viem'
import { startAnvil } from '../devnet/anvil.ts'
import { type BlockReader, createBlockReader } from '../lambda/chain/blockReader.ts'
import { createChainClient } from '../lambda/chain/createChainClient.ts'
import { readTokenMetadata } from '../lambda/chain/readTokenMetadata.ts'
import { aggregatorV3Abi } from '../lambda/prices/readChainlinkPrice.ts'
import { readReferencePrices } from '../lambda/prices/readReferencePrices.ts'
import type { PoolState } from '../lambda/protocols/registry.ts'
import { readUniswapV2Pool, uniswapV2PairAbi } from '../lambda/protocols/uniswapV2/read.ts'
import { readUniswapV3Pool } from '../lambda/protocols/uniswapV3/read.ts'
import { readUniswapV4Pool } from '../lambda/protocols/uniswapV4/read.ts'
import { BENCH_TOKENS, deployBenchPools } from './benchPools.ts'
import { mineFullDay, reportSampledDay } from './sampledDay.ts'
import { snapshotV3Naive } from './uniswapV3Pools.ts'

const POOLS = Number(process.env.BENCH_POOLS ?? 1000)

const anvil = await startAnvil({ noMining: true })
try {
  const deployStarted = performance.now()
  const { pairs, v3Pools, v4, feeds, block } = await deployBenchPools(anvil.rpcUrl, POOLS)
  process.stdout.write(
    `Deployed ${pairs.length} V2 pairs, ${v3Pools.length} V3 pools and ${v4.poolIds.length} V4 pools over ${BENCH_TOKENS} tokens with price feeds in ${Math.round((performance.now() - deployStarted) / 1000)} s; snapshot at block ${block.number}.\n\n`,
  )
  const results = [
    await measure('V2 multicall (report)', anvil.rpcUrl, (client) =>
      snapshotBatched(client, pairs, feeds, block, readUniswapV2Pool),
    ),
    await measure('V2 naive (one call per read)', anvil.rpcUrl, (client) =>
      snapshotNaive(client, pairs, feeds, block.number),
    ),
    await measure('V3 multicall (report)', anvil.rpcUrl, (client) =>
      snapshotBatched(client, v3Pools, feeds, block, readUniswapV3Pool),
    ),
    await measure('V3 naive (one call per read)', anvil.rpcUrl, (client) =>
      snapshotV3Naive(client, v3Pools, feeds, block.number),
    ),
    await measure('V4 multicall (report)', anvil.rpcUrl, (client) =>
      snapshotBatched(client, v4.poolIds, feeds, block, (reader, poolId) =>
        readUniswapV4Pool(reader, poolId, v4.core),
      ),
    ),
  ]
  console.table(results)
  const date = await mineFullDay(anvil.rpcUrl)
  process.stdout.write(
    `\nThe whole report of ${date} (a block every 10 minutes), with and without intraday samples:\n`,
  )
  const day = { rpcUrl: anvil.rpcUrl, date, feeds }
  const days = []
  for (const [protocol, pools] of [
    ['uniswap-v2', pairs],
    ['uniswap-v3', v3Pools],
  ] as const) {
    for (const samplesPerDay of [1, 24]) {
      days.push(
        await measure(`${protocol}, samplesPerDay ${samplesPerDay}`, anvil.rpcUrl, (client) =>
          reportSampledDay(client, { ...day, protocol, pools, samplesPerDay }),
        ),
      )
    }
  }
  console.table(days)
} finally {
  await anvil.stop()
}

type Client = ReturnType<typeof createChainClient>

/** The report's way: every pool through its protocol's reader on one block reader. */
async function snapshotBatched(
  client: Client,
  pools: readonly Hex[],
  feeds: ReadonlyMap<Address, Address>,
  block: { number: bigint; timestamp: bigint },
  readPool: (reader: BlockReader, pool: Hex) => Promise<PoolState>,
) {
  const reader = createBlockReader(client, { blockNumber: block.number })
  const states = await Promise.all(pools.map((pool) => readPool(reader, pool)))
  const tokens = [...new Set(states.flatMap((state) => state.tokens))]
  await Promise.all([
    Promise.all(tokens.map((token) => readTokenMetadata(reader, token))),
    readReferencePrices(
      reader,
      tokens.map((token) => ({ chainlink: feeds.get(token)! })),
      block.timestamp,
    ),
  ])
  return states.length
}

async function snapshotNaive(
  client: Client,
  pairs: Address[],
  feeds: Map<Address, Address>,
  blockNumber: bigint,
) {
  const read = (
    address: Address,
    abi: typeof uniswapV2PairAbi | typeof erc20Abi | typeof aggregatorV3Abi,
    functionName: string,
  ) => client.readContract({ address, abi, functionName, blockNumber } as never)
  const tokens = new Set<Address>()
  // Bounded concurrency, as a hand-written client would do.
  for (let i = 0; i < pairs.length; i += 50) {
    await Promise.all(
      pairs.slice(i, i + 50).map(async (pair) => {
        const [token0, token1] = await Promise.all([
          read(pair, uniswapV2PairAbi, 'token0'),
          read(pair, uniswapV2PairAbi, 'token1'),
        ])
        await Promise.all([
          read(pair, uniswapV2PairAbi, 'getReserves'),
          read(pair, uniswapV2PairAbi, 'totalSupply'),
        ])
        tokens.add(token0 as Address)
        tokens.add(token1 as Address)
      }),
    )
  }
  await Promise.all(
    [...tokens].flatMap((token) => [
      read(token, erc20Abi, 'decimals'),
      read(token, erc20Abi, 'symbol'),
      read(feeds.get(token)!, aggregatorV3Abi, 'latestRoundData'),
      read(feeds.get(token)!, aggregatorV3Abi, 'decimals'),
    ]),
  )
  return pairs.length
}

async function measure(method: string, rpcUrl: string, run: (client: Client) => Promise<number>) {
  const counter = { count: 0 }
  // The naive way keeps 50 reads in flight; the chain's default limit (4) would measure the limit.
  const client = createChainClient({
    name: 'bench',
    chainId: 31337,
    rpcUrl,
    counter,
    maxConcurrentRequests: 50,
  })
  global.gc?.()
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 5)
  const started = performance.now()
  const pools = await run(client)
  const ms = performance.now() - started
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage().rss)
  return {
    method,
    pools,
    'JSON-RPC requests': counter.count,
    'wall time (ms)': Math.round(ms),
    'peak RSS (MB)': Math.round(peak / 2 ** 20),
    'RSS growth (MB)': Math.round((peak - baseline) / 2 ** 20),
  }
}
