import type { Hex } from 'viem'
import type { RawCall, RawResult } from './aggregate3.ts'
import type { HexText } from './hexText.ts'

/**
 * ABI codec of Multicall3's `aggregate3((address,bool,bytes)[])` and its
 * `(bool,bytes)[]` result. viem's generic encoder and decoder took a fifth of a 10,000-pool
 * run's CPU on these two shapes alone (they convert the whole megabyte response to bytes and
 * back, and concatenate the request word by word); the shapes are fixed, so they are written
 * out here and checked against viem's codec in the tests. The calldata is written as hex
 * text straight into a buffer, which the transport puts in the request body as it is: built
 * as a string, it was copied three times more (joined, quoted by JSON.stringify, encoded).
 */

/** `aggregate3((address,bool,bytes)[])`. */
const AGGREGATE3_SELECTOR = '82ad56cb'
/** A 32-byte ABI word, in hex digits. */
const WORD = 64
const ZERO_DIGIT = 0x30

/**
 * Calldata of `aggregate3(calls)`, every call with `allowFailure: true`, as the ASCII bytes of
 * its hex (`0x…`).
 *
 * @param calls - target and calldata of each call
 * @returns the calldata's hex text
 */
export function encodeAggregate3(calls: readonly RawCall[]): Buffer {
  const n = calls.length
  const lengths = new Array<number>(n)
  let digits = 2 + 8 + 2 * WORD + n * WORD
  for (let k = 0; k < n; k++) {
    const { data } = calls[k]!
    const length = (data.length - 2) / 2
    if (!Number.isInteger(length))
      throw new Error(`calldata ${data.slice(0, 12)}… has an odd length`)
    lengths[k] = length
    // target, allowFailure, offset of callData within the tuple, its length, whole words of it
    digits += 4 * WORD + (length + padding(length)) * 2
  }
  const out = Buffer.allocUnsafe(digits)
  let head = out.write(`0x${AGGREGATE3_SELECTOR}`, 0, 'latin1')
  head = writeWord(out, head, 32)
  head = writeWord(out, head, n)
  let tail = head + n * WORD
  // Element offsets count from the first offset word, after the array's length.
  let offset = n * 32
  for (let k = 0; k < n; k++) {
    const { to, data } = calls[k]!
    if (to.length !== 42) throw new Error(`call target ${to} is not an address`)
    const length = lengths[k]!
    head = writeWord(out, head, offset)
    out.fill(ZERO_DIGIT, tail, tail + 24)
    out.write(to.slice(2), tail + 24, 40, 'latin1')
    lowerCase(out, tail + 24, tail + WORD)
    tail += WORD
    tail += TRUE_AND_DATA_OFFSET.copy(out, tail)
    tail = writeWord(out, tail, length)
    tail += out.write(data.slice(2), tail, length * 2, 'latin1')
    const zeros = padding(length) * 2
    out.fill(ZERO_DIGIT, tail, tail + zeros)
    tail += zeros
    offset += 128 + length + padding(length)
  }
  return out
}

/** `allowFailure: true`, then the offset (96) of the call data within the tuple. */
const TRUE_AND_DATA_OFFSET = Buffer.from(`${'0'.repeat(63)}1${'0'.repeat(62)}60`, 'latin1')

/** Zero bytes that fill `length` bytes up to a whole word. */
function padding(length: number): number {
  return (32 - (length % 32)) % 32
}

/** Writes a word holding `value` at `at`; returns where it ends. */
function writeWord(out: Buffer, at: number, value: number): number {
  const digits = value.toString(16)
  out.fill(ZERO_DIGIT, at, at + WORD - digits.length)
  out.write(digits, at + WORD - digits.length, 'latin1')
  return at + WORD
}

/** Hex digits `A`-`F` to `a`-`f` (a checksummed address), in place. */
function lowerCase(out: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const byte = out[i]!
    if (byte >= 0x41 && byte <= 0x46) out[i] = byte + 0x20
  }
}

/**
 * The results of an `aggregate3` call, read from the hex's bytes: each return data is cut out
 * once, as a flat string, and checked as hex.
 *
 * @param data - the `eth_call`'s return data, as a string or as the transport's bytes
 * @returns success and return data of each call, in order
 * @throws Error when the data is not an encoded `(bool,bytes)[]`
 */
export function decodeAggregate3(data: Hex | HexText): RawResult[] {
  const text = typeof data === 'string' ? Buffer.from(data, 'latin1') : data.bytes
  if (text[0] !== ZERO_DIGIT || text[1] !== LETTER_X)
    throw new Error('aggregate3 result: the data does not start with 0x')
  const byteLength = Math.floor((text.length - 2) / 2)
  const readWord = (byteOffset: number): number => {
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset + 32 > byteLength)
      throw new Error(`aggregate3 result: a word at byte ${byteOffset} is past its end`)
    // Offsets, lengths and booleans fit far below 2^53; anything larger is garbage.
    const at = 2 + byteOffset * 2
    let value = 0
    for (let k = 0; k < WORD; k++) {
      const digit = hexDigit(text[at + k]!)
      if (digit < 0 || (k < SMALL_WORD_FROM && digit !== 0))
        throw new Error(`aggregate3 result: the word at byte ${byteOffset} is not a small number`)
      value = value * 16 + digit
    }
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
    const returnData = hexString(text, 2 + (bytesAt + 32) * 2, length * 2)
    if (!HEX.test(returnData)) throw new Error(`aggregate3 result ${i}: its return data is not hex`)
    results[i] = { success: success === 1, returnData }
  }
  return results
}

/** Where a word's digits may be other than 0: its last 14, a number below 2^56. */
const SMALL_WORD_FROM = WORD - 14
const LETTER_X = 0x78
const HEX = /^0x[0-9a-fA-F]*$/

/** The value of a hex digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  if (code >= 0x61 && code <= 0x66) return code - 0x57
  if (code >= 0x41 && code <= 0x46) return code - 0x37
  return -1
}

/** Reused for `hexString`: "0x" and the digits, made one flat string in one copy. */
let scratch = Buffer.alloc(4096)

/** `0x` and `digits` characters of `text` from `start`, as one flat string. */
function hexString(text: Buffer, start: number, digits: number): Hex {
  if (scratch.length < digits + 2) scratch = Buffer.alloc(Math.max(digits + 2, scratch.length * 2))
  scratch[0] = ZERO_DIGIT
  scratch[1] = LETTER_X
  text.copy(scratch, 2, start, start + digits)
  return scratch.toString('latin1', 0, digits + 2) as Hex
}
