import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { hexToBigInt } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createChainClient } from '../../lambda/chain/createChainClient.ts'
import { createLocalDigestSender } from '../../lambda/email/localDigestSender.ts'
import { loadDigestRenderer } from '../../lambda/email/renderDigest.ts'
import { createLocalStore } from '../../lambda/output/localStore.ts'
import { addDays } from '../../lambda/report/date.ts'
import { type RunReportDeps, runReport } from '../../lambda/runReport.ts'
import { devnetTestConfig, lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'
import { startRpcProxy } from '../support/rpcProxy.ts'

const devnet = sharedDevnet()
const config = devnetTestConfig()
const date = lastSimulatedDay()
let dir: string
let pruned: Awaited<ReturnType<typeof startRpcProxy>>
/** The node behind the proxy no longer holds the state of blocks up to this one. */
let prunedUpTo = 0n

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pool-report-stored-'))
  // What geth answers for an eth_call at a block whose state it has pruned.
  pruned = await startRpcProxy(devnet.rpcUrl, ({ method, params }) => {
    const block = params?.[1]
    if (method !== 'eth_call' || typeof block !== 'string' || !block.startsWith('0x'))
      return undefined
    return hexToBigInt(block as `0x${string}`) <= prunedUpTo
      ? {
          kind: 'rpc-error',
          code: -32000,
          message: 'missing trie node 5c2e1f0b8a3d9e4c7b6a5f4e3d2c1b0a (path ) <nil>',
        }
      : undefined
  })
})
afterAll(async () => {
  await pruned.stop()
  await rm(dir, { recursive: true, force: true })
})

async function deps(out: string, rpcUrl: string): Promise<RunReportDeps> {
  const store = createLocalStore(path.join(dir, out))
  return {
    config,
    configHash: 'test',
    clientFor: (name) => createChainClient({ name, chainId: 31337, rpcUrl }),
    store,
    renderDigest: await loadDigestRenderer(),
    sender: createLocalDigestSender(store),
    defaultFrom: 'report@example.com',
  }
}

const csv = (out: string, key: string) =>
  readFile(path.join(dir, out, key), 'utf8').then(
    (text) => parse(text, { columns: true }) as Record<string, string>[],
  )

test('a node without the start block’s state: the day starts from the stored end of the day before', async () => {
  // An archive run of both days, then a run of the last day through a pruned node.
  const archive = await deps('archive', devnet.rpcUrl)
  await runReport(archive, { date: addDays(date, -1), noEmail: true })
  const reference = await runReport(archive, { date, noEmail: true })
  prunedUpTo = reference.report.chains[0]!.start.number

  const withPrunedNode = { ...(await deps('archive', pruned.url)), store: archive.store }
  const fallback = await runReport(withPrunedNode, { date, noEmail: true })
  expect(fallback.poolsFailed).toBe(reference.poolsFailed)

  const [expected, actual] = [reference.report.pools, fallback.report.pools]
  for (const [i, day] of actual.entries()) {
    const want = expected[i]!
    if (want.status !== 'ok' || day.status !== 'ok') continue
    // The stored end of the day before is the same block, so every number is the same.
    expect(day.metrics, day.pool.id).toEqual(want.metrics)
    expect(day.tokens, day.pool.id).toEqual(want.tokens)
    expect(day.note).toMatch(/start snapshot from the stored end of the previous day \(block \d+\)/)
  }
  const rows = await csv('archive', `metrics/dt=${date}/metrics.csv`)
  const ok = rows.filter((row) => row.status === 'ok')
  expect(ok.length).toBeGreaterThan(10)
  for (const row of ok)
    expect(row.error, row.pool_id).toMatch(/^start snapshot from the stored end/)
  const manifest = JSON.parse(
    await readFile(path.join(dir, 'archive', `runs/dt=${date}/manifest.json`), 'utf8'),
  )
  expect(manifest.notes).toHaveLength(ok.length)
})

test('without a stored end of the day before, such pools are error rows that say why', async () => {
  const alone = await deps('alone', pruned.url)
  const result = await runReport(alone, { date, noEmail: true })
  expect(result.poolsOk).toBe(0)
  for (const day of result.report.pools) {
    expect('error' in day && day.error, day.pool.id).toMatch(
      /the RPC cannot serve the state of the start block \d+ and no end snapshot of the previous day is stored/,
    )
  }
})
