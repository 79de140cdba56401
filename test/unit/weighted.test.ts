import { describe, expect, test } from 'vitest'
import { balancerWeightedDay } from '../../lambda/protocols/balancerWeighted/day.ts'
import type { BalancerWeightedState } from '../../lambda/protocols/balancerWeighted/read.ts'
import {
  weightedAmountIn,
  weightedDepthUsd,
  weightedMarginalPrices,
} from '../../lambda/protocols/balancerWeighted/weightedMath.ts'
import { constantProductAmountIn } from '../../lambda/protocols/uniswapV2/constantProduct.ts'

const toRaw = (amount: number) => BigInt(Math.round(amount * 1e18))

/**
 * A fee-free weighted pool that tracks the market: for reference prices `prices` (USD) its
 * balances are `V * w_i / p_i`, scaled so that `prod(b_i^w_i)` stays `invariant`.
 */
function trackingPool(
  weights: number[],
  prices: number[],
  invariant: number,
): BalancerWeightedState {
  const unscaled = weights.map((w, i) => w / prices[i]!)
  const k = unscaled.reduce((product, b, i) => product * b ** weights[i]!, 1)
  const balances = unscaled.map((b) => (b * invariant) / k)
  return {
    poolId: '0x',
    vault: '0x0000000000000000000000000000000000000001',
    tokens: weights.map((_, i) => `0x${String(i + 2).padStart(40, '0')}` as const),
    balances: balances.map(toRaw),
    weights: weights.map(toRaw),
    invariant: toRaw(invariant),
    swapFee: 0n,
    totalSupply: toRaw(100),
  }
}

describe('weighted pool day', () => {
  test.each([
    ['80/20 pool, the 80% token doubles', [0.8, 0.2], -3.27216, 5],
    ['50/50 pool, one token doubles', [0.5, 0.5], -5.719096, 6],
  ])('%s: IL %d%%', (_, weights, expectedPct, digits) => {
    const metrics = balancerWeightedDay({
      start: trackingPool(weights, [1, 1], 1000),
      end: trackingPool(weights, [2, 1], 1000),
      decimals: [18, 18],
      pricesStart: [1, 1],
      pricesEnd: [2, 1],
    })
    expect(metrics.divergenceLoss * 100).toBeCloseTo(expectedPct, digits)
    expect(metrics.feeReturn).toBeCloseTo(0, 12)
    expect(metrics.imbalanceStart).toBeCloseTo(0, 12)
    expect(metrics.imbalanceEnd).toBeCloseTo(0, 12)
    expect(metrics.priceDeviationEnd).toBeCloseTo(0, 12)
  })

  test('invariant growth per BPT is the fee return; weights are the targets', () => {
    const start = trackingPool([0.8, 0.2], [10, 3000], 1000)
    const end = { ...start, invariant: (start.invariant * 1001n) / 1000n, swapFee: 5n * 10n ** 15n }
    const metrics = balancerWeightedDay({
      start,
      end,
      decimals: [18, 18],
      pricesStart: [10, 3000],
      pricesEnd: [10, 3000],
    })
    expect(metrics.feeReturn).toBeCloseTo(0.001, 12)
    expect(metrics.valueSharesEnd).toEqual([expect.closeTo(0.8, 12), expect.closeTo(0.2, 12)])
    expect(metrics.volumeUsdEst! * 0.005).toBeCloseTo(metrics.feesUsd, 6)
  })
})

describe('weighted spot price and depth', () => {
  test('spot price of token 0 is (b_i/w_i)/(b_0/w_0)', () => {
    expect(weightedMarginalPrices([100, 3000], [0.8, 0.2])).toEqual([1, 120])
    expect(weightedMarginalPrices([10, 20, 30], [1 / 3, 1 / 3, 1 / 3])).toEqual([1, 2, 3])
  })

  test('a 50/50 pool needs what a constant-product pair needs, with or without a fee', () => {
    for (const fee of [0, 0.003, 0.01]) {
      expect(weightedAmountIn(1000, 0.5, 0.5, 0.98, fee)).toBeCloseTo(
        constantProductAmountIn(1000, 0.98, fee),
        9,
      )
    }
  })

  test.each([
    [0.8, 0.2, 0.98],
    [0.2, 0.8, 0.98],
    [0.8, 0.2, 1 / 1.02],
    [0.1, 0.6, 0.98],
  ])(
    'selling the amount found through the Vault formula moves the price exactly (w_in %d, w_out %d)',
    (wIn, wOut, factor) => {
      const [balanceIn, balanceOut, fee] = [5_000, 2_000_000, 0.005]
      const amountIn = weightedAmountIn(balanceIn, wIn, wOut, factor, fee)
      // WeightedMath._calcOutGivenIn: the fee is taken from the input, the whole input stays.
      const amountOut =
        balanceOut * (1 - (balanceIn / (balanceIn + amountIn * (1 - fee))) ** (wIn / wOut))
      const spot = (bIn: number, bOut: number) => bOut / wOut / (bIn / wIn)
      expect(
        spot(balanceIn + amountIn, balanceOut - amountOut) / spot(balanceIn, balanceOut),
      ).toBeCloseTo(factor, 12)
    },
  )

  test('depth is the cheapest pair and direction, valued at the sold token', () => {
    const balances = [800, 600_000, 100]
    const weights = [0.5, 0.3, 0.2]
    const prices = [3000, 1, 60_000]
    const fee = 0.003
    const cost = (sold: number, bought: number, factor: number) =>
      weightedAmountIn(balances[sold]!, weights[sold]!, weights[bought]!, factor, fee) *
      prices[sold]!
    const expected = Math.min(
      ...[
        [0, 1],
        [0, 2],
        [1, 2],
      ].flatMap(([i, j]) => [cost(i!, j!, 0.98), cost(j!, i!, 1 / 1.02)]),
    )
    expect(weightedDepthUsd(balances, weights, prices, fee)).toBe(expected)
  })
})

test('start imbalance is measured against the start weights when the weights move (LBP)', () => {
  const start = trackingPool([0.5, 0.5], [1, 1], 1000)
  const end = { ...start, weights: [toRaw(0.8), toRaw(0.2)] }
  const metrics = balancerWeightedDay({
    start,
    end,
    decimals: [18, 18],
    pricesStart: [1, 1],
    pricesEnd: [1, 1],
  })
  expect(metrics.imbalanceStart).toBeCloseTo(0, 12)
  expect(metrics.imbalanceEnd).toBeCloseTo(0.3, 12)
})
