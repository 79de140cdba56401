import {
  type Address,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  multicall3Abi,
} from 'viem'
import type { ChainClient } from './createChainClient.ts'

/** The address Multicall3 has on nearly every EVM chain. */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11'

/** Calls per `eth_call` when the chain's config does not set `maxCallsPerRequest`. */
export const DEFAULT_MAX_CALLS_PER_REQUEST = 500

/** One call inside a Multicall3 `aggregate3`. */
export interface RawCall {
  readonly to: Address
  readonly data: Hex
}

/** Outcome of one call: a revert is `success: false`, not an exception. */
export interface RawResult {
  readonly success: boolean
  readonly returnData: Hex
}

export interface Aggregate3Parameters {
  readonly calls: readonly RawCall[]
  /** Every call runs against the state after this block. */
  readonly blockNumber: bigint
  readonly multicallAddress?: Address
  /**
   * Calls per `eth_call`. Providers cap the gas of an `eth_call`; a few hundred simple
   * view calls stay far below the usual caps.
   * @default 500
   */
  readonly maxCallsPerRequest?: number
}

/**
 * Runs many view calls at one block through Multicall3's `aggregate3`, allowing each call
 * to fail on its own, in as few `eth_call`s as `maxCallsPerRequest` allows.
 *
 * @param client - viem public client of the chain
 * @param parameters - the calls, the block, and the batching limits
 * @returns one result per call, in order
 */
export async function aggregate3(
  client: ChainClient,
  {
    calls,
    blockNumber,
    multicallAddress = MULTICALL3_ADDRESS,
    maxCallsPerRequest = DEFAULT_MAX_CALLS_PER_REQUEST,
  }: Aggregate3Parameters,
): Promise<RawResult[]> {
  const chunks: RawCall[][] = []
  for (let i = 0; i < calls.length; i += maxCallsPerRequest) {
    chunks.push(calls.slice(i, i + maxCallsPerRequest))
  }
  const results = await Promise.all(
    chunks.map(async (chunk) => {
      const { data } = await client.call({
        to: multicallAddress,
        blockNumber,
        data: encodeFunctionData({
          abi: multicall3Abi,
          functionName: 'aggregate3',
          args: [
            chunk.map((call) => ({ target: call.to, allowFailure: true, callData: call.data })),
          ],
        }),
      })
      return decodeFunctionResult({
        abi: multicall3Abi,
        functionName: 'aggregate3',
        data: data ?? '0x',
      })
    }),
  )
  return results.flat()
}
