import {
  type Abi,
  type AbiFunction,
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
 * its arguments.
 */

interface FunctionCodec {
  readonly item: AbiFunction
  readonly selector: Hex
}

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
  const codec =
    items.length === 1 ? { item: items[0]!, selector: toFunctionSelector(items[0]!) } : undefined
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
  const values = decodeAbiParameters(codec.item.outputs, data)
  return values.length > 1 ? values : values[0]
}
