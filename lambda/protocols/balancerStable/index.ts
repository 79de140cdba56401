import * as z from 'zod'
import { poolFields } from '../../config/poolFields.ts'
import type { ProtocolAdapter } from '../adapter.ts'
import { balancerStableDay, balancerStableMarginalPrices, balancerStableParValues } from './day.ts'
import {
  type BalancerStableState,
  readBalancerStablePool,
  readBalancerStableSample,
} from './read.ts'

/**
 * A Balancer V2 stable pool (ComposableStablePool, MetaStablePool, StablePool; 2 to 5
 * tokens); pool id, Vault, scaling factors (token rates) and amplification are read on chain.
 */
const poolSchema = z.strictObject({ ...poolFields, protocol: z.literal('balancer-stable') })

/** Balancer V2 stable pools, with rate providers. */
export const balancerStable = {
  protocol: 'balancer-stable',
  poolSchema,
  read: (reader, pool) => readBalancerStablePool(reader, pool.address),
  readSample: (reader, pool, known) => readBalancerStableSample(reader, known, pool.address),
  weights: (state) => state.tokens.map(() => 1 / state.tokens.length),
  marginalPrices: balancerStableMarginalPrices,
  parValues: balancerStableParValues,
  lpShare: (state, pool) => ({ token: pool.address, supply: state.supply }),
  dayMetrics: ({ start, end, decimals, pricesStart, pricesEnd }) =>
    balancerStableDay({ start, end, decimals, pricesStart, pricesEnd }),
} satisfies ProtocolAdapter<BalancerStableState, z.infer<typeof poolSchema>>
