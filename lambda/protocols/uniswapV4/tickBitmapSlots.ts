import { concat, encodePacked, type Hex, keccak256, numberToHex } from 'viem'

/** `StateLibrary.POOLS_SLOT`: the `PoolManager` storage slot of `mapping(PoolId => Pool.State)`. */
const POOLS_SLOT = numberToHex(6, { size: 32 })
/** `StateLibrary.TICK_BITMAP_OFFSET`: where `tickBitmap` sits in `Pool.State`. */
const TICK_BITMAP_OFFSET = 5n

/**
 * The `PoolManager` storage slots of a pool's tick bitmap words, as v4-core's
 * `StateLibrary.getTickBitmap` (and so `StateView.getTickBitmap`) derives them:
 * `keccak256(int256(word) . (keccak256(poolId . POOLS_SLOT) + TICK_BITMAP_OFFSET))`.
 *
 * @param poolId - the pool's 32-byte id
 * @param words - int16 word positions
 * @returns one slot per word, in order
 */
export function tickBitmapSlots(poolId: Hex, words: readonly number[]): Hex[] {
  const stateSlot = BigInt(keccak256(concat([poolId, POOLS_SLOT])))
  const mapping = numberToHex(stateSlot + TICK_BITMAP_OFFSET, { size: 32 })
  return words.map((word) =>
    keccak256(encodePacked(['int256', 'bytes32'], [BigInt(word), mapping])),
  )
}
