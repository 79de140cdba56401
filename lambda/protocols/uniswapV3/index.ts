import * as z from 'zod'
import { poolFields } from '../../config/poolFields.ts'
import { concentratedLvrUsdPerVariance } from '../../metrics/intraday.ts'
import type { ProtocolAdapter } from '../adapter.ts'
import { uniswapV3Day, uniswapV3MarginalPrices, uniswapV3VirtualReserves } from './day.ts'
import { sqrtPriceToNumber } from './math/toNumber.ts'
import { readUniswapV3Pool, readUniswapV3Sample, type UniswapV3State } from './read.ts'

/** Half-width of a V3 pool's reference position when the config does not set `rangePct`. */
export const DEFAULT_RANGE_PCT = 10

const poolSchema = z.strictObject({
  ...poolFields,
  protocol: z.literal('uniswap-v3'),
  /**
   * Half-width of the reference concentrated position, in percent of the day's start
   * price (10 = +/-10%). @default 10
   */
  rangePct: z.number().gt(0).lt(100).optional(),
})

/** Uniswap V3 pools. */
export const uniswapV3 = {
  protocol: 'uniswap-v3',
  poolSchema,
  read: (reader, pool) => readUniswapV3Pool(reader, pool.address),
  weights: () => [0.5, 0.5],
  marginalPrices: uniswapV3MarginalPrices,
  readSample: (reader, pool, known) => readUniswapV3Sample(reader, known, pool.address),
  valueBalances: uniswapV3VirtualReserves,
  lvrUsdPerVariance: ({ start, decimals, pricesStart }) =>
    concentratedLvrUsdPerVariance(
      Number(start.liquidity),
      sqrtPriceToNumber(start.sqrtPriceX96),
      pricesStart[1]!,
      decimals[1]!,
    ),
  dayMetrics: ({ pool, start, end, decimals, pricesStart, pricesEnd }) =>
    uniswapV3Day({
      start,
      end,
      decimals: [decimals[0]!, decimals[1]!],
      pricesStart: [pricesStart[0]!, pricesStart[1]!],
      pricesEnd: [pricesEnd[0]!, pricesEnd[1]!],
      rangePct: pool.rangePct ?? DEFAULT_RANGE_PCT,
    }),
} satisfies ProtocolAdapter<UniswapV3State, z.infer<typeof poolSchema>>
