import { type Address, encodeFunctionData, multicall3Abi } from 'viem'
import type { ChainClient } from '../chain/createChainClient.ts'
import { ReportError } from '../errors.ts'

/** Multicall3 has no code at the block asked about. */
export class NoMulticallError extends ReportError {
  override name = 'NoMulticallError'
}

/**
 * Runs an empty Multicall3 `aggregate3` pinned to a block: the node must hold the block's
 * state to run it (a pruned node answers "missing trie node"), and Multicall3, which
 * batches every read of the report, must be there.
 *
 * @param client - client of one RPC endpoint
 * @param multicall - Multicall3's address on the chain
 * @param blockNumber - the block to run it at
 * @throws NoMulticallError when there is no contract at `multicall` at that block
 */
export async function probeMulticall3(
  client: ChainClient,
  multicall: Address,
  blockNumber: bigint,
): Promise<void> {
  const { data } = await client.call({
    to: multicall,
    blockNumber,
    data: encodeFunctionData({ abi: multicall3Abi, functionName: 'aggregate3', args: [[]] }),
  })
  // An eth_call to an address without code answers "0x"; aggregate3 returns an array.
  if (data === undefined || data === '0x')
    throw new NoMulticallError(`no contract at ${multicall} at block ${blockNumber}`)
}
