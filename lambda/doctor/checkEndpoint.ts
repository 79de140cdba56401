import type { Address } from 'viem'
import type { ChainClient } from '../chain/createChainClient.ts'
import { createBlockFinder } from '../chain/findBlockAtTimestamp.ts'
import { addDays } from '../report/date.ts'
import { type Check, fail, pass } from './check.ts'
import { checkArchiveDepth } from './checkArchiveDepth.ts'
import { checkMulticall3 } from './checkMulticall3.ts'
import { describeError } from './describeError.ts'
import type { GasCapCheckParameters } from './gasCapCheck.ts'
import { measureCallGas } from './measureCallGas.ts'

export interface CheckEndpointParameters {
  readonly subject: string
  readonly chain: string
  readonly chainId: number
  readonly multicall: Address
  /** Today in UTC, `YYYY-MM-DD`: archive depth is counted back from it. */
  readonly today: string
}

/** What one RPC endpoint showed. */
export interface EndpointReport {
  /** Whether it answered at all. */
  readonly answered: boolean
  /** Whether Multicall3 answered on it, so that feeds and pools can be read through it. */
  readonly readable: boolean
  /** Chain id, archive depth at yesterday and at 30 days ago, Multicall3, in that order. */
  readonly checks: readonly Check[]
  /** The gas one `eth_call` gets, for the gas cap line (which needs the pools' reads too). */
  readonly callGas: GasCapCheckParameters['callGas']
}

/** Days back of the older archive check: a month of backfill. */
const ARCHIVE_DAYS = 30

/**
 * Runs the checks of one RPC endpoint: the chain id it reports, whether it serves state at
 * the start of yesterday and of 30 days ago, Multicall3, and the gas of one `eth_call`.
 * An endpoint that does not answer fails every line at once, after the client's retries.
 *
 * @param client - client of this endpoint alone
 * @param parameters - line subject, chain name and id, Multicall3 address, today's date
 * @returns the checks and the measured gas
 */
export async function checkEndpoint(
  client: ChainClient,
  { subject, chain, chainId, multicall, today }: CheckEndpointParameters,
): Promise<EndpointReport> {
  let reported: number
  try {
    reported = await client.getChainId()
  } catch (error) {
    const why = `the RPC does not answer: ${describeError(error)}`
    const skipped = fail(subject, 'not checked: the RPC does not answer')
    return {
      answered: false,
      readable: false,
      checks: [fail(subject, why), skipped, skipped, skipped],
      callGas: { error: 'the RPC does not answer' },
    }
  }
  const chainIdCheck =
    reported === chainId
      ? pass(subject, `chain id ${reported} matches`)
      : fail(
          subject,
          `chain id is ${reported}, the config says ${chainId}: this RPC URL serves another chain`,
        )
  const finder = createBlockFinder(client)
  const archive = (label: string, date: string) =>
    checkArchiveDepth(client, finder, { subject, label, date, multicall })
  // Yesterday first: its search brackets the older one.
  const yesterday = await archive('yesterday', addDays(today, -1))
  const [monthAgo, multicall3, callGas] = await Promise.all([
    archive(`${ARCHIVE_DAYS} days ago`, addDays(today, -ARCHIVE_DAYS)),
    client
      .getBlockNumber()
      .then((blockNumber) => checkMulticall3(client, { subject, chain, multicall, blockNumber }))
      .catch((error: unknown) => fail(subject, `Multicall3: ${describeError(error)}`)),
    measureCallGas(client).then(
      (gas) => ({ gas }),
      (error: unknown) => ({ error: describeError(error) }),
    ),
  ])
  return {
    answered: true,
    readable: multicall3.passed,
    checks: [chainIdCheck, yesterday, monthAgo, multicall3],
    callGas,
  }
}
