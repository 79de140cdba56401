import type { Address } from 'viem'
import type * as z from 'zod'
import type { BlockReader } from '../chain/blockReader.ts'
import type { PoolFields } from '../config/poolFields.ts'
import type { ChainConfig } from '../config/schema.ts'
import type { PoolDayMetrics } from '../metrics/types.ts'

/** What every protocol's state has in common. */
export interface PoolState {
  /** Token addresses in the pool's on-chain order. */
  readonly tokens: readonly Address[]
  /** Raw balances per token, the ones TVL and `balances.csv` report. */
  readonly balances: readonly bigint[]
}

/** Prices, decimals and the two states that a protocol's day metrics take. */
export interface PoolDayInput<State extends PoolState, Pool extends PoolFields = PoolFields> {
  readonly pool: Pool
  readonly start: State
  readonly end: State
  readonly decimals: readonly number[]
  readonly pricesStart: readonly number[]
  readonly pricesEnd: readonly number[]
}

/**
 * One protocol, as the report sees it: its pools' config, how it reads a pool (I/O) and how
 * it turns two reads into metrics (pure). A protocol folder exports one adapter; the registry
 * lists them.
 */
export interface ProtocolAdapter<
  State extends PoolState = PoolState,
  Pool extends PoolFields = PoolFields,
> {
  /** The `protocol` value of its pools in the config. */
  readonly protocol: Pool['protocol']
  /** Config schema of one of its pools (`protocol` a literal, the shared fields included). */
  readonly poolSchema: z.ZodType<Pool>
  /** Reads the pool at the reader's block; `chain` is its chain's config (V4's contracts). */
  read(reader: BlockReader, pool: Pool, chain: ChainConfig): Promise<State>
  /** Target weight of each token. */
  weights(state: State): number[]
  /** Marginal price of token 0 in units of each token, fees excluded (index 0 is 1). */
  marginalPrices(state: State, decimals: readonly number[]): number[]
  /**
   * Stable pools only (tokens meant to trade at par): what one token of each is worth in the
   * pool's own accounting. A token without a configured price takes the price of the pool's
   * first priced token scaled by these values, or 1 USD per unit of them when none is priced.
   */
  parValues?(state: State, decimals: readonly number[]): number[]
  /** The pool's LP share token and its supply (none for V3, whose positions are NFTs). */
  lpShare?(state: State, pool: Pool): { readonly token: Address; readonly supply: bigint }
  dayMetrics(input: PoolDayInput<State, Pool>): PoolDayMetrics
  /**
   * The state at an intraday sample block, reading only what the sample's imbalance, price
   * deviation and par values need; `known` is the pool at the day's end, for what does not
   * change. Without it a sample reads the pool in full.
   */
  readSample?(reader: BlockReader, pool: Pool, known: State): Promise<State>
  /**
   * The balances (token units) whose value shares the imbalance measures, where they are not
   * the state's balances (V3: the virtual reserves of the active liquidity).
   */
  valueBalances?(state: State, decimals: readonly number[]): number[]
  /**
   * Loss-versus-rebalancing of the day per unit of variance of the log reference ratio (USD),
   * from the pool at the start; absent or undefined where the LVR formula does not apply.
   */
  lvrUsdPerVariance?(input: LvrInput<State>): number | undefined
}

/** What a pool's LVR scale is made of: the pool and its prices at the start of the day. */
export interface LvrInput<State extends PoolState> {
  readonly start: State
  readonly decimals: readonly number[]
  readonly pricesStart: readonly number[]
  readonly tvlUsdStart: number
}
