import type { Address } from 'viem'
import { describe, expect, test } from 'vitest'
import { constantProductDivergenceLoss } from '../../lambda/metrics/divergenceLoss.ts'
import { uniswapV3Day } from '../../lambda/protocols/uniswapV3/day.ts'
import { isqrt, Q128 } from '../../lambda/protocols/uniswapV3/math/fullMath.ts'
import { referenceRangePosition } from '../../lambda/protocols/uniswapV3/math/referenceRange.ts'
import type { UniswapV3State } from '../../lambda/protocols/uniswapV3/read.ts'

const TOKENS: readonly [Address, Address] = [
  '0x00000000000000000000000000000000000000aa',
  '0x00000000000000000000000000000000000000bb',
]

/** sqrtPriceX96 of a raw price given as a fraction, rounded down. */
function sqrtPriceX96Of(numerator: bigint, denominator: bigint): bigint {
  return isqrt((numerator << 192n) / denominator)
}

/** A pool with no initialized tick near the price: one range of liquidity everywhere nearby. */
function state(overrides: Partial<UniswapV3State>): UniswapV3State {
  return {
    tokens: TOKENS,
    balances: [10n ** 18n, 3000n * 10n ** 6n],
    sqrtPriceX96: sqrtPriceX96Of(3000n * 10n ** 6n, 10n ** 18n),
    tick: 0,
    liquidity: 10n ** 15n,
    tickSpacing: 60,
    feePips: 3000,
    feeProtocol: 0,
    feeGrowthGlobal0X128: 0n,
    feeGrowthGlobal1X128: 0n,
    bitmap: new Map(Array.from({ length: 11 }, (_, i) => [-18 + i, 0n])),
    liquidityNet: new Map(),
    ...overrides,
  }
}

// WETH (18 decimals) as token0, USDC (6) as token1: raw price = USD price * 1e6 / 1e18.
const decimals = [18, 6] as const
const atPrice = (usd: bigint, overrides: Partial<UniswapV3State> = {}) => {
  const sqrtPriceX96 = sqrtPriceX96Of(usd * 10n ** 6n, 10n ** 18n)
  return state({ sqrtPriceX96, tick: tickOf(sqrtPriceX96), ...overrides })
}
const tickOf = (sqrtPriceX96: bigint) =>
  Math.floor(Math.log((Number(sqrtPriceX96) / 2 ** 96) ** 2) / Math.log(1.0001))

describe('a V3 pool that tracks the market', () => {
  test('without fees, IL is the constant-product closed form and LP vs HODL equals it', () => {
    const metrics = uniswapV3Day({
      start: atPrice(3000n),
      end: atPrice(3600n),
      decimals,
      pricesStart: [3000, 1],
      pricesEnd: [3600, 1],
      rangePct: 10,
    })
    expect(metrics.feeReturn).toBe(0)
    expect(metrics.divergenceLoss).toBeCloseTo(constantProductDivergenceLoss(1.2), 12)
    expect(metrics.lpVsHodl).toBe(metrics.divergenceLoss)
    expect(metrics.imbalanceEnd).toBeCloseTo(0, 12)
    expect(metrics.priceDeviationEnd).toBeCloseTo(0, 12)
    expect(metrics.valueSharesEnd[0]).toBeCloseTo(0.5, 12)
  })

  test('fees add to the result instead of compounding: lp_vs_hodl = il + fee_return', () => {
    // Fees of 1e13 raw WETH and 30 USDC per 1e15 of liquidity; token0's counter wraps.
    const growth0 = (Q128 * 10n ** 13n) / 10n ** 15n
    const growth1 = (Q128 * 30n * 10n ** 6n) / 10n ** 15n
    const start = atPrice(3000n, {
      feeGrowthGlobal0X128: 2n ** 256n - growth0 / 2n,
      feeGrowthGlobal1X128: 5n,
    })
    const end = atPrice(2700n, {
      feeGrowthGlobal0X128: growth0 - growth0 / 2n,
      feeGrowthGlobal1X128: 5n + growth1,
      liquidity: 2n * 10n ** 15n,
    })
    const metrics = uniswapV3Day({
      start,
      end,
      decimals,
      pricesStart: [3000, 1],
      pricesEnd: [2700, 1],
      rangePct: 10,
    })
    // One unit of liquidity at 3000 holds 1/sqrtP raw WETH and sqrtP raw USDC.
    const sqrtP = Math.sqrt(3000e6 / 1e18)
    const held = (1 / sqrtP / 1e18) * 2700 + sqrtP / 1e6
    const fees = (10 ** 13 / 10 ** 15 / 1e18) * 2700 + (30e6 / 1e15 / 1e6) * 1
    expect(metrics.feeReturn).toBeCloseTo(fees / held, 12)
    expect(metrics.lpVsHodl).toBeCloseTo(metrics.divergenceLoss + metrics.feeReturn, 14)
    expect(metrics.divergenceLoss).toBeCloseTo(constantProductDivergenceLoss(0.9), 12)
    // What the end liquidity (2e15) earned, at end prices, and the volume that paid it.
    expect(metrics.feesUsd).toBeCloseTo(fees * 2e15, 6)
    expect(metrics.volumeUsdEst).toBeCloseTo((fees * 2e15) / 0.003, 3)
  })

  test('TVL is the token balances, not the virtual reserves', () => {
    const metrics = uniswapV3Day({
      start: atPrice(3000n, { balances: [5n * 10n ** 18n, 1000n * 10n ** 6n] }),
      end: atPrice(3000n, { balances: [10n ** 18n, 12_000n * 10n ** 6n] }),
      decimals,
      pricesStart: [3000, 1],
      pricesEnd: [3000, 1.001],
      rangePct: 10,
    })
    expect(metrics.tvlUsdStart).toBeCloseTo(16_000, 9)
    expect(metrics.tvlUsdEnd).toBeCloseTo(3000 + 12_012, 9)
  })

  test('the protocol’s share of the fee raises the volume behind the same LP fees', () => {
    const day = (feeProtocol: number) =>
      uniswapV3Day({
        start: atPrice(3000n),
        end: atPrice(3000n, {
          feeGrowthGlobal0X128: Q128,
          feeGrowthGlobal1X128: Q128,
          feeProtocol,
        }),
        decimals,
        pricesStart: [3000, 1],
        pricesEnd: [3000, 1],
        rangePct: 10,
      })
    const plain = day(0)
    // 1/4 of token0 fees and 1/5 of token1 fees go to the protocol.
    const withProtocol = day((5 << 4) | 4)
    const usd0 = (1e15 / 1e18) * 3000
    const usd1 = 1e15 / 1e6
    expect(plain.volumeUsdEst).toBeCloseTo((usd0 + usd1) / 0.003, 3)
    expect(withProtocol.volumeUsdEst).toBeCloseTo(usd0 / (0.003 * 0.75) + usd1 / (0.003 * 0.8), 3)
    // An encoding Uniswap cannot hold (a fork's) leaves the estimate empty, not wrong.
    expect(day(3).volumeUsdEst).toBeUndefined()
  })

  test('depth without ticks nearby is the virtual curve’s 2% trade plus the fee on top', () => {
    // Enough liquidity that rounding to raw units does not show.
    const liquidity = 10n ** 21n
    const metrics = uniswapV3Day({
      start: atPrice(3000n),
      end: atPrice(3000n, { liquidity }),
      decimals,
      pricesStart: [3000, 1],
      pricesEnd: [3000, 1],
      rangePct: 10,
    })
    // x = L/sqrtP raw WETH; selling dx moves the price to x^2/(x+dx)^2 of itself.
    const sqrtP = Math.sqrt(3000e6 / 1e18)
    const x = 1e21 / sqrtP / 1e18
    const y = (1e21 * sqrtP) / 1e6
    const sell0 = ((x * (1 / Math.sqrt(0.98) - 1)) / (1 - 0.003)) * 3000
    const sell1 = (y * (Math.sqrt(1.02) - 1)) / (1 - 0.003)
    expect(metrics.depth2pctUsd / Math.min(sell0, sell1) - 1).toBeCloseTo(0, 9)
  })
})

describe('the reference concentrated position', () => {
  // Price 1 raw (tokens with equal decimals), range +/-10%: [0.9, 1.1].
  const [sqrtLower, sqrtUpper] = [Math.sqrt(0.9), Math.sqrt(1.1)]
  const run = (
    endPriceNumerator: bigint,
    endPriceDenominator: bigint,
    pricesEnd: [number, number],
  ) =>
    referenceRangePosition({
      sqrtPriceStartX96: sqrtPriceX96Of(1n, 1n),
      sqrtPriceEndX96: sqrtPriceX96Of(endPriceNumerator, endPriceDenominator),
      rangePct: 10,
      decimals: [18, 18],
      pricesEnd,
    })

  test('in range it loses what the leveraged closed form says', () => {
    // IL_range = IL_cp * (P1/sqrtP0 + sqrtP0) / (P1/sqrtP0 + sqrtP0 - P1/sqrtPb - sqrtPa),
    // for a pool that tracks the market (P1 = m0/m1), sqrtP0 = 1.
    const p1 = 1.05
    const expected =
      (constantProductDivergenceLoss(p1) * (p1 + 1)) / (p1 + 1 - p1 / sqrtUpper - sqrtLower)
    const result = run(105n, 100n, [1.05, 1])
    expect(result.inRange).toBe(true)
    expect(result.divergenceLoss).toBeCloseTo(expected, 12)
    // About 20 times the full-range loss for this range.
    expect(result.divergenceLoss / constantProductDivergenceLoss(p1)).toBeGreaterThan(19)
  })

  test('above the range it holds only token1, worth sqrtPb - sqrtPa per unit', () => {
    const result = run(12n, 10n, [1.2, 1])
    const hold = 1.2 * (1 - 1 / sqrtUpper) + (1 - sqrtLower)
    expect(result.inRange).toBe(false)
    expect(result.divergenceLoss).toBeCloseTo((sqrtUpper - sqrtLower) / hold - 1, 12)
  })

  test('below the range it holds only token0, worth 1/sqrtPa - 1/sqrtPb per unit', () => {
    const result = run(8n, 10n, [0.8, 1])
    const hold = 0.8 * (1 - 1 / sqrtUpper) + (1 - sqrtLower)
    expect(result.inRange).toBe(false)
    expect(result.divergenceLoss).toBeCloseTo(
      (0.8 * (1 / sqrtLower - 1 / sqrtUpper)) / hold - 1,
      12,
    )
  })

  test('the bounds belong to the range, decided on the integers', () => {
    const sqrtStart = 2n ** 96n * 1000n
    const sqrtAt = (squared: bigint) => isqrt(squared)
    const start = sqrtStart * sqrtStart
    const bound = (sqrtEnd: bigint) =>
      referenceRangePosition({
        sqrtPriceStartX96: sqrtStart,
        sqrtPriceEndX96: sqrtEnd,
        rangePct: 10,
        decimals: [18, 18],
        pricesEnd: [1, 1],
      }).inRange
    // (1.1 * P0) is a perfect square only by accident; just inside and just outside it.
    const upper = sqrtAt((start * 11n) / 10n)
    expect(bound(upper)).toBe(true)
    expect(bound(upper + 1n)).toBe(false)
    const lower = sqrtAt((start * 9n) / 10n)
    expect(bound(lower + 1n)).toBe(true)
    expect(bound(lower - 1n)).toBe(false)
  })
})
