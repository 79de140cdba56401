import { type Hex, hexToBigInt } from 'viem'
import type { ChainClient } from '../chain/createChainClient.ts'

/**
 * Creation code that returns `gasleft()` as its first instruction sees it:
 * GAS, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN.
 */
const GAS_PROBE: Hex = '0x5a60005260206000f3'

/**
 * Gas spent before the probe's GAS opcode reads the counter: 21,000 per transaction, 32,000
 * for a creation, 16 per non-zero and 4 per zero calldata byte (7 and 2 here), 2 per word of
 * init code (EIP-3860), and 2 for GAS itself.
 */
const PROBE_OVERHEAD = 21_000n + 32_000n + 7n * 16n + 2n * 4n + 2n + 2n

/**
 * Measures the gas an endpoint gives one `eth_call` that does not name its gas, as the
 * report's Multicall3 calls do not: the node's default, capped by its gas cap (geth's
 * `--rpc.gascap`, a provider's limit). One request: a creation-code call that returns the
 * gas left at its first instruction.
 *
 * @param client - client of one RPC endpoint
 * @returns the gas the call was given
 */
export async function measureCallGas(client: ChainClient): Promise<bigint> {
  const { data } = await client.call({ data: GAS_PROBE })
  if (data === undefined || data === '0x') throw new Error('the gas probe returned no data')
  return hexToBigInt(data) + PROBE_OVERHEAD
}
