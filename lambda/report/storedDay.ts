import type { Address } from 'viem'
import * as z from 'zod'
import type { BlockStamp } from '../chain/findBlockAtTimestamp.ts'
import { type Config, type PoolConfig, poolLocator } from '../config/schema.ts'
import type { PoolState } from '../protocols/registry.ts'
import type { ChainDay, DailyReport, FailedReread, PoolDay } from './types.ts'

/**
 * A date's report as a run stores it (`runs/dt=D/pool-days.json`): every pool's day as
 * computed, keyed by pool id. It is what the next day starts from when the RPC no longer
 * serves the start block, and what a run of some pools keeps for the others.
 */
export interface StoredDay {
  readonly date: string
  readonly chains: ReadonlyMap<string, ChainDay>
  readonly pools: ReadonlyMap<string, StoredPoolDay>
}

/** A pool's stored day, without its config (the current config's entry stands in for it). */
export interface StoredPoolDay {
  readonly protocol: string
  readonly address: Address
  readonly day: WithoutPool<PoolDay>
}

type WithoutPool<T> = T extends unknown ? Omit<T, 'pool'> : never

/** A pool's end-of-day snapshot, as the next day can start from it. */
export interface StoredPoolEnd {
  readonly block: BlockStamp
  readonly state: PoolState
  /** Reference prices (USD) of the pool's tokens at that block. */
  readonly prices: readonly number[]
}

const blockSchema = z.object({ number: z.bigint(), timestamp: z.bigint() })
// The file is the report's own output: the frame is checked, the pool days are taken as written.
const storedSchema = z.object({
  date: z.string(),
  chains: z.array(
    z.object({ name: z.string(), chainId: z.number(), start: blockSchema, end: blockSchema }),
  ),
  pools: z.array(
    z.looseObject({
      poolId: z.string(),
      protocol: z.string(),
      address: z.string(),
      status: z.enum(['ok', 'error']),
      chainId: z.number(),
    }),
  ),
})

/**
 * Renders a date's report for storage: chains and pool days (states, tokens, metrics), with
 * bigints, maps (V3's tick bitmap) and non-finite numbers as tagged JSON values. The output is
 * deterministic.
 *
 * @param report - the day's report
 * @returns JSON text
 */
export function renderStoredDay(report: DailyReport): string {
  const pools = report.pools.map(({ pool, ...day }) => ({
    poolId: pool.id,
    protocol: pool.protocol,
    address: poolLocator(pool),
    ...day,
  }))
  return `${JSON.stringify({ date: report.date, chains: report.chains, pools }, replacer)}\n`
}

/**
 * Parses a stored day.
 *
 * @param text - what `renderStoredDay` wrote
 * @returns chains by name and pool days by pool id
 * @throws if the text is not such a document
 */
export function parseStoredDay(text: string): StoredDay {
  const raw = JSON.parse(text, reviver)
  const { date, chains } = storedSchema.parse(raw)
  // The pool days as written (zod's output would reorder their keys, and the file's bytes).
  const pools = raw.pools as ({
    poolId: string
    protocol: string
    address: Address
  } & WithoutPool<PoolDay>)[]
  return {
    date,
    chains: new Map(chains.map((chain) => [chain.name, chain])),
    pools: new Map(
      pools.map(({ poolId, protocol, address, ...day }) => [
        poolId,
        { protocol, address, day: day as WithoutPool<PoolDay> },
      ]),
    ),
  }
}

/**
 * The stored day of a configured pool, if one is stored for the same pool (protocol and
 * address; an id reused for another pool does not count).
 *
 * @param stored - the stored day of the date
 * @param pool - the pool as configured now
 * @returns the pool's day, with the current config entry
 */
export function storedPoolDay(
  stored: StoredDay | undefined,
  pool: PoolConfig,
): PoolDay | undefined {
  const entry = stored?.pools.get(pool.id)
  // A V4 pool's "address" is its 32-byte id; addresses compare in any case.
  if (
    !entry ||
    entry.protocol !== pool.protocol ||
    entry.address.toLowerCase() !== poolLocator(pool).toLowerCase()
  )
    return undefined
  return { ...entry.day, pool } as PoolDay
}

/**
 * The stored end of the previous day that can stand in for a pool's start snapshot: the same
 * pool, read successfully, at the same block.
 *
 * @param stored - the stored day before the reported date
 * @param pool - the pool
 * @param start - the reported day's start block
 * @returns the end state and prices, or `undefined`
 */
export function storedStartFor(
  stored: StoredDay | undefined,
  pool: PoolConfig,
  start: BlockStamp,
): StoredPoolEnd | undefined {
  const day = storedPoolDay(stored, pool)
  if (day?.status !== 'ok' || day.end?.number !== start.number) return undefined
  return { block: day.end, state: day.endState, prices: day.tokens.map((token) => token.priceEnd) }
}

/**
 * A run's report merged with the date's stored day: the stored days of the configured pools
 * the run did not read are kept (so that the date's files keep one row per configured pool),
 * and so is the stored ok row of a pool whose re-read failed (an ok row is never replaced by
 * an error row; `failedRereads` lists those). Pools follow the config order, chains the order
 * in which the pools first name them, as in a run of every pool.
 *
 * @param fresh - what this run read
 * @param stored - the date's stored day, if any
 * @param config - the current config
 * @returns the merged report (pools neither read now nor stored are left out)
 */
export function withStoredPools(
  fresh: DailyReport,
  stored: StoredDay | undefined,
  config: Pick<Config, 'pools'>,
): DailyReport {
  const freshDays = new Map(fresh.pools.map((day) => [day.pool.id, day]))
  const failedRereads: FailedReread[] = []
  const pools = config.pools.flatMap((pool) => {
    const read = freshDays.get(pool.id)
    const kept = storedPoolDay(stored, pool)
    if (read?.status === 'error' && kept?.status === 'ok') {
      failedRereads.push({ poolId: pool.id, error: read.error })
      return [kept]
    }
    const day = read ?? kept
    return day ? [day] : []
  })
  const freshChains = new Map(fresh.chains.map((chain) => [chain.name, chain]))
  const chains = [...new Set(pools.map((day) => day.pool.chain))].flatMap((name) => {
    const chain = freshChains.get(name) ?? stored?.chains.get(name)
    return chain ? [chain] : []
  })
  return { date: fresh.date, chains, pools, ...(failedRereads.length > 0 && { failedRereads }) }
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() }
  if (value instanceof Map) return { $map: [...value.entries()] }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) }
  return value
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object') {
    if ('$bigint' in value && typeof value.$bigint === 'string') return BigInt(value.$bigint)
    if ('$map' in value && Array.isArray(value.$map))
      return new Map(value.$map as [unknown, unknown][])
    if ('$number' in value && typeof value.$number === 'string') return Number(value.$number)
  }
  return value
}
