import { performance } from 'node:perf_hooks'
import {
  decodeFunctionData,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  multicall3Abi,
} from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { aggregate3, MAX_CALLDATA_BYTES } from '../../lambda/chain/aggregate3.ts'
import { createBlockReader } from '../../lambda/chain/blockReader.ts'
import {
  chainClientsFor,
  createChainClient,
  type RpcExchange,
} from '../../lambda/chain/createChainClient.ts'
import { createBlockFinder } from '../../lambda/chain/findBlockAtTimestamp.ts'
import type { HexText } from '../../lambda/chain/hexText.ts'
import { isStateUnavailable } from '../../lambda/chain/isStateUnavailable.ts'
import { startRunDeadline } from '../../lambda/chain/runDeadline.ts'
import type { ChainConfig, Config } from '../../lambda/config/schema.ts'
import { ChainUnavailableError, RunTimeoutError } from '../../lambda/errors.ts'
import { renderBalancesCsv } from '../../lambda/output/balancesCsv.ts'
import { renderMetricsCsv } from '../../lambda/output/metricsCsv.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import { dayBounds } from '../../lambda/report/date.ts'
import { devnetTestConfig, lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'
import { type FaultPlan, failFirst, type RpcRequest, startRpcProxy } from '../support/rpcProxy.ts'

// The report read through a JSON-RPC proxy of our own that misbehaves as providers do. Where a
// retry or another URL can succeed, the CSVs must be byte for byte those of a clean run; where
// nothing can, the reads must end in ChainUnavailableError or RunTimeoutError, quickly.

const devnet = sharedDevnet()
const date = lastSimulatedDay()
const { end } = dayBounds(date)
const { rpcUrl: _, ...devnetChain } = devnetTestConfig().chains.devnet!
/** Short timeouts and backoffs keep the suite fast; the behaviour is the production one. */
const FAST = { timeoutMs: 500, retryCount: 5, retryDelayMs: 20 } satisfies Partial<ChainConfig>
const proxies: Awaited<ReturnType<typeof startRpcProxy>>[] = []
const table: { case: string; outcome: string; ms: number }[] = []
let clean: string

function configFor(urls: readonly string[], chain: Partial<ChainConfig> = {}): Config {
  return {
    ...devnetTestConfig(),
    chains: { devnet: { ...devnetChain, ...FAST, ...chain, rpcUrls: [...urls] } },
  }
}

function clientFor(config: Config, runTimeoutMs = 60_000) {
  return chainClientsFor({
    config,
    rpcUrls: new Map([['devnet', config.chains.devnet!.rpcUrls!]]),
    deadline: startRunDeadline(runTimeoutMs),
  })
}

/** Both CSVs of the day, as the report writes them. */
async function reportCsv(config: Config): Promise<string> {
  const report = await buildDailyReport({ config, date, clientFor: clientFor(config) })
  return renderMetricsCsv(report) + renderBalancesCsv(report)
}

async function proxy(plan?: FaultPlan) {
  const started = await startRpcProxy(devnet.rpcUrl, plan)
  proxies.push(started)
  return started
}

/** Runs `work`, records how long it took to its outcome, and returns what it gave or threw. */
async function timed<T>(name: string, work: () => Promise<T>) {
  const started = performance.now()
  try {
    const value = await work()
    const ms = Math.round(performance.now() - started)
    table.push({ case: name, outcome: 'same CSV bytes as a clean run', ms })
    return { value, ms }
  } catch (error) {
    const ms = Math.round(performance.now() - started)
    table.push({ case: name, outcome: `${(error as Error).name}: ${oneLine(error)}`, ms })
    return { error: error as Error, ms }
  }
}

function oneLine(error: unknown): string {
  const { shortMessage, message } = error as { shortMessage?: string; message?: string }
  return (shortMessage ?? message ?? String(error)).split('\n')[0]!.slice(0, 110)
}

/** What the report meets on a chain: the block search, then reads at the block it found. */
async function readChain(config: Config, runTimeoutMs?: number) {
  const client = clientFor(config, runTimeoutMs)('devnet')
  const block = await createBlockFinder(client).lastBlockAtOrBefore(end)
  const reader = createBlockReader(client, { blockNumber: block.number, maxCallsPerRequest: 1 })
  const tokens = Object.values(devnet.tokens).slice(0, 8)
  const reads = await Promise.allSettled(
    tokens.map((address) => reader.read({ address, abi: erc20Abi, functionName: 'decimals' })),
  )
  for (const read of reads) if (read.status === 'rejected') throw read.reason
  return reads
}

/** Calls in a Multicall3 `aggregate3` eth_call, decoded here apart from the report's code. */
function aggregateSize({ method, params }: RpcRequest): number {
  if (method !== 'eth_call') return 0
  const { data } = (params ?? [])[0] as { data: Hex }
  const { args } = decodeFunctionData({ abi: multicall3Abi, data })
  return (args[0] as readonly unknown[]).length
}

beforeAll(async () => {
  clean = await reportCsv(configFor([devnet.rpcUrl]))
  expect(clean).toMatch(/,ok,/)
})

afterAll(async () => {
  await Promise.all(proxies.map((started) => started.stop()))
  console.log(
    `RPC fault cases (time to outcome):\n${table
      .map((row) => `${row.case.padEnd(58)} ${String(row.ms).padStart(6)} ms  ${row.outcome}`)
      .join('\n')}`,
  )
})

test.each([
  [
    'HTTP 500, 502, 503 for the first 3 requests',
    (_: RpcRequest, index: number) =>
      index < 3 ? ({ kind: 'status', status: [500, 502, 503][index]! } as const) : undefined,
  ],
  ['malformed JSON for the first 3 requests', failFirst(3, { kind: 'malformed' })],
  ['connection dropped for the first 3 requests', failFirst(3, { kind: 'refuse' })],
  ['no answer for the first 2 requests (timeoutMs 500)', failFirst(2, { kind: 'hang' })],
  [
    'JSON-RPC rate limit (-32005) for the first 3 requests',
    failFirst(3, { kind: 'rpc-error', code: -32005, message: 'request rate exceeded' }),
  ],
])('%s: retried, same CSV bytes', async (name, plan) => {
  const faulty = await proxy(plan)
  const { value } = await timed(name, () => reportCsv(configFor([faulty.url])))
  expect(value).toBe(clean)
  expect(faulty.faults).toBeGreaterThan(0)
})

test('HTTP 429 with Retry-After in seconds, then in HTTP-date form: waited for, same bytes', async () => {
  const seconds = await proxy(failFirst(1, { kind: 'status', status: 429, retryAfter: '1' }))
  const bySeconds = await timed('HTTP 429, Retry-After: 1, first request', () =>
    reportCsv(configFor([seconds.url])),
  )
  expect(bySeconds.value).toBe(clean)
  expect(bySeconds.ms).toBeGreaterThanOrEqual(1000)

  const retryAt = new Date(Date.now() + 2000).toUTCString()
  const byDate = await proxy(failFirst(1, { kind: 'status', status: 429, retryAfter: retryAt }))
  const { value } = await timed('HTTP 429, Retry-After: <HTTP date>, first request', () =>
    reportCsv(configFor([byDate.url])),
  )
  expect(value).toBe(clean)
})

test.each([
  ['refuses connections', async () => (await stopped()).url],
  ['answers HTTP 503 to everything', async () => (await proxy(() => fault503)).url],
  [
    'reports another chain id',
    async () => (await proxy(() => ({ kind: 'chain-id', chainId: 1 }))).url,
  ],
  [
    'answers "missing trie node" to every eth_call (not an archive node)',
    async () =>
      (
        await proxy(({ method }) =>
          method === 'eth_call'
            ? { kind: 'rpc-error', code: -32000, message: 'missing trie node 5c2e1f0b (path )' }
            : undefined,
        )
      ).url,
  ],
])('first URL %s: the second takes over, same CSV bytes', async (name, first) => {
  const config = configFor([await first(), devnet.rpcUrl])
  const { value } = await timed(`fail-over: first URL ${name}`, () => reportCsv(config))
  expect(value).toBe(clean)
})

const fault503 = { kind: 'status', status: 503 } as const

/** A URL where nothing listens: the connection is refused. */
async function stopped() {
  const gone = await startRpcProxy(devnet.rpcUrl)
  await gone.stop()
  return gone
}

test('a gas cap that refuses batches of more than 16 calls: halved until they pass, same bytes', async () => {
  const capped = await proxy((request) =>
    aggregateSize(request) > 16
      ? { kind: 'rpc-error', code: -32000, message: 'gas required exceeds allowance (50000000)' }
      : undefined,
  )
  const { value } = await timed('gas cap: every eth_call of more than 16 calls', () =>
    reportCsv(configFor([capped.url], { maxConcurrentRequests: 8 })),
  )
  expect(value).toBe(clean)
  expect(capped.faults).toBeGreaterThan(10)
})

test('a request body over the node limit, refused as an invalid request (anvil): halved, same bytes', async () => {
  // anvil's answer to a body over its size limit: JSON-RPC -32600 "Invalid request".
  const limited = await proxy((request) =>
    aggregateSize(request) > 16
      ? { kind: 'rpc-error', code: -32600, message: 'Invalid request' }
      : undefined,
  )
  const { value } = await timed('invalid request for every eth_call of more than 16 calls', () =>
    reportCsv(configFor([limited.url], { maxConcurrentRequests: 8 })),
  )
  expect(value).toBe(clean)
  expect(limited.faults).toBeGreaterThan(10)
})

test('a round whose calldata passes a node body limit goes out in requests under it, none refused', async () => {
  // decimals() followed by 1 KB the token ignores: 3,000 calls are 3.5 MB of calldata, and
  // anvil refuses a body over 2 MiB as an invalid request.
  const bodies: number[] = []
  const counting = await proxy((request) => {
    if (request.method === 'eth_call') bodies.push(JSON.stringify(request).length)
    return undefined
  })
  const token = Object.values(devnet.tokens)[0]!
  const data =
    `${encodeFunctionData({ abi: erc20Abi, functionName: 'decimals' })}${'ab'.repeat(1024)}` as Hex
  // A 2 MB request can take anvil more than the fast 500 ms on a loaded machine: no retries.
  const client = clientFor(configFor([counting.url], { timeoutMs: 30_000 }))('devnet')
  const block = await createBlockFinder(client).lastBlockAtOrBefore(end)
  const results = await aggregate3(client, {
    calls: Array.from({ length: 3000 }, () => ({ to: token, data })),
    blockNumber: block.number,
  })
  expect(results.every(({ success }) => success)).toBe(true)
  expect(counting.faults).toBe(0)
  const calldata = 3000 * (5 * 32 + Math.ceil((data.length - 2) / 64) * 32)
  expect(bodies).toHaveLength(Math.ceil(calldata / MAX_CALLDATA_BYTES))
  expect(Math.max(...bodies)).toBeLessThan(2 * 1024 * 1024)
})

test('the transport meters every exchange with the bytes the wire carried', async () => {
  const counting = await proxy()
  const exchanges: RpcExchange[] = []
  const client = createChainClient({
    name: 'devnet',
    chainId: 31337,
    rpcUrl: counting.url,
    onExchange: (exchange) => exchanges.push(exchange),
  })
  const block = await createBlockFinder(client).lastBlockAtOrBefore(end)
  // A long answer too (4,000 decimals() results), which is cut from the bytes unparsed.
  const token = Object.values(devnet.tokens)[0]!
  const data = encodeFunctionData({ abi: erc20Abi, functionName: 'decimals' })
  const results = await aggregate3(client, {
    calls: Array.from({ length: 4000 }, () => ({ to: token, data })),
    blockNumber: block.number,
  })
  expect(results.every(({ success }) => success)).toBe(true)
  expect(exchanges).toHaveLength(counting.requests)
  expect(exchanges.reduce((sum, one) => sum + one.requestBytes, 0)).toBe(counting.requestBytes)
  expect(exchanges.reduce((sum, one) => sum + one.responseBytes, 0)).toBe(counting.forwardedBytes)
  const calls = exchanges.filter((one) => one.method === 'eth_call')
  expect(calls.length).toBeGreaterThanOrEqual(2)
  // The calldata went as the bytes it was written to; the proxy parsed the body as JSON.
  const [callParams, blockTag] = calls.at(-1)!.params as [{ data: HexText }, string]
  expect(callParams.data.bytes.toString('latin1')).toMatch(/^0x82ad56cb[0-9a-f]+$/)
  expect(blockTag).toBe(`0x${block.number.toString(16)}`)
  expect(Math.max(...calls.map((one) => one.responseBytes))).toBeGreaterThan(4000 * 96)
  expect(exchanges.every((one) => one.durationMs >= 0)).toBe(true)
})

test('a node that answers a batch with fewer results than calls: a chain failure naming the counts, no row built', async () => {
  // One result, whatever the batch held, encoded here with viem apart from the report's codec.
  const short = await proxy(({ method }) =>
    method === 'eth_call'
      ? {
          kind: 'result',
          result: encodeAbiParameters(
            [{ type: 'tuple[]', components: [{ type: 'bool' }, { type: 'bytes' }] }],
            [[[true, '0x12']]],
          ),
        }
      : undefined,
  )
  const { error } = await timed('every eth_call answered with one result', () =>
    reportCsv(configFor([short.url])),
  )
  expect(error).toBeInstanceOf(ChainUnavailableError)
  expect(error!.message).toMatch(/aggregate3 returned 1 of \d+ results/)
})

test('halving goes down to single calls, with the same results, reverts included', async () => {
  const capped = await proxy((request) =>
    aggregateSize(request) > 1
      ? { kind: 'rpc-error', code: -32000, message: 'out of gas' }
      : undefined,
  )
  const direct = clientFor(configFor([devnet.rpcUrl]))('devnet')
  const blockNumber = (await createBlockFinder(direct).lastBlockAtOrBefore(end)).number
  // 16 calls: decimals() and symbol() of 7 tokens, and of the Balancer Vault (which revert).
  const targets = [...Object.values(devnet.tokens).slice(0, 7), devnet.balancer.vault]
  const calls = targets.flatMap((to) =>
    (['decimals', 'symbol'] as const).map((functionName) => ({
      to,
      data: encodeFunctionData({ abi: erc20Abi, functionName }),
    })),
  )
  const expected = await aggregate3(direct, { calls, blockNumber })
  expect(expected.some((result) => !result.success)).toBe(true)
  const { value } = await timed('gas cap: every eth_call of more than one call (16 calls)', () =>
    aggregate3(clientFor(configFor([capped.url]))('devnet'), { calls, blockNumber }),
  )
  expect(value).toEqual(expected)
  // A binary split of 16 calls refuses each of its 15 inner batches once.
  expect(capped.faults).toBe(15)
})

test('a response size limit: large answers are refused, the halves pass, same bytes', async () => {
  const limited = await proxy(({ method }) =>
    method === 'eth_call'
      ? { kind: 'response-limit', maxBytes: 3000, code: -32000, message: 'response size exceeded' }
      : undefined,
  )
  const { value } = await timed('response size limit of 3000 bytes per eth_call', () =>
    reportCsv(configFor([limited.url], { maxConcurrentRequests: 8 })),
  )
  expect(value).toBe(clean)
  expect(limited.faults).toBeGreaterThan(0)
})

test('at most maxConcurrentRequests requests are in flight, whatever the reads', async () => {
  const counting = await proxy()
  const { value } = await timed('maxConcurrentRequests 2 (clean proxy)', () =>
    reportCsv(configFor([counting.url], { maxConcurrentRequests: 2 })),
  )
  expect(value).toBe(clean)
  expect(counting.maxInFlight).toBe(2)
})

test.each([
  [
    'HTTP 503 to everything',
    async () => (await proxy(() => fault503)).url,
    /^chain devnet could not be read \(eth_getBlockByNumber\): RPC 1 of 1: HTTP 503$/,
  ],
  [
    'no answer (timeoutMs 500, 5 retries)',
    async () => (await proxy(() => ({ kind: 'hang' }))).url,
    /^chain devnet could not be read \(eth_getBlockByNumber\): RPC 1 of 1: no answer in 500 ms$/,
  ],
  [
    'connection refused',
    async () => (await stopped()).url,
    /^chain devnet could not be read \(.*\): RPC 1 of 1: connection failed \(ECONNREFUSED\)$/,
  ],
  [
    'another chain id',
    async () => (await proxy(() => ({ kind: 'chain-id', chainId: 1 }))).url,
    /^chain devnet could not be read \(.*\): RPC 1 of 1 reports chain id 1, the config says 31337$/,
  ],
  [
    'HTTP 429 asking to wait an hour',
    async () => (await proxy(() => ({ kind: 'status', status: 429, retryAfter: '3600' }))).url,
    /RPC 1 of 1: asks to wait 3600 s, more than the run has left$/,
  ],
])('the only URL: %s: ChainUnavailableError naming the chain', async (name, url, message) => {
  const config = configFor([await url()])
  const { error } = await timed(`only URL: ${name}`, () => readChain(config))
  expect(error).toBeInstanceOf(ChainUnavailableError)
  expect(error).not.toBeInstanceOf(RunTimeoutError)
  expect(error!.message).toMatch(message)
  expect(error!.message).not.toContain(devnet.rpcUrl)
})

test('a provider that never answers: the run ends at its time limit, not at the retries', async () => {
  const silent = await proxy(() => ({ kind: 'hang' }))
  // The production request timeout (10 s) and retries would take a minute: the deadline wins.
  const config = configFor([silent.url], { timeoutMs: 10_000, retryCount: 4, retryDelayMs: 500 })
  const { error, ms } = await timed('only URL never answers, run limit 1.5 s', () =>
    readChain(config, 1500),
  )
  expect(error).toBeInstanceOf(RunTimeoutError)
  expect(error!.message).toBe('the run reached its time limit of 1.5 s')
  expect(ms).toBeLessThan(3000)
})

test('reads queued behind hung requests all end at the deadline, at once', async () => {
  // The block search passes (a few requests), then every eth_call hangs: 2 in flight, 6 queued.
  const stuck = await proxy(({ method }) => (method === 'eth_call' ? { kind: 'hang' } : undefined))
  const config = configFor([stuck.url], { timeoutMs: 10_000, maxConcurrentRequests: 2 })
  const { error, ms } = await timed('eth_calls hang after the block search, limit 1.5 s', () =>
    readChain(config, 1500),
  )
  expect(error).toBeInstanceOf(RunTimeoutError)
  expect(ms).toBeLessThan(3000)
  expect(stuck.maxInFlight).toBeLessThanOrEqual(2)
})

test('the only URL is not an archive node: the "missing trie node" answer surfaces for the stored-day fallback', async () => {
  const pruned = await proxy(({ method }) =>
    method === 'eth_call'
      ? { kind: 'rpc-error', code: -32000, message: 'missing trie node 5c2e1f0b (path )' }
      : undefined,
  )
  const { error } = await timed('only URL answers "missing trie node"', () =>
    readChain(configFor([pruned.url])),
  )
  expect(error).not.toBeInstanceOf(ChainUnavailableError)
  expect(isStateUnavailable(error)).toBe(true)
  // Not retried: one eth_call per read (8 reads, some still on their way when the first fails).
  await expect.poll(() => pruned.faults).toBe(8)
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(pruned.faults).toBe(8)
})
