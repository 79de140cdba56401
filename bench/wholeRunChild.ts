/**
 * One measured run of the whole report (config file to files and rendered email) in a process
 * of its own, so that its peak memory is the run's alone. Started by `bench/wholeRun.ts`
 * (bundled like the Lambda function): `node child.mjs CONFIG DATE OUT_DIR`. Prints one JSON
 * line of timings (epoch milliseconds) and memory.
 */
import path from 'node:path'
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8'
import { createChainClient, type RpcExchange } from '../lambda/chain/createChainClient.ts'
import { loadConfigFile } from '../lambda/config/loadConfig.ts'
import { createLocalDigestSender } from '../lambda/email/localDigestSender.ts'
import { loadDigestRenderer } from '../lambda/email/renderDigest.ts'
import { createLocalStore } from '../lambda/output/localStore.ts'
import { objectKeys } from '../lambda/output/objectKeys.ts'
import type { ObjectStore } from '../lambda/output/objectStore.ts'
import { runReport } from '../lambda/runReport.ts'
import { tuneGarbageCollector } from '../lambda/runtime/tuneGarbageCollector.ts'

const [configFile, date, out] = process.argv.slice(2) as [string, string, string]
// As the function's handler and the CLI do when they load.
tuneGarbageCollector()
const now = () => performance.timeOrigin + performance.now()

let heapPeak = 0
/** Where the memory was when the resident set was largest (sampled with the heap). */
let atRssPeak = { rss: 0, heapCommitted: 0, external: 0, at: 0 }
const snapshotAboveMb = Number(process.env.BENCH_SNAPSHOT_ABOVE_MB ?? Number.POSITIVE_INFINITY)
const sampleHeap = () => {
  const used = getHeapStatistics().used_heap_size
  heapPeak = Math.max(heapPeak, used)
  const rss = process.memoryUsage.rss()
  if (rss > atRssPeak.rss) {
    const { heapTotal, external } = process.memoryUsage()
    atRssPeak = { rss, heapCommitted: heapTotal, external, at: now() }
  }
  if (used > snapshotAboveMb * 2 ** 20) {
    global.gc?.()
    if (getHeapStatistics().used_heap_size > snapshotAboveMb * 2 ** 20) {
      writeHeapSnapshot(path.join(process.env.BENCH_SNAPSHOT_DIR ?? '.', 'peak.heapsnapshot'))
      process.exit(3)
    }
  }
}
const sampler = setInterval(sampleHeap, 10)
/** Heap in use when each phase ends, to see which phase holds memory. */
const heapAt: Record<string, number> = {}
const markHeap = (phase: string) => {
  if (phase in heapAt) return
  // Live memory only (the child runs with --expose-gc).
  global.gc?.()
  heapAt[phase] = getHeapStatistics().used_heap_size
  if (process.env.BENCH_SNAPSHOT_AT === phase)
    writeHeapSnapshot(path.join(process.env.BENCH_SNAPSHOT_DIR ?? '.', `${phase}.heapsnapshot`))
}

const started = now()
const { config, configHash } = await loadConfigFile(configFile)
const configLoaded = now()
markHeap('config loaded')

/** What went over JSON-RPC, metered by the transport (a relay would share the two cores). */
const rpc = {
  httpRequests: 0,
  byMethod: {} as Record<string, number>,
  /** `eth_call`s by the block they are pinned to. */
  callsByBlock: {} as Record<string, number>,
  requestBytes: 0,
  responseBytes: 0,
  /** Epoch milliseconds when the first `eth_call` was sent and the last one answered. */
  firstCallAt: 0,
  lastCallAnsweredAt: 0,
}
const meter = ({ method, params, requestBytes, responseBytes, durationMs }: RpcExchange) => {
  const answeredAt = now()
  rpc.httpRequests++
  rpc.byMethod[method] = (rpc.byMethod[method] ?? 0) + 1
  rpc.requestBytes += requestBytes
  rpc.responseBytes += responseBytes
  if (method !== 'eth_call') return
  const block = String((params as unknown[] | undefined)?.[1] ?? 'latest')
  rpc.callsByBlock[block] = (rpc.callsByBlock[block] ?? 0) + 1
  const sentAt = answeredAt - durationMs
  rpc.firstCallAt = rpc.firstCallAt ? Math.min(rpc.firstCallAt, sentAt) : sentAt
  rpc.lastCallAnsweredAt = Math.max(rpc.lastCallAnsweredAt, answeredAt)
}

const marks = { firstPut: 0, manifestWritten: 0, renderMs: 0, sendMs: 0, bytesWritten: 0 }
const local = createLocalStore(out)
const store: ObjectStore = {
  ...local,
  async put(key, body, contentType) {
    marks.firstPut ||= now()
    markHeap('report built')
    sampleHeap()
    marks.bytesWritten += typeof body === 'string' ? Buffer.byteLength(body) : body.length
    await local.put(key, body, contentType)
    if (key === objectKeys.manifest(date)) {
      marks.manifestWritten ||= now()
      markHeap('files written')
    }
  },
}
const render = await loadDigestRenderer()
const sender = createLocalDigestSender(store)
const result = await runReport(
  {
    config,
    configHash,
    clientFor: (name) =>
      createChainClient({
        name,
        chainId: config.chains[name]!.chainId,
        rpcUrl: config.chains[name]!.rpcUrl!,
        onExchange: meter,
      }),
    store,
    renderDigest: (view) => {
      const t = now()
      sampleHeap()
      const rendered = render(view)
      sampleHeap()
      marks.renderMs += now() - t
      return rendered
    },
    sender: {
      async send(input) {
        const t = now()
        const sent = await sender.send(input)
        marks.sendMs += now() - t
        return sent
      },
    },
    defaultFrom: 'bench@localhost',
  },
  { date, force: true },
)
const finished = now()
markHeap('run done')
clearInterval(sampler)
sampleHeap()
process.stdout.write(
  `${JSON.stringify({
    started,
    configLoaded,
    ...marks,
    finished,
    poolsOk: result.poolsOk,
    poolsFailed: result.poolsFailed,
    errors: [
      ...new Set(result.report.pools.flatMap((day) => (day.status === 'error' ? [day.error] : []))),
    ].slice(0, 5),
    emails: result.emails.map((email) => email.status),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    heapPeakBytes: heapPeak,
    atRssPeak,
    heapAt,
    rpc,
  })}\n`,
)
