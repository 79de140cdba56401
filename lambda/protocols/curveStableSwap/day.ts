import { type CompoundingSnapshot, compoundingPoolDay } from '../../metrics/compoundingPoolDay.ts'
import { curveExchange, stableSwapDepthUsd } from '../../metrics/stableSwapDepth.ts'
import {
  FEE_DENOMINATOR,
  PRECISION,
  plainRates,
  type StableSwapPool,
  stableSwapMarginalPrices,
} from '../../metrics/stableSwapMath.ts'
import type { PoolDayMetrics } from '../../metrics/types.ts'
import type { CurveStableSwapState } from './read.ts'

/** Inputs of a Curve StableSwap pool's day. */
export interface CurveStableSwapDayInput {
  readonly start: CurveStableSwapState
  readonly end: CurveStableSwapState
  readonly decimals: readonly number[]
  readonly pricesStart: readonly number[]
  readonly pricesEnd: readonly number[]
}

/**
 * Day metrics of a StableSwap pool: target weights `1/n`, marginal prices from the
 * invariant (`get_p`), fee return from the growth of `get_virtual_price` (`D/S`), depth by
 * replaying exchanges on the invariant. The fee rate that stays with the LPs is
 * `fee * (1 - admin_fee)`.
 *
 * @param input - the pool at the start and end blocks, decimals, reference prices
 * @returns the day's metrics
 */
export function curveStableSwapDay({
  start,
  end,
  decimals,
  pricesStart,
  pricesEnd,
}: CurveStableSwapDayInput): PoolDayMetrics {
  const n = end.tokens.length
  const endPool = toPool(end, decimals)
  const lpFeeRate =
    (Number(end.fee) / Number(FEE_DENOMINATOR)) *
    (1 - Number(end.adminFee) / Number(FEE_DENOMINATOR))
  return compoundingPoolDay({
    start: toSnapshot(start, toPool(start, decimals), decimals, 'start'),
    end: toSnapshot(end, endPool, decimals, 'end'),
    weights: Array(n).fill(1 / n),
    pricesStart,
    pricesEnd,
    feeRate: lpFeeRate,
    depth2pctUsd: stableSwapDepthUsd(endPool, decimals, pricesEnd, curveExchange),
  })
}

/**
 * The state as the pool's math sees it: published rates (NG pools), else plain rates, with a
 * metapool's last coin at the base pool's virtual price.
 */
export function toPool(state: CurveStableSwapState, decimals: readonly number[]): StableSwapPool {
  return {
    balances: state.balances,
    rates: state.rates ?? poolRates(state, decimals),
    amp: state.amp,
    aPrecision: state.aPrecision,
    fee: state.fee,
    adminFee: state.adminFee,
    ...(state.offpegFeeMultiplier !== undefined && {
      offpegFeeMultiplier: state.offpegFeeMultiplier,
    }),
  }
}

function poolRates(state: CurveStableSwapState, decimals: readonly number[]): bigint[] {
  const rates = plainRates(decimals)
  if (state.baseVirtualPrice !== undefined) {
    const last = rates.length - 1
    rates[last] = (rates[last]! * state.baseVirtualPrice) / PRECISION
  }
  return rates
}

/**
 * What one whole token of each coin is worth in the pool's own accounting (its 18-decimal
 * `xp` units per token, over 1e18): 1 for plain coins, a metapool's base LP token at the
 * base virtual price, an NG pool's coin at its oracle rate. Par, as the pool counts it.
 *
 * @param state - the pool
 * @param decimals - decimals of each coin
 * @returns the par value of each coin
 */
export function curveParValues(state: CurveStableSwapState, decimals: readonly number[]): number[] {
  return toPool(state, decimals).rates.map((rate, i) => Number(rate) * 10 ** (decimals[i]! - 36))
}

function toSnapshot(
  state: CurveStableSwapState,
  pool: StableSwapPool,
  decimals: readonly number[],
  when: string,
): CompoundingSnapshot {
  if (state.lpSupply === 0n || state.balances.some((balance) => balance === 0n)) {
    throw new RangeError(`the pool holds no liquidity at the ${when} block`)
  }
  return {
    balances: state.balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!),
    supply: Number(state.lpSupply),
    invariantPerShare: Number(state.virtualPrice) / Number(PRECISION),
    marginalPrices: stableSwapMarginalPrices(pool, decimals),
  }
}

/**
 * Marginal prices of token 0 in each coin from the StableSwap invariant, as Curve's `get_p`
 * computes them, in token units.
 *
 * @param state - the pool
 * @param decimals - decimals of each coin
 * @returns the price of token 0 in units of each coin (index 0 is 1)
 */
export function curveMarginalPrices(
  state: CurveStableSwapState,
  decimals: readonly number[],
): number[] {
  return stableSwapMarginalPrices(toPool(state, decimals), decimals)
}
