import { describe, expect, test } from 'vitest'
import { sampleTimes } from '../../lambda/chain/findSampleBlocks.ts'
import {
  concentratedLvrUsdPerVariance,
  type IntradaySample,
  intradayMetrics,
  weightedLvrUsdPerVariance,
} from '../../lambda/metrics/intraday.ts'

const flat = (imbalance: number, priceDeviation = 0, referenceRatio?: number): IntradaySample => ({
  imbalance,
  priceDeviation,
  ...(referenceRatio !== undefined && { referenceRatio }),
})

describe('sample instants', () => {
  test('hourly samples of a day start and end on its midnights', () => {
    const times = sampleTimes(1_700_006_400n, 24)
    expect(times).toHaveLength(25)
    expect(times[0]).toBe(1_700_006_400n)
    expect(times[24]).toBe(1_700_006_400n + 86_400n)
    expect(times[9]! - times[8]!).toBe(3600n)
  })

  test('an instant between two seconds is rounded down', () => {
    // 86400 / 7 = 12342.857...: the last block at or before t_1 is the last at or before second 12342.
    expect(sampleTimes(0n, 7).slice(0, 3)).toEqual([0n, 12_342n, 24_685n])
  })

  test('one sample a day is the two ends', () => {
    expect(sampleTimes(100n, 1)).toEqual([100n, 86_500n])
  })

  test('zero or fractional sample counts are refused', () => {
    expect(() => sampleTimes(0n, 0)).toThrow(/positive integer/)
    expect(() => sampleTimes(0n, 2.5)).toThrow(/positive integer/)
  })
})

describe('intraday metrics', () => {
  // A stable pool that depegs in the morning of an hourly sampled day: 2 pp out of balance
  // all day except k = 9..12, where it is 10, 20, 15, 8 pp, and back by the evening.
  const morning = Array.from({ length: 25 }, (_, k) => {
    const peak: Record<number, [number, number]> = {
      9: [0.1, -0.004],
      10: [0.2, -0.012],
      11: [0.15, -0.008],
      12: [0.08, 0.006],
    }
    const [imbalance, deviation] = peak[k] ?? [0.02, 0.0001]
    return flat(imbalance, deviation)
  })

  test('the peak, the time-weighted mean and the hours out of band of a morning depeg', () => {
    const metrics = intradayMetrics({
      samples: morning,
      thresholds: { imbalancePp: 5, priceDeviationPct: 0.5 },
    })
    expect(metrics.samples).toBe(25)
    expect(metrics.imbalanceMax).toBe(0.2)
    // k = 0..23: twenty samples at 2 pp and the four of the morning.
    expect(metrics.imbalanceTwa).toBeCloseTo((20 * 0.02 + 0.1 + 0.2 + 0.15 + 0.08) / 24, 15)
    expect(metrics.priceDeviationPeak).toBe(-0.012)
    // Over 5 pp: k = 9..12; over 0.5% either way: k = 10, 11, 12.
    expect(metrics.hoursOverImbalance).toBe(4)
    expect(metrics.hoursOverDeviation).toBe(3)
    // Without reference ratios there is neither volatility nor LVR.
    expect(metrics.refVolatility).toBeUndefined()
    expect(metrics.lvrUsd).toBeUndefined()
  })

  test('the last sample counts for the peak but stands for no interval', () => {
    const samples = [flat(0.01, 0.001), flat(0.02, 0.002), flat(0.3, -0.05)]
    const metrics = intradayMetrics({
      samples,
      thresholds: { imbalancePp: 5, priceDeviationPct: 0.5 },
    })
    expect(metrics.imbalanceMax).toBe(0.3)
    expect(metrics.priceDeviationPeak).toBe(-0.05)
    expect(metrics.imbalanceTwa).toBeCloseTo(0.015, 15)
    expect(metrics.hoursOverImbalance).toBe(0)
    expect(metrics.hoursOverDeviation).toBe(0)
  })

  test('a value at the threshold is not over it, and an absent threshold leaves the hours out', () => {
    const samples = [flat(0.05, 0.005), flat(0.0500001, -0.0050001), flat(0)]
    const metrics = intradayMetrics({ samples, thresholds: { imbalancePp: 5 } })
    // Two samples a day: each stands for 12 hours.
    expect(metrics.hoursOverImbalance).toBe(12)
    expect(metrics.hoursOverDeviation).toBeUndefined()
  })

  test('reference volatility is the root of the summed squared log returns', () => {
    // r goes 1 -> 1.01 -> 0.99 -> 1: returns ln(1.01), ln(0.99/1.01), ln(1/0.99).
    const ratios = [1, 1.01, 0.99, 1]
    const samples = ratios.map((ratio) => flat(0, 0, ratio))
    const expected = Math.sqrt(
      Math.log(1.01) ** 2 + Math.log(0.99 / 1.01) ** 2 + Math.log(1 / 0.99) ** 2,
    )
    const metrics = intradayMetrics({ samples, thresholds: {}, lvrUsdPerVariance: 1_000_000 })
    expect(metrics.refVolatility).toBeCloseTo(expected, 15)
    expect(metrics.lvrUsd).toBeCloseTo(expected ** 2 * 1_000_000, 9)
  })

  test('a constant log return per sample gives sqrt(n) times it, and a constant price none', () => {
    const n = 24
    const step = 0.002
    const trending = Array.from({ length: n + 1 }, (_, k) => flat(0, 0, Math.exp(step * k)))
    expect(intradayMetrics({ samples: trending, thresholds: {} }).refVolatility).toBeCloseTo(
      step * Math.sqrt(n),
      14,
    )
    const still = Array.from({ length: n + 1 }, () => flat(0, 0, 3000))
    const metrics = intradayMetrics({ samples: still, thresholds: {}, lvrUsdPerVariance: 5e6 })
    expect(metrics.refVolatility).toBe(0)
    expect(metrics.lvrUsd).toBe(0)
  })

  test('bad input is refused', () => {
    expect(() => intradayMetrics({ samples: [flat(0)], thresholds: {} })).toThrow(/two samples/)
    expect(() =>
      intradayMetrics({ samples: [flat(0, 0, 1), flat(0, 0, 0)], thresholds: {} }),
    ).toThrow(/positive/)
  })
})

describe('LVR scale', () => {
  test('a 50/50 pool loses sigma^2/8 of its value (Milionis et al.)', () => {
    // sigma = 5% over the day on an 8 M USD pool: 0.0025 / 8 * 8e6 = 2,500 USD.
    expect(0.05 ** 2 * weightedLvrUsdPerVariance([0.5, 0.5], 8e6)).toBeCloseTo(2500, 9)
  })

  test('an 80/20 pool loses 0.8 * 0.2 / 2 of sigma^2 times its value', () => {
    expect(weightedLvrUsdPerVariance([0.8, 0.2], 1e6)).toBeCloseTo(80_000, 9)
  })

  test('full-range V3 liquidity loses what the same V2 pair loses', () => {
    // A pair with x = 1000 WETH (18 decimals) and y = 3,000,000 USDC (6 decimals): raw price
    // P = 3e12 / 1e21, L = sqrt(x_raw * y_raw), and V = 2 * 3e6 USD at m1 = 1.
    const xRaw = 1000e18
    const yRaw = 3e12
    const sqrtPrice = Math.sqrt(yRaw / xRaw)
    const liquidity = Math.sqrt(xRaw * yRaw)
    expect(concentratedLvrUsdPerVariance(liquidity, sqrtPrice, 1, 6)).toBeCloseTo(
      weightedLvrUsdPerVariance([0.5, 0.5], 6e6),
      3,
    )
    expect(concentratedLvrUsdPerVariance(0, sqrtPrice, 1, 6)).toBe(0)
  })
})
