import { type Address, isAddressEqual } from 'viem'
import { z } from 'zod'
import type { BlockStamp } from '../chain/findBlockAtTimestamp.ts'
import type { PoolConfig } from '../config/schema.ts'
import type { PoolState } from '../protocols/registry.ts'
import type { DailyReport } from './types.ts'

/** A pool's end-of-day snapshot, as stored for the next day to start from. */
export interface StoredPoolEnd {
  readonly block: BlockStamp
  readonly state: PoolState
  /** Reference prices (USD) of the pool's tokens at that block. */
  readonly prices: readonly number[]
}

/** The stored end snapshots of one date, by pool id. */
export type StoredEnds = ReadonlyMap<
  string,
  StoredPoolEnd & { readonly protocol: string; readonly address: Address }
>

const storedSchema = z.object({
  date: z.string(),
  pools: z.array(
    z.object({
      poolId: z.string(),
      protocol: z.string(),
      address: z.string(),
      block: z.object({ number: z.bigint(), timestamp: z.bigint() }),
      state: z.record(z.string(), z.unknown()),
      prices: z.array(z.number()),
    }),
  ),
})

/**
 * Renders the end snapshot of every pool read on a date: its raw state and reference prices
 * at the end block. Protocol states hold bigints and maps (V3's tick bitmap), written as
 * tagged JSON values; the output is deterministic.
 *
 * @param report - the day's report
 * @returns JSON text
 */
export function renderEndSnapshot(report: DailyReport): string {
  const pools = report.pools.flatMap((day) =>
    day.status === 'ok'
      ? [
          {
            poolId: day.pool.id,
            protocol: day.pool.protocol,
            address: day.pool.address,
            block: day.end,
            state: day.endState,
            prices: day.tokens.map((token) => token.priceEnd),
          },
        ]
      : [],
  )
  return `${JSON.stringify({ date: report.date, pools }, replacer)}\n`
}

/**
 * Parses a stored end snapshot back into states.
 *
 * @param text - what `renderEndSnapshot` wrote
 * @returns the snapshots by pool id
 * @throws if the text is not such a snapshot
 */
export function parseEndSnapshot(text: string): StoredEnds {
  const { pools } = storedSchema.parse(JSON.parse(text, reviver))
  return new Map(
    pools.map((pool) => [
      pool.poolId,
      {
        protocol: pool.protocol,
        address: pool.address as Address,
        block: pool.block,
        state: pool.state as unknown as PoolState,
        prices: pool.prices,
      },
    ]),
  )
}

/**
 * The stored end of the previous day that can stand in for a pool's start snapshot: the same
 * pool (protocol and address) at the same block.
 */
export function storedStartFor(
  stored: StoredEnds | undefined,
  pool: PoolConfig,
  start: BlockStamp,
): StoredPoolEnd | undefined {
  const entry = stored?.get(pool.id)
  if (!entry || entry.protocol !== pool.protocol || !isAddressEqual(entry.address, pool.address))
    return undefined
  return entry.block.number === start.number ? entry : undefined
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() }
  if (value instanceof Map) return { $map: [...value.entries()] }
  return value
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object') {
    if ('$bigint' in value && typeof value.$bigint === 'string') return BigInt(value.$bigint)
    if ('$map' in value && Array.isArray(value.$map))
      return new Map(value.$map as [unknown, unknown][])
  }
  return value
}
