import { describe, expect, test } from 'vitest'
import { DEPTH_PRICE_MOVE } from '../../lambda/metrics/depth.ts'
import {
  DEPTH_MOVE_DENOMINATOR,
  DEPTH_MOVE_NUMERATOR,
  depthLimits,
} from '../../lambda/protocols/uniswapV3/math/depthLimits.ts'
import { feeGrowthDelta } from '../../lambda/protocols/uniswapV3/math/feeGrowth.ts'
import {
  isqrt,
  MAX_UINT256,
  mulDiv,
  mulDivRoundingUp,
  Q96,
  Q128,
} from '../../lambda/protocols/uniswapV3/math/fullMath.ts'
import { getAmountsForLiquidity } from '../../lambda/protocols/uniswapV3/math/liquidityAmounts.ts'
import {
  getAmount0Delta,
  getAmount1Delta,
} from '../../lambda/protocols/uniswapV3/math/sqrtPriceMath.ts'
import {
  amountInToReachPrice,
  type ConcentratedLiquidityView,
} from '../../lambda/protocols/uniswapV3/math/swapToPrice.ts'
import { nextInitializedTickWithinOneWord } from '../../lambda/protocols/uniswapV3/math/tickBitmap.ts'
import {
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
} from '../../lambda/protocols/uniswapV3/math/tickMath.ts'
import {
  poolPrice,
  q128ToNumber,
  ratioToNumber,
} from '../../lambda/protocols/uniswapV3/math/toNumber.ts'

/** v3-core's test helper: `floor(sqrt(reserve1/reserve0) * 2^96)`. */
function encodePriceSqrt(reserve1: bigint, reserve0: bigint): bigint {
  return isqrt((reserve1 << 192n) / reserve0)
}
const e18 = 10n ** 18n

describe('TickMath, against the values of v3-core’s TickMath tests', () => {
  test('bounds', () => {
    expect(getSqrtRatioAtTick(MIN_TICK)).toBe(4295128739n)
    expect(getSqrtRatioAtTick(MIN_TICK + 1)).toBe(4295343490n)
    expect(getSqrtRatioAtTick(MAX_TICK - 1)).toBe(
      1461373636630004318706518188784493106690254656249n,
    )
    expect(getSqrtRatioAtTick(MAX_TICK)).toBe(1461446703485210103287273052203988822378723970342n)
    expect(getSqrtRatioAtTick(MIN_TICK)).toBe(MIN_SQRT_RATIO)
    expect(getSqrtRatioAtTick(MAX_TICK)).toBe(MAX_SQRT_RATIO)
    expect(getSqrtRatioAtTick(0)).toBe(Q96)
    expect(() => getSqrtRatioAtTick(MIN_TICK - 1)).toThrow(RangeError)
    expect(() => getSqrtRatioAtTick(MAX_TICK + 1)).toThrow(RangeError)
    expect(() => getSqrtRatioAtTick(0.5)).toThrow(RangeError)
  })

  // The snapshot of v3-core's `#getSqrtRatioAtTick tick N result` tests.
  test.each([
    [50, 79426470787362580746886972461n, 79030349367926598376800521322n],
    [100, 79625275426524748796330556128n, 78833030112140176575862854579n],
    [250, 80224679980005306637834519095n, 78244023372248365697264290337n],
    [500, 81233731461783161732293370115n, 77272108795590369356373805297n],
    [1000, 83290069058676223003182343270n, 75364347830767020784054125655n],
    [2500, 89776708723587163891445672585n, 69919044979842180277688105136n],
    [3000, 92049301871182272007977902845n, 68192822843687888778582228483n],
    [4000, 96768528593268422080558758223n, 64867181785621769311890333195n],
    [5000, 101729702841318637793976746270n, 61703726247759831737814779831n],
    [50000, 965075977353221155028623082916n, 6504256538020985011912221507n],
    [150000, 143194173941309278083010301478497n, 43836292794701720435367485n],
    [250000, 21246587762933397357449903968194344n, 295440463448801648376846n],
    [500000, 5697689776495288729098254600827762987878n, 1101692437043807371n],
    [738203, 847134979253254120489401328389043031315994541n, 7409801140451n],
  ])('tick ±%i', (tick, positive, negative) => {
    expect(getSqrtRatioAtTick(tick)).toBe(positive)
    expect(getSqrtRatioAtTick(-tick)).toBe(negative)
  })

  test('getTickAtSqrtRatio at the bounds', () => {
    expect(getTickAtSqrtRatio(MIN_SQRT_RATIO)).toBe(MIN_TICK)
    expect(getTickAtSqrtRatio(4295343490n)).toBe(MIN_TICK + 1)
    expect(getTickAtSqrtRatio(1461373636630004318706518188784493106690254656249n)).toBe(
      MAX_TICK - 1,
    )
    expect(getTickAtSqrtRatio(MAX_SQRT_RATIO - 1n)).toBe(MAX_TICK - 1)
    expect(getTickAtSqrtRatio(Q96 + 1n)).toBe(0)
    expect(() => getTickAtSqrtRatio(MIN_SQRT_RATIO - 1n)).toThrow(RangeError)
    expect(() => getTickAtSqrtRatio(MAX_SQRT_RATIO)).toThrow(RangeError)
  })

  test('getTickAtSqrtRatio brackets any price between two adjacent ticks', () => {
    // A fixed linear congruential sequence of sqrt prices over the whole range.
    let seed = 12345n
    for (let i = 0; i < 200; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n
      const sqrtPrice = MIN_SQRT_RATIO + ((MAX_SQRT_RATIO - MIN_SQRT_RATIO) >> (seed % 160n)) + seed
      const tick = getTickAtSqrtRatio(sqrtPrice)
      expect(getSqrtRatioAtTick(tick) <= sqrtPrice).toBe(true)
      expect(tick === MAX_TICK - 1 || getSqrtRatioAtTick(tick + 1) > sqrtPrice).toBe(true)
    }
  })

  test('getTickAtSqrtRatio is the greatest tick at or below the price', () => {
    for (const tick of [-738203, -50000, -202, -1, 0, 1, 199, 13863, 276324, 887271]) {
      const ratio = getSqrtRatioAtTick(tick)
      expect(getTickAtSqrtRatio(ratio)).toBe(tick)
      expect(getTickAtSqrtRatio(ratio - 1n)).toBe(tick - 1)
    }
  })
})

describe('SqrtPriceMath, against v3-core’s tests', () => {
  test('0.1 of each token between the prices 1 and 1.21 for one unit of 1e18 liquidity', () => {
    const [from, to] = [encodePriceSqrt(1n, 1n), encodePriceSqrt(121n, 100n)]
    expect(getAmount0Delta(from, to, e18, true)).toBe(90909090909090910n)
    expect(getAmount0Delta(from, to, e18, false)).toBe(90909090909090909n)
    expect(getAmount1Delta(from, to, e18, true)).toBe(100000000000000000n)
    expect(getAmount1Delta(from, to, e18, false)).toBe(99999999999999999n)
  })

  test('zero liquidity or equal prices give zero', () => {
    const [from, to] = [encodePriceSqrt(1n, 1n), encodePriceSqrt(2n, 1n)]
    expect(getAmount0Delta(from, to, 0n, true)).toBe(0n)
    expect(getAmount1Delta(from, from, e18, true)).toBe(0n)
  })

  test('FullMath rounding', () => {
    expect(mulDiv(Q128, (Q128 * 50n) / 100n, (Q128 * 150n) / 100n)).toBe(Q128 / 3n)
    expect(mulDivRoundingUp(Q128, 1000n * Q128, 3000n * Q128)).toBe(Q128 / 3n + 1n)
    expect(mulDiv(MAX_UINT256, MAX_UINT256, MAX_UINT256)).toBe(MAX_UINT256)
    expect(() => mulDiv(MAX_UINT256, MAX_UINT256, MAX_UINT256 - 1n)).toThrow(RangeError)
  })
})

describe('LiquidityAmounts.getAmountsForLiquidity, against v3-periphery’s tests', () => {
  const lower = encodePriceSqrt(100n, 110n)
  const upper = encodePriceSqrt(110n, 100n)
  test.each([
    ['inside', encodePriceSqrt(1n, 1n), 2148n, 99n, 99n],
    ['below', encodePriceSqrt(99n, 110n), 1048n, 99n, 0n],
    ['above', encodePriceSqrt(111n, 100n), 2097n, 0n, 199n],
    ['on the lower bound', lower, 1048n, 99n, 0n],
    ['on the upper bound', upper, 2097n, 0n, 199n],
  ])('price %s', (_, price, liquidity, amount0, amount1) => {
    expect(getAmountsForLiquidity(price, lower, upper, liquidity)).toEqual({ amount0, amount1 })
    // The bounds may come in either order.
    expect(getAmountsForLiquidity(price, upper, lower, liquidity)).toEqual({ amount0, amount1 })
  })
})

describe('TickBitmap.nextInitializedTickWithinOneWord, against v3-core’s tests', () => {
  // Ticks 70, 78, 84, 139, 240, 535 initialized at tick spacing 1 (340 and 329 where noted).
  const bitmapWith = (ticks: number[]) => {
    const words = new Map<number, bigint>()
    for (let word = -2; word <= 4; word++) words.set(word, 0n)
    for (const tick of ticks) {
      const word = tick >> 8
      words.set(word, words.get(word)! | (1n << BigInt(tick & 0xff)))
    }
    return words
  }
  const base = [70, 78, 84, 139, 240, 535]
  test.each([
    [78, false, base, 84, true],
    [77, false, base, 78, true],
    [255, false, base, 511, false],
    [328, false, [...base, 340], 340, true],
    [508, false, base, 511, false],
    [383, false, base, 511, false],
    [78, true, base, 78, true],
    [79, true, base, 78, true],
    [258, true, base, 256, false],
    [256, true, base, 256, false],
    [72, true, base, 70, true],
    [-1, true, base, -256, false],
    [1023, true, base, 768, false],
    [900, true, base, 768, false],
    [456, true, [...base, 329], 329, true],
  ])('from %i (lte %s)', (tick, lte, ticks, next, initialized) => {
    expect(nextInitializedTickWithinOneWord(bitmapWith(ticks), tick, 1, lte)).toEqual({
      next,
      initialized,
    })
  })

  test('a word that was not read is an error, not an empty word', () => {
    expect(() => nextInitializedTickWithinOneWord(new Map(), 0, 1, true)).toThrow(/not read/)
  })
})

describe('the swap walk that prices depth', () => {
  const emptyPool = (overrides: Partial<ConcentratedLiquidityView>): ConcentratedLiquidityView => ({
    sqrtPriceX96: encodePriceSqrt(1n, 1n),
    tick: 0,
    liquidity: 2n * e18,
    tickSpacing: 60,
    feePips: 600,
    bitmap: new Map([
      [-1, 0n],
      [0, 0n],
      [1, 0n],
    ]),
    liquidityNet: new Map(),
    ...overrides,
  })

  test('one step capped at the price target charges SwapMath’s amount and fee (v3-core test)', () => {
    // "exact amount in that gets capped at price target in one for zero": amountIn
    // 9975124224178055 and feeAmount 5988667735148.
    const amount = amountInToReachPrice(emptyPool({}), encodePriceSqrt(101n, 100n))
    expect(amount).toBe(9975124224178055n + 5988667735148n)
  })

  test('crossing an initialized tick changes the liquidity used beyond it', () => {
    const tick = -60
    const boundary = getSqrtRatioAtTick(tick)
    const liquidity = 2n * e18
    // A position [-60, 60) ends at -60: crossing it downwards removes its liquidity net.
    const pool = emptyPool({
      liquidity,
      bitmap: new Map([
        [-1, 1n << 255n],
        [0, 0n],
      ]),
      liquidityNet: new Map([[tick, e18]]),
    })
    const limit = getSqrtRatioAtTick(-120)
    const withFee = (amountIn: bigint) => amountIn + mulDivRoundingUp(amountIn, 600n, 999_400n)
    const expected =
      withFee(getAmount0Delta(boundary, Q96, liquidity, true)) +
      withFee(getAmount0Delta(limit, boundary, liquidity - e18, true))
    expect(amountInToReachPrice(pool, limit)).toBe(expected)
  })

  test('where no liquidity is left the price moves for free', () => {
    const pool = emptyPool({
      liquidity: e18,
      bitmap: new Map([
        [0, 1n],
        [1, 0n],
      ]),
      tick: -1,
      sqrtPriceX96: getSqrtRatioAtTick(-30),
      liquidityNet: new Map([[0, -e18]]),
    })
    const paid = amountInToReachPrice(pool, getSqrtRatioAtTick(0))
    expect(amountInToReachPrice(pool, getSqrtRatioAtTick(50))).toBe(paid)
    expect(paid).toBeGreaterThan(0n)
  })

  test('tick data that make the liquidity negative are refused', () => {
    const pool = emptyPool({
      liquidity: 1n,
      bitmap: new Map([
        [-1, 1n << 255n],
        [0, 0n],
      ]),
      liquidityNet: new Map([[-60, 5n]]),
    })
    expect(() => amountInToReachPrice(pool, getSqrtRatioAtTick(-120))).toThrow(/negative/)
  })

  test('the limits move the price by 2% at least, and by no more than one unit beyond', () => {
    expect(Number(DEPTH_MOVE_NUMERATOR) / Number(DEPTH_MOVE_DENOMINATOR)).toBe(DEPTH_PRICE_MOVE)
    const sqrtPrice = getSqrtRatioAtTick(-197_000) + 12_345n
    const { down, up } = depthLimits(sqrtPrice)
    const price = sqrtPrice * sqrtPrice
    expect(down * down * 100n <= price * 98n).toBe(true)
    expect((down + 1n) * (down + 1n) * 100n > price * 98n).toBe(true)
    expect(up * up * 100n >= price * 102n).toBe(true)
    expect((up - 1n) * (up - 1n) * 100n < price * 102n).toBe(true)
  })
})

describe('fee growth', () => {
  test('wraps around 2^256: the counters are uint256 that overflow by design', () => {
    expect(feeGrowthDelta(2n ** 256n - 10n, 5n)).toBe(15n)
    expect(feeGrowthDelta(5n, 2n ** 256n - 10n)).toBe(2n ** 256n - 15n)
    expect(feeGrowthDelta(7n, 7n)).toBe(0n)
    expect(() => feeGrowthDelta(-1n, 0n)).toThrow(RangeError)
  })

  test('a Q128.128 growth of 1.5 is 1.5 raw units per unit of liquidity', () => {
    expect(q128ToNumber(feeGrowthDelta(MAX_UINT256, Q128 + Q128 / 2n - 1n))).toBe(1.5)
  })
})

describe('prices from sqrtPriceX96 with decimals', () => {
  test('USDC (6 decimals) as token0 and WETH (18) as token1 at 2000 USDC per WETH', () => {
    // Raw price: (1/2000 WETH per USDC) * 10^18 / 10^6 = 5e8 raw WETH per raw USDC.
    const sqrtPriceX96 = isqrt(500_000_000n << 192n)
    expect(poolPrice(sqrtPriceX96, 6, 18)).toBeCloseTo(1 / 2000, 15)
    expect(1 / poolPrice(sqrtPriceX96, 6, 18)).toBeCloseTo(2000, 9)
  })

  test('WETH (18) as token0 and USDC (6) as token1 at 2000 USDC per WETH', () => {
    // Raw price: 2000 * 10^6 / 10^18 = 2e-9 raw USDC per raw WETH.
    const sqrtPriceX96 = isqrt((2n << 192n) / 1_000_000_000n)
    expect(poolPrice(sqrtPriceX96, 18, 6)).toBeCloseTo(2000, 9)
    // The tick of that price is log base 1.0001 of 2e-9.
    expect(getTickAtSqrtRatio(sqrtPriceX96)).toBe(Math.floor(Math.log(2e-9) / Math.log(1.0001)))
  })

  test('a tick converts to the price 1.0001^tick', () => {
    for (const tick of [-276324, -69082, 0, 13863, 202919]) {
      const price = poolPrice(getSqrtRatioAtTick(tick), 0, 0)
      // Math.pow itself is off by ~1e-12 at the largest of these ticks.
      expect(price / 1.0001 ** tick - 1).toBeCloseTo(0, 10)
    }
  })

  test('ratios of integers far beyond the double range convert without overflow', () => {
    expect(ratioToNumber(10n ** 400n, 10n ** 399n)).toBe(10)
    expect(ratioToNumber(1n, 3n)).toBe(1 / 3)
    expect(ratioToNumber(0n, 7n)).toBe(0)
    expect(ratioToNumber(2n ** 1100n, 1n)).toBe(Number.POSITIVE_INFINITY)
  })
})
