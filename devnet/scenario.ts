/**
 * The simulated market: which assets exist, how their reference prices move, and which
 * pools trade them. Deployment, simulation, the devnet config and the tests all read it.
 */

export type AssetKey = 'WETH' | 'WBTC' | 'USDC' | 'USDT' | 'DAI' | 'MKR' | 'LINK'

export interface AssetSpec {
  readonly name: string
  readonly symbol: string
  readonly decimals: number
  readonly startPriceUsd: number
  /** Annualised volatility of the log price; stablecoins wobble around 1 instead. */
  readonly annualVolatility: number
  /** `feed`: a Chainlink-style feed the simulation updates; `fixed`: priced at 1 USD by config. */
  readonly price: 'feed' | 'fixed'
  readonly stablecoin?: boolean
  /** `symbol()` and `name()` return bytes32, like MKR on mainnet. */
  readonly bytes32Symbol?: boolean
}

export const ASSETS: Record<AssetKey, AssetSpec> = {
  WETH: {
    name: 'Wrapped Ether',
    symbol: 'WETH',
    decimals: 18,
    startPriceUsd: 3000,
    annualVolatility: 0.8,
    price: 'feed',
  },
  WBTC: {
    name: 'Wrapped BTC',
    symbol: 'WBTC',
    decimals: 8,
    startPriceUsd: 60_000,
    annualVolatility: 0.6,
    price: 'feed',
  },
  USDC: {
    name: 'USD Coin',
    symbol: 'USDC',
    decimals: 6,
    startPriceUsd: 1,
    annualVolatility: 0,
    price: 'fixed',
    stablecoin: true,
  },
  USDT: {
    name: 'Tether USD',
    symbol: 'USDT',
    decimals: 6,
    startPriceUsd: 1,
    annualVolatility: 0,
    price: 'feed',
    stablecoin: true,
  },
  DAI: {
    name: 'Dai Stablecoin',
    symbol: 'DAI',
    decimals: 18,
    startPriceUsd: 1,
    annualVolatility: 0,
    price: 'feed',
    stablecoin: true,
  },
  MKR: {
    name: 'Maker',
    symbol: 'MKR',
    decimals: 18,
    startPriceUsd: 1500,
    annualVolatility: 1.0,
    price: 'feed',
    bytes32Symbol: true,
  },
  LINK: {
    name: 'ChainLink Token',
    symbol: 'LINK',
    decimals: 18,
    startPriceUsd: 15,
    annualVolatility: 0.9,
    price: 'feed',
  },
}

/** Decimals of every simulated price feed (as Chainlink's USD feeds). */
export const FEED_DECIMALS = 8

/** A steady move of one asset's reference price over a window before the end of the simulation. */
export interface PriceShock {
  readonly asset: AssetKey
  readonly fromHoursBeforeEnd: number
  readonly toHoursBeforeEnd: number
  /** Total relative move over the window (-0.3 = falls 30%). */
  readonly move: number
}

export const SHOCKS: readonly PriceShock[] = [
  { asset: 'LINK', fromHoursBeforeEnd: 36, toHoursBeforeEnd: 0, move: -0.3 },
]

interface PoolSpecBase {
  /** Pool id in the generated config. */
  readonly id: string
  readonly assets: readonly AssetKey[]
  readonly tvlUsd: number
  /** Mean number of noise trades per simulated hour. */
  readonly noiseTradesPerHour: number
  /** Arbitrage stops for this many hours before the end, leaving the pool out of balance. */
  readonly arbitragePausedHoursBeforeEnd?: number
}

export interface UniswapV2PoolSpec extends PoolSpecBase {
  readonly protocol: 'uniswap-v2'
  readonly assets: readonly [AssetKey, AssetKey]
}

/** A V3 position minted when the pool is created, its range relative to the start price. */
export interface UniswapV3PositionSpec {
  /** `full` for the whole tick range, or price factors `[-0.02, 0.02]` for +/-2% (tick rounded). */
  readonly range: 'full' | readonly [number, number]
  /** Share of the pool's TVL minted into it, at the start price. */
  readonly tvlShare: number
}

export interface UniswapV3PoolSpec extends PoolSpecBase {
  readonly protocol: 'uniswap-v3'
  readonly assets: readonly [AssetKey, AssetKey]
  /** Fee tier in pips (500 = 0.05%); the factory's tick spacing goes with it. */
  readonly feePips: 500 | 3000 | 10_000
  readonly positions: readonly UniswapV3PositionSpec[]
  /**
   * Every night (the block before midnight) an LP mints a position this wide around the
   * price, and removes it at `LP_EXIT_HOUR` the day after next: it spans one whole UTC day.
   */
  readonly overnightRange: number
  /** The config's `rangePct` for this pool (the report's default when absent). */
  readonly rangePct?: number
}

export type PoolSpec = UniswapV2PoolSpec | UniswapV3PoolSpec

export const POOLS: readonly PoolSpec[] = [
  {
    id: 'uni-v2-weth-usdc',
    protocol: 'uniswap-v2',
    assets: ['WETH', 'USDC'],
    tvlUsd: 20e6,
    noiseTradesPerHour: 4,
  },
  {
    id: 'uni-v2-wbtc-weth',
    protocol: 'uniswap-v2',
    assets: ['WBTC', 'WETH'],
    tvlUsd: 10e6,
    noiseTradesPerHour: 3,
  },
  {
    id: 'uni-v2-dai-usdc',
    protocol: 'uniswap-v2',
    assets: ['DAI', 'USDC'],
    tvlUsd: 5e6,
    noiseTradesPerHour: 3,
  },
  {
    id: 'uni-v2-mkr-weth',
    protocol: 'uniswap-v2',
    assets: ['MKR', 'WETH'],
    tvlUsd: 2e6,
    noiseTradesPerHour: 2,
  },
  {
    id: 'uni-v2-link-weth',
    protocol: 'uniswap-v2',
    assets: ['LINK', 'WETH'],
    tvlUsd: 3e6,
    noiseTradesPerHour: 2,
    arbitragePausedHoursBeforeEnd: 36,
  },
  {
    id: 'uni-v3-weth-usdc-005',
    protocol: 'uniswap-v3',
    assets: ['WETH', 'USDC'],
    feePips: 500,
    tvlUsd: 30e6,
    noiseTradesPerHour: 6,
    rangePct: 5,
    overnightRange: 0.02,
    positions: [
      { range: 'full', tvlShare: 0.3 },
      { range: [-0.2, 0.2], tvlShare: 0.3 },
      { range: [-0.02, 0.02], tvlShare: 0.25 },
      { range: [0.03, 0.1], tvlShare: 0.05 },
      { range: [-0.1, -0.03], tvlShare: 0.05 },
    ],
  },
  {
    id: 'uni-v3-wbtc-weth-030',
    protocol: 'uniswap-v3',
    assets: ['WBTC', 'WETH'],
    feePips: 3000,
    tvlUsd: 10e6,
    noiseTradesPerHour: 4,
    overnightRange: 0.03,
    positions: [
      { range: 'full', tvlShare: 0.5 },
      { range: [-0.05, 0.05], tvlShare: 0.3 },
      { range: [0.05, 0.2], tvlShare: 0.1 },
      { range: [-0.2, -0.05], tvlShare: 0.1 },
    ],
  },
  {
    // LINK falls 30% over the last 36 hours: the price leaves the narrow ranges.
    id: 'uni-v3-link-weth-100',
    protocol: 'uniswap-v3',
    assets: ['LINK', 'WETH'],
    feePips: 10_000,
    tvlUsd: 4e6,
    noiseTradesPerHour: 3,
    overnightRange: 0.05,
    positions: [
      { range: 'full', tvlShare: 0.4 },
      { range: [-0.1, 0.1], tvlShare: 0.3 },
      { range: [-0.03, 0.03], tvlShare: 0.2 },
      { range: [0.1, 0.4], tvlShare: 0.1 },
    ],
  },
]

/** Hours of the UTC day at which an LP joins and one exits every pool. */
export const LP_JOIN_HOUR = 10
export const LP_EXIT_HOUR = 16

/** Seed of the whole simulation. */
export const SEED = 20_261_124
