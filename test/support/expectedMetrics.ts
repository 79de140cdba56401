import { expect } from 'vitest'
import type { PoolDayMetrics } from '../../lambda/metrics/types.ts'

/** One end of a day as a test reads it from the chain: balances in tokens, USD prices, LP supply. */
export interface RawSnapshot {
  readonly human: readonly number[]
  readonly prices: readonly number[]
  readonly supply: number | bigint
}

/**
 * Checks a compounding pool's day metrics against DESIGN's definitions, computed here from
 * raw reads apart from the report's code: TVL, value shares, imbalance against `weights`,
 * LP vs HODL per LP share at end prices, and the divergence loss of the given fee return
 * (the protocol's own invariant-per-share growth, which the caller reads).
 */
export function expectCompoundingMetrics(
  metrics: PoolDayMetrics,
  start: RawSnapshot,
  end: RawSnapshot,
  weights: readonly number[],
  feeReturn: number,
): void {
  const value = (amounts: readonly number[], prices: readonly number[]) =>
    amounts.reduce((total, amount, i) => total + amount * prices[i]!, 0)
  const shares = (s: RawSnapshot) =>
    s.human.map((b, i) => (b * s.prices[i]!) / value(s.human, s.prices))
  const imbalance = (s: RawSnapshot) =>
    Math.max(...shares(s).map((share, i) => Math.abs(share - weights[i]!)))
  const perShare = (s: RawSnapshot) => s.human.map((b) => b / Number(s.supply))
  const lpVsHodl = value(perShare(end), end.prices) / value(perShare(start), end.prices) - 1

  expect(metrics.tvlUsdStart / value(start.human, start.prices) - 1).toBeCloseTo(0, 12)
  expect(metrics.tvlUsdEnd / value(end.human, end.prices) - 1).toBeCloseTo(0, 12)
  expect(metrics.valueSharesStart).toEqual(shares(start).map((share) => expect.closeTo(share, 12)))
  expect(metrics.valueSharesEnd).toEqual(shares(end).map((share) => expect.closeTo(share, 12)))
  expect(metrics.imbalanceStart).toBeCloseTo(imbalance(start), 12)
  expect(metrics.imbalanceEnd).toBeCloseTo(imbalance(end), 12)
  expect(metrics.lpVsHodl).toBeCloseTo(lpVsHodl, 12)
  expect(metrics.feeReturn).toBeCloseTo(feeReturn, 12)
  expect(metrics.divergenceLoss).toBeCloseTo((1 + lpVsHodl) / (1 + feeReturn) - 1, 12)
  const feesUsd = (feeReturn / (1 + feeReturn)) * value(end.human, end.prices)
  expect(Math.abs(metrics.feesUsd - feesUsd)).toBeLessThanOrEqual(Math.abs(feesUsd) * 1e-9)
}
