import type { Address } from 'viem'
import type { ChainClient } from '../chain/createChainClient.ts'
import { type Check, fail, pass } from './check.ts'
import { describeError } from './describeError.ts'
import { NoMulticallError, probeMulticall3 } from './probeMulticall3.ts'

export interface CheckMulticall3Parameters {
  readonly subject: string
  readonly chain: string
  readonly multicall: Address
  /** The endpoint's latest block. */
  readonly blockNumber: bigint
}

/**
 * Checks that Multicall3, which batches every read of the report, answers at the latest block.
 *
 * @param client - client of one RPC endpoint
 * @param parameters - line subject, chain name, Multicall3 address, latest block
 * @returns one check
 */
export async function checkMulticall3(
  client: ChainClient,
  { subject, chain, multicall, blockNumber }: CheckMulticall3Parameters,
): Promise<Check> {
  try {
    await probeMulticall3(client, multicall, blockNumber)
    return pass(subject, `Multicall3 ${multicall} answers aggregate3 at block ${blockNumber}`)
  } catch (error) {
    if (error instanceof NoMulticallError)
      return fail(
        subject,
        `no Multicall3 at ${multicall} (${error.shortMessage}); set chains.${chain}.multicall3 to its address on this chain`,
      )
    return fail(subject, `Multicall3 ${multicall} could not be called: ${describeError(error)}`)
  }
}
