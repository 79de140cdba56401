import type { Hex } from 'viem'
import type { RawCall, RawResult } from './aggregate3.ts'

/**
 * ABI codec of Multicall3's `aggregate3((address,bool,bytes)[])` and its
 * `(bool,bytes)[]` result, on hex strings. viem's generic encoder and decoder took a fifth of
 * a 10,000-pool run's CPU on these two shapes alone (they convert the whole megabyte
 * response to bytes and back, and concatenate the request word by word); the shapes are
 * fixed, so they are written out here and checked against viem's codec in the tests.
 */

/** `aggregate3((address,bool,bytes)[])`. */
const AGGREGATE3_SELECTOR = '82ad56cb'
/** A 32-byte ABI word, in hex digits. */
const WORD = 64
/** The 50 high digits of a word that holds a number below 2^56. */
const HIGH_ZEROS = '0'.repeat(50)

/**
 * Calldata of `aggregate3(calls)`, every call with `allowFailure: true`.
 *
 * @param calls - target and calldata of each call
 * @returns the calldata
 */
export function encodeAggregate3(calls: readonly RawCall[]): Hex {
  const n = calls.length
  const parts: string[] = new Array(2 * n + 1)
  parts[0] = `0x${AGGREGATE3_SELECTOR}${word(32)}${word(n)}`
  // Element offsets count from the first offset word, after the array's length.
  let offset = n * 32
  for (let k = 0; k < n; k++) {
    const { to, data } = calls[k]!
    const length = (data.length - 2) / 2
    if (!Number.isInteger(length))
      throw new Error(`calldata ${data.slice(0, 12)}… has an odd length`)
    const padding = (32 - (length % 32)) % 32
    parts[1 + k] = word(offset)
    // target, allowFailure, offset of callData within the tuple (3 head words), its length,
    // the data padded to whole words.
    parts[1 + n + k] =
      `${ADDRESS_PAD}${to.slice(2).toLowerCase()}${TRUE_AND_DATA_OFFSET}${word(length)}${data.slice(2)}${ZEROS.slice(0, padding * 2)}`
    offset += 128 + length + padding
  }
  return parts.join('') as Hex
}

/** The 12 zero bytes before an address in its word. */
const ADDRESS_PAD = '0'.repeat(24)
/** `allowFailure: true`, then the offset (96) of the call data within the tuple. */
const TRUE_AND_DATA_OFFSET = `${'0'.repeat(63)}1${'0'.repeat(62)}60`
const ZEROS = '0'.repeat(WORD)

/**
 * The results of an `aggregate3` call.
 *
 * @param data - the `eth_call`'s return data
 * @returns success and return data of each call, in order
 * @throws Error when the data is not an encoded `(bool,bytes)[]`
 */
export function decodeAggregate3(data: Hex): RawResult[] {
  const hex = data.slice(2)
  const byteLength = hex.length / 2
  const readWord = (byteOffset: number): number => {
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset + 32 > byteLength)
      throw new Error(`aggregate3 result: a word at byte ${byteOffset} is past its end`)
    // Offsets, lengths and booleans fit far below 2^53; anything larger is garbage.
    const value = hex.startsWith(HIGH_ZEROS, byteOffset * 2)
      ? Number(`0x${hex.slice(byteOffset * 2 + 50, byteOffset * 2 + WORD)}`)
      : Number.NaN
    if (Number.isNaN(value))
      throw new Error(`aggregate3 result: the word at byte ${byteOffset} is not a small number`)
    return value
  }
  const arrayStart = readWord(0)
  const n = readWord(arrayStart)
  const heads = arrayStart + 32
  const results: RawResult[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const tuple = heads + readWord(heads + i * 32)
    const success = readWord(tuple)
    if (success > 1) throw new Error(`aggregate3 result ${i}: success is ${success}`)
    const bytesAt = tuple + readWord(tuple + 32)
    const length = readWord(bytesAt)
    if (bytesAt + 32 + length > byteLength)
      throw new Error(`aggregate3 result ${i}: its return data runs past the end`)
    const start = (bytesAt + 32) * 2
    results[i] = {
      success: success === 1,
      returnData: `0x${hex.slice(start, start + length * 2)}`,
    }
  }
  return results
}

function word(value: number): string {
  return value.toString(16).padStart(WORD, '0')
}
