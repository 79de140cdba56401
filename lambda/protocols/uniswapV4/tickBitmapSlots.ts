import { createKeccak, type IHasher } from 'hash-wasm'
import { bytesToHex, concat, type Hex, hexToBytes, keccak256, numberToHex } from 'viem'

/** `StateLibrary.POOLS_SLOT`: the `PoolManager` storage slot of `mapping(PoolId => Pool.State)`. */
const POOLS_SLOT = numberToHex(6, { size: 32 })
/** `StateLibrary.TICK_BITMAP_OFFSET`: where `tickBitmap` sits in `Pool.State`. */
export const TICK_BITMAP_OFFSET = 5n

/**
 * Where a pool's `Pool.State` starts in `PoolManager`'s storage: `keccak256(poolId . POOLS_SLOT)`.
 *
 * @param poolId - the pool's 32-byte id
 * @returns the slot
 */
export function poolStateSlot(poolId: Hex): bigint {
  return BigInt(keccak256(concat([poolId, POOLS_SLOT])))
}

/** The WebAssembly Keccak-256 hasher, once instantiated; viem's hashes until then. */
let wasmKeccak: IHasher | undefined
let loading: Promise<void> | undefined

/**
 * Starts instantiating the WebAssembly hasher (once per process), so that it is ready by the
 * time a V4 pool's bitmap slots are derived: call it when a V4 read begins. Slots derived
 * before it is ready are hashed by viem, with the same result.
 *
 * @returns a promise settled when the hasher is ready, or failed to load (then viem hashes)
 */
export function loadBitmapSlotHasher(): Promise<void> {
  loading ??= createKeccak(256).then(
    (hasher) => {
      wasmKeccak = hasher
    },
    () => undefined,
  )
  return loading
}

/**
 * The `PoolManager` storage slots of a pool's tick bitmap words, as v4-core's
 * `StateLibrary.getTickBitmap` (and so `StateView.getTickBitmap`) derives them:
 * `keccak256(int256(word) . (keccak256(poolId . POOLS_SLOT) + TICK_BITMAP_OFFSET))`.
 * A pool has up to 6,932 words and a run hashes them at two blocks for every V4 pool: a
 * million hashes at 10,000 pools, 12 s in JavaScript and 1 s in WebAssembly on the benchmark
 * machine, so they are hashed there (see `loadBitmapSlotHasher`), from one reused buffer.
 * Synchronous, so that the reads of the slots go out in the round they always did.
 *
 * @param poolId - the pool's 32-byte id
 * @param words - int16 word positions
 * @returns one slot per word, in order
 */
export function tickBitmapSlots(poolId: Hex, words: readonly number[]): Hex[] {
  const stateSlot = poolStateSlot(poolId)
  const input = new Uint8Array(64)
  input.set(hexToBytes(numberToHex(stateSlot + TICK_BITMAP_OFFSET, { size: 32 })), 32)
  const hasher = wasmKeccak
  return words.map((word) => {
    // int256 big-endian: an int16 sign-extended over 32 bytes.
    input.fill(word < 0 ? 0xff : 0, 0, 30)
    input[30] = (word >> 8) & 0xff
    input[31] = word & 0xff
    if (!hasher) return keccak256(input, 'hex')
    hasher.init()
    hasher.update(input)
    return bytesToHex(hasher.digest('binary'))
  })
}
