import type { CurveStableSwapState } from '../protocols/curveStableSwap.ts'
import { type CompoundingSnapshot, compoundingPoolDay } from './compoundingPoolDay.ts'
import { stableSwapDepthUsd } from './stableSwapDepth.ts'
import {
  FEE_DENOMINATOR,
  PRECISION,
  plainRates,
  type StableSwapPool,
  stableSwapMarginalPrices,
} from './stableSwapMath.ts'
import type { PoolDayMetrics } from './types.ts'

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
    depth2pctUsd: stableSwapDepthUsd(endPool, decimals, pricesEnd),
  })
}

/** The state as the pool's math sees it; coins without published rates are plain. */
export function toPool(state: CurveStableSwapState, decimals: readonly number[]): StableSwapPool {
  return {
    balances: state.balances,
    rates: state.rates ?? plainRates(decimals),
    amp: state.amp,
    aPrecision: state.aPrecision,
    fee: state.fee,
    adminFee: state.adminFee,
  }
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
