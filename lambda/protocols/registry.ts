import type { PoolConfig } from '../config/schema.ts'
import type { PoolState, ProtocolAdapter } from './adapter.ts'
import { balancerStable } from './balancerStable/index.ts'
import { balancerWeighted } from './balancerWeighted/index.ts'
import { curveStableSwap } from './curveStableSwap/index.ts'
import { uniswapV2 } from './uniswapV2/index.ts'
import { uniswapV3 } from './uniswapV3/index.ts'
import { uniswapV4 } from './uniswapV4/index.ts'

export type { PoolDayInput, PoolState, ProtocolAdapter } from './adapter.ts'

/** Every protocol the report reads: the one list a new protocol is added to. */
const ADAPTERS = [
  uniswapV2,
  uniswapV3,
  uniswapV4,
  curveStableSwap,
  balancerWeighted,
  balancerStable,
] as const

/** One field of each adapter, as a tuple in the registry's order. */
type Each<Tuple extends readonly unknown[], Field extends string> = {
  -readonly [K in keyof Tuple]: Tuple[K] extends Record<Field, infer Value> ? Value : never
}

/** Protocols the report can read. */
export const PROTOCOLS = ADAPTERS.map((adapter) => adapter.protocol) as Each<
  typeof ADAPTERS,
  'protocol'
>

/** The config schema of a pool of each protocol, for the config's discriminated union. */
export const POOL_SCHEMAS = ADAPTERS.map((adapter) => adapter.poolSchema) as Each<
  typeof ADAPTERS,
  'poolSchema'
>

const byProtocol = new Map<string, ProtocolAdapter>(
  ADAPTERS.map((adapter) => [adapter.protocol, adapter as unknown as ProtocolAdapter]),
)

/** The adapter of a pool's protocol. */
export function protocolAdapter(pool: PoolConfig): ProtocolAdapter<PoolState, PoolConfig> {
  return byProtocol.get(pool.protocol) as unknown as ProtocolAdapter<PoolState, PoolConfig>
}

/** Whether a pool's tokens are meant to trade at par (StableSwap): its composition is its headline. */
export function isStablePool(pool: PoolConfig): boolean {
  return protocolAdapter(pool).parValues !== undefined
}
