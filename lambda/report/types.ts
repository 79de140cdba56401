import type { Address } from 'viem'
import type { BlockStamp } from '../chain/findBlockAtTimestamp.ts'
import type { PoolConfig } from '../config/schema.ts'
import type { IntradayMetrics } from '../metrics/intraday.ts'
import type { PoolDayMetrics } from '../metrics/types.ts'
import type { PoolState } from '../protocols/registry.ts'
import type { AlertCode } from './alerts.ts'

/** One token of a pool over the day. */
export interface TokenDay {
  readonly address: Address
  /** Read from the chain: untrusted. */
  readonly symbol: string
  readonly decimals: number
  /** Target weight, as a fraction. */
  readonly weight: number
  /** Raw balances at the start and end blocks. */
  readonly balanceStart: bigint
  readonly balanceEnd: bigint
  readonly priceStart: number
  readonly priceEnd: number
  readonly shareStart: number
  readonly shareEnd: number
}

/** The two snapshot blocks of one chain for the day. */
export interface ChainDay {
  readonly name: string
  readonly chainId: number
  readonly start: BlockStamp
  readonly end: BlockStamp
  /** The `n + 1` sample blocks `k = 0..n` when the day is sampled (`samplesPerDay` > 1). */
  readonly samples?: readonly BlockStamp[]
}

interface PoolDayBase {
  readonly pool: PoolConfig
  readonly chainId: number
  readonly start?: BlockStamp
  readonly end?: BlockStamp
}

/** A pool's day: metrics, or the reason there are none. */
export type PoolDay =
  | (PoolDayBase & {
      readonly status: 'ok'
      readonly tokens: readonly TokenDay[]
      readonly metrics: PoolDayMetrics
      readonly alerts: readonly AlertCode[]
      /** Over the day's samples; absent when the day is not sampled or a sample could not be read. */
      readonly intraday?: IntradayMetrics
      /** The pool's state at the end block, stored so that the next day can start from it. */
      readonly endState: PoolState
      /** Where the row differs from a plain read (its start came from a stored snapshot). */
      readonly note?: string
    })
  | (PoolDayBase & { readonly status: 'error'; readonly error: string })

/** Everything the outputs of one date are made from. */
export interface DailyReport {
  /** `YYYY-MM-DD` */
  readonly date: string
  readonly chains: readonly ChainDay[]
  /** In config order. */
  readonly pools: readonly PoolDay[]
  /**
   * Pools this run could not read whose ok row from an earlier run of the date was kept in
   * their place (an ok row is never replaced by an error row); absent when there are none.
   */
  readonly failedRereads?: readonly FailedReread[]
}

/** A pool whose re-read failed, and why; its stored ok row stands. */
export interface FailedReread {
  readonly poolId: string
  readonly error: string
}
