import type { Address } from 'viem'
import { DEFAULT_MAX_CALLS_PER_REQUEST, MULTICALL3_ADDRESS } from '../chain/aggregate3.ts'
import { createBlockReader } from '../chain/blockReader.ts'
import type { ChainClient } from '../chain/createChainClient.ts'
import type { Config } from '../config/schema.ts'
import { measureGasPerCall, recordBatches } from './batchGas.ts'
import { type Check, fail } from './check.ts'
import { checkEndpoint } from './checkEndpoint.ts'
import { checkPools } from './checkPools.ts'
import { checkPriceFeeds } from './checkPriceFeeds.ts'
import { describeError } from './describeError.ts'
import { type GasCapCheckParameters, gasCapCheck } from './gasCapCheck.ts'

export interface RunDoctorParameters {
  readonly config: Config
  /** Every RPC URL of each chain: each one is checked on its own. */
  readonly rpcUrls: ReadonlyMap<string, readonly string[]>
  /** A client of one chain that uses only the given URL. */
  readonly clientFor: (chain: string, rpcUrl: string) => ChainClient
  readonly now: Date
}

/**
 * Checks that each chain of a config can be reported on: per RPC URL the chain id,
 * archive depth, Multicall3 and the gas cap of one `eth_call`; per chain each price feed's
 * age and each pool's protocol. Chains are checked in parallel; URLs never appear in
 * the output (provider URLs carry API keys).
 *
 * @param parameters - config, RPC URLs, a client factory, the clock
 * @returns the checks, chain by chain in config order
 */
export async function runDoctor({
  config,
  rpcUrls,
  clientFor,
  now,
}: RunDoctorParameters): Promise<Check[]> {
  const today = now.toISOString().slice(0, 10)
  const perChain = await Promise.all(
    Object.keys(config.chains).map(async (chain) => {
      const urls = rpcUrls.get(chain) ?? []
      const checks = await doctorChain(config, chain, urls, clientFor, today)
      // viem quotes the URL in some messages: hide it, as the report does.
      const redact = (text: string) =>
        urls.reduce((result, url) => result.split(url).join('<rpc url>'), text)
      return checks.map((check) => ({ ...check, message: redact(check.message) }))
    }),
  )
  return perChain.flat()
}

async function doctorChain(
  config: Config,
  chain: string,
  urls: readonly string[],
  clientFor: RunDoctorParameters['clientFor'],
  today: string,
): Promise<Check[]> {
  const {
    chainId,
    multicall3,
    maxCallsPerRequest = DEFAULT_MAX_CALLS_PER_REQUEST,
  } = config.chains[chain]!
  const multicall = (multicall3 ?? MULTICALL3_ADDRESS) as Address
  const pools = config.pools.filter((pool) => pool.chain === chain)
  const prices = Object.entries(config.prices).filter(([key]) => key.startsWith(`${chain}:`))
  const clients = urls.map((url) => clientFor(chain, url))
  const subjects = urls.map((_, i) =>
    urls.length === 1 ? `chain ${chain}` : `chain ${chain} rpc ${i + 1}/${urls.length}`,
  )
  const endpoints = await Promise.all(
    clients.map((client, i) =>
      checkEndpoint(client, { subject: subjects[i]!, chain, chainId, multicall, today }),
    ),
  )

  // Feeds and pools are read once per chain, through the first URL that can.
  const client = clients.find((_, i) => endpoints[i]!.readable)
  const notChecked = (why: string) => ({
    contracts: [
      ...prices
        .filter(([, source]) => source.chainlink)
        .map(([key]) => fail(`feed ${key}`, `not checked: ${why}`)),
      ...pools.map((pool) => fail(`pool ${pool.id}`, `not checked: ${why}`)),
    ],
    perCall: { missing: 'no pool read to size a batch by' },
  })
  const { contracts, perCall } =
    client === undefined
      ? notChecked(
          endpoints.some((endpoint) => endpoint.answered)
            ? `Multicall3 does not answer on chain ${chain}`
            : `no RPC URL of chain ${chain} answers`,
        )
      : await readContracts(client, {
          multicall,
          maxCallsPerRequest,
          prices,
          pools,
          chainConfig: config.chains[chain]!,
        }).catch(
          // The latest block could not be had: the endpoint went away after its own checks.
          (error: unknown) =>
            notChecked(`the latest block could not be read: ${describeError(error)}`),
        )

  return [
    ...endpoints.flatMap((endpoint, i) => [
      ...endpoint.checks,
      gasCapCheck({
        subject: subjects[i]!,
        chain,
        callGas: endpoint.callGas,
        perCall,
        maxCallsPerRequest,
      }),
    ]),
    ...contracts,
  ]
}

/** Reads the chain's feeds and pools at the latest block, and sizes the batches it sent. */
async function readContracts(
  client: ChainClient,
  {
    multicall,
    maxCallsPerRequest,
    prices,
    pools,
    chainConfig,
  }: {
    readonly chainConfig: Parameters<typeof checkPools>[2]
    readonly multicall: Address
    readonly maxCallsPerRequest: number
    readonly prices: Parameters<typeof checkPriceFeeds>[2]
    readonly pools: Parameters<typeof checkPools>[1]
  },
): Promise<{ contracts: Check[]; perCall: GasCapCheckParameters['perCall'] }> {
  const recorder = recordBatches(client)
  const latest = await client.getBlock({ blockTag: 'latest' })
  const reader = createBlockReader(recorder.client, {
    blockNumber: latest.number,
    multicallAddress: multicall,
    maxCallsPerRequest,
  })
  const [feeds, poolChecks] = await Promise.all([
    checkPriceFeeds(reader, latest.timestamp, prices),
    checkPools(reader, pools, chainConfig),
  ])
  const batch = recorder.largest()
  const perCall = batch
    ? await measureGasPerCall(client, batch, latest.number).then(
        (gas) => ({ gas }),
        (error: unknown) => ({ error: describeError(error) }),
      )
    : { missing: 'no pool or feed on this chain to size a batch by' }
  return { contracts: [...feeds, ...poolChecks], perCall }
}
