import {
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  checksumAddress,
  decodeAbiParameters,
  decodeFunctionResult,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  toFunctionSelector,
} from 'viem'

/**
 * viem's `encodeFunctionData` and `decodeFunctionResult`, with each function's ABI item and
 * selector looked up once per ABI instead of once per call (viem hashes the signature on
 * every encode). A run encodes a million calls to a few dozen functions, so this saves a keccak
 * and an ABI scan per call. Overloaded names go through viem, which picks the overload by
 * its arguments. Results made only of one-word values (integers, addresses, booleans: most
 * getters) are read straight from the hex, as viem reads them, and so are results that mix
 * such values with arrays of them or of `bytes32` (`extsload`'s slots, Balancer's pool
 * tokens and balances); a `bytes32[]` argument is written straight too. Anything else, or
 * anything that does not look like a valid encoding, goes through viem's codec.
 */

interface FunctionCodec {
  readonly item: AbiFunction
  readonly selector: Hex
  /** One reader per output word when every output is a one-word value. */
  readonly words?: readonly WordReader[]
  /**
   * One reader per output when each is a one-word value or an array of them, arrays among
   * them (`uint256[]`, Balancer's `getPoolTokens`: `address[], uint256[], uint256`).
   */
  readonly parts?: readonly Part[]
  /** Whether the one input is a `bytes32[]` (V4's `extsload`: 32 slots a call). */
  readonly bytes32ArrayInput?: boolean
}

/** A value from its 64 hex digits, or `undefined` when viem would refuse them. */
type WordReader = (digits: string) => unknown

/** An output read in place (one word) or through its offset (an array of words). */
interface Part {
  readonly array: boolean
  readonly reader: WordReader
}

const TWO_256 = 1n << 256n

function wordReader(parameter: AbiParameter): WordReader | undefined {
  const { type } = parameter
  if (type === 'address') return checksummed
  if (type === 'bool')
    return (digits) => (digits === ZERO_WORD ? false : digits === ONE_WORD ? true : undefined)
  const integer = /^(u?)int(\d*)$/.exec(type)
  if (!integer) return undefined
  const signed = integer[1] === ''
  const bits = Number(integer[2] || '256')
  // viem decodes the whole word, as two's complement on 256 bits for signed types, and gives
  // numbers up to 48 bits (refusing what is not a safe integer), bigints above.
  return (digits) => {
    let value = BigInt(`0x${digits}`)
    if (signed && digits.charCodeAt(0) >= 56 /* '8' */) value -= TWO_256
    if (bits > 48) return value
    const number = Number(value)
    return Number.isSafeInteger(number) ? number : undefined
  }
}

/**
 * An address word as viem decodes it: checksummed. A run reads the same few thousand tokens,
 * pools and feeds a million times; viem's own cache holds 8,192 addresses and reorders itself
 * on every hit, which took 2% of a 10,000-pool run's CPU. This one is cleared when full.
 */
function checksummed(digits: string): Address {
  const lower = digits.slice(24).toLowerCase()
  let address = checksums.get(lower)
  if (address === undefined) {
    if (checksums.size >= MAX_CACHED_CHECKSUMS) checksums.clear()
    address = checksumAddress(`0x${lower}`)
    checksums.set(lower, address)
  }
  return address
}

const checksums = new Map<string, Address>()
const MAX_CACHED_CHECKSUMS = 100_000

/** An array element's reader: a one-word value, or a `bytes32` as its hex. */
function elementReader(type: string): WordReader | undefined {
  if (type === 'bytes32') return (digits) => `0x${digits.toLowerCase()}`
  return wordReader({ type })
}

const ZERO_WORD = '0'.repeat(64)
const ONE_WORD = `${'0'.repeat(63)}1`

const codecs = new WeakMap<Abi, Map<string, FunctionCodec | undefined>>()

function codecOf(abi: Abi, functionName: string): FunctionCodec | undefined {
  let byName = codecs.get(abi)
  if (!byName) {
    byName = new Map()
    codecs.set(abi, byName)
  }
  if (byName.has(functionName)) return byName.get(functionName)
  const items = abi.filter(
    (item): item is AbiFunction => item.type === 'function' && item.name === functionName,
  )
  const item = items[0]
  let codec: FunctionCodec | undefined
  if (item && items.length === 1) {
    const readers = item.outputs.map(wordReader)
    const parts = item.outputs.map((output): Part | undefined => {
      const array = output.type.endsWith('[]')
      const reader = array ? elementReader(output.type.slice(0, -2)) : wordReader(output)
      return reader && { array, reader }
    })
    codec = {
      item,
      selector: toFunctionSelector(item),
      ...(readers.length > 0 &&
        readers.every((reader) => reader !== undefined) && { words: readers as WordReader[] }),
      ...(parts.some((part) => part?.array) &&
        parts.every((part) => part !== undefined) && { parts: parts as Part[] }),
      ...(item.inputs.length === 1 &&
        item.inputs[0]!.type === 'bytes32[]' && { bytes32ArrayInput: true }),
    }
  }
  byName.set(functionName, codec)
  return codec
}

/**
 * Calldata of a call, as `encodeFunctionData({ abi, functionName, args })`.
 *
 * @param abi - the contract's ABI
 * @param functionName - the function
 * @param args - its arguments
 * @returns the calldata
 */
export function encodeCall(abi: Abi, functionName: string, args?: readonly unknown[]): Hex {
  const codec = codecOf(abi, functionName)
  if (!codec) return encodeFunctionData({ abi, functionName, args } as never)
  if (codec.item.inputs.length === 0) return codec.selector
  if (codec.bytes32ArrayInput) {
    const encoded = encodeBytes32Array(args?.[0])
    if (encoded) return `${codec.selector}${encoded}`
  }
  return `${codec.selector}${encodeAbiParameters(codec.item.inputs, args ?? []).slice(2)}`
}

/**
 * A call's decoded result, as `decodeFunctionResult({ abi, functionName, args, data })`:
 * the single output, or the list of outputs.
 *
 * @param abi - the contract's ABI
 * @param functionName - the function
 * @param args - its arguments (they pick an overload)
 * @param data - the call's return data
 * @returns the decoded result
 * @throws if the data does not decode as the function's outputs
 */
export function decodeCallResult(
  abi: Abi,
  functionName: string,
  args: readonly unknown[] | undefined,
  data: Hex,
): unknown {
  const codec = codecOf(abi, functionName)
  if (!codec) return decodeFunctionResult({ abi, functionName, args, data } as never)
  const values =
    (codec.words && readWords(codec.words, data)) ??
    (codec.parts && readParts(codec.parts, data)) ??
    decodeAbiParameters(codec.item.outputs, data)
  return values.length > 1 ? values : values[0]
}

/** The words of a `bytes32[]` argument (offset, length, elements), or `undefined` for viem. */
function encodeBytes32Array(values: unknown): string | undefined {
  if (!Array.isArray(values)) return undefined
  const parts = new Array<string>(values.length + 2)
  parts[0] = WORD_32
  parts[1] = values.length.toString(16).padStart(64, '0')
  for (let k = 0; k < values.length; k++) {
    const value = values[k]
    if (typeof value !== 'string' || !BYTES32.test(value)) return undefined
    parts[k + 2] = value.slice(2)
  }
  return parts.join('')
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/
/** The word 32: the offset of a lone dynamic argument. */
const WORD_32 = (32).toString(16).padStart(64, '0')

/**
 * Outputs of one-word values and arrays of them, read from the hex, or `undefined` to leave
 * the data to viem: an array's head word is its offset, where its length and elements are.
 * Like viem, data past the last value is ignored and data that ends early is refused.
 */
function readParts(parts: readonly Part[], data: Hex): unknown[] | undefined {
  const digits = data.length - 2
  if (digits < parts.length * 64) return undefined
  const wordAt = (byte: number) => data.slice(2 + byte * 2, 2 + byte * 2 + 64)
  const values = new Array(parts.length)
  for (let k = 0; k < parts.length; k++) {
    const { array, reader } = parts[k]!
    const head = wordAt(k * 32)
    if (!array) {
      const value = reader(head.toLowerCase())
      if (value === undefined) return undefined
      values[k] = value
      continue
    }
    const offset = Number(`0x${head}`)
    if (!Number.isSafeInteger(offset) || offset % 32 !== 0 || (offset + 32) * 2 > digits)
      return undefined
    const length = Number(`0x${wordAt(offset)}`)
    if (!Number.isSafeInteger(length) || (offset + 32 + length * 32) * 2 > digits) return undefined
    const elements = new Array(length)
    for (let e = 0; e < length; e++) {
      // viem gives hex in lower case; the number readers ignore case.
      const value = reader(wordAt(offset + 32 + e * 32))
      if (value === undefined) return undefined
      elements[e] = value
    }
    values[k] = elements
  }
  return values
}

/** The outputs read word by word, or `undefined` to leave the data to viem. */
function readWords(readers: readonly WordReader[], data: Hex): unknown[] | undefined {
  if (data.length < 2 + readers.length * 64) return undefined
  const values = new Array(readers.length)
  for (let k = 0; k < readers.length; k++) {
    const value = readers[k]!(data.slice(2 + k * 64, 2 + (k + 1) * 64).toLowerCase())
    if (value === undefined) return undefined
    values[k] = value
  }
  return values
}
