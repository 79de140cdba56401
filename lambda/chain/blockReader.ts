import type {
  Abi,
  Address,
  ContractFunctionArgs,
  ContractFunctionName,
  ContractFunctionReturnType,
  Hex,
} from 'viem'
import { ChainUnavailableError, ContractReadError, errorMessage } from '../errors.ts'
import { aggregate3, type RawResult } from './aggregate3.ts'
import { decodeCallResult, encodeCall } from './callCodec.ts'
import { chainFailureIn } from './chainFailure.ts'
import type { ChainClient } from './createChainClient.ts'
import { isStateUnavailable } from './isStateUnavailable.ts'

type ViewFunctionName<abi extends Abi> = ContractFunctionName<abi, 'pure' | 'view'>

/** A typed view call, as in viem's `readContract`. */
export type ViewCall<
  abi extends Abi,
  functionName extends ViewFunctionName<abi>,
  args extends ContractFunctionArgs<abi, 'pure' | 'view', functionName> = ContractFunctionArgs<
    abi,
    'pure' | 'view',
    functionName
  >,
> = {
  readonly address: Address
  readonly abi: abi
  readonly functionName: functionName
  readonly args?: args
}

/**
 * Reads contracts at one block. Calls made in the same turn of the event loop, from any
 * number of pools, go out together in one Multicall3 round; identical calls in flight are sent
 * once, and a decoded `read` is kept for the reader's life (raw results are not: they are
 * slices of a megabyte response, which they would keep alive). Calls with long calldata are
 * each sent and decoded as they come (see `MAX_DEDUPLICATED_CALLDATA`).
 * Pinning to the block is a property of the reader, so a snapshot cannot mix blocks.
 */
export interface BlockReader {
  readonly blockNumber: bigint
  /**
   * Reads a view function; rejects with `ContractReadError` if it reverts or does not decode,
   * and with `ChainUnavailableError` if the chain's RPC cannot answer.
   */
  read<
    const abi extends Abi,
    functionName extends ViewFunctionName<abi>,
    const args extends ContractFunctionArgs<abi, 'pure' | 'view', functionName>,
  >(
    call: ViewCall<abi, functionName, args>,
  ): Promise<ContractFunctionReturnType<abi, 'pure' | 'view', functionName, args>>
  /** Sends raw calldata; a revert is a result with `success: false`. */
  readRaw(to: Address, data: Hex): Promise<RawResult>
}

export interface CreateBlockReaderParameters {
  readonly blockNumber: bigint
  readonly multicallAddress?: Address
  readonly maxCallsPerRequest?: number
  /**
   * Shared by the readers of one snapshot pair, it keeps their rounds in step.
   * @default a scheduler of the reader's own
   */
  readonly rounds?: RoundScheduler
}

/**
 * Sends the rounds of several block readers together. Each reader hands it a round that
 * sends its calls and returns a function that settles them; rounds handed over in the same
 * turn of the event loop go out together and are settled together, once all have answered.
 * Readers of the day's two blocks then always need the same, smallest number of rounds: a
 * pool that got its start state a round before its end state cannot open a round of its own.
 */
export interface RoundScheduler {
  schedule(round: () => Promise<() => void>): void
}

/**
 * Creates a `RoundScheduler`.
 *
 * @returns a scheduler to pass to the readers that should share rounds
 * @example
 * const rounds = createRoundScheduler()
 * const start = createBlockReader(client, { blockNumber: startBlock, rounds })
 * const end = createBlockReader(client, { blockNumber: endBlock, rounds })
 */
export function createRoundScheduler(): RoundScheduler {
  let waiting: (() => Promise<() => void>)[] = []
  const run = async () => {
    const rounds = waiting
    waiting = []
    const settlers = await Promise.all(rounds.map((round) => round()))
    for (const settle of settlers) settle()
  }
  return {
    schedule(round) {
      // setImmediate runs after every pending microtask, so all pools reach their next read
      // before the round goes out.
      if (waiting.length === 0) setImmediate(run)
      waiting.push(round)
    },
  }
}

interface Pending {
  readonly key: string | undefined
  readonly to: Address
  readonly data: Hex
  readonly resolve: (result: RawResult) => void
  readonly reject: (error: unknown) => void
}

/**
 * Creates a reader pinned to `blockNumber`.
 *
 * @param client - viem public client of the chain
 * @param parameters - the block, and Multicall3 address and batch size if not the defaults
 * @returns a `BlockReader`
 * @example
 * const reader = createBlockReader(client, { blockNumber: 21_000_000n })
 * const [reserves, supply] = await Promise.all([
 *   reader.read({ address: pair, abi: uniswapV2PairAbi, functionName: 'getReserves' }),
 *   reader.read({ address: pair, abi: uniswapV2PairAbi, functionName: 'totalSupply' }),
 * ])
 */
export function createBlockReader(
  client: ChainClient,
  {
    blockNumber,
    multicallAddress,
    maxCallsPerRequest,
    rounds = createRoundScheduler(),
  }: CreateBlockReaderParameters,
): BlockReader {
  let queue: Pending[] = []
  /** Calls queued or sent, until their round settles. */
  const inFlight = new Map<string, Promise<RawResult>>()

  const round = async (): Promise<() => void> => {
    const batch = queue
    queue = []
    try {
      const results = await aggregate3(client, {
        calls: batch,
        blockNumber,
        ...(multicallAddress && { multicallAddress }),
        ...(maxCallsPerRequest && { maxCallsPerRequest }),
      })
      return () => {
        batch.forEach((pending, i) => {
          if (pending.key) inFlight.delete(pending.key)
          pending.resolve(results[i]!)
        })
      }
    } catch (error) {
      const failure = roundFailure(error, blockNumber)
      return () => {
        for (const pending of batch) {
          if (pending.key) inFlight.delete(pending.key)
          pending.reject(failure)
        }
      }
    }
  }

  const readRaw = (to: Address, data: Hex): Promise<RawResult> =>
    sendOnce(callKey(to, data), to, data)

  /** Sends a call once while it is in flight; a call without a key is sent as it is. */
  const sendOnce = (key: string | undefined, to: Address, data: Hex): Promise<RawResult> => {
    const known = key && inFlight.get(key)
    if (known) return known
    const result = new Promise<RawResult>((resolve, reject) => {
      if (queue.length === 0) rounds.schedule(round)
      queue.push({ key, to, data, resolve, reject })
    })
    if (key) inFlight.set(key, result)
    return result
  }

  // Decoded once per call: the same feed or token is read for every pool that holds it.
  const decoded = new Map<string, Promise<unknown>>()

  function read<
    const abi extends Abi,
    functionName extends ViewFunctionName<abi>,
    const args extends ContractFunctionArgs<abi, 'pure' | 'view', functionName>,
  >(
    call: ViewCall<abi, functionName, args>,
  ): Promise<ContractFunctionReturnType<abi, 'pure' | 'view', functionName, args>> {
    const { address, abi, functionName } = call
    const args = call.args as readonly unknown[] | undefined
    const data = encodeCall(abi, functionName, args)
    const key = callKey(address, data)
    let result = key && decoded.get(key)
    if (!result) {
      result = sendOnce(key, address, data).then(({ success, returnData }) => {
        const where = () => `${functionName}() on ${address} at block ${blockNumber}`
        if (!success) throw new ContractReadError(`${where()} reverted`)
        try {
          return decodeCallResult(abi, functionName, args, returnData)
        } catch (cause) {
          const what =
            returnData === '0x'
              ? 'returned no data (no contract there?)'
              : 'returned data that does not decode'
          throw new ContractReadError(`${where()} ${what}`, { cause })
        }
      })
      if (key) decoded.set(key, result)
    }
    return result as never
  }

  return { blockNumber, readRaw, read }
}

/**
 * Calldata longer than this (a selector and four words) is not deduplicated: such calls
 * (V4's `extsload` of 32 bitmap slots, 1 KB) are each a pool's own, and their keys, hashed and
 * kept for the reader's life, came to 27 MB of strings a block on a 10,000-pool run.
 */
const MAX_DEDUPLICATED_CALLDATA = 2 + 2 * (4 + 4 * 32)

/** The key that identifies a call for deduplication, or `undefined` for a long one. */
function callKey(to: Address, data: Hex): string | undefined {
  return data.length > MAX_DEDUPLICATED_CALLDATA ? undefined : `${to.toLowerCase()}:${data}`
}

/**
 * What a failed Multicall3 request means for its calls: a node that no longer holds the
 * block's state says so (the run can start from a stored snapshot), anything else is the
 * chain failing, not the pools (a revert inside `aggregate3` is a result, never an error).
 */
function roundFailure(error: unknown, blockNumber: bigint): unknown {
  const fromTransport = chainFailureIn(error)
  if (fromTransport) return fromTransport
  if (isStateUnavailable(error)) return error
  return new ChainUnavailableError(
    `a Multicall3 request at block ${blockNumber} failed: ${errorMessage(error)}`,
    { cause: error },
  )
}
