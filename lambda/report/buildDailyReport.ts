import type { Address } from 'viem'
import { createBlockReader, createRoundScheduler } from '../chain/blockReader.ts'
import { chainFailureIn } from '../chain/chainFailure.ts'
import type { ChainClient } from '../chain/createChainClient.ts'
import { createBlockFinder } from '../chain/findBlockAtTimestamp.ts'
import type { Config, PoolConfig } from '../config/schema.ts'
import {
  ChainUnavailableError,
  DayNotAvailableError,
  errorMessage,
  RunTimeoutError,
} from '../errors.ts'
import { indexPrices } from '../prices/priceIndex.ts'
import { dayBounds } from './date.ts'
import { readPoolDay } from './readPoolDay.ts'
import type { StoredDay } from './storedDay.ts'
import type { ChainDay, DailyReport } from './types.ts'

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
}

/**
 * Reads every selected pool at the day's start and end blocks and computes its metrics.
 * Each chain's pools are read together: one block search per boundary, then Multicall3
 * rounds pinned to the two blocks.
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
}: BuildDailyReportParameters): Promise<DailyReport> {
  const { start, end } = dayBounds(date)
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
      let blocks: ChainDay
      try {
        // The end boundary first: its search brackets the start.
        const finder = createBlockFinder(client)
        const endBlock = await finder.lastBlockAtOrBefore(end)
        const startBlock = await finder.lastBlockAtOrBefore(start)
        blocks = { name, chainId: chain.chainId, start: startBlock, end: endBlock }
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
        // The two snapshots share rounds, so a day takes as few Multicall3 rounds as it can.
        rounds: createRoundScheduler(),
      }
      const startSnapshot = {
        block: blocks.start,
        reader: createBlockReader(client, { blockNumber: blocks.start.number, ...readerOptions }),
      }
      const endSnapshot = {
        block: blocks.end,
        reader: createBlockReader(client, { blockNumber: blocks.end.number, ...readerOptions }),
      }
      const days = await Promise.all(
        chainPools.map((pool) =>
          readPoolDay({
            config,
            pool,
            chainId: chain.chainId,
            prices,
            start: startSnapshot,
            end: endSnapshot,
            ...(storedOnce && { storedStart: storedOnce }),
          }),
        ),
      ).catch((error: unknown) => {
        throw chainUnavailable(name, error)
      })
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
