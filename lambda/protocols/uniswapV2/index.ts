import * as z from 'zod'
import { poolFields } from '../../config/poolFields.ts'
import { weightedLvrUsdPerVariance } from '../../metrics/intraday.ts'
import type { ProtocolAdapter } from '../adapter.ts'
import { uniswapV2Day, uniswapV2MarginalPrices } from './day.ts'
import { readUniswapV2Pool, readUniswapV2Sample, type UniswapV2State } from './read.ts'

const poolSchema = z.strictObject({
  ...poolFields,
  protocol: z.literal('uniswap-v2'),
  /** Swap fee that stays with the LPs, in basis points. @default 30 */
  feeBps: z.number().positive().max(10_000).optional(),
})

/** Uniswap V2 pairs (and forks with the same interface). */
export const uniswapV2 = {
  protocol: 'uniswap-v2',
  poolSchema,
  read: (reader, pool) => readUniswapV2Pool(reader, pool.address),
  weights: () => [0.5, 0.5],
  marginalPrices: uniswapV2MarginalPrices,
  lpShare: (state, pool) => ({ token: pool.address, supply: state.totalSupply }),
  readSample: (reader, pool, known) => readUniswapV2Sample(reader, known, pool.address),
  lvrUsdPerVariance: ({ tvlUsdStart }) => weightedLvrUsdPerVariance([0.5, 0.5], tvlUsdStart),
  dayMetrics: ({ pool, start, end, decimals, pricesStart, pricesEnd }) =>
    uniswapV2Day({
      start,
      end,
      decimals: [decimals[0]!, decimals[1]!],
      pricesStart: [pricesStart[0]!, pricesStart[1]!],
      pricesEnd: [pricesEnd[0]!, pricesEnd[1]!],
      feeRate: (pool.feeBps ?? 30) / 10_000,
    }),
} satisfies ProtocolAdapter<UniswapV2State, z.infer<typeof poolSchema>>
