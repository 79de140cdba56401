/**
 * The cost of a sampled day: the whole report of one UTC day (block searches, every pool's
 * reads at the start, end and sample blocks, the metrics) for the benchmark's pools, with
 * `samplesPerDay` 1 and 24.
 */
import type { Address } from 'viem'
import { DevnetWallet } from '../devnet/devnetWallet.ts'
import type { ChainClient } from '../lambda/chain/createChainClient.ts'
import { parseConfig } from '../lambda/config/loadConfig.ts'
import { buildDailyReport } from '../lambda/report/buildDailyReport.ts'

/**
 * Seconds between the blocks of the mined day. Anvil keeps each block's state in memory, and
 * with 2,000 pools a day of Ethereum's 12-second blocks takes gigabytes and minutes to mine;
 * the block search's cost depends on how regular the blocks are, not on how many there are.
 */
const BLOCK_TIME = 600
const DAY = 86_400

/**
 * Mines a full UTC day of empty blocks, one every 10 minutes, after the latest block: a block
 * 10 minutes before the next midnight but one, the day, and one block beyond it, so that the
 * day can be reported. Mined in small batches: anvil slows down on long ones.
 *
 * @param rpcUrl - the node (anvil)
 * @returns the mined day, `YYYY-MM-DD`
 */
export async function mineFullDay(rpcUrl: string): Promise<string> {
  const wallet = new DevnetWallet(rpcUrl)
  const latest = (await wallet.request('eth_getBlockByNumber', 'latest', false)) as {
    timestamp: string
  }
  const dayStart = Math.ceil((Number(latest.timestamp) + 2 * BLOCK_TIME) / DAY) * DAY
  await wallet.mine(BigInt(dayStart - BLOCK_TIME))
  let blocks = DAY / BLOCK_TIME + 1
  while (blocks > 0) {
    const batch = Math.min(blocks, 100)
    await wallet.request('anvil_mine', `0x${batch.toString(16)}`, `0x${BLOCK_TIME.toString(16)}`)
    blocks -= batch
  }
  return new Date(dayStart * 1000).toISOString().slice(0, 10)
}

export interface SampledDayParameters {
  readonly rpcUrl: string
  readonly date: string
  readonly protocol: 'uniswap-v2' | 'uniswap-v3'
  readonly pools: readonly Address[]
  /** Each token's USD feed. */
  readonly feeds: ReadonlyMap<Address, Address>
  readonly samplesPerDay: number
}

/**
 * Reports the day on the benchmark's pools through the report's own `buildDailyReport`.
 *
 * @param client - the (counting) client the report reads with
 * @param parameters - the day, the pools and their feeds, the sampling
 * @returns the number of pools reported
 * @throws if a pool is an error row or misses its intraday columns: the figures would not be
 *   those of a full day
 */
export async function reportSampledDay(
  client: ChainClient,
  { rpcUrl, date, protocol, pools, feeds, samplesPerDay }: SampledDayParameters,
): Promise<number> {
  const config = parseConfig({
    chains: { bench: { chainId: 31337, rpcUrl } },
    samplesPerDay,
    // The feeds were set when the pools were deployed, a day or two before.
    prices: Object.fromEntries(
      [...feeds].map(([token, feed]) => [
        `bench:${token}`,
        { chainlink: feed, maxAgeSeconds: 7 * DAY },
      ]),
    ),
    pools: pools.map((address, i) => ({
      id: `${protocol}-${i}`,
      chain: 'bench',
      protocol,
      address,
    })),
  })
  const report = await buildDailyReport({ config, date, clientFor: () => client })
  const broken = report.pools.find(
    (day) => day.status === 'error' || (samplesPerDay > 1 && day.intraday === undefined),
  )
  if (broken) {
    const why = broken.status === 'error' ? broken.error : broken.note
    throw new Error(`pool ${broken.pool.id} was not fully reported: ${why}`)
  }
  return report.pools.length
}
