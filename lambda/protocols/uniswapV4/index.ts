import type { Hex } from 'viem'
import * as z from 'zod'
import { addressSchema, poolFields } from '../../config/poolFields.ts'
import { concentratedLvrUsdPerVariance } from '../../metrics/intraday.ts'
import type { ProtocolAdapter } from '../adapter.ts'
import { uniswapV3MarginalPrices, uniswapV3VirtualReserves } from '../uniswapV3/day.ts'
import { DEFAULT_RANGE_PCT } from '../uniswapV3/index.ts'
import { sqrtPriceToNumber } from '../uniswapV3/math/toNumber.ts'
import { uniswapV4Day } from './day.ts'
import { poolIdOf, poolKeyProblem } from './poolKey.ts'
import { readUniswapV4Pool, readUniswapV4Sample, type UniswapV4State } from './read.ts'

/** A V4 pool key as `PositionManager.poolKeys` returns it; `PoolManager` would refuse a bad one. */
const poolKeySchema = z
  .strictObject({
    currency0: addressSchema,
    currency1: addressSchema,
    fee: z.number().int(),
    tickSpacing: z.number().int(),
    hooks: addressSchema,
  })
  .superRefine((key, context) => {
    const problem = poolKeyProblem(key)
    if (problem) context.addIssue({ code: 'custom', message: problem })
  })

/**
 * A pool of the Uniswap V4 singleton, named by its id (it has no address of its own); the
 * key comes from the chain's `PositionManager.poolKeys` unless given here. The chain's
 * `uniswapV4` contracts are required (checked with the whole config).
 */
const { address: _, ...fieldsWithoutAddress } = poolFields
const poolSchema = z
  .strictObject({
    ...fieldsWithoutAddress,
    protocol: z.literal('uniswap-v4'),
    poolId: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, 'a V4 pool id is 0x and 64 hex digits (32 bytes)')
      .transform((value) => value.toLowerCase() as Hex),
    key: poolKeySchema.optional(),
    /** Half-width of the reference concentrated position, as for V3. @default 10 */
    rangePct: z.number().gt(0).lt(100).optional(),
  })
  .superRefine((pool, context) => {
    if (!pool.key) return
    const id = poolIdOf(pool.key)
    if (id !== pool.poolId) {
      context.addIssue({
        code: 'custom',
        path: ['key'],
        message: `the key hashes to pool id ${id}, not to poolId ${pool.poolId}`,
      })
    }
  })

/** Uniswap V4 pools: the V3 metrics, read through `StateView`, TVL over every range. */
export const uniswapV4 = {
  protocol: 'uniswap-v4',
  poolSchema,
  read: (reader, pool, chain) => {
    // The config refuses a V4 pool on a chain without V4 contracts.
    const contracts = chain.uniswapV4!
    return readUniswapV4Pool(reader, pool.poolId, contracts, pool.key)
  },
  weights: () => [0.5, 0.5],
  marginalPrices: uniswapV3MarginalPrices,
  readSample: (reader, _pool, known) => readUniswapV4Sample(reader, known),
  valueBalances: uniswapV3VirtualReserves,
  lvrUsdPerVariance: ({ start, decimals, pricesStart }) =>
    concentratedLvrUsdPerVariance(
      Number(start.liquidity),
      sqrtPriceToNumber(start.sqrtPriceX96),
      pricesStart[1]!,
      decimals[1]!,
    ),
  dayMetrics: ({ pool, start, end, decimals, pricesStart, pricesEnd }) =>
    uniswapV4Day({
      start,
      end,
      decimals: [decimals[0]!, decimals[1]!],
      pricesStart: [pricesStart[0]!, pricesStart[1]!],
      pricesEnd: [pricesEnd[0]!, pricesEnd[1]!],
      rangePct: pool.rangePct ?? DEFAULT_RANGE_PCT,
    }),
} satisfies ProtocolAdapter<UniswapV4State, z.infer<typeof poolSchema>>
