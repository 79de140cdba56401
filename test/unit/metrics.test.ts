import { describe, expect, test } from 'vitest'
import { compoundingPoolDay } from '../../lambda/metrics/compoundingPoolDay.ts'
import {
  constantProductDivergenceLoss,
  divergenceLoss,
  weightedDivergenceLoss,
} from '../../lambda/metrics/divergenceLoss.ts'
import { imbalance } from '../../lambda/metrics/imbalance.ts'
import { lpVsHodl } from '../../lambda/metrics/lpVsHodl.ts'
import { priceDeviation } from '../../lambda/metrics/priceDeviation.ts'
import { valueShares } from '../../lambda/metrics/valueShares.ts'
import {
  constantProductAmountIn,
  constantProductDepthUsd,
} from '../../lambda/protocols/uniswapV2/constantProduct.ts'

describe('constant-product divergence loss', () => {
  // The table published with the Uniswap V2 documentation ("Understanding Returns").
  test.each([
    [1.25, -0.006],
    [1.5, -0.02],
    [2, -0.057],
    [3, -0.134],
    [5, -0.255],
  ])('price ratio %d loses %d', (ratio, published) => {
    expect(constantProductDivergenceLoss(ratio)).toBeCloseTo(published, 3)
    // A fall by the same factor loses the same.
    expect(constantProductDivergenceLoss(1 / ratio)).toBeCloseTo(published, 3)
  })

  test('no loss when the price is unchanged', () => {
    expect(constantProductDivergenceLoss(1)).toBe(0)
  })
})

describe('weighted divergence loss', () => {
  test('80/20 pool when the 80% token doubles is -3.27216%', () => {
    expect(weightedDivergenceLoss([2, 1], [0.8, 0.2]) * 100).toBeCloseTo(-3.27216, 5)
  })

  test('50/50 pool reduces to the constant-product closed form', () => {
    expect(weightedDivergenceLoss([2, 1], [0.5, 0.5]) * 100).toBeCloseTo(-5.719096, 6)
    expect(weightedDivergenceLoss([3, 1.2], [0.5, 0.5])).toBeCloseTo(
      constantProductDivergenceLoss(3 / 1.2),
      12,
    )
  })
})

describe('value shares and imbalance', () => {
  test('a pool holding 75% of its value in one coin is 25 pp out of balance', () => {
    const shares = valueShares([750, 250], [1, 1])
    expect(shares).toEqual([0.75, 0.25])
    expect(imbalance(shares, [0.5, 0.5])).toBe(0.25)
  })

  test('three coins against 1/3 each', () => {
    const shares = valueShares([480, 310, 210], [1, 1, 1])
    expect(imbalance(shares, [1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(0.48 - 1 / 3, 15)
  })

  test('a pool with no value is an error', () => {
    expect(() => valueShares([0, 0], [1, 1])).toThrow(/no value/)
  })
})

describe('price deviation', () => {
  test('keeps the sign of the largest deviation', () => {
    // token 0 = 1 USD; token 1 priced 1% cheap, token 2 priced 3% rich in the pool.
    expect(priceDeviation([1, 1.01, 0.97], [1, 1, 1])).toBeCloseTo(-0.03, 15)
    expect(priceDeviation([1, 3030], [3000, 1])).toBeCloseTo(0.01, 15)
  })
})

describe('LP vs HODL', () => {
  test('a constant-product pool that follows the market loses the closed form', () => {
    // x*y = k = 1e6 at price 1 (token1 per token0); the price of token 0 doubles.
    const k = 1_000_000
    const start = [Math.sqrt(k), Math.sqrt(k)]
    const end = [Math.sqrt(k / 2), Math.sqrt(k * 2)]
    expect(lpVsHodl(start, end, [2, 1])).toBeCloseTo(constantProductDivergenceLoss(2), 14)
  })

  test('divergence loss removes the fee factor', () => {
    expect(divergenceLoss(0.0099, 0.01)).toBeCloseTo(1.0099 / 1.01 - 1, 15)
  })
})

describe('constant-product depth', () => {
  test('without a fee it is x*(1/sqrt(q) - 1)', () => {
    expect(constantProductAmountIn(1000, 0.98, 0)).toBeCloseTo(1000 * (1 / Math.sqrt(0.98) - 1), 10)
  })

  test('with a fee the amount moves the pair contract price exactly by the factor', () => {
    // Replay the pair's swap: the whole input enters the reserve, 99.7% of it counts for k.
    const [x, y, fee] = [5_000, 15_000_000, 0.003]
    const a = constantProductAmountIn(x, 0.98, fee)
    const out = (a * (1 - fee) * y) / (x + a * (1 - fee))
    expect((y - out) / (x + a) / (y / x)).toBeCloseTo(0.98, 12)
  })

  test('depth is the cheaper direction in USD', () => {
    const depth = constantProductDepthUsd([1000, 3_000_000], [3000, 1], 0.003)
    const sell0 = constantProductAmountIn(1000, 0.98, 0.003) * 3000
    const sell1 = constantProductAmountIn(3_000_000, 1 / 1.02, 0.003)
    expect(depth).toBe(Math.min(sell0, sell1))
  })
})

describe('compounding pool day', () => {
  test('a fee-free pool that follows the market: IL equals LP vs HODL and the closed form', () => {
    const k = 4_000_000
    const snapshot = (price: number) => ({
      balances: [Math.sqrt(k / price), Math.sqrt(k * price)],
      supply: Math.sqrt(k),
      invariantPerShare: 1,
      marginalPrices: [1, price],
    })
    const metrics = compoundingPoolDay({
      start: snapshot(1),
      end: snapshot(1.5),
      weights: [0.5, 0.5],
      pricesStart: [1, 1],
      pricesEnd: [1.5, 1],
      feeRate: 0.003,
      depth2pctUsd: 0,
    })
    expect(metrics.feeReturn).toBe(0)
    expect(metrics.divergenceLoss).toBeCloseTo(constantProductDivergenceLoss(1.5), 14)
    expect(metrics.imbalanceEnd).toBeCloseTo(0, 14)
    expect(metrics.priceDeviationEnd).toBeCloseTo(0, 14)
    expect(metrics.feesUsd).toBe(0)
  })

  test('fees compound: a 1% invariant growth is 1% fee return and fees are that part of TVL', () => {
    const base = { balances: [100, 100], supply: 100, marginalPrices: [1, 1] }
    const metrics = compoundingPoolDay({
      start: { ...base, invariantPerShare: 1 },
      end: { ...base, balances: [101, 101], invariantPerShare: 1.01 },
      weights: [0.5, 0.5],
      pricesStart: [1, 1],
      pricesEnd: [1, 1],
      feeRate: 0.003,
      depth2pctUsd: 0,
    })
    expect(metrics.feeReturn).toBeCloseTo(0.01, 14)
    expect(metrics.lpVsHodl).toBeCloseTo(0.01, 14)
    expect(metrics.divergenceLoss).toBeCloseTo(0, 14)
    expect(metrics.feesUsd).toBeCloseTo(2, 10)
    expect(metrics.volumeUsdEst).toBeCloseTo(2 / 0.003, 6)
  })
})
