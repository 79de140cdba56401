import { pairwiseDepthUsd } from './depth.ts'
import {
  feelessPriceAfter,
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
/** A bracket this narrow (relative) is straight enough for an estimate to land within a hair. */
const NARROW = 1e-7
/**
 * Half-width of the first bracket around the fee-less estimate, relative: a fee moves the
 * amount by about its rate (0.01% to 1%), and a bracket 16 times wider is tried on a miss.
 */
const ESTIMATE_WIDTH = 2e-3
const ESTIMATE_MISS_GROWTH = 16
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
  const excess = (dx: bigint) => (dx === 0n ? before : priceOfIinJ(trade(pool, i, j, dx))) - target
  const maxAmount = pool.balances[i]! * MAX_GROWTH
  const tooFar = () =>
    new StableSwapMathError(`no trade moves coin ${i}'s price in coin ${j} that far`)
  // The bracket: grown from the fee-less estimate (`ESTIMATE_WIDTH` either side, 16 times
  // wider at each miss), or without one doubled from 1% of the balance.
  const estimate = feelessAmountIn(pool, decimals, i, j, priceFactor)
  const center = estimate ?? 0
  let width =
    estimate === undefined ? Number(pool.balances[i]! / 100n + 1n) : estimate * ESTIMATE_WIDTH
  const below = (w: number) => (center > w ? BigInt(Math.floor(center - w)) : 0n)
  let hi = BigInt(Math.ceil(center + width))
  let excessHi = Number.NaN
  let lo = below(width)
  let excessLo = excess(lo)
  // The amount is below the bracket: its low end is a high end, and it reaches further down.
  while (excessLo <= 0) {
    hi = lo
    excessHi = excessLo
    width *= ESTIMATE_MISS_GROWTH
    lo = below(width)
    excessLo = excess(lo)
  }
  if (Number.isNaN(excessHi)) excessHi = excess(hi)
  // The amount is above the bracket.
  while (excessHi > 0) {
    lo = hi
    excessLo = excessHi
    width *= estimate === undefined ? 2 : ESTIMATE_MISS_GROWTH
    hi = BigInt(Math.ceil(center + width))
    if (hi > maxAmount) throw tooFar()
    excessHi = excess(hi)
  }
  // The price falls smoothly with the amount sold, so false position (the Illinois variant)
  // closes the bracket in about ten exchanges where bisection takes forty. Should three steps
  // in a row fail to halve the bracket, the next one bisects, so it always converges.
  let retained = 0
  let bisect = false
  // Bracket widths after the last steps, back to the last bisection.
  const widths = [hi - lo]
  // Where the last estimate landed, when the bracket was already narrow: the root is within a
  // hair of it, so the next point is a hair across, on the side of the far end.
  let landed: { at: bigint; fromBelow: boolean } | undefined
  while (hi - lo > 1n && Number(hi - lo) > Number(hi) * TOLERANCE) {
    const hair = BigInt(Math.max(1, Math.floor((Number(hi) * TOLERANCE) / 2)))
    // Where the line between the ends crosses zero; an end at exactly zero (a price move
    // below a float's resolution) gives no line, so the bracket is bisected.
    const share = excessLo / (excessLo - excessHi)
    const mid = landed
      ? clamp(landed.fromBelow ? landed.at + hair : landed.at - hair, lo + 1n, hi - 1n)
      : bisect || !(share > 0 && share < 1)
        ? (lo + hi) / 2n
        : clamp(lo + BigInt(Math.floor(Number(hi - lo) * share)), lo + 1n, hi - 1n)
    const excessMid = excess(mid)
    landed =
      !landed && !bisect && Number(hi - lo) < Number(hi) * NARROW
        ? { at: mid, fromBelow: excessMid > 0 }
        : undefined
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

/**
 * The raw amount of coin `i` that moves the price that far on the fee-less invariant, in
 * floating point (to a relative 1e-7), or `undefined` where the float solve gives no
 * answer (the exact search then brackets on its own).
 */
function feelessAmountIn(
  pool: StableSwapInvariantPool,
  decimals: readonly number[],
  i: number,
  j: number,
  priceFactor: number,
): number | undefined {
  const priceAfter = feelessPriceAfter(pool, decimals, i, j)
  const target = priceAfter(0) * priceFactor
  if (!(target > 0 && Number.isFinite(target))) return undefined
  const balance = Number(pool.balances[i]!)
  let lo = 0
  let hi = balance / 100
  while (priceAfter(hi) > target) {
    lo = hi
    hi *= 2
    if (!(hi < balance * Number(MAX_GROWTH))) return undefined
  }
  while (hi - lo > hi * ESTIMATE_TOLERANCE) {
    const mid = (lo + hi) / 2
    const price = priceAfter(mid)
    if (Number.isNaN(price)) return undefined
    if (price > target) lo = mid
    else hi = mid
  }
  return Number.isFinite(hi) && hi > 0 ? hi : undefined
}

/** Relative width at which the fee-less estimate stops: well inside `ESTIMATE_WIDTH`. */
const ESTIMATE_TOLERANCE = 1e-7

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
