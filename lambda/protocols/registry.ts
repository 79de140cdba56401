import type { Address } from 'viem'
import type { BlockReader } from '../chain/blockReader.ts'
import { DEFAULT_RANGE_PCT, type PoolConfig, type Protocol } from '../config/schema.ts'
import {
  balancerWeightedDay,
  balancerWeightedMarginalPrices,
  normalizedWeights,
} from '../metrics/balancerWeightedDay.ts'
import {
  curveMarginalPrices,
  curveParValues,
  curveStableSwapDay,
} from '../metrics/curveStableSwapDay.ts'
import type { PoolDayMetrics } from '../metrics/types.ts'
import { uniswapV2Day, uniswapV2MarginalPrices } from '../metrics/uniswapV2Day.ts'
import { uniswapV3Day, uniswapV3MarginalPrices } from '../metrics/uniswapV3Day.ts'
import { type BalancerWeightedState, readBalancerWeightedPool } from './balancerWeighted.ts'
import { type CurveStableSwapState, readCurveStableSwapPool } from './curveStableSwap.ts'
import { readUniswapV2Pool, type UniswapV2State } from './uniswapV2.ts'
import { readUniswapV3Pool, type UniswapV3State } from './uniswapV3.ts'

/** What every protocol's state has in common. */
export interface PoolState {
  /** Token addresses in the pool's on-chain order. */
  readonly tokens: readonly Address[]
  /** Raw balances per token, the ones TVL and `balances.csv` report. */
  readonly balances: readonly bigint[]
}

/** Prices, decimals and the two states that a protocol's day metrics take. */
export interface PoolDayInput<State extends PoolState, Pool extends PoolConfig = PoolConfig> {
  readonly pool: Pool
  readonly start: State
  readonly end: State
  readonly decimals: readonly number[]
  readonly pricesStart: readonly number[]
  readonly pricesEnd: readonly number[]
}

/** How the report reads one protocol (I/O) and turns two reads into metrics (pure). */
export interface ProtocolModule<
  State extends PoolState = PoolState,
  Pool extends PoolConfig = PoolConfig,
> {
  read(reader: BlockReader, pool: Pool): Promise<State>
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
}

type PoolOf<P extends Protocol> = Extract<PoolConfig, { protocol: P }>

const uniswapV2: ProtocolModule<UniswapV2State, PoolOf<'uniswap-v2'>> = {
  read: (reader, pool) => readUniswapV2Pool(reader, pool.address),
  weights: () => [0.5, 0.5],
  marginalPrices: uniswapV2MarginalPrices,
  lpShare: (state, pool) => ({ token: pool.address as Address, supply: state.totalSupply }),
  dayMetrics: ({ pool, start, end, decimals, pricesStart, pricesEnd }) =>
    uniswapV2Day({
      start,
      end,
      decimals: [decimals[0]!, decimals[1]!],
      pricesStart: [pricesStart[0]!, pricesStart[1]!],
      pricesEnd: [pricesEnd[0]!, pricesEnd[1]!],
      feeRate: (pool.feeBps ?? 30) / 10_000,
    }),
}

const curveStableSwap: ProtocolModule<CurveStableSwapState, PoolOf<'curve-stableswap'>> = {
  read: (reader, pool) => readCurveStableSwapPool(reader, pool.address),
  weights: (state) => state.tokens.map(() => 1 / state.tokens.length),
  marginalPrices: curveMarginalPrices,
  parValues: curveParValues,
  lpShare: (state) => ({ token: state.lpToken, supply: state.lpSupply }),
  dayMetrics: ({ start, end, decimals, pricesStart, pricesEnd }) =>
    curveStableSwapDay({ start, end, decimals, pricesStart, pricesEnd }),
}

const balancerWeighted: ProtocolModule<BalancerWeightedState, PoolOf<'balancer-weighted'>> = {
  read: (reader, pool) => readBalancerWeightedPool(reader, pool.address),
  weights: normalizedWeights,
  marginalPrices: balancerWeightedMarginalPrices,
  lpShare: (state, pool) => ({ token: pool.address as Address, supply: state.totalSupply }),
  dayMetrics: ({ start, end, decimals, pricesStart, pricesEnd }) =>
    balancerWeightedDay({ start, end, decimals, pricesStart, pricesEnd }),
}

const uniswapV3: ProtocolModule<UniswapV3State, PoolOf<'uniswap-v3'>> = {
  read: (reader, pool) => readUniswapV3Pool(reader, pool.address),
  weights: () => [0.5, 0.5],
  marginalPrices: uniswapV3MarginalPrices,
  dayMetrics: ({ pool, start, end, decimals, pricesStart, pricesEnd }) =>
    uniswapV3Day({
      start,
      end,
      decimals: [decimals[0]!, decimals[1]!],
      pricesStart: [pricesStart[0]!, pricesStart[1]!],
      pricesEnd: [pricesEnd[0]!, pricesEnd[1]!],
      rangePct: pool.rangePct ?? DEFAULT_RANGE_PCT,
    }),
}

const modules: { [P in Protocol]: ProtocolModule<PoolState, PoolOf<P>> } = {
  'uniswap-v2': uniswapV2 as ProtocolModule<PoolState, PoolOf<'uniswap-v2'>>,
  'uniswap-v3': uniswapV3 as ProtocolModule<PoolState, PoolOf<'uniswap-v3'>>,
  'curve-stableswap': curveStableSwap as ProtocolModule<PoolState, PoolOf<'curve-stableswap'>>,
  'balancer-weighted': balancerWeighted as ProtocolModule<PoolState, PoolOf<'balancer-weighted'>>,
}

/** The module of a pool's protocol. */
export function protocolModule(pool: PoolConfig): ProtocolModule {
  return modules[pool.protocol] as ProtocolModule
}

/** Whether a pool's tokens are meant to trade at par (StableSwap): its composition is its headline. */
export function isStablePool(pool: PoolConfig): boolean {
  return protocolModule(pool).parValues !== undefined
}
