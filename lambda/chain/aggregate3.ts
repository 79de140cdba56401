import { type Address, type Hex, numberToHex } from 'viem'
import { chainFailureIn } from './chainFailure.ts'
import type { ChainClient } from './createChainClient.ts'
import { HexText } from './hexText.ts'
import { isBatchTooLarge } from './isBatchTooLarge.ts'
import { decodeAggregate3, encodeAggregate3 } from './multicall3Codec.ts'
import { RPC_TRANSPORT_KEY } from './rpcTransport.ts'

/** The address Multicall3 has on nearly every EVM chain. */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11'

/**
 * Calls per `eth_call` when the chain's config does not set `maxCallsPerRequest`: 2,500
 * simple view calls (some 25M gas) carry 500 pools' calls of a round in one request, the
 * design's request budget; a provider with a lower gas cap gets the batch in halves.
 */
export const DEFAULT_MAX_CALLS_PER_REQUEST = 2500

/**
 * Calldata bytes per `eth_call`: its hex (2 characters a byte) and the JSON around it stay
 * under anvil's 2 MiB request body, the smallest limit among nodes (geth takes 5 MB). A round
 * of V4 pools' bitmap reads (1 KB of slots per call) would pass it well before 2,500 calls;
 * cut beforehand, it is not refused and sent again in halves.
 */
export const MAX_CALLDATA_BYTES = 960 * 1024
/** What `aggregate3` adds per call: its offset, target, allowFailure, data offset and length. */
const CALL_OVERHEAD_BYTES = 5 * 32

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
   * Calls per `eth_call`. Providers cap the gas of an `eth_call`; a batch refused for its
   * size is sent again in halves.
   * @default 2500
   */
  readonly maxCallsPerRequest?: number
}

/**
 * Runs many view calls at one block through Multicall3's `aggregate3`, allowing each call
 * to fail on its own, in as few `eth_call`s as `maxCallsPerRequest` and `MAX_CALLDATA_BYTES`
 * allow. An `eth_call` that the node refuses for its size (gas cap, response or request too
 * large) is sent again as two halves, down to single calls; the results are the same.
 *
 * @param client - viem public client of the chain
 * @param parameters - the calls, the block, and the batching limits
 * @returns one result per call, in order
 * @throws ChainUnavailableError when the chain's RPC cannot answer (after retries and fail-over)
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
  const send = async (chunk: readonly RawCall[]): Promise<readonly RawResult[]> => {
    try {
      // Straight to the transport: the report's puts the calldata into the body as the bytes
      // it was written to (viem's `call` would want it as a string, as other transports do).
      const calldata = encodeAggregate3(chunk)
      const data = (await client.request({
        method: 'eth_call',
        params: [
          {
            to: multicallAddress,
            data:
              client.transport.key === RPC_TRANSPORT_KEY
                ? new HexText(calldata)
                : calldata.toString('latin1'),
          },
          numberToHex(blockNumber),
        ],
      } as never)) as unknown
      const results = decodeAggregate3(
        data instanceof HexText || typeof data === 'string' ? (data as Hex | HexText) : '0x',
      )
      if (results.length !== chunk.length)
        throw new Error(`aggregate3 returned ${results.length} of ${chunk.length} results`)
      return results
    } catch (error) {
      const chainFailure = chainFailureIn(error)
      if (chainFailure) throw chainFailure
      if (chunk.length < 2 || !isBatchTooLarge(error)) throw error
      const half = Math.ceil(chunk.length / 2)
      const halves = await Promise.all([send(chunk.slice(0, half)), send(chunk.slice(half))])
      return halves.flat()
    }
  }
  const results = await Promise.all(requestChunks(calls, maxCallsPerRequest).map(send))
  return results.flat()
}

/** The calls cut into requests of at most `maxCalls` calls and `MAX_CALLDATA_BYTES`, in order. */
function requestChunks(calls: readonly RawCall[], maxCalls: number): RawCall[][] {
  const chunks: RawCall[][] = []
  let chunk: RawCall[] = []
  let bytes = 0
  for (const call of calls) {
    // The call's data, padded to whole words, and its part of the encoding.
    const size = CALL_OVERHEAD_BYTES + Math.ceil((call.data.length - 2) / 64) * 32
    if (chunk.length > 0 && (chunk.length === maxCalls || bytes + size > MAX_CALLDATA_BYTES)) {
      chunks.push(chunk)
      chunk = []
      bytes = 0
    }
    chunk.push(call)
    bytes += size
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}
