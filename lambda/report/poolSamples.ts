import type { Address } from 'viem'
import type { Config, PoolConfig } from '../config/schema.ts'
import { imbalance } from '../metrics/imbalance.ts'
import { type IntradayMetrics, type IntradaySample, intradayMetrics } from '../metrics/intraday.ts'
import { priceDeviation } from '../metrics/priceDeviation.ts'
import { valueShares } from '../metrics/valueShares.ts'
import {
  completePoolPrices,
  readConfiguredPrices,
  type TokenPriceSource,
} from '../prices/poolPrices.ts'
import type { PriceIndex } from '../prices/priceIndex.ts'
import { type PoolState, type ProtocolAdapter, protocolAdapter } from '../protocols/registry.ts'
import { thresholdsFor } from './alerts.ts'
import type { Snapshot } from './readPoolDay.ts'

/** A pool at one intermediate sample block, as read. */
export interface SampleRead {
  readonly state: PoolState
  /** Configured reference prices (USD), `undefined` for tokens priced at par by the pool. */
  readonly configured: readonly (number | undefined)[]
}

export interface ReadPoolSamplesParameters {
  readonly config: Config
  readonly pool: PoolConfig
  readonly prices: PriceIndex
  /** The intermediate samples `k = 1..n-1`. */
  readonly samples: readonly Snapshot[]
  /** The pool at the day's end: what a sample read does not read again. */
  readonly known: PoolState
  readonly plan: readonly TokenPriceSource[]
}

/**
 * Reads a pool at every intermediate sample block: the state its protocol's sample read
 * needs and the configured reference prices, each sample pinned to its own reader. Called
 * for every pool in the same turn, the samples' reads go out in shared rounds.
 *
 * @param parameters - the pool, its end state and price plan, the sample snapshots
 * @returns one read per sample, in order
 */
export function readPoolSamples({
  config,
  pool,
  prices,
  samples,
  known,
  plan,
}: ReadPoolSamplesParameters): Promise<SampleRead[]> {
  const protocol = protocolAdapter(pool)
  return Promise.all(
    samples.map(async ({ reader, block }) => {
      const [state, configured] = await Promise.all([
        protocol.readSample
          ? protocol.readSample(reader, pool, known)
          : protocol.read(reader, pool, config.chains[pool.chain]!),
        readConfiguredPrices(
          { reader, blockTimestamp: block.timestamp, chain: pool.chain, config, prices },
          known.tokens as Address[],
          plan,
        ),
      ])
      return { state, configured }
    }),
  )
}

/** A pool's state with its reference prices at one sample block. */
export interface PricedState {
  readonly state: PoolState
  readonly prices: readonly number[]
}

export interface PoolIntradayParameters {
  readonly config: Pick<Config, 'thresholds'>
  readonly pool: PoolConfig
  readonly decimals: readonly number[]
  readonly plan: readonly TokenPriceSource[]
  readonly start: PricedState
  readonly samples: readonly SampleRead[]
  readonly end: PricedState
  readonly tvlUsdStart: number
}

/**
 * The intraday metrics of a pool from its start, its intermediate samples and its end, with
 * the pool's alert thresholds (its own over the config's, as the `alerts` column).
 *
 * @param parameters - the pool, its decimals and price plan, the `n + 1` priced states
 * @returns the metrics
 */
export function poolIntraday({
  config,
  pool,
  decimals,
  plan,
  start,
  samples,
  end,
  tvlUsdStart,
}: PoolIntradayParameters): IntradayMetrics {
  const protocol = protocolAdapter(pool)
  const priced = [
    start,
    ...samples.map(({ state, configured }) => ({
      state,
      prices: completePoolPrices(plan, configured, protocol.parValues?.(state, decimals)),
    })),
    end,
  ]
  const lvrUsdPerVariance = protocol.lvrUsdPerVariance?.({
    start: start.state,
    decimals,
    pricesStart: start.prices,
    tvlUsdStart,
  })
  return intradayMetrics({
    samples: priced.map(({ state, prices }) => poolSample(protocol, state, decimals, prices)),
    thresholds: thresholdsFor(pool.thresholds, config.thresholds),
    ...(lvrUsdPerVariance !== undefined && { lvrUsdPerVariance }),
  })
}

/**
 * A pool's imbalance, price deviation and (two-token pools) reference ratio at one block.
 *
 * @param protocol - the pool's protocol adapter
 * @param state - the pool at the block
 * @param decimals - the tokens' decimals
 * @param prices - the tokens' reference prices at the block
 * @returns the sample
 */
export function poolSample(
  protocol: ProtocolAdapter,
  state: PoolState,
  decimals: readonly number[],
  prices: readonly number[],
): IntradaySample {
  const balances =
    protocol.valueBalances?.(state, decimals) ??
    state.balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!)
  return {
    imbalance: imbalance(valueShares(balances, prices), protocol.weights(state)),
    priceDeviation: priceDeviation(protocol.marginalPrices(state, decimals), prices),
    ...(prices.length === 2 && { referenceRatio: prices[0]! / prices[1]! }),
  }
}
