import { type Address, decodeFunctionData, type Hex, multicall3Abi, numberToHex } from 'viem'
import type { ChainClient } from '../chain/createChainClient.ts'
import { HexText } from '../chain/hexText.ts'

/** One Multicall3 `eth_call` the report's code sent. */
export interface RecordedBatch {
  readonly to: Address
  readonly data: Hex
  /** Calls inside its `aggregate3`. */
  readonly calls: number
}

/**
 * Wraps a client so that the `aggregate3` batches that ran through it are kept, to size the
 * report's batches by real pool reads.
 *
 * @param client - client of the chain
 * @returns the wrapping client, and the batch with the most calls so far
 */
export function recordBatches(client: ChainClient): {
  readonly client: ChainClient
  largest(): RecordedBatch | undefined
} {
  let largest: RecordedBatch | undefined
  // `aggregate3` sends its batches with `request` (the calldata as bytes, see `HexText`).
  const request = (async (args: { method: string; params?: unknown }, options?: unknown) => {
    const result = await client.request(args as never, options as never)
    const [call] = (args.params ?? []) as [{ to?: Address; data?: unknown }?]
    const data = call?.data instanceof HexText ? call.data.bytes.toString('latin1') : call?.data
    // Only batches that ran: the gas of a call to nothing says nothing.
    if (args.method === 'eth_call' && call?.to && typeof data === 'string' && isRan(result)) {
      const { args: decoded } = decodeFunctionData({ abi: multicall3Abi, data: data as Hex })
      const calls = Array.isArray(decoded?.[0]) ? decoded[0].length : 0
      if (calls > (largest?.calls ?? 0)) largest = { to: call.to, data: data as Hex, calls }
    }
    return result
  }) as ChainClient['request']
  return { client: { ...client, request }, largest: () => largest }
}

/** Whether an `eth_call` answer holds data (as a string, or the transport's bytes). */
function isRan(result: unknown): boolean {
  if (result instanceof HexText) return result.bytes.length > 2
  return typeof result === 'string' && result !== '0x'
}

/**
 * Measures the gas one call of a recorded batch needs, with `eth_estimateGas` of the whole
 * batch (its fixed costs are spread over the calls, which errs on the safe side).
 *
 * @param client - client of the chain
 * @param batch - a batch the report's code sent
 * @param blockNumber - the block it was sent at
 * @returns gas per call, rounded up
 */
export async function measureGasPerCall(
  client: ChainClient,
  batch: RecordedBatch,
  blockNumber: bigint,
): Promise<bigint> {
  const gas = await client.request({
    method: 'eth_estimateGas',
    params: [{ to: batch.to, data: batch.data }, numberToHex(blockNumber)],
  })
  const calls = BigInt(batch.calls)
  return (BigInt(gas) + calls - 1n) / calls
}
