import { describe, expect, test } from 'vitest'
import {
  curveExchange,
  stableSwapAmountIn,
  stableSwapDepthUsd,
} from '../../lambda/metrics/stableSwapDepth.ts'
import {
  dynamicFee,
  plainRates,
  StableSwapMathError,
  type StableSwapPool,
  scaledBalances,
  stableSwapExchange,
  stableSwapGetDy,
  stableSwapInvariant,
  stableSwapMarginalPrices,
  stableSwapVirtualPrice,
} from '../../lambda/metrics/stableSwapMath.ts'

// Reference values solve `A n^n sum(x) + D = A n^n D + D^(n+1) / (n^n prod(x))` with mpmath at
// 50 digits, with on-chain A (Ann = A*n); marginal prices are ratios of dD/dx_i taken by
// numerical differentiation of that solution, not Curve's closed form.

const e18 = 10n ** 18n
const units = (amount: number, decimals: number) => BigInt(amount) * 10n ** BigInt(decimals)

function pool(amounts: number[], decimals: number[], a: number, fee = 0n): StableSwapPool {
  return {
    balances: amounts.map((amount, i) => units(amount, decimals[i]!)),
    rates: plainRates(decimals),
    amp: BigInt(a),
    aPrecision: 1n,
    fee,
    adminFee: 0n,
  }
}

describe('invariant and marginal prices', () => {
  test('2 coins, A = 100, balances 1,000,000 and 1,500,000', () => {
    const twoCoins = pool([1_000_000, 1_500_000], [18, 18], 100)
    const d = stableSwapInvariant(scaledBalances(twoCoins), twoCoins.amp, twoCoins.aPrecision)
    expect(Number(d) / 1e18).toBeCloseTo(2_499_484.64069938, 9)
    // Coin 1 in coin 0 is the inverse of what the function returns (coin 0 in coin i).
    const [own, coin0InCoin1] = stableSwapMarginalPrices(twoCoins, [18, 18])
    expect(own).toBe(1)
    expect(1 / coin0InCoin1!).toBeCloseTo(0.9957181249408159, 13)
  })

  test('6-decimal coins give the same prices in token units', () => {
    const mixed = pool([1_000_000, 1_500_000], [18, 6], 100)
    expect(1 / stableSwapMarginalPrices(mixed, [18, 6])[1]!).toBeCloseTo(0.9957181249408159, 13)
  })

  test('A_PRECISION = 100 (A_precise) is the same curve', () => {
    const precise = {
      ...pool([1_000_000, 1_500_000], [18, 18], 100),
      amp: 10_000n,
      aPrecision: 100n,
    }
    const d = stableSwapInvariant(scaledBalances(precise), precise.amp, precise.aPrecision)
    expect(Number(d) / 1e18).toBeCloseTo(2_499_484.64069938, 9)
  })

  test('3 coins (18, 6, 6 decimals), A = 2000', () => {
    const three = pool([30_000_000, 45_000_000, 25_000_000], [18, 6, 6], 2000)
    const d = stableSwapInvariant(scaledBalances(three), three.amp, three.aPrecision)
    expect(Number(d) / 1e18 / 99_998_377.68829581 - 1).toBeCloseTo(0, 14)
    const prices = stableSwapMarginalPrices(three, [18, 6, 6])
    expect(1 / prices[1]!).toBeCloseTo(0.9997969159383304, 13)
    expect(1 / prices[2]!).toBeCloseTo(1.000121850437002, 13)
  })

  test('4 coins, A = 100', () => {
    const four = pool([1_000_000, 2_500_000, 400_000, 1_100_000], [18, 6, 6, 18], 100)
    const d = stableSwapInvariant(scaledBalances(four), four.amp, four.aPrecision)
    expect(Number(d) / 1e18 / 4_985_129.67588987 - 1).toBeCloseTo(0, 14)
    const prices = stableSwapMarginalPrices(four, [18, 6, 6, 18])
    expect(prices.map((price) => 1 / price)).toEqual([
      1,
      expect.closeTo(0.9840364452300082, 13),
      expect.closeTo(1.0399088869249795, 13),
      expect.closeTo(0.9975812795803043, 13),
    ])
  })

  test('a balanced pool prices every coin at par and is worth its balances', () => {
    const balanced = pool([5_000_000, 5_000_000, 5_000_000], [18, 6, 6], 2000)
    expect(stableSwapMarginalPrices(balanced, [18, 6, 6])).toEqual([1, 1, 1])
    expect(stableSwapVirtualPrice(balanced, units(15_000_000, 18))).toBe(e18)
  })

  test('an empty coin or a zero A cannot be solved', () => {
    expect(() => stableSwapInvariant([0n, e18], 100n, 1n)).toThrow(StableSwapMathError)
    expect(() => stableSwapInvariant([e18, e18], 0n, 1n)).toThrow(/amplification/)
  })
})

describe('exchange', () => {
  const three = pool([30_000_000, 45_000_000, 25_000_000], [18, 6, 6], 2000)

  test('without a fee, selling 1,000,000 of coin 2 buys what the invariant gives', () => {
    const { dy } = stableSwapExchange(three, 2, 0, units(1_000_000, 6))
    // Solved with mpmath: 1,000,096.96149942685; the pool rounds down and keeps one unit.
    expect(Number(dy) / 1e18).toBeCloseTo(1_000_096.9614994269, 6)
  })

  test('the fee comes off the output; the admin share leaves the balances, the LP share stays', () => {
    const withFee = { ...three, fee: 4_000_000n, adminFee: 5_000_000_000n }
    const free = stableSwapExchange(three, 2, 0, units(1_000_000, 6))
    const paid = stableSwapExchange(withFee, 2, 0, units(1_000_000, 6))
    expect(paid.dy).toBe(stableSwapGetDy(withFee, 2, 0, units(1_000_000, 6)))
    expect(Number(free.dy - paid.dy) / Number(free.dy)).toBeCloseTo(0.0004, 12)
    expect(paid.balances[2]).toBe(three.balances[2]! + units(1_000_000, 6))
    // Besides what the trader got, the pool paid out only the admin's half of the fee.
    const adminShare = three.balances[0]! - paid.dy - paid.balances[0]!
    expect(Number(adminShare) / Number(free.dy - paid.dy)).toBeCloseTo(0.5, 9)
    // The LPs' share of the fee grows the invariant.
    const before = stableSwapInvariant(scaledBalances(withFee), withFee.amp, 1n)
    const after = stableSwapInvariant(
      scaledBalances({ ...withFee, balances: paid.balances }),
      withFee.amp,
      1n,
    )
    expect(after).toBeGreaterThan(before)
  })
})

describe('stableswap-ng dynamic fee', () => {
  const pool = { fee: 1_000_000n, offpegFeeMultiplier: 50_000_000_000n }

  test('balanced coins pay the base fee; 9:1 pays m / ((m - 1) * 0.36 + 1) of it', () => {
    expect(dynamicFee(pool, 10n ** 24n, 10n ** 24n)).toBe(1_000_000n)
    // 4 * 9 * 1 / 10^2 = 0.36; 5 / (4 * 0.36 + 1) = 2.04918...
    expect(dynamicFee(pool, 9n * 10n ** 24n, 10n ** 24n)).toBe(2_049_180n)
  })

  test('a multiplier of 1e10 or less, or none, leaves the flat fee', () => {
    const flat = { fee: 4_000_000n }
    expect(dynamicFee(flat, 9n, 1n)).toBe(4_000_000n)
    expect(dynamicFee({ ...flat, offpegFeeMultiplier: 10n ** 10n }, 9n, 1n)).toBe(4_000_000n)
  })
})

describe('depth', () => {
  const twoCoins = pool([1_000_000, 1_500_000], [18, 18], 100)

  test('without a fee, the amounts that move the price 2% match the invariant solved with mpmath', () => {
    // Selling coin 0 until its price in coin 1 is 0.98x, selling coin 1 until that price is 1.02x.
    const sell0 = stableSwapAmountIn(twoCoins, [18, 18], 0, 1, 0.98, curveExchange)
    const sell1 = stableSwapAmountIn(twoCoins, [18, 18], 1, 0, 1 / 1.02, curveExchange)
    expect(Number(sell0) / 1e18 / 853_080.4203070562 - 1).toBeCloseTo(0, 9)
    expect(Number(sell1) / 1e18 / 464_497.9224706185 - 1).toBeCloseTo(0, 9)
    expect(stableSwapDepthUsd(twoCoins, [18, 18], [1, 1], curveExchange)).toBeCloseTo(
      464_497.9224706185,
      2,
    )
  })

  test('with a fee, the exchange found leaves the price exactly 2% lower', () => {
    const withFee = { ...twoCoins, fee: 4_000_000n, adminFee: 5_000_000_000n }
    const amount = stableSwapAmountIn(withFee, [18, 18], 0, 1, 0.98, curveExchange)
    const { balances } = stableSwapExchange(withFee, 0, 1, amount)
    const before = stableSwapMarginalPrices(withFee, [18, 18])[1]!
    const after = stableSwapMarginalPrices({ ...withFee, balances }, [18, 18])[1]!
    expect(after / before).toBeCloseTo(0.98, 10)
    // The fee that stays in the pool softens the move: more must be sold than without it.
    expect(amount).toBeGreaterThan(
      stableSwapAmountIn(twoCoins, [18, 18], 0, 1, 0.98, curveExchange),
    )
  })

  test('the amount is the smallest one that moves the price that far, as plain bisection on the exchange finds it', () => {
    // Pools from 2 to 5 coins, amplifications from 5 to 5,000, fees up to 1% with NG's
    // off-peg multiplier, balanced and far off balance; moves from 2% down to 1e-9, where
    // the price moves below a float's resolution near the answer.
    let seed = 11
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let k = 0; k < 24; k++) {
      const n = 2 + (k % 4)
      const decimals = Array.from({ length: n }, (_, i) => [18, 6, 8][(i + k) % 3]!)
      const skew = k % 3 === 0 ? 20 : 2
      const tested: StableSwapPool = {
        balances: decimals.map((d) => units(Math.floor((0.05 + random() * skew) * 1e6), d)),
        rates: plainRates(decimals),
        amp: BigInt(Math.floor(5 + random() * 5000)) * 100n,
        aPrecision: 100n,
        fee: BigInt(Math.floor(random() * 1e8)),
        adminFee: 5_000_000_000n,
        ...(k % 2 === 1 && { offpegFeeMultiplier: 5n * 10n ** 10n }),
      }
      const i = k % n
      const j = (k + 1 + (k % (n - 1))) % n
      const factor = [0.98, 1 / 1.02, 1 - 1e-5, 1 / (1 + 1e-9)][k % 4]!
      const amount = stableSwapAmountIn(tested, decimals, i, j, factor, curveExchange)
      const reference = bisectAmountIn(tested, decimals, i, j, factor)
      expect(Math.abs(Number(amount - reference)) / Number(reference)).toBeLessThan(2e-12)
    }
  })

  test('the USD depth is the cheapest pair and direction, valued at the sold coin', () => {
    const three = pool([30_000_000, 45_000_000, 25_000_000], [18, 6, 6], 2000, 1_000_000n)
    const prices = [1.001, 0.999, 1]
    const decimals = [18, 6, 6]
    const trades = [
      [0, 1, 0.98],
      [1, 0, 1 / 1.02],
      [0, 2, 0.98],
      [2, 0, 1 / 1.02],
      [1, 2, 0.98],
      [2, 1, 1 / 1.02],
    ] as const
    const costs = trades.map(
      ([sold, bought, factor]) =>
        (Number(stableSwapAmountIn(three, decimals, sold, bought, factor, curveExchange)) /
          10 ** decimals[sold]!) *
        prices[sold]!,
    )
    expect(stableSwapDepthUsd(three, decimals, prices, curveExchange)).toBe(Math.min(...costs))
  })
})

/**
 * The depth amount by plain bisection on `curveExchange`, doubling from 1 raw unit: slow and
 * simple, apart from the search under test.
 */
function bisectAmountIn(
  tested: StableSwapPool,
  decimals: readonly number[],
  i: number,
  j: number,
  factor: number,
): bigint {
  const priceOfIinJ = (balances: readonly bigint[]) => {
    const prices = stableSwapMarginalPrices({ ...tested, balances }, decimals)
    return prices[j]! / prices[i]!
  }
  const target = priceOfIinJ(tested.balances) * factor
  const moved = (dx: bigint) => priceOfIinJ(curveExchange(tested, i, j, dx)) <= target
  let lo = 0n
  let hi = 1n
  while (!moved(hi)) {
    lo = hi
    hi *= 2n
  }
  while (hi - lo > 1n && Number(hi - lo) > Number(hi) * 1e-13) {
    const mid = (lo + hi) / 2n
    if (moved(mid)) hi = mid
    else lo = mid
  }
  return hi
}
