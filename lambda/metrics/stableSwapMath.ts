/**
 * The integer math of Curve's StableSwap pools (`StableSwap3Pool.vy`, `StableSwapSTETH.vy`),
 * step for step, so that a result agrees with the pool's own `get_dy` to the unit.
 *
 * Units: balances are raw token integers; `xp` are balances scaled to 18 decimals by the
 * rates (`xp_i = balance_i * rate_i / 1e18`, `rate_i = 10^(36 - decimals_i)` for a plain
 * coin). `amp` is the pool's `A()` times `aPrecision`: on chain, `A()` already includes the
 * factor `n^(n-1)`, so the contracts use `Ann = amp * n` (not `A * n^n`).
 */

/** A StableSwap pool's state, as its contract sees it. */
export interface StableSwapPool {
  /** Raw balances (`balances(i)`), in the pool's coin order. */
  readonly balances: readonly bigint[]
  /** Multipliers to 18 decimals, scaled by 1e18 (`RATES` in Vyper). */
  readonly rates: readonly bigint[]
  /** `A() * aPrecision`, or `A_precise()` for pools that have it. */
  readonly amp: bigint
  /** 1 for pools without `A_PRECISION` (3pool), 100 for later pools (stETH, factory). */
  readonly aPrecision: bigint
  /** Swap fee, scaled by 1e10 (`fee()`). */
  readonly fee: bigint
  /** Part of the swap fee that goes to the admin, scaled by 1e10 (`admin_fee()`). */
  readonly adminFee: bigint
  /**
   * stableswap-ng: `offpeg_fee_multiplier()`, scaled by 1e10; above 1e10 the fee of a trade
   * rises as its two coins move away from balance (see `dynamicFee`).
   */
  readonly offpegFeeMultiplier?: bigint
}

/** Scale of `fee` and `adminFee`. */
export const FEE_DENOMINATOR = 10n ** 10n
/** Scale of rates and of the virtual price. */
export const PRECISION = 10n ** 18n
const MAX_ITERATIONS = 255

/** A pool state the invariant cannot be solved for (an empty coin, no amplification). */
export class StableSwapMathError extends RangeError {
  override name = 'StableSwapMathError'
}

/**
 * Rates of plain coins: `10^(36 - decimals)`, so that `xp` has 18 decimals.
 *
 * @param decimals - decimals of each coin
 * @returns the rate of each coin
 * @example plainRates([18, 6, 6]) // [10n ** 18n, 10n ** 30n, 10n ** 30n]
 */
export function plainRates(decimals: readonly number[]): bigint[] {
  return decimals.map((d) => {
    if (!Number.isInteger(d) || d < 0 || d > 36)
      throw new StableSwapMathError(`a coin has ${d} decimals`)
    return 10n ** BigInt(36 - d)
  })
}

/**
 * Balances in the pool's 18-decimal units: `balance_i * rate_i / 1e18` (`_xp_mem`).
 *
 * @param pool - balances and rates
 * @returns `xp`
 */
export function scaledBalances(pool: Pick<StableSwapPool, 'balances' | 'rates'>): bigint[] {
  return pool.balances.map((balance, i) => (pool.rates[i]! * balance) / PRECISION)
}

/**
 * The invariant `D` by Newton's method, as `get_D`: the pool's value in 18-decimal units
 * when all coins are worth the same.
 *
 * `A n^n sum(x) + D = A n^n D + D^(n+1) / (n^n prod(x))`, with `A n^n = amp * n / aPrecision`.
 *
 * @param xp - scaled balances
 * @param amp - `A * aPrecision`
 * @param aPrecision - 1 or 100
 * @returns `D` (18 decimals)
 * @throws StableSwapMathError if a balance is zero or `amp` is zero
 */
export function stableSwapInvariant(
  xp: readonly bigint[],
  amp: bigint,
  aPrecision: bigint,
): bigint {
  checkState(xp, amp)
  const n = BigInt(xp.length)
  const sum = xp.reduce((total, x) => total + x, 0n)
  const ann = amp * n
  let d = sum
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    let dP = d
    for (const x of xp) dP = (dP * d) / (x * n)
    const previous = d
    d =
      (((ann * sum) / aPrecision + dP * n) * d) /
      (((ann - aPrecision) * d) / aPrecision + (n + 1n) * dP)
    if (abs(d - previous) <= 1n) break
  }
  return d
}

/**
 * The balance of coin `j` that keeps the invariant when coin `i` is set to `x`, as `get_y`.
 *
 * @param i - index of the coin whose balance is set
 * @param j - index of the coin solved for
 * @param x - new scaled balance of coin `i`
 * @param xp - current scaled balances
 * @param amp - `A * aPrecision`
 * @param aPrecision - 1 or 100
 * @param d - the invariant of `xp`, where the caller has it
 * @returns the scaled balance of coin `j`
 */
export function stableSwapY(
  i: number,
  j: number,
  x: bigint,
  xp: readonly bigint[],
  amp: bigint,
  aPrecision: bigint,
  d: bigint = stableSwapInvariant(xp, amp, aPrecision),
): bigint {
  if (i === j || i < 0 || j < 0 || i >= xp.length || j >= xp.length) {
    throw new StableSwapMathError(`no exchange from coin ${i} to coin ${j} of ${xp.length}`)
  }
  const n = BigInt(xp.length)
  const ann = amp * n
  let c = d
  let sum = 0n
  for (let k = 0; k < xp.length; k++) {
    if (k === j) continue
    const balance = k === i ? x : xp[k]!
    sum += balance
    c = (c * d) / (balance * n)
  }
  c = (c * d * aPrecision) / (ann * n)
  const b = sum + (d * aPrecision) / ann
  let y = d
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const previous = y
    y = (y * y + c) / (2n * y + b - d)
    if (abs(y - previous) <= 1n) break
  }
  return y
}

/**
 * stableswap-ng's `_dynamic_fee`: the base fee times up to `offpegFeeMultiplier` (at the
 * extreme), `m * fee / ((m - 1) * 4 xpi xpj / (xpi + xpj)^2 + 1)` in 1e10 units, where
 * `xpi`, `xpj` are the two coins' scaled balances (averaged over the trade). The flat `fee`
 * without a multiplier, or with one of 1e10 or less.
 *
 * @param pool - fee and multiplier
 * @param xpi - scaled balance of the coin sold
 * @param xpj - scaled balance of the coin bought
 * @returns the fee, scaled by 1e10
 */
export function dynamicFee(
  pool: Pick<StableSwapPool, 'fee' | 'offpegFeeMultiplier'>,
  xpi: bigint,
  xpj: bigint,
): bigint {
  const multiplier = pool.offpegFeeMultiplier
  if (multiplier === undefined || multiplier <= FEE_DENOMINATOR) return pool.fee
  const xps2 = (xpi + xpj) ** 2n
  return (
    (multiplier * pool.fee) /
    (((multiplier - FEE_DENOMINATOR) * 4n * xpi * xpj) / xps2 + FEE_DENOMINATOR)
  )
}

/** What an exchange pays and leaves behind. */
export interface StableSwapExchange {
  /** Raw amount of coin `j` the trader receives, fee deducted (`get_dy`). */
  readonly dy: bigint
  /** The fee in scaled (18-decimal) units of coin `j`. */
  readonly dyFee: bigint
  /** The pool's raw balances after the exchange (the admin's part of the fee leaves them). */
  readonly balances: bigint[]
}

/**
 * Sells `dx` raw units of coin `i` for coin `j`, as the 3pool's `exchange`: the whole `dx`
 * enters the pool, the fee (an NG pool's dynamic fee for this trade) is taken from the
 * output, and the admin's share of the fee leaves the pool's balances while the LPs' share
 * stays.
 *
 * @param pool - the pool before the exchange
 * @param i - coin sold
 * @param j - coin bought
 * @param dx - raw amount sold
 * @returns the amount out and the balances after
 * @throws StableSwapMathError if the pool cannot pay out
 */
export function stableSwapExchange(
  pool: StableSwapPool,
  i: number,
  j: number,
  dx: bigint,
): StableSwapExchange {
  const xp = scaledBalances(pool)
  const x = xp[i]! + (dx * pool.rates[i]!) / PRECISION
  const y = stableSwapY(i, j, x, xp, pool.amp, pool.aPrecision, poolInvariant(pool, xp))
  const dyScaled = xp[j]! - y - 1n
  if (dyScaled < 0n) throw new StableSwapMathError('the exchange pays out nothing')
  const dyFee =
    (dyScaled * dynamicFee(pool, (xp[i]! + x) / 2n, (xp[j]! + y) / 2n)) / FEE_DENOMINATOR
  const dy = ((dyScaled - dyFee) * PRECISION) / pool.rates[j]!
  const adminFee = (((dyFee * pool.adminFee) / FEE_DENOMINATOR) * PRECISION) / pool.rates[j]!
  const balances = [...pool.balances]
  balances[i] = balances[i]! + dx
  balances[j] = balances[j]! - dy - adminFee
  return { dy, dyFee, balances }
}

/**
 * What the pool's `get_dy(i, j, dx)` returns: the raw amount of coin `j` bought with `dx`
 * raw units of coin `i`, fee deducted (the 3pool converts to coin units first; an NG pool
 * takes its dynamic fee in 18-decimal units, then converts).
 *
 * @param pool - the pool
 * @param i - coin sold
 * @param j - coin bought
 * @param dx - raw amount sold
 * @returns raw amount bought
 */
export function stableSwapGetDy(pool: StableSwapPool, i: number, j: number, dx: bigint): bigint {
  const xp = scaledBalances(pool)
  const x = xp[i]! + (dx * pool.rates[i]!) / PRECISION
  const y = stableSwapY(i, j, x, xp, pool.amp, pool.aPrecision)
  if (pool.offpegFeeMultiplier !== undefined) {
    const dyScaled = xp[j]! - y - 1n
    const fee =
      (dynamicFee(pool, (xp[i]! + x) / 2n, (xp[j]! + y) / 2n) * dyScaled) / FEE_DENOMINATOR
    return ((dyScaled - fee) * PRECISION) / pool.rates[j]!
  }
  const dy = ((xp[j]! - y - 1n) * PRECISION) / pool.rates[j]!
  return dy - (pool.fee * dy) / FEE_DENOMINATOR
}

/**
 * Marginal price of coin 0 in units of each coin `i`, fees excluded: the ratio of the
 * invariant's partial derivatives, as Curve's `get_p` computes it (which returns the
 * inverse, coin `i` in coin 0). With `Dr = D^(n+1) / (n^n prod(xp))`, one scaled unit of
 * coin `k` is worth `Ann + Dr/xp_k` in invariant terms, so a scaled unit of coin 0 buys
 * `(Ann + Dr/xp_0) / (Ann + Dr/xp_i)` scaled units of coin `i`. Rates and decimals then
 * turn scaled units into whole tokens (for plain coins the two cancel).
 *
 * @param pool - balances, rates and amplification
 * @param decimals - decimals of each coin
 * @returns index 0 is 1; index `i` is how many coin `i` one coin 0 buys at the margin
 * @example
 * // A = 100, 1,000,000 and 1,500,000 of two 18-decimal coins: coin 1 is worth 0.99571812 coin 0.
 * 1 / stableSwapMarginalPrices(pool, [18, 18])[1]! // 0.9957181249...
 */
export function stableSwapMarginalPrices(
  pool: Pick<StableSwapPool, 'balances' | 'rates' | 'amp' | 'aPrecision'>,
  decimals: readonly number[],
): number[] {
  const { xp, n, ann, d } = floatState(pool)
  // Dr = D^(n+1) / (n^n prod(xp)), built one factor at a time to stay near D's magnitude.
  let dr = d / n ** n
  for (const x of xp) dr = (dr * d) / x
  const worth = xp.map((x) => ann + dr / x)
  const perToken = pool.rates.map((_, k) => scaledPerToken(pool, decimals, k))
  return worth.map((value, i) => (worth[0]! / value) * (perToken[0]! / perToken[i]!))
}

/** The pool's scaled balances, `A n^n` (aPrecision folded in) and `D`, in floating point. */
function floatState(pool: Pick<StableSwapPool, 'balances' | 'rates' | 'amp' | 'aPrecision'>) {
  const scaled = scaledBalances(pool)
  checkState(scaled, pool.amp)
  const xp = scaled.map(Number)
  const n = xp.length
  const ann = (Number(pool.amp) * n) / Number(pool.aPrecision)
  return { xp, n, ann, d: invariantAsNumber(xp, ann) }
}

/** Scaled units per whole token of coin `k`: 10^decimals * rate / 1e18 (1e18 for plain coins). */
function scaledPerToken(
  pool: Pick<StableSwapPool, 'rates'>,
  decimals: readonly number[],
  k: number,
): number {
  return Number(pool.rates[k]!) * 10 ** (decimals[k]! - 18)
}

/**
 * The price of coin `i` in coin `j` after selling `dx` raw units of coin `i` for coin `j` on
 * the invariant alone, fee-less and in floating point (`stableSwapY`'s Newton iteration on
 * numbers). A depth search finds its amount on this first, then closes in on the exact one
 * with the protocol's integer exchange, fee included, from a bracket around it: a few exact
 * exchanges instead of two dozen.
 *
 * @param pool - balances, rates and amplification
 * @param decimals - decimals of each coin
 * @param i - coin sold
 * @param j - coin bought
 * @returns the price after selling `dx` (before, at `dx` 0), as `stableSwapMarginalPrices`
 *   gives it (`prices[j] / prices[i]`)
 */
export function feelessPriceAfter(
  pool: Pick<StableSwapPool, 'balances' | 'rates' | 'amp' | 'aPrecision'>,
  decimals: readonly number[],
  i: number,
  j: number,
): (dx: number) => number {
  const { xp, n, ann, d } = floatState(pool)
  const rateI = Number(pool.rates[i]!) / 1e18
  const tokenRatio = scaledPerToken(pool, decimals, i) / scaledPerToken(pool, decimals, j)
  return (dx) => {
    const x = xp[i]! + dx * rateI
    // y from the invariant with coin i at x: y^2 + (b - D) y = c, by Newton from y = D.
    let c = d
    let sum = 0
    for (let k = 0; k < n; k++) {
      if (k === j) continue
      const balance = k === i ? x : xp[k]!
      sum += balance
      c = (c * d) / (balance * n)
    }
    c = (c * d) / (ann * n)
    const b = sum + d / ann
    let y = d
    for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      const previous = y
      y = (y * y + c) / (2 * y + b - d)
      if (Math.abs(y - previous) <= y * FLOAT_TOLERANCE) break
    }
    // The marginal prices at the new balances, with D unchanged by a fee-less exchange.
    let dr = d / n ** n
    for (let k = 0; k < n; k++) dr = (dr * d) / (k === i ? x : k === j ? y : xp[k]!)
    return ((ann + dr / x) / (ann + dr / y)) * tokenRatio
  }
}

/**
 * `D` in floating point, by `stableSwapInvariant`'s Newton iteration: a marginal price needs
 * it only to a float's precision, and a depth search evaluates one dozens of times per pool
 * (the bigint solve took a seventh of a 10,000-pool run's CPU).
 *
 * @param xp - scaled balances, as numbers
 * @param ann - `A n^n`
 * @returns `D`, relative error about 1e-15
 */
function invariantAsNumber(xp: readonly number[], ann: number): number {
  const n = xp.length
  const sum = xp.reduce((total, x) => total + x, 0)
  let d = sum
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    let dP = d
    for (const x of xp) dP = (dP * d) / (x * n)
    const previous = d
    d = ((ann * sum + dP * n) * d) / ((ann - 1) * d + (n + 1) * dP)
    if (Math.abs(d - previous) <= d * FLOAT_TOLERANCE) break
  }
  return d
}

/** Where the float Newton iteration stops: a few units in the last place. */
const FLOAT_TOLERANCE = 1e-14

/**
 * The virtual price `D * 1e18 / supply` from balances, as `get_virtual_price`.
 *
 * @param pool - the pool
 * @param supply - LP token supply (raw, 18 decimals)
 * @returns the virtual price, scaled by 1e18
 */
export function stableSwapVirtualPrice(pool: StableSwapPool, supply: bigint): bigint {
  if (supply <= 0n) throw new StableSwapMathError('the LP token has no supply')
  return (stableSwapInvariant(scaledBalances(pool), pool.amp, pool.aPrecision) * PRECISION) / supply
}

/** Invariants of pools before a trade: a depth search replays dozens of trades on one pool. */
const invariants = new WeakMap<Pick<StableSwapPool, 'balances'>, bigint>()

/**
 * The invariant of a pool's own balances, solved once per pool object (pools are not
 * changed once built).
 *
 * @param pool - the pool
 * @param xp - its scaled balances
 * @returns `D`
 */
export function poolInvariant(
  pool: Pick<StableSwapPool, 'balances' | 'amp' | 'aPrecision'>,
  xp: readonly bigint[],
): bigint {
  let d = invariants.get(pool)
  if (d === undefined) {
    d = stableSwapInvariant(xp, pool.amp, pool.aPrecision)
    invariants.set(pool, d)
  }
  return d
}

function checkState(xp: readonly bigint[], amp: bigint): void {
  if (amp <= 0n) throw new StableSwapMathError('the amplification A is zero')
  if (xp.some((x) => x <= 0n)) throw new StableSwapMathError('a coin balance is zero')
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value
}
