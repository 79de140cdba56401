import {
  type Address,
  createPublicClient,
  encodePacked,
  type Hex,
  http,
  keccak256,
  numberToHex,
  slice,
} from 'viem'
import type { DevnetWallet } from '../devnet/devnetWallet.ts'
import { compressTick, wordPosition } from '../lambda/protocols/uniswapV3/math/tickBitmap.ts'
import { MAX_TICK, MIN_TICK } from '../lambda/protocols/uniswapV3/math/tickMath.ts'
import { positionManagerV4Abi } from '../lambda/protocols/uniswapV4/abi.ts'
import { DYNAMIC_FEE_FLAG, type PoolKey, poolIdOf } from '../lambda/protocols/uniswapV4/poolKey.ts'
import { poolStateSlot, TICK_BITMAP_OFFSET } from '../lambda/protocols/uniswapV4/tickBitmapSlots.ts'
import { type NodeState, StorageWriter } from './clonePools.ts'

/** `Pool.State`: slot0, feeGrowthGlobal0X128, feeGrowthGlobal1X128, liquidity, then mappings. */
const STATE_WORDS = 4n
const TICKS_OFFSET = 4n
/** `Pool.TickInfo`: liquidityGross and liquidityNet, then the two fee growths outside. */
const TICK_INFO_WORDS = 3n
/** Where `slot0` keeps the LP fee: its top 24 bits (after price, tick and protocol fee). */
const LP_FEE_SHIFT = 160n + 24n + 24n

/** A V4 pool to copy and its copies' keys. */
export interface ClonedV4Pool {
  readonly source: PoolKey
  readonly clones: readonly PoolKey[]
}

/**
 * Copies Uniswap V4 pools inside the singleton `PoolManager`: each copy gets a key of its own
 * and, under the id that key hashes to, its source's `Pool.State` (price, liquidity, fee
 * growth, the tick bitmap and every initialized tick), found in the node's state by the slots
 * `StateLibrary` derives. Positions are not copied: the report does not read them. A
 * static-fee pool's copies take fees above its own (`fee + n`, written into `slot0.lpFee`
 * too, as `initialize` would); a dynamic-fee pool's copies keep its fee flag and name hook
 * addresses that differ from its hook above the permission bits.
 *
 * @param wallet - a wallet on the node
 * @param state - the node's state (`readNodeState`)
 * @param poolManager - the `PoolManager`
 * @param sources - each pool's key and its number of copies
 * @returns the copies' keys, per source
 */
export async function cloneV4Pools(
  wallet: DevnetWallet,
  state: NodeState,
  poolManager: Address,
  sources: readonly { readonly key: PoolKey; readonly copies: number }[],
): Promise<ClonedV4Pool[]> {
  const storage = state.get(poolManager.toLowerCase())?.storage
  if (!storage) throw new Error(`no PoolManager ${poolManager} in the node's state`)
  const writer = new StorageWriter(wallet)
  const result: ClonedV4Pool[] = []
  for (const { key, copies } of sources) {
    const words = poolStateWords(storage, key)
    const clones: PoolKey[] = []
    for (let n = 1; n <= copies; n++) {
      const clone = cloneKey(key, n)
      clones.push(clone)
      const to = poolStateSlot(poolIdOf(clone))
      for (const { offset, relative, value } of words) {
        const slot = relative === undefined ? to + offset : relative(to) + offset
        let word = BigInt(value)
        if (relative === undefined && offset === 0n && key.fee !== DYNAMIC_FEE_FLAG) {
          const mask = ((1n << 24n) - 1n) << LP_FEE_SHIFT
          word = (word & ~mask) | (BigInt(clone.fee) << LP_FEE_SHIFT)
        }
        await writer.set(
          poolManager,
          numberToHex(slot, { size: 32 }),
          numberToHex(word, { size: 32 }),
        )
      }
    }
    result.push({ source: key, clones })
  }
  await writer.flush()
  return result
}

/**
 * A V4 pool's key as `PositionManager` recorded it.
 *
 * @param rpcUrl - the node
 * @param positionManager - the chain's `PositionManager`
 * @param poolId - the pool
 * @returns its key
 */
export async function readPoolKeyAt(
  rpcUrl: string,
  positionManager: Address,
  poolId: Hex,
): Promise<PoolKey> {
  const client = createPublicClient({ transport: http(rpcUrl) })
  const [currency0, currency1, fee, tickSpacing, hooks] = await client.readContract({
    address: positionManager,
    abi: positionManagerV4Abi,
    functionName: 'poolKeys',
    args: [slice(poolId, 0, 25)],
  })
  return { currency0, currency1, fee, tickSpacing, hooks }
}

/** The `n`-th copy's key (n from 1). */
function cloneKey(key: PoolKey, n: number): PoolKey {
  if (key.fee === DYNAMIC_FEE_FLAG) {
    // Bits 14 and up of a hook address are free; the low ones are its permissions.
    const hooks = BigInt(key.hooks) + (BigInt(n) << 64n)
    return { ...key, hooks: numberToHex(hooks, { size: 20 }) }
  }
  return { ...key, fee: key.fee + n }
}

/** `keccak256(int256(key) . slot)`: an entry of a mapping keyed by a signed integer. */
function signedMappingSlot(key: number, mapping: bigint): bigint {
  return BigInt(
    keccak256(
      encodePacked(['int256', 'bytes32'], [BigInt(key), numberToHex(mapping, { size: 32 })]),
    ),
  )
}

/** A stored word of a pool, at `offset` from its state slot or from a slot derived from it. */
interface PoolWord {
  readonly offset: bigint
  readonly relative?: (stateSlot: bigint) => bigint
  readonly value: Hex
}

/** The non-zero words of a pool's state: its four fixed words, bitmap words and tick infos. */
function poolStateWords(storage: Readonly<Record<string, Hex>>, key: PoolKey): PoolWord[] {
  const base = poolStateSlot(poolIdOf(key))
  const stored = (slot: bigint) => storage[numberToHex(slot, { size: 32 })]
  const words: PoolWord[] = []
  for (let offset = 0n; offset < STATE_WORDS; offset++) {
    const value = stored(base + offset)
    if (value !== undefined) words.push({ offset, value })
  }
  if (words.length === 0) throw new Error(`V4 pool ${poolIdOf(key)} has no state to copy`)
  const first = wordPosition(compressTick(MIN_TICK, key.tickSpacing))
  const last = wordPosition(compressTick(MAX_TICK, key.tickSpacing))
  for (let position = first; position <= last; position++) {
    const bitmapAt = (state: bigint) => signedMappingSlot(position, state + TICK_BITMAP_OFFSET)
    const value = stored(bitmapAt(base))
    if (value === undefined || BigInt(value) === 0n) continue
    words.push({ offset: 0n, relative: bitmapAt, value })
    for (let bit = 0; bit < 256; bit++) {
      if (((BigInt(value) >> BigInt(bit)) & 1n) === 0n) continue
      const tick = (position * 256 + bit) * key.tickSpacing
      const tickAt = (state: bigint) => signedMappingSlot(tick, state + TICKS_OFFSET)
      for (let offset = 0n; offset < TICK_INFO_WORDS; offset++) {
        const info = stored(tickAt(base) + offset)
        if (info !== undefined) words.push({ offset, relative: tickAt, value: info })
      }
    }
  }
  return words
}
