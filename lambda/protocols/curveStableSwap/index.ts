import * as z from 'zod'
import { poolFields } from '../../config/poolFields.ts'
import type { ProtocolAdapter } from '../adapter.ts'
import { curveMarginalPrices, curveParValues, curveStableSwapDay } from './day.ts'
import {
  type CurveStableSwapState,
  readCurveStableSwapPool,
  readCurveStableSwapSample,
} from './read.ts'

/** A Curve StableSwap pool (2 to 4 coins); coins, A, fees and the LP token are read on chain. */
const poolSchema = z.strictObject({ ...poolFields, protocol: z.literal('curve-stableswap') })

/** Curve StableSwap pools. */
export const curveStableSwap = {
  protocol: 'curve-stableswap',
  poolSchema,
  read: (reader, pool) => readCurveStableSwapPool(reader, pool.address),
  readSample: (reader, pool, known) => readCurveStableSwapSample(reader, known, pool.address),
  weights: (state) => state.tokens.map(() => 1 / state.tokens.length),
  marginalPrices: curveMarginalPrices,
  parValues: curveParValues,
  lpShare: (state) => ({ token: state.lpToken, supply: state.lpSupply }),
  dayMetrics: ({ start, end, decimals, pricesStart, pricesEnd }) =>
    curveStableSwapDay({ start, end, decimals, pricesStart, pricesEnd }),
} satisfies ProtocolAdapter<CurveStableSwapState, z.infer<typeof poolSchema>>
