import type {
  Abi,
  ContractFunctionArgs,
  ContractFunctionName,
  ContractFunctionReturnType,
} from 'viem'
import type { BlockReader, ViewCall } from './blockReader.ts'
import { decodeCallResult, encodeCall } from './callCodec.ts'

type ViewFunctionName<abi extends Abi> = ContractFunctionName<abi, 'pure' | 'view'>

/**
 * Reads a view function that a contract may not have: a revert, or data that does not decode
 * as the function's return type, is `undefined` rather than an error. For probing which of
 * several interfaces a contract speaks, in the same Multicall3 round as everything else.
 *
 * @param reader - reader pinned to the snapshot block
 * @param call - the call, as for `reader.read`
 * @returns the decoded result, or `undefined`
 * @example
 * const lpToken = await tryRead(reader, { address: pool, abi: curveAbi, functionName: 'lp_token' })
 */
export async function tryRead<
  const abi extends Abi,
  functionName extends ViewFunctionName<abi>,
  const args extends ContractFunctionArgs<abi, 'pure' | 'view', functionName>,
>(
  reader: BlockReader,
  call: ViewCall<abi, functionName, args>,
): Promise<ContractFunctionReturnType<abi, 'pure' | 'view', functionName, args> | undefined> {
  const { address, abi, functionName } = call
  const args = call.args as readonly unknown[] | undefined
  // Encoded before the first await, so the call joins the round of its caller's turn.
  const data = encodeCall(abi, functionName, args)
  const { success, returnData } = await reader.readRaw(address, data)
  if (!success || returnData === '0x') return undefined
  try {
    return decodeCallResult(abi, functionName, args, returnData) as never
  } catch {
    return undefined
  }
}
