import * as z from 'zod'
import { poolFields } from '../../config/poolFields.ts'
import { weightedLvrUsdPerVariance } from '../../metrics/intraday.ts'
import type { ProtocolAdapter } from '../adapter.ts'
import { balancerWeightedDay, balancerWeightedMarginalPrices, normalizedWeights } from './day.ts'
import {
  type BalancerWeightedState,
  readBalancerWeightedPool,
  readBalancerWeightedSample,
} from './read.ts'

/** A Balancer V2 weighted pool (2 to 8 tokens); pool id, Vault and weights are read on chain. */
const poolSchema = z.strictObject({ ...poolFields, protocol: z.literal('balancer-weighted') })

/** Balancer V2 weighted pools. */
export const balancerWeighted = {
  protocol: 'balancer-weighted',
  poolSchema,
  read: (reader, pool) => readBalancerWeightedPool(reader, pool.address),
  readSample: (reader, pool, known) => readBalancerWeightedSample(reader, known, pool.address),
  weights: normalizedWeights,
  marginalPrices: balancerWeightedMarginalPrices,
  lpShare: (state, pool) => ({ token: pool.address, supply: state.totalSupply }),
  lvrUsdPerVariance: ({ start, tvlUsdStart }) => {
    const weights = normalizedWeights(start)
    return weights.length === 2
      ? weightedLvrUsdPerVariance([weights[0]!, weights[1]!], tvlUsdStart)
      : undefined
  },
  dayMetrics: ({ start, end, decimals, pricesStart, pricesEnd }) =>
    balancerWeightedDay({ start, end, decimals, pricesStart, pricesEnd }),
} satisfies ProtocolAdapter<BalancerWeightedState, z.infer<typeof poolSchema>>
