/**
 * The simulated market: which assets exist, how their reference prices move, and which
 * pools trade them. Deployment, simulation, the devnet config and the tests all read it.
 */

export type AssetKey =
  | 'WETH'
  | 'WBTC'
  | 'USDC'
  | 'USDT'
  | 'DAI'
  | 'MKR'
  | 'LINK'
  | 'ETH'
  | 'STETH'
  | 'SUSD'
  | 'LUSD'
  | 'WSTETH'
  | 'USDE'

export interface AssetSpec {
  readonly name: string
  readonly symbol: string
  readonly decimals: number
  readonly startPriceUsd: number
  /** Annualised volatility of the log price; pegged assets wobble around their peg instead. */
  readonly annualVolatility: number
  /**
   * `feed`: a Chainlink-style feed the simulation updates; `fixed`: priced at 1 USD by
   * config; `none`: no configured price (a stable pool prices it at par with its pool mates).
   */
  readonly price: 'feed' | 'fixed' | 'none'
  /**
   * Trades at par with an asset listed before it (or with the dollar), times a peg level
   * that shocks move (a depeg), plus independent hourly noise of relative size `noise`.
   */
  readonly peg?: { readonly to: AssetKey | 'USD'; readonly noise: number }
  /** The chain's native coin: no token contract; pools list it as `0xEeee…EEeE`. */
  readonly native?: boolean
  /** `symbol()` and `name()` return bytes32, like MKR on mainnet. */
  readonly bytes32Symbol?: boolean
  /**
   * A rate-bearing token (wstETH): worth `rate` of the asset it is pegged to, the rate
   * starting at `start` and growing at `apr` a year; the token publishes it as `getRate()`.
   */
  readonly rate?: { readonly start: number; readonly apr: number }
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
    peg: { to: 'USD', noise: 0 },
  },
  USDT: {
    name: 'Tether USD',
    symbol: 'USDT',
    decimals: 6,
    startPriceUsd: 1,
    annualVolatility: 0,
    price: 'feed',
    peg: { to: 'USD', noise: 0.0001 },
  },
  DAI: {
    name: 'Dai Stablecoin',
    symbol: 'DAI',
    decimals: 18,
    startPriceUsd: 1,
    annualVolatility: 0,
    price: 'feed',
    peg: { to: 'USD', noise: 0.0001 },
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
  ETH: {
    name: 'Ether',
    symbol: 'ETH',
    decimals: 18,
    startPriceUsd: 3000,
    annualVolatility: 0,
    price: 'feed',
    peg: { to: 'WETH', noise: 0 },
    native: true,
  },
  STETH: {
    name: 'Liquid staked Ether 2.0',
    symbol: 'stETH',
    decimals: 18,
    startPriceUsd: 3000,
    annualVolatility: 0,
    price: 'none',
    peg: { to: 'ETH', noise: 0.0002 },
  },
  SUSD: {
    name: 'Synth sUSD',
    symbol: 'sUSD',
    decimals: 18,
    startPriceUsd: 1,
    annualVolatility: 0,
    price: 'none',
    peg: { to: 'USD', noise: 0.0002 },
  },
  LUSD: {
    name: 'LUSD Stablecoin',
    symbol: 'LUSD',
    decimals: 18,
    startPriceUsd: 1,
    annualVolatility: 0,
    price: 'feed',
    peg: { to: 'USD', noise: 0.0003 },
  },
  WSTETH: {
    name: 'Wrapped liquid staked Ether 2.0',
    symbol: 'wstETH',
    decimals: 18,
    startPriceUsd: 3000 * 1.15,
    annualVolatility: 0,
    price: 'feed',
    peg: { to: 'WETH', noise: 0.0002 },
    rate: { start: 1.15, apr: 0.035 },
  },
  USDE: {
    name: 'USDe',
    symbol: 'USDe',
    decimals: 18,
    startPriceUsd: 1,
    annualVolatility: 0,
    price: 'feed',
    peg: { to: 'USD', noise: 0.0002 },
  },
}

/** Decimals of every simulated price feed (as Chainlink's USD feeds). */
export const FEED_DECIMALS = 8

/**
 * A steady move of one asset's reference price over a window before the end of the
 * simulation; for a pegged asset it moves the peg level, which stays where the shock left it.
 */
export interface PriceShock {
  readonly asset: AssetKey
  readonly fromHoursBeforeEnd: number
  readonly toHoursBeforeEnd: number
  /** Total relative move over the window (-0.3 = falls 30%). */
  readonly move: number
}

/** The stETH depeg: stETH loses 3% against ETH over 12 hours, holds there for days, then recovers. */
export const STETH_DEPEG = { fromHoursBeforeEnd: 132, recoveryHoursBeforeEnd: 60, move: -0.03 }

export const SHOCKS: readonly PriceShock[] = [
  { asset: 'LINK', fromHoursBeforeEnd: 36, toHoursBeforeEnd: 0, move: -0.3 },
  {
    asset: 'STETH',
    fromHoursBeforeEnd: STETH_DEPEG.fromHoursBeforeEnd,
    toHoursBeforeEnd: STETH_DEPEG.fromHoursBeforeEnd - 12,
    move: STETH_DEPEG.move,
  },
  {
    asset: 'STETH',
    fromHoursBeforeEnd: STETH_DEPEG.recoveryHoursBeforeEnd,
    toHoursBeforeEnd: STETH_DEPEG.recoveryHoursBeforeEnd - 12,
    move: 1 / (1 + STETH_DEPEG.move) - 1,
  },
  // USDT slips 0.2% over the last days and stays there: the 3pool fills up with it.
  { asset: 'USDT', fromHoursBeforeEnd: 72, toHoursBeforeEnd: 24, move: -0.002 },
  // USDe depegs by 1.5% during the last day: the Balancer 5-token pool fills up with it.
  { asset: 'USDE', fromHoursBeforeEnd: 20, toHoursBeforeEnd: 8, move: -0.015 },
]

/**
 * The report day's morning depeg, which the day's end snapshot misses: a holder sells DAI for
 * USDC into the DAI/USDC pair and the sUSD pool (DAI/USDC/USDT/sUSD) in the trade blocks of 06:30, 07:30 and 08:30
 * while arbitrage is thin (from 07:00 to 19:00 arbitrageurs close only part of the gap each
 * hour); from 20:00 arbitrage is back in full, so the pools end the day at the peg. DAI's
 * reference price stays at the dollar: the pools depeg, not the market.
 */
export const MORNING_DEPEG = {
  asset: 'DAI',
  for: 'USDC',
  /** Each sale as a share of the pool's TVL, by pool id. */
  saleShareOfTvl: { 'uni-v2-dai-usdc': 0.005, 'curve-susd': 0.06 } as Record<string, number>,
  /** UTC hours of the blocks being built (trade blocks come half an hour before) that carry a sale. */
  saleHours: [7, 8, 9],
  /** Arbitrage blocks from this hour up to `fullArbitrageHour` (excluded) close part of the gap. */
  thinArbitrageFromHour: 7,
  fullArbitrageHour: 20,
  /** The share of the arbitrage trade that thin arbitrage makes. */
  thinArbitrageShare: 0.3,
} as const satisfies { asset: AssetKey; for: AssetKey } & Record<string, unknown>

/**
 * What the morning depeg does to a pool in one block.
 *
 * @param poolId - the pool
 * @param hourOfDay - UTC hour of the block being built
 * @param hoursBeforeEnd - hours from it to the end of the simulation
 * @returns the sale to make (share of TVL, 0 for none) and the share of arbitrage that happens
 */
export function morningDepeg(
  poolId: string,
  hourOfDay: number,
  hoursBeforeEnd: number,
): { readonly saleShareOfTvl: number; readonly arbitrageShare: number } {
  const share = MORNING_DEPEG.saleShareOfTvl[poolId]
  // The report's day is the last simulated one: its blocks are 1..23 hours before the end.
  if (share === undefined || hoursBeforeEnd >= 24 || hoursBeforeEnd < 1)
    return { saleShareOfTvl: 0, arbitrageShare: 1 }
  const thin =
    hourOfDay >= MORNING_DEPEG.thinArbitrageFromHour && hourOfDay < MORNING_DEPEG.fullArbitrageHour
  return {
    saleShareOfTvl: (MORNING_DEPEG.saleHours as readonly number[]).includes(hourOfDay) ? share : 0,
    arbitrageShare: thin ? MORNING_DEPEG.thinArbitrageShare : 1,
  }
}

export interface PoolSpecBase {
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

/** The Solidity StableSwap contracts of the devnet, one per interface generation of Curve's pools. */
export type CurveContract =
  | 'StableSwap3Pool'
  | 'StableSwapETH'
  | 'StableSwapLegacy4'
  | 'StableSwapMeta'
  | 'StableSwapNG'

export interface CurveStableSwapPoolSpec extends PoolSpecBase {
  readonly protocol: 'curve-stableswap'
  readonly contract: CurveContract
  /** Coins in pool order (`ETH` is the native coin); a metapool's base LP token comes last. */
  readonly assets: readonly AssetKey[]
  /** Metapools: the id of the base pool, whose LP token is the last coin. */
  readonly basePool?: string
  /** On-chain `A()` (already times n^(n-1)). */
  readonly a: number
  /** Swap fee and admin share, scaled by 1e10 as on chain. */
  readonly fee: bigint
  readonly adminFee: bigint
  readonly lpName: string
  readonly lpSymbol: string
  /** stableswap-ng only: `offpeg_fee_multiplier`, scaled by 1e10 (its admin fee is 50%). */
  readonly offpegFeeMultiplier?: bigint
}

export interface BalancerWeightedPoolSpec extends PoolSpecBase {
  readonly protocol: 'balancer-weighted'
  /** Tokens with their weights; the Vault orders them by address. */
  readonly assets: readonly AssetKey[]
  readonly weights: readonly number[]
  /** Swap fee as a fraction. */
  readonly swapFee: number
}

export interface BalancerStablePoolSpec extends PoolSpecBase {
  readonly protocol: 'balancer-stable'
  /** Tokens; the Vault orders them by address. Rate-bearing tokens are their own rate provider. */
  readonly assets: readonly AssetKey[]
  /** The factory's `amplificationParameter` (A, without precision). */
  readonly amp: number
  /** A MetaStablePool (2021: no BPT among its tokens, no `getActualSupply`); else composable. */
  readonly metaStable?: boolean
  /** Swap fee as a fraction. */
  readonly swapFee: number
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

/**
 * A pool of the Uniswap V4 singleton. `ETH` is the native coin (currency `0x0000…0000`). With
 * `dynamicFee`, the pool's key carries the dynamic-fee flag and v4-core's
 * `DynamicFeesTestHook` sets its LP fee: `feePips` from the start, `raisedFeePips` from
 * `raisedHoursBeforeEnd` on.
 */
export interface UniswapV4PoolSpec extends PoolSpecBase {
  readonly protocol: 'uniswap-v4'
  readonly assets: readonly [AssetKey, AssetKey]
  /** LP fee in pips. */
  readonly feePips: number
  readonly tickSpacing: number
  readonly dynamicFee?: { readonly raisedFeePips: number; readonly raisedHoursBeforeEnd: number }
  readonly positions: readonly UniswapV3PositionSpec[]
  /** As for V3: a position minted each night and removed the day after next. */
  readonly overnightRange: number
  readonly rangePct?: number
}

export type PoolSpec =
  | UniswapV2PoolSpec
  | UniswapV3PoolSpec
  | UniswapV4PoolSpec
  | CurveStableSwapPoolSpec
  | BalancerWeightedPoolSpec
  | BalancerStablePoolSpec

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
  {
    id: 'curve-3pool',
    protocol: 'curve-stableswap',
    contract: 'StableSwap3Pool',
    assets: ['DAI', 'USDC', 'USDT'],
    a: 2000,
    fee: 1_000_000n,
    adminFee: 5_000_000_000n,
    lpName: 'Curve.fi DAI/USDC/USDT',
    lpSymbol: '3Crv',
    tvlUsd: 60e6,
    noiseTradesPerHour: 5,
  },
  {
    id: 'curve-steth',
    protocol: 'curve-stableswap',
    contract: 'StableSwapETH',
    assets: ['ETH', 'STETH'],
    a: 50,
    fee: 4_000_000n,
    adminFee: 5_000_000_000n,
    lpName: 'Curve.fi ETH/stETH',
    lpSymbol: 'steCRV',
    tvlUsd: 40e6,
    noiseTradesPerHour: 3,
  },
  {
    id: 'curve-susd',
    protocol: 'curve-stableswap',
    contract: 'StableSwapLegacy4',
    assets: ['DAI', 'USDC', 'USDT', 'SUSD'],
    a: 100,
    fee: 4_000_000n,
    adminFee: 5_000_000_000n,
    lpName: 'Curve.fi DAI/USDC/USDT/sUSD',
    lpSymbol: 'crvPlain4',
    tvlUsd: 8e6,
    noiseTradesPerHour: 3,
  },
  {
    id: 'curve-lusd-3crv',
    protocol: 'curve-stableswap',
    contract: 'StableSwapMeta',
    assets: ['LUSD'],
    basePool: 'curve-3pool',
    a: 200,
    fee: 4_000_000n,
    adminFee: 5_000_000_000n,
    lpName: 'Curve.fi Factory USD Metapool: LUSD',
    lpSymbol: 'LUSD3CRV-f',
    tvlUsd: 10e6,
    noiseTradesPerHour: 3,
  },
  {
    // stableswap-ng: wstETH at its oracle rate (stored_rates), a 5x off-peg fee multiplier.
    id: 'curve-ng-wsteth-weth',
    protocol: 'curve-stableswap',
    contract: 'StableSwapNG',
    assets: ['WSTETH', 'WETH'],
    a: 500,
    fee: 1_000_000n,
    adminFee: 5_000_000_000n,
    offpegFeeMultiplier: 50_000_000_000n,
    lpName: 'wstETH/WETH',
    lpSymbol: 'wstETH-WETH-ng',
    tvlUsd: 20e6,
    noiseTradesPerHour: 3,
  },
  {
    id: 'bal-link-weth-80-20',
    protocol: 'balancer-weighted',
    assets: ['LINK', 'WETH'],
    weights: [0.8, 0.2],
    swapFee: 0.003,
    tvlUsd: 6e6,
    noiseTradesPerHour: 2,
  },
  {
    id: 'bal-weth-usdc-50-50',
    protocol: 'balancer-weighted',
    assets: ['WETH', 'USDC'],
    weights: [0.5, 0.5],
    swapFee: 0.003,
    tvlUsd: 10e6,
    noiseTradesPerHour: 3,
  },
  {
    id: 'uni-v4-eth-usdc-005',
    protocol: 'uniswap-v4',
    assets: ['ETH', 'USDC'],
    feePips: 500,
    tickSpacing: 10,
    tvlUsd: 8e6,
    noiseTradesPerHour: 5,
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
    // The hook raises the LP fee as LINK starts to fall.
    id: 'uni-v4-link-usdc-dynamic',
    protocol: 'uniswap-v4',
    assets: ['LINK', 'USDC'],
    feePips: 3000,
    tickSpacing: 60,
    dynamicFee: { raisedFeePips: 10_000, raisedHoursBeforeEnd: 36 },
    tvlUsd: 3e6,
    noiseTradesPerHour: 3,
    overnightRange: 0.05,
    positions: [
      { range: 'full', tvlShare: 0.4 },
      { range: [-0.1, 0.1], tvlShare: 0.3 },
      { range: [-0.03, 0.03], tvlShare: 0.2 },
      { range: [0.1, 0.4], tvlShare: 0.1 },
    ],
  },
  {
    // ComposableStablePool with a rate provider: wstETH's rate rises all week.
    id: 'bal-wsteth-weth',
    protocol: 'balancer-stable',
    assets: ['WSTETH', 'WETH'],
    amp: 50,
    swapFee: 0.0004,
    tvlUsd: 30e6,
    noiseTradesPerHour: 3,
  },
  {
    // The same pair in a MetaStablePool, as Lido's on mainnet: totalSupply, no BPT token.
    id: 'bal-meta-wsteth-weth',
    protocol: 'balancer-stable',
    metaStable: true,
    assets: ['WSTETH', 'WETH'],
    amp: 50,
    swapFee: 0.0004,
    tvlUsd: 10e6,
    noiseTradesPerHour: 2,
  },
  {
    // USDT's slip pulls it out of balance: the pool fills up with USDT.
    id: 'bal-dai-usdc-usdt',
    protocol: 'balancer-stable',
    assets: ['DAI', 'USDC', 'USDT'],
    amp: 1000,
    swapFee: 0.0001,
    tvlUsd: 20e6,
    noiseTradesPerHour: 3,
  },
  {
    // USDe depegs on the last day.
    id: 'bal-usd-5',
    protocol: 'balancer-stable',
    assets: ['DAI', 'USDC', 'USDT', 'LUSD', 'USDE'],
    amp: 200,
    swapFee: 0.0004,
    tvlUsd: 15e6,
    noiseTradesPerHour: 3,
  },
]

/** Hours of the UTC day at which an LP joins and one exits every pool. */
export const LP_JOIN_HOUR = 10
export const LP_EXIT_HOUR = 16

/** Seed of the whole simulation. */
export const SEED = 20_261_124
