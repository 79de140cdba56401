import { type Address, decodeFunctionData, type Hex, multicall3Abi, numberToHex } from 'viem'
import type { ChainClient } from '../chain/createChainClient.ts'

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
  const call: ChainClient['call'] = async (parameters) => {
    const result = await client.call(parameters)
    const { to, data } = parameters
    // Only batches that ran: the gas of a call to nothing says nothing.
    if (to && data && result.data && result.data !== '0x') {
      const { args } = decodeFunctionData({ abi: multicall3Abi, data })
      const calls = Array.isArray(args?.[0]) ? args[0].length : 0
      if (calls > (largest?.calls ?? 0)) largest = { to, data, calls }
    }
    return result
  }
  return { client: { ...client, call }, largest: () => largest }
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
