import type { Address } from 'viem'
import type { ChainClient } from '../chain/createChainClient.ts'
import type { BlockFinder } from '../chain/findBlockAtTimestamp.ts'
import { isStateUnavailable } from '../chain/isStateUnavailable.ts'
import { DayNotAvailableError } from '../errors.ts'
import { dayBounds } from '../report/date.ts'
import { type Check, fail, pass } from './check.ts'
import { describeError } from './describeError.ts'
import { probeMulticall3 } from './probeMulticall3.ts'

export interface CheckArchiveDepthParameters {
  readonly subject: string
  /** How the line names the day: `yesterday`, `30 days ago`. */
  readonly label: string
  /** The UTC day whose start block must have state, `YYYY-MM-DD`. */
  readonly date: string
  readonly multicall: Address
}

/**
 * Checks that the endpoint serves state at a day's start block (the last block with
 * `timestamp <= D 00:00 UTC`, the block the report reads first), by an empty Multicall3
 * call pinned to it. A chain younger than the day passes with a note: it has no older state to keep.
 *
 * @param client - client of one RPC endpoint
 * @param finder - block finder of the same endpoint
 * @param parameters - line subject and label, the day, Multicall3's address
 * @returns one check
 */
export async function checkArchiveDepth(
  client: ChainClient,
  finder: BlockFinder,
  { subject, label, date, multicall }: CheckArchiveDepthParameters,
): Promise<Check> {
  const what = `state at the start of ${label} (${date})`
  let block: bigint
  try {
    block = (await finder.lastBlockAtOrBefore(dayBounds(date).start)).number
  } catch (error) {
    if (error instanceof DayNotAvailableError && error.reason === 'before-genesis')
      return pass(subject, `${what}: the chain is younger, no state to keep; ${error.shortMessage}`)
    return fail(subject, `${what}: ${describeError(error)}`)
  }
  try {
    await probeMulticall3(client, multicall, block)
    return pass(subject, `${what} is served (block ${block})`)
  } catch (error) {
    if (isStateUnavailable(error))
      return fail(
        subject,
        `${what}: block ${block} is no longer served, this is not an archive node (${describeError(error)})`,
      )
    return fail(subject, `${what}: block ${block} could not be read: ${describeError(error)}`)
  }
}
