import {
  type Address,
  decodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  hexToString,
  isAddressEqual,
  zeroAddress,
} from 'viem'
import type { BlockReader } from './blockReader.ts'

/** The placeholder address pools use for the chain's native coin (Curve's stETH pool, ...). */
export const NATIVE_TOKEN_ADDRESS: Address = '0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE'

/** What the report needs to know about a token. */
export interface TokenMetadata {
  readonly address: Address
  /** Display symbol read from the chain: untrusted, stripped of control characters only. */
  readonly symbol: string
  readonly decimals: number
}

const MAX_SYMBOL_LENGTH = 32

/**
 * Reads a token's decimals and symbol. Symbols come as `string` (most tokens) or `bytes32`
 * (MKR, SAI); a reverting or undecodable `symbol()` falls back to a short form of the
 * address, so a token never breaks the run for its name alone.
 *
 * @param reader - block reader (metadata is read once, at the end block)
 * @param address - token address, or `NATIVE_TOKEN_ADDRESS` (or `0x0000…0000`, Uniswap V4's
 *   native currency)
 * @returns symbol and decimals
 */
export async function readTokenMetadata(
  reader: BlockReader,
  address: Address,
): Promise<TokenMetadata> {
  if (isAddressEqual(address, NATIVE_TOKEN_ADDRESS) || isAddressEqual(address, zeroAddress)) {
    return { address, symbol: 'ETH', decimals: 18 }
  }
  const [decimals, symbol] = await Promise.all([
    reader.read({ address, abi: erc20Abi, functionName: 'decimals' }),
    reader.readRaw(address, encodeFunctionData({ abi: erc20Abi, functionName: 'symbol' })),
  ])
  const decoded = symbol.success ? decodeSymbol(symbol.returnData) : undefined
  return { address, decimals, symbol: decoded || shortAddress(address) }
}

/**
 * Decodes a `symbol()` return value that is either an ABI string or a `bytes32`.
 *
 * @param data - raw return data
 * @returns the cleaned symbol, or `undefined` if it is neither
 */
export function decodeSymbol(data: Hex): string | undefined {
  let text: string | undefined
  try {
    ;[text] = decodeAbiParameters([{ type: 'string' }], data)
  } catch {
    if (data.length === 66) text = hexToString(data as Hex, { size: 32 }).replace(/\0+$/, '')
  }
  // Control characters would break the terminal table, mail headers and log lines.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const cleaned = text?.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim()
  return cleaned ? cleaned.slice(0, MAX_SYMBOL_LENGTH) : undefined
}

function shortAddress(address: Address): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`
}
