/**
 * Float helpers that the devnet's V3 and V4 drivers share to place positions and aim
 * arbitrage trades (the devnet keeps its own copy of the formulas: its cached chain must not
 * depend on the report's code).
 */
import { toRaw } from './deployBase.ts'
import type { Random } from './random.ts'
import { ASSETS, type AssetKey, type PoolSpecBase } from './scenario.ts'

/** Largest tick a pool accepts (`TickMath.MAX_TICK`). */
export const MAX_TICK = 887272

/** Price of token0 in raw units of token1 per raw unit of token0, from USD prices. */
export function rawPrice(
  assets: readonly [AssetKey, AssetKey],
  priceOf: (asset: AssetKey) => number,
): number {
  const [a, b] = assets
  return (priceOf(a) / priceOf(b)) * 10 ** (ASSETS[b].decimals - ASSETS[a].decimals)
}

/** Q64.96 sqrt price of a raw price (the devnet only needs it approximately). */
export function sqrtPriceX96At(price: number): bigint {
  return BigInt(Math.floor(Math.sqrt(price) * 2 ** 96))
}

/** Raw sqrt price of a Q64.96 one. */
export function sqrtPriceOf(sqrtPriceX96: bigint): number {
  return Number(sqrtPriceX96) / 2 ** 96
}

/** The tick whose price is at or below `price` (float is close enough to place ranges). */
function tickAt(price: number): number {
  return Math.floor(Math.log(price) / Math.log(1.0001))
}

/** Raw token amounts of one unit of liquidity over `[sqrtLower, sqrtUpper]` at `sqrtPrice`. */
function amountsPerLiquidity(
  sqrtPrice: number,
  sqrtLower: number,
  sqrtUpper: number,
): [number, number] {
  const clipped = Math.min(Math.max(sqrtPrice, sqrtLower), sqrtUpper)
  return [1 / clipped - 1 / sqrtUpper, clipped - sqrtLower]
}

/** A position to mint: its ticks, its liquidity and the raw token amounts it takes. */
export interface PlannedPosition {
  readonly tickLower: number
  readonly tickUpper: number
  readonly liquidity: number
  readonly amount0: number
  readonly amount1: number
}

/**
 * Plans a position worth `valueUsd` at `priceOf`: `range` as price factors around the raw
 * sqrt price `sqrtPrice` (rounded outwards to the tick spacing), or the full range.
 */
export function planPosition(
  sqrtPrice: number,
  range: 'full' | readonly [number, number],
  tickSpacing: number,
  valueUsd: number,
  assets: readonly [AssetKey, AssetKey],
  priceOf: (asset: AssetKey) => number,
): PlannedPosition {
  const price = sqrtPrice ** 2
  const [tickLower, tickUpper] =
    range === 'full'
      ? [
          -Math.floor(MAX_TICK / tickSpacing) * tickSpacing,
          Math.floor(MAX_TICK / tickSpacing) * tickSpacing,
        ]
      : [
          Math.floor(tickAt(price * (1 + range[0])) / tickSpacing) * tickSpacing,
          Math.ceil(tickAt(price * (1 + range[1])) / tickSpacing) * tickSpacing,
        ]
  const [amount0, amount1] = amountsPerLiquidity(
    sqrtPrice,
    1.0001 ** (tickLower / 2),
    1.0001 ** (tickUpper / 2),
  )
  const valuePerLiquidity =
    (amount0 / 10 ** ASSETS[assets[0]].decimals) * priceOf(assets[0]) +
    (amount1 / 10 ** ASSETS[assets[1]].decimals) * priceOf(assets[1])
  const liquidity = valueUsd / valuePerLiquidity
  return {
    tickLower,
    tickUpper,
    liquidity,
    amount0: amount0 * liquidity,
    amount1: amount1 * liquidity,
  }
}

/**
 * Where an arbitrageur trades a pool to: back to the edge of the fee band around the reference
 * price (beyond it a trade profits), or nowhere when the pool is inside the band.
 */
export function arbitrageTarget(
  sqrtPriceX96: bigint,
  reference: number,
  fee: number,
): { readonly zeroForOne: boolean; readonly sqrtPriceX96: bigint } | undefined {
  const price = sqrtPriceOf(sqrtPriceX96) ** 2
  if (price > reference / (1 - fee)) {
    return { zeroForOne: true, sqrtPriceX96: sqrtPriceX96At(reference / (1 - fee)) }
  }
  if (price < reference * (1 - fee)) {
    return { zeroForOne: false, sqrtPriceX96: sqrtPriceX96At(reference * (1 - fee)) }
  }
  return undefined
}

/**
 * This hour's noise trades of a pool: a Poisson number of exact-input swaps, each a
 * log-normal share of the pool's TVL in a random direction (`side` is the token sold).
 */
export function noiseTrades(
  random: Random,
  spec: Pick<PoolSpecBase, 'noiseTradesPerHour' | 'tvlUsd'>,
  assets: readonly [AssetKey, AssetKey],
  priceOf: (asset: AssetKey) => number,
): { readonly side: 0 | 1; readonly amountIn: bigint }[] {
  const trades: { side: 0 | 1; amountIn: bigint }[] = []
  const count = random.poisson(spec.noiseTradesPerHour)
  for (let i = 0; i < count; i++) {
    const sizeUsd = spec.tvlUsd * 0.0005 * Math.exp(0.8 * random.normal())
    const side = random.uniform() < 0.5 ? 0 : 1
    const amountIn = toRaw(sizeUsd / priceOf(assets[side]), ASSETS[assets[side]].decimals)
    if (amountIn > 0n) trades.push({ side, amountIn })
  }
  return trades
}
