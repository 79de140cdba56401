import { type Address, erc20Abi, parseAbi } from 'viem'
import type { BlockReader } from '../../chain/blockReader.ts'
import { ContractReadError } from '../../errors.ts'
import { depthLimits } from './math/depthLimits.ts'
import type { ConcentratedLiquidityView } from './math/swapToPrice.ts'
import { compressTick, initializedTicksBetween, wordPosition } from './math/tickBitmap.ts'
import {
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  MAX_SQRT_RATIO,
  MIN_SQRT_RATIO,
} from './math/tickMath.ts'

/**
 * The view functions of a Uniswap V3 pool that the report reads. `feeProtocol` is declared
 * wider than Uniswap's uint8 so that forks with a uint32 there (PancakeSwap v3) decode too.
 */
export const uniswapV3PoolAbi = parseAbi([
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function fee() view returns (uint24)',
  'function tickSpacing() view returns (int24)',
  'function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16 observationIndex, uint16 observationCardinality, uint16 observationCardinalityNext, uint32 feeProtocol, bool unlocked)',
  'function liquidity() view returns (uint128)',
  'function feeGrowthGlobal0X128() view returns (uint256)',
  'function feeGrowthGlobal1X128() view returns (uint256)',
  'function tickBitmap(int16 wordPosition) view returns (uint256)',
  'function ticks(int24 tick) view returns (uint128 liquidityGross, int128 liquidityNet, uint256 feeGrowthOutside0X128, uint256 feeGrowthOutside1X128, int56 tickCumulativeOutside, uint160 secondsPerLiquidityOutsideX128, uint32 secondsOutside, bool initialized)',
])

/** Largest tick spacing a V3 factory accepts (`tickSpacing < 16384`). */
const MAX_TICK_SPACING = 16383
/** Fees are in pips: 1e6 would take the whole input. */
const MAX_FEE_PIPS = 999_999

/** A Uniswap V3 pool (or a fork with the same interface) at one block, exact as read. */
export interface UniswapV3State extends ConcentratedLiquidityView {
  readonly tokens: readonly [Address, Address]
  /** `balanceOf(pool)` of each token (raw): reserves, uncollected fees and protocol fees. */
  readonly balances: readonly [bigint, bigint]
  /** `slot0.feeProtocol`: the protocol's share of the fee (Uniswap: 1/n per token, n in 4..10). */
  readonly feeProtocol: number
  /** Fee growth per unit of liquidity since the pool began, Q128.128, wrapping at 2^256. */
  readonly feeGrowthGlobal0X128: bigint
  readonly feeGrowthGlobal1X128: bigint
}

/**
 * Reads a Uniswap V3 pool in three Multicall3 rounds: the pool's own state, then its token
 * balances and the tick bitmap words that a 2% move either way can reach, then `ticks(i)` of
 * the initialized ticks in that window (for the depth walk).
 *
 * @param reader - reader pinned to the snapshot block
 * @param address - pool address
 * @returns the pool's state
 * @throws ContractReadError if the address does not answer like a V3 pool, or answers with
 *   values no V3 pool can hold
 */
export async function readUniswapV3Pool(
  reader: BlockReader,
  address: Address,
): Promise<UniswapV3State> {
  const [token0, token1, feePips, tickSpacing, slot0, liquidity, growth0, growth1] =
    await readPoolCore(reader, address)
  const [sqrtPriceX96, tick, , , , feeProtocol] = slot0
  const invalid = (what: string) =>
    new ContractReadError(`pool ${address} at block ${reader.blockNumber}: ${what}`)
  if (sqrtPriceX96 === 0n) throw invalid('the pool is not initialized (sqrtPriceX96 is 0)')
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw invalid(`sqrtPriceX96 ${sqrtPriceX96} is outside the range a V3 pool can hold`)
  }
  if (!isTickOf(tick, sqrtPriceX96)) {
    throw invalid(`slot0 tick ${tick} does not match sqrtPriceX96 ${sqrtPriceX96}`)
  }
  if (tickSpacing < 1 || tickSpacing > MAX_TICK_SPACING) {
    throw invalid(`tick spacing ${tickSpacing} is not in 1..${MAX_TICK_SPACING}`)
  }
  if (feePips > MAX_FEE_PIPS) throw invalid(`fee ${feePips} pips is not below 100%`)

  const balanceOf = (token: Address) =>
    reader.read({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [address] })
  const [balance0, balance1, window] = await Promise.all([
    balanceOf(token0),
    balanceOf(token1),
    readDepthWindow(reader, address, sqrtPriceX96, tickSpacing, invalid),
  ])
  return {
    tokens: [token0, token1],
    balances: [balance0, balance1],
    sqrtPriceX96,
    tick,
    liquidity,
    tickSpacing,
    feePips,
    feeProtocol,
    feeGrowthGlobal0X128: growth0,
    feeGrowthGlobal1X128: growth1,
    ...window,
  }
}

/**
 * Reads what an intraday sample of a V3 pool needs, its price (`slot0`), in one call; the
 * rest is the pool as known from another block of the day. The sample's imbalance and price
 * deviation depend on the price alone (the virtual reserves' shares do not depend on `L`).
 *
 * @param reader - reader pinned to the sample block
 * @param known - the pool at another block of the day
 * @param address - pool address
 * @returns the known state with the sample block's price and tick
 * @throws ContractReadError if the price is not one a V3 pool can hold
 */
export async function readUniswapV3Sample(
  reader: BlockReader,
  known: UniswapV3State,
  address: Address,
): Promise<UniswapV3State> {
  const [sqrtPriceX96, tick] = await reader.read({
    address,
    abi: uniswapV3PoolAbi,
    functionName: 'slot0',
  })
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw new ContractReadError(
      `pool ${address} at block ${reader.blockNumber}: sqrtPriceX96 ${sqrtPriceX96} is outside the range a V3 pool can hold`,
    )
  }
  return { ...known, sqrtPriceX96, tick }
}

/** The pool's own state, in one round; a revert or garbage means it is not a V3 pool. */
async function readPoolCore(reader: BlockReader, address: Address) {
  const call = <
    functionName extends
      | 'token0'
      | 'token1'
      | 'fee'
      | 'tickSpacing'
      | 'slot0'
      | 'liquidity'
      | 'feeGrowthGlobal0X128'
      | 'feeGrowthGlobal1X128',
  >(
    functionName: functionName,
  ) => reader.read({ address, abi: uniswapV3PoolAbi, functionName })
  try {
    return await Promise.all([
      call('token0'),
      call('token1'),
      call('fee'),
      call('tickSpacing'),
      call('slot0'),
      call('liquidity'),
      call('feeGrowthGlobal0X128'),
      call('feeGrowthGlobal1X128'),
    ])
  } catch (error) {
    if (!(error instanceof ContractReadError)) throw error
    throw new ContractReadError(
      `${address} is not a Uniswap V3 pool at block ${reader.blockNumber}`,
      { details: error.shortMessage, cause: error },
    )
  }
}

/**
 * The bitmap words and initialized ticks that a swap moving the price 2% either way walks
 * through: the words in one round, then `ticks(i)` of the initialized ticks in the window.
 */
async function readDepthWindow(
  reader: BlockReader,
  address: Address,
  sqrtPriceX96: bigint,
  tickSpacing: number,
  invalid: (what: string) => ContractReadError,
): Promise<Pick<UniswapV3State, 'bitmap' | 'liquidityNet'>> {
  const limits = depthLimits(sqrtPriceX96)
  // A rising price searches from the word after the current tick's, hence the + 1.
  const firstWord = wordPosition(compressTick(limits.tickDown, tickSpacing))
  const lastWord = wordPosition(compressTick(limits.tickUp, tickSpacing) + 1)
  const positions = Array.from({ length: lastWord - firstWord + 1 }, (_, i) => firstWord + i)
  const words = await Promise.all(
    positions.map((position) =>
      reader.read({ address, abi: uniswapV3PoolAbi, functionName: 'tickBitmap', args: [position] }),
    ),
  )
  const bitmap = new Map(positions.map((position, i) => [position, words[i]!]))
  const ticks = initializedTicksBetween(bitmap, tickSpacing, limits.tickDown, limits.tickUp)
  const infos = await Promise.all(
    ticks.map((tick) =>
      reader.read({ address, abi: uniswapV3PoolAbi, functionName: 'ticks', args: [tick] }),
    ),
  )
  const liquidityNet = new Map<number, bigint>()
  infos.forEach(([, net, , , , , , initialized], i) => {
    if (!initialized) throw invalid(`tick ${ticks[i]} is in the bitmap but not initialized`)
    liquidityNet.set(ticks[i]!, net)
  })
  return { bitmap, liquidityNet }
}

/**
 * Whether `tick` is what a pool stores for `sqrtPriceX96`: the tick of the price, or the one
 * below when a price-lowering swap stopped exactly on a tick's price (the pool then records
 * the tick it crossed into).
 */
export function isTickOf(tick: number, sqrtPriceX96: bigint): boolean {
  const exact = getTickAtSqrtRatio(sqrtPriceX96)
  return tick === exact || (tick === exact - 1 && getSqrtRatioAtTick(exact) === sqrtPriceX96)
}
