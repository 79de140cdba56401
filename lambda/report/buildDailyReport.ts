import type { Address } from 'viem'
import { createBlockReader, createRoundScheduler } from '../chain/blockReader.ts'
import { chainFailureIn } from '../chain/chainFailure.ts'
import type { ChainClient } from '../chain/createChainClient.ts'
import { type BlockStamp, createBlockFinder } from '../chain/findBlockAtTimestamp.ts'
import { findSampleBlocks, sampleTimes } from '../chain/findSampleBlocks.ts'
import { type Config, type PoolConfig, samplesPerDayOf } from '../config/schema.ts'
import {
  ChainUnavailableError,
  DayNotAvailableError,
  errorMessage,
  RunTimeoutError,
} from '../errors.ts'
import { indexPrices } from '../prices/priceIndex.ts'
import { dayBounds } from './date.ts'
import { readPoolDay, type Snapshot } from './readPoolDay.ts'
import type { StoredDay } from './storedDay.ts'
import type { ChainDay, DailyReport, PoolDay } from './types.ts'

export interface BuildDailyReportParameters {
  readonly config: Config
  /** `YYYY-MM-DD`: the UTC day reported on. */
  readonly date: string
  /** Pools to report, in config order (all by default). */
  readonly pools?: readonly PoolConfig[]
  /** Client of each configured chain that has pools. */
  readonly clientFor: (chain: string) => ChainClient
  /**
   * The stored day before the date (`runs/dt=D-1/pool-days.json`), read only if
   * the RPC cannot serve the start block's state.
   */
  readonly storedStart?: () => Promise<StoredDay | undefined>
  /** Pools of one chain read together; the next pass starts when one ends. @default POOLS_PER_PASS */
  readonly poolsPerPass?: number
}

/**
 * Pools read together per chain. Passes of 500 keep 10,000 pools at 361 MB peak RSS
 * (`npm run bench:run`; 1,343 MB in one pass), and with 2,500 calls per `eth_call` a pass
 * still takes one request per block and round.
 */
export const POOLS_PER_PASS = 500

/**
 * Reads every selected pool at the day's start and end blocks, and at the intraday sample
 * blocks between them, and computes its metrics. Each chain's pools are read together: one
 * block search per instant, each starting from what the earlier ones learned, then Multicall3
 * rounds pinned to each block, all blocks' rounds sent together, in passes of at most
 * `poolsPerPass` pools.
 *
 * @param parameters - config, date, pools, chain clients
 * @returns the day's report, one entry per pool in config order
 * @throws DayNotAvailableError when a chain cannot cover the date (not over yet, before genesis)
 * @throws ChainUnavailableError (or its `RunTimeoutError`) when a chain's RPC did not answer,
 *   in the block search or a Multicall3 round: a failure of the chain, not of its pools
 */
export async function buildDailyReport({
  config,
  date,
  pools = config.pools,
  clientFor,
  storedStart,
  poolsPerPass = POOLS_PER_PASS,
}: BuildDailyReportParameters): Promise<DailyReport> {
  const { start } = dayBounds(date)
  // Read at most once, whatever the number of pools that need it.
  let stored: Promise<StoredDay | undefined> | undefined
  const storedOnce = storedStart && (() => (stored ??= storedStart()))
  const prices = indexPrices(config)
  const chainNames = [...new Set(pools.map((pool) => pool.chain))]
  const perChain = await Promise.all(
    chainNames.map(async (name) => {
      const chain = config.chains[name]!
      const chainPools = pools.filter((pool) => pool.chain === name)
      const client = clientFor(name)
      const samplesPerDay = samplesPerDayOf(config, name)
      let blocks: ChainDay
      try {
        // The end boundary first: its search brackets the start, and both bracket the samples.
        const found = await findSampleBlocks(
          createBlockFinder(client),
          sampleTimes(start, samplesPerDay),
        )
        blocks = {
          name,
          chainId: chain.chainId,
          start: found[0]!,
          end: found[samplesPerDay]!,
          ...(samplesPerDay > 1 && { samples: found }),
        }
      } catch (error) {
        if (error instanceof DayNotAvailableError) {
          const why =
            error.reason === 'before-genesis'
              ? 'the day starts before the chain existed'
              : 'the chain has not finished the day'
          throw new DayNotAvailableError(
            error.reason,
            `cannot report ${date} on ${name}: ${why}; ${error.shortMessage}`,
          )
        }
        throw chainUnavailable(name, error)
      }
      const readerOptions = {
        ...(chain.multicall3 && { multicallAddress: chain.multicall3 as Address }),
        ...(chain.maxCallsPerRequest && { maxCallsPerRequest: chain.maxCallsPerRequest }),
      }
      const days: PoolDay[] = []
      // Passes bound what is in flight (calls, promises, responses) whatever the pool count.
      for (let first = 0; first < chainPools.length; first += poolsPerPass) {
        // The snapshots share rounds, so a day takes as few Multicall3 rounds as it can.
        const rounds = createRoundScheduler()
        const snapshot = (block: BlockStamp): Snapshot => ({
          block,
          reader: createBlockReader(client, {
            blockNumber: block.number,
            ...readerOptions,
            rounds,
          }),
        })
        const startSnapshot = snapshot(blocks.start)
        const endSnapshot = snapshot(blocks.end)
        // Two samples a day and more: k = 1..n-1 (k = 0 and n are the start and end).
        const samples = blocks.samples?.slice(1, -1).map(snapshot)
        const pass = chainPools.slice(first, first + poolsPerPass)
        days.push(
          ...(await Promise.all(
            pass.map((pool) =>
              readPoolDay({
                config,
                pool,
                chainId: chain.chainId,
                prices,
                start: startSnapshot,
                end: endSnapshot,
                ...(samples && { samples }),
                ...(storedOnce && { storedStart: storedOnce }),
              }),
            ),
          ).catch((error: unknown) => {
            throw chainUnavailable(name, error)
          })),
        )
      }
      return { chain: blocks, days }
    }),
  )
  const byId = new Map(
    perChain.flatMap(({ days }) => days.map((day) => [day.pool.id, day] as const)),
  )
  return {
    date,
    chains: perChain.map(({ chain }) => chain),
    pools: pools.map((pool) => byId.get(pool.id)!),
  }
}

/**
 * A chain's failure, named: the run time limit stays a `RunTimeoutError`, any other failure of
 * a request (the block search, a Multicall3 round) is a `ChainUnavailableError`.
 */
function chainUnavailable(name: string, error: unknown): ChainUnavailableError {
  const reason = chainFailureIn(error)
  // The transport's own failure names the chain already: pass it on as it is.
  if (reason?.shortMessage.startsWith(`chain ${name} `)) return reason
  const message = `chain ${name} could not be read: ${errorMessage(reason ?? error)}`
  return reason instanceof RunTimeoutError
    ? new RunTimeoutError(message, { cause: error })
    : new ChainUnavailableError(message, { cause: error })
}
