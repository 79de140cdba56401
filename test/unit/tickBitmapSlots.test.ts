import { concat, encodePacked, keccak256, numberToHex } from 'viem'
import { expect, test } from 'vitest'
import {
  loadBitmapSlotHasher,
  tickBitmapSlots,
} from '../../lambda/protocols/uniswapV4/tickBitmapSlots.ts'

// StateLibrary's derivation written out with viem's ABI packing, apart from the fast path.
function slotOf(poolId: `0x${string}`, word: number) {
  const state = BigInt(keccak256(concat([poolId, numberToHex(6, { size: 32 })])))
  return keccak256(
    encodePacked(['int256', 'bytes32'], [BigInt(word), numberToHex(state + 5n, { size: 32 })]),
  )
}

test('bitmap word slots are StateLibrary.getTickBitmap slots, hashed by viem or WebAssembly', async () => {
  const poolId = keccak256('0x1234')
  const words = [-32768, -3466, -257, -256, -255, -1, 0, 1, 255, 256, 3466, 32767]
  const expected = words.map((word) => slotOf(poolId, word))
  // Before the WebAssembly hasher is loaded, viem hashes; after, WebAssembly does.
  expect(tickBitmapSlots(poolId, words)).toEqual(expected)
  await loadBitmapSlotHasher()
  expect(tickBitmapSlots(poolId, words)).toEqual(expected)
})
