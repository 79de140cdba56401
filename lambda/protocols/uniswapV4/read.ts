import { type Address, type Hex, slice } from 'viem'
import type { BlockReader } from '../../chain/blockReader.ts'
import type { UniswapV4Contracts } from '../../config/schema.ts'
import { ContractReadError } from '../../errors.ts'
import { depthLimits } from '../uniswapV3/math/depthLimits.ts'
import {
  compressTick,
  initializedTicksBetween,
  wordPosition,
} from '../uniswapV3/math/tickBitmap.ts'
import { MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK } from '../uniswapV3/math/tickMath.ts'
import { isTickOf, type UniswapV3State } from '../uniswapV3/read.ts'
import { extsloadAbi, positionManagerV4Abi, stateViewAbi } from './abi.ts'
import { amountsOfAllLiquidity } from './liquidityInRanges.ts'
import { type PoolKey, poolIdOf, poolKeyProblem } from './poolKey.ts'
import { loadBitmapSlotHasher, tickBitmapSlots } from './tickBitmapSlots.ts'

/**
 * Bitmap words per `extsload` call: about 70k gas of cold reads, so that a full Multicall3
 * batch of them stays under a 50M `eth_call` gas cap (geth's default).
 */
const WORDS_PER_CALL = 32

/**
 * A V4 pool at one block, in the shape of a V3 pool's state (so that the V3 metrics apply)
 * plus what V4 adds. `balances` are the token amounts of all the pool's liquidity at its
 * price (the singleton's token balances are shared by every pool); `feePips` is the fee a
 * swap pays (the LP fee, plus the protocol fee when one is set) and `feeProtocol` is 0, as
 * V4's fee growth already excludes the protocol's share.
 */
export interface UniswapV4State extends UniswapV3State {
  readonly poolId: Hex
  /** The `StateView` it was read through (intraday samples read its price there again). */
  readonly stateView: Address
  readonly key: PoolKey
  /** `slot0.lpFee` in pips: the fee the LPs earn, dynamic-fee pools included. */
  readonly lpFee: number
  /** `slot0.protocolFee`: 12 bits per direction, in pips (zeroForOne in the low bits). */
  readonly protocolFee: number
}

/** `ProtocolFeeLibrary.calculateSwapFee`: the fee a swap pays when the protocol takes `protocolFee`. */
function swapFee(protocolFee: number, lpFee: number): number {
  return protocolFee + lpFee - Math.ceil((protocolFee * lpFee) / 1_000_000)
}

/**
 * Reads a Uniswap V4 pool through `StateView`, in three Multicall3 rounds: slot0, liquidity
 * and fee growth (and the key from `PositionManager.poolKeys` unless the config gives it);
 * every tick bitmap word of the pool's tick range (`PoolManager.extsload` at `StateView`'s
 * slots); `getTickInfo` of every initialized tick.
 * All ticks are read because the pool's TVL sums the liquidity of every range.
 *
 * @param reader - reader pinned to the snapshot block
 * @param poolId - the pool's 32-byte id
 * @param contracts - the chain's V4 contracts
 * @param configuredKey - the pool's key from the config, if given
 * @returns the pool's state
 * @throws ContractReadError if the pool is not initialized at the block, its key is not
 *   known, or the reads are not a consistent V4 pool
 */
export async function readUniswapV4Pool(
  reader: BlockReader,
  poolId: Hex,
  contracts: UniswapV4Contracts,
  configuredKey?: PoolKey,
): Promise<UniswapV4State> {
  const { stateView } = contracts
  // Ready while the first round is out, for the bitmap slots of the second.
  void loadBitmapSlotHasher()
  const where = `V4 pool ${poolId} (StateView ${stateView}) at block ${reader.blockNumber}`
  const invalid = (what: string) => new ContractReadError(`${where}: ${what}`)
  const [slot0, liquidity, growth, key] = await Promise.all([
    reader.read({
      address: stateView,
      abi: stateViewAbi,
      functionName: 'getSlot0',
      args: [poolId],
    }),
    reader.read({
      address: stateView,
      abi: stateViewAbi,
      functionName: 'getLiquidity',
      args: [poolId],
    }),
    reader.read({
      address: stateView,
      abi: stateViewAbi,
      functionName: 'getFeeGrowthGlobals',
      args: [poolId],
    }),
    configuredKey ?? readPoolKey(reader, poolId, contracts.positionManager),
  ])
  const [sqrtPriceX96, tick, protocolFee, lpFee] = slot0
  if (sqrtPriceX96 === 0n) {
    throw invalid(`the pool is not initialized in PoolManager ${contracts.poolManager}`)
  }
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw invalid(`sqrtPriceX96 ${sqrtPriceX96} is outside the range a pool can hold`)
  }
  if (!isTickOf(tick, sqrtPriceX96)) {
    throw invalid(`slot0 tick ${tick} does not match sqrtPriceX96 ${sqrtPriceX96}`)
  }
  const keyProblem = poolKeyProblem(key)
  if (keyProblem) throw invalid(`its key is not a valid pool key: ${keyProblem}`)
  if (poolIdOf(key) !== poolId) throw invalid(`its key hashes to another pool id, ${poolIdOf(key)}`)

  const liquidityNet = await readAllTicks(
    reader,
    contracts,
    poolId,
    key.tickSpacing,
    sqrtPriceX96,
    invalid,
  )
  let balances: { amount0: bigint; amount1: bigint }
  try {
    balances = amountsOfAllLiquidity(sqrtPriceX96, tick, liquidity, liquidityNet.net)
  } catch (error) {
    throw invalid((error as Error).message)
  }
  const feeZeroForOne = protocolFee & 0xfff
  const feeOneForZero = protocolFee >> 12
  return {
    poolId,
    stateView,
    key,
    lpFee,
    protocolFee,
    tokens: [key.currency0, key.currency1],
    balances: [balances.amount0, balances.amount1],
    sqrtPriceX96,
    tick,
    liquidity,
    tickSpacing: key.tickSpacing,
    // The depth walk takes one fee: the dearer direction's when the protocol fees differ.
    feePips: swapFee(Math.max(feeZeroForOne, feeOneForZero), lpFee),
    feeProtocol: 0,
    feeGrowthGlobal0X128: growth[0],
    feeGrowthGlobal1X128: growth[1],
    bitmap: liquidityNet.bitmap,
    liquidityNet: liquidityNet.net,
  }
}

/** The key `PositionManager` recorded when it first minted a position in the pool. */
async function readPoolKey(
  reader: BlockReader,
  poolId: Hex,
  positionManager: Address,
): Promise<PoolKey> {
  const [currency0, currency1, fee, tickSpacing, hooks] = await reader.read({
    address: positionManager,
    abi: positionManagerV4Abi,
    functionName: 'poolKeys',
    args: [slice(poolId, 0, 25)],
  })
  if (tickSpacing === 0) {
    throw new ContractReadError(
      `PositionManager ${positionManager} has no key for V4 pool ${poolId} at block ${reader.blockNumber} (no position was minted through it): give the pool's "key" in the config`,
    )
  }
  return { currency0, currency1, fee, tickSpacing, hooks }
}

/**
 * Every bitmap word of the pool's tick range (one more above, which a rising depth walk may
 * look at), then `getTickInfo` of every initialized tick. Of the empty words only those in
 * the 2% depth window are kept. A pool has up to 6,932 words
 * (tick spacing 1), so the words come from `PoolManager.extsload` at the slots that
 * `StateView.getTickBitmap` reads, `WORDS_PER_CALL` at a time.
 */
async function readAllTicks(
  reader: BlockReader,
  contracts: UniswapV4Contracts,
  poolId: Hex,
  tickSpacing: number,
  sqrtPriceX96: bigint,
  invalid: (what: string) => ContractReadError,
) {
  const firstWord = wordPosition(compressTick(MIN_TICK, tickSpacing))
  const lastWord = wordPosition(compressTick(MAX_TICK, tickSpacing) + 1)
  const positions = Array.from({ length: lastWord - firstWord + 1 }, (_, i) => firstWord + i)
  const slots = tickBitmapSlots(poolId, positions)
  const chunks = await Promise.all(
    Array.from({ length: Math.ceil(slots.length / WORDS_PER_CALL) }, (_, i) =>
      reader.read({
        address: contracts.poolManager,
        abi: extsloadAbi,
        functionName: 'extsload',
        args: [slots.slice(i * WORDS_PER_CALL, (i + 1) * WORDS_PER_CALL)],
      }),
    ),
  )
  const words = chunks.flat()
  if (words.length !== positions.length) {
    throw invalid(`extsload returned ${words.length} of ${positions.length} bitmap words`)
  }
  // The state keeps the words with ticks, and the empty ones the depth walk steps through.
  const limits = depthLimits(sqrtPriceX96)
  const walkFrom = wordPosition(compressTick(limits.tickDown, tickSpacing))
  const walkTo = wordPosition(compressTick(limits.tickUp, tickSpacing) + 1)
  const bitmap = new Map<number, bigint>()
  positions.forEach((position, i) => {
    const word = BigInt(words[i]!)
    if (word !== 0n || (position >= walkFrom && position <= walkTo)) bitmap.set(position, word)
  })
  const ticks = initializedTicksBetween(bitmap, tickSpacing, MIN_TICK, MAX_TICK)
  const infos = await Promise.all(
    ticks.map((tick) =>
      reader.read({
        address: contracts.stateView,
        abi: stateViewAbi,
        functionName: 'getTickInfo',
        args: [poolId, tick],
      }),
    ),
  )
  const net = new Map<number, bigint>()
  infos.forEach(([liquidityGross, liquidityNet], i) => {
    if (liquidityGross === 0n)
      throw invalid(`tick ${ticks[i]} is in the bitmap but not initialized`)
    net.set(ticks[i]!, liquidityNet)
  })
  return { bitmap, net }
}

/**
 * An intraday sample of a V4 pool: its price from `StateView.getSlot0` at the sample block,
 * the rest as read at the end block (the sampled metrics need only the price).
 *
 * @param reader - reader pinned to the sample block
 * @param known - the pool as read at the end block
 * @returns the pool at the sample block
 */
export async function readUniswapV4Sample(
  reader: BlockReader,
  known: UniswapV4State,
): Promise<UniswapV4State> {
  const [sqrtPriceX96, tick] = await reader.read({
    address: known.stateView,
    abi: stateViewAbi,
    functionName: 'getSlot0',
    args: [known.poolId],
  })
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw new ContractReadError(
      `V4 pool ${known.poolId} at block ${reader.blockNumber}: sqrtPriceX96 ${sqrtPriceX96} is outside the range a pool can hold`,
    )
  }
  return { ...known, sqrtPriceX96, tick }
}
