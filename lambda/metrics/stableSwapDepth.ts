import { pairwiseDepthUsd } from './depth.ts'
import {
  StableSwapMathError,
  type StableSwapPool,
  stableSwapExchange,
  stableSwapMarginalPrices,
} from './stableSwapMath.ts'

/** The pool's state the invariant needs: balances, rates and amplification. */
export type StableSwapInvariantPool = Pick<
  StableSwapPool,
  'balances' | 'rates' | 'amp' | 'aPrecision'
>

/**
 * A protocol's exchange on the StableSwap invariant, fee included: the pool's raw balances
 * after selling `dx` raw units of coin `i` for coin `j`.
 */
export type StableSwapTrade<Pool extends StableSwapInvariantPool> = (
  pool: Pool,
  i: number,
  j: number,
  dx: bigint,
) => readonly bigint[]

/** Curve's `exchange`: the fee is taken from the output, the admin's share leaves the pool. */
export const curveExchange: StableSwapTrade<StableSwapPool> = (pool, i, j, dx) =>
  stableSwapExchange(pool, i, j, dx).balances

/** Relative width at which the bisection stops: far below a cent on any real pool. */
const TOLERANCE = 1e-12
/** A trade larger than this many times the pool's balance is not a 2% move. */
const MAX_GROWTH = 2n ** 40n

/**
 * Raw amount of coin `i` that, sold into the pool for coin `j` in one exchange, leaves
 * the marginal price of coin `i` in coin `j` at `priceFactor` times its current value. The
 * exchange is replayed with the protocol's integer math (`trade`), fee included, and the
 * invariant is solved again.
 *
 * @param pool - the pool
 * @param decimals - decimals of each coin
 * @param i - coin sold
 * @param j - coin bought
 * @param priceFactor - target price over current price, in (0, 1)
 * @param trade - the protocol's exchange
 * @returns the smallest raw amount (to a relative 1e-12) that moves the price that far
 */
export function stableSwapAmountIn<Pool extends StableSwapInvariantPool>(
  pool: Pool,
  decimals: readonly number[],
  i: number,
  j: number,
  priceFactor: number,
  trade: StableSwapTrade<Pool>,
): bigint {
  if (!(priceFactor > 0 && priceFactor < 1)) {
    throw new RangeError(`stableSwapAmountIn: priceFactor ${priceFactor} is not in (0, 1)`)
  }
  const priceOfIinJ = (balances: readonly bigint[]) => {
    const prices = stableSwapMarginalPrices({ ...pool, balances }, decimals)
    // prices[k] is coin 0 in coin k, so coin i in coin j is prices[j] / prices[i].
    return prices[j]! / prices[i]!
  }
  const before = priceOfIinJ(pool.balances)
  const target = before * priceFactor
  // How far the price after selling `dx` is above the target: positive until it moved enough.
  const excess = (dx: bigint) => priceOfIinJ(trade(pool, i, j, dx)) - target
  let lo = 0n
  let excessLo = before - target
  let hi = pool.balances[i]! / 100n + 1n
  let excessHi = excess(hi)
  while (excessHi > 0) {
    lo = hi
    excessLo = excessHi
    hi *= 2n
    if (hi > pool.balances[i]! * MAX_GROWTH) {
      throw new StableSwapMathError(`no trade moves coin ${i}'s price in coin ${j} that far`)
    }
    excessHi = excess(hi)
  }
  // The price falls smoothly with the amount sold, so false position (the Illinois variant)
  // closes the bracket in about ten exchanges where bisection takes forty. Should three steps
  // in a row fail to halve the bracket, the next one bisects, so it always converges.
  let retained = 0
  let bisect = false
  // Bracket widths after the last steps, back to the last bisection.
  const widths = [hi - lo]
  while (hi - lo > 1n && Number(hi - lo) > Number(hi) * TOLERANCE) {
    const mid = bisect
      ? (lo + hi) / 2n
      : clamp(
          lo + BigInt(Math.floor(Number(hi - lo) * (excessLo / (excessLo - excessHi)))),
          lo + 1n,
          hi - 1n,
        )
    const excessMid = excess(mid)
    if (excessMid <= 0) {
      hi = mid
      excessHi = excessMid
      // The other end stayed twice: weigh it down so the next estimate moves it.
      if (retained === -1) excessLo /= 2
      retained = -1
    } else {
      lo = mid
      excessLo = excessMid
      if (retained === 1) excessHi /= 2
      retained = 1
    }
    if (bisect) widths.length = 0
    widths.push(hi - lo)
    if (widths.length > 4) widths.shift()
    bisect = widths.length === 4 && (hi - lo) * 2n > widths[0]!
  }
  return hi
}

function clamp(value: bigint, min: bigint, max: bigint): bigint {
  return value < min ? min : value > max ? max : value
}

/**
 * Depth of a StableSwap pool for a 2% move (see `pairwiseDepthUsd` for the directions),
 * each trade solved on the invariant with the pool's fee.
 *
 * @param pool - the pool at the end block
 * @param decimals - decimals of each coin
 * @param prices - reference prices (USD) of each coin
 * @param trade - the protocol's exchange
 * @returns USD value of the cheapest trade
 */
export function stableSwapDepthUsd<Pool extends StableSwapInvariantPool>(
  pool: Pool,
  decimals: readonly number[],
  prices: readonly number[],
  trade: StableSwapTrade<Pool>,
): number {
  return pairwiseDepthUsd(pool.balances.length, (sold, bought, priceFactor) => {
    const amount = stableSwapAmountIn(pool, decimals, sold, bought, priceFactor, trade)
    return (Number(amount) / 10 ** decimals[sold]!) * prices[sold]!
  })
}
