/**
 * `npm run bench:run`: the whole daily run (config to files and rendered email) over N
 * distinct pools of every protocol on a local anvil. It builds a one-day devnet, copies its
 * Uniswap V2, Uniswap V3 and Curve pools to new addresses (code and storage, see
 * `clonePools.ts`), its Balancer pools to new addresses and pool ids in the Vault
 * (`cloneBalancerPools.ts`) and its Uniswap V4 pools to new keys in the `PoolManager`
 * (`cloneV4Pools.ts`), lets a day pass over the copies, then runs the report for that day in a
 * fresh process per N (bundled like the Lambda function) and prints, per N: JSON-RPC
 * requests by kind and bytes (metered by the report's transport, `onExchange`, so that no
 * relay shares the two cores), wall time by phase, peak memory and where it was at its
 * peak, and the CPU time of the report process and of the node. Sizes: `BENCH_SIZES`
 * (default `1000,10000`). The measured process runs with the report function's V8 flags and a
 * 320 MiB old space, a 512 MB budget (`BENCH_V8_FLAGS` and `BENCH_HEAP_MB` change them, `0` for
 * no limit). `BENCH_PROFILE=heap` (or `cpu`) writes a heap (or CPU) profile of each run under
 * `bench/profiles/`, `BENCH_SNAPSHOT_AT=PHASE` a heap snapshot when the phase ends (`report
 * built`, `files written`, `run done`), and `BENCH_STDOUT=FILE` keeps the process's output
 * (with `BENCH_V8_FLAGS='--max-semi-space-size=64 --trace-gc'`, its GC log). The heap figures
 * per phase are live memory (after a full GC).
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import type { Address } from 'viem'
import { buildDevnet, lastUtcMidnight } from '../devnet/buildDevnet.ts'
import { devnetConfig } from '../devnet/devnetConfig.ts'
import { DevnetWallet } from '../devnet/devnetWallet.ts'
import {
  BUNDLE_TARGET,
  CHARTS_ENTRY,
  CHARTS_FILE,
  ESM_REQUIRE_BANNER,
  REPORT_V8_FLAGS,
  ROOT,
} from '../infra/bundling.ts'
import type { Config } from '../lambda/config/schema.ts'
import { poolIdOf } from '../lambda/protocols/uniswapV4/poolKey.ts'
import { HEAP_GROWING_FLAG } from '../lambda/runtime/tuneGarbageCollector.ts'
import { cloneBalancerPools } from './cloneBalancerPools.ts'
import { clonePools, readNodeState } from './clonePools.ts'
import { cloneV4Pools, readPoolKeyAt } from './cloneV4Pools.ts'

const DAY = 86_400n
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number)
/**
 * Old-space limit of the measured process (MiB): 320 keeps the whole process within 512 MB,
 * the design's budget, as a function's memory bounds its heap.
 */
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? 320)
/** The function's V8 flags (`REPORT_V8_FLAGS`); `BENCH_V8_FLAGS=` measures Node's defaults. */
const V8_FLAGS = (process.env.BENCH_V8_FLAGS ?? REPORT_V8_FLAGS.join(' '))
  .split(' ')
  .filter(Boolean)
/** The chain's `maxCallsPerRequest` (the report's default when unset). */
const CALLS_PER_REQUEST = Number(process.env.BENCH_CALLS_PER_REQUEST ?? 0)
const PROFILE = process.env.BENCH_PROFILE
if (PROFILE !== undefined && PROFILE !== 'heap' && PROFILE !== 'cpu')
  throw new Error('BENCH_PROFILE is heap or cpu')
/** Linux's `USER_HZ`, the unit of `/proc` CPU times (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_SECOND = 100

/** Feeds stop moving when the simulation ends; the measured day is the one after. */
const FEED_MAX_AGE_SECONDS = 3 * 86_400

// The simulated day ends three days ago, so that the measured day (the next) is over.
const endTime = lastUtcMidnight(new Date()) - 3n * DAY
const work = await mkdtemp(path.join(tmpdir(), 'bench-run-'))
const setupStarted = performance.now()
const devnet = await buildDevnet({ days: 1, endTime })
try {
  const wallet = new DevnetWallet(devnet.rpcUrl)
  const baseConfig = devnetConfig(devnet)
  const isBalancer = (pool: Config['pools'][number]) =>
    pool.protocol === 'balancer-weighted' || pool.protocol === 'balancer-stable'
  const addressed = baseConfig.pools.filter(
    (pool): pool is typeof pool & { address: Address } =>
      'address' in pool && pool.id !== 'misconfigured-not-a-pair',
  )
  const contracts = addressed.filter((pool) => !isBalancer(pool))
  const balancer = addressed.filter(isBalancer)
  const v4Pools = baseConfig.pools.filter((pool) => pool.protocol === 'uniswap-v4')
  const sources = [...contracts, ...balancer, ...v4Pools]
  const largest = Math.max(...SIZES)
  // Every source gets the same number of copies (within one), so every N mixes the protocols alike.
  const copies = (pool: (typeof sources)[number]) =>
    Math.ceil((largest - sources.indexOf(pool)) / sources.length)
  const state = await readNodeState(wallet)
  const clonedContracts = await clonePools(
    wallet,
    state,
    contracts.map((pool) => ({ address: pool.address, copies: copies(pool) })),
  )
  const clonedBalancer = await cloneBalancerPools(
    wallet,
    devnet.rpcUrl,
    state,
    balancer.map((pool) => ({ address: pool.address, copies: copies(pool) })),
  )
  const v4 = devnet.uniswapV4
  const v4Keys = await Promise.all(
    v4Pools.map((pool) => readPoolKeyAt(devnet.rpcUrl, v4.positionManager, pool.poolId)),
  )
  const clonedV4 = await cloneV4Pools(
    wallet,
    state,
    v4.poolManager,
    v4Keys.map((key, i) => ({ key, copies: copies(v4Pools[i]!) })),
  )
  const byAddress =
    (pools: readonly (typeof addressed)[number][]) =>
    ({ clones }: { clones: readonly Address[] }, i: number) =>
      clones.map((address, j) => ({ ...pools[i]!, id: `${pools[i]!.id}-${j}`, address }))
  const copiesBySource: Config['pools'][number][][] = [
    ...clonedContracts.map(byAddress(contracts)),
    ...clonedBalancer.map(byAddress(balancer)),
    ...clonedV4.map(({ clones }, i) =>
      clones.map((key, j) => ({
        ...v4Pools[i]!,
        id: `${v4Pools[i]!.id}-${j}`,
        poolId: poolIdOf(key),
        key,
      })),
    ),
  ]
  // Copies exist from the block after the simulation; the measured day starts after them.
  const day = endTime + DAY
  await wallet.mine(endTime + 60n)
  await wallet.mine(day)
  await wallet.mine(day + DAY)
  await wallet.mine(day + DAY + 12n)
  const date = new Date(Number(day) * 1000).toISOString().slice(0, 10)
  process.stdout.write(
    `Report process: node ${[...V8_FLAGS, ...(HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : [])].join(' ')}, and ${HEAP_GROWING_FLAG} set as it starts (tuneGarbageCollector)\n`,
  )
  process.stdout.write(
    `Devnet and ${largest} pool copies ready in ${seconds(performance.now() - setupStarted)}; measuring ${date}.\n`,
  )

  // Inside the repository, so that the bundle finds what it loads from node_modules at run
  // time (resvg's WebAssembly), as the Lambda finds it beside its bundle.
  const child = path.join(ROOT, '.devnet', 'bench', 'child.mjs')
  await build({
    entryPoints: [path.join(ROOT, 'bench', 'wholeRunChild.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    // Not minified: profiles keep their function names.
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'error',
  })
  // The chart drawer beside it, loaded on first use as in the Lambda (see loadDrawCharts).
  const charts = path.join(path.dirname(child), CHARTS_FILE)
  await build({
    entryPoints: [path.join(ROOT, CHARTS_ENTRY)],
    outfile: charts,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    logLevel: 'error',
  })
  const rows = []
  for (const size of SIZES) {
    // Interleaved, so that every N mixes the protocols in the same proportions.
    const pools = interleave(copiesBySource).slice(0, size)
    const config: Config = {
      ...baseConfig,
      chains: {
        devnet: {
          chainId: 31337,
          uniswapV4: baseConfig.chains.devnet!.uniswapV4,
          rpcUrl: devnet.rpcUrl,
          ...(CALLS_PER_REQUEST && { maxCallsPerRequest: CALLS_PER_REQUEST }),
        },
      },
      prices: Object.fromEntries(
        Object.entries(baseConfig.prices).map(([key, source]) => [
          key,
          source.chainlink ? { ...source, maxAgeSeconds: FEED_MAX_AGE_SECONDS } : source,
        ]),
      ),
      pools,
    }
    const configFile = path.join(work, `config-${size}.json`)
    await writeFile(configFile, JSON.stringify(config))
    const nodeCpuBefore = await processCpuSeconds(devnet.anvil.pid)
    const row = await measure(child, configFile, date, path.join(work, `out-${size}`))
    const nodeCpu = (await processCpuSeconds(devnet.anvil.pid)) - nodeCpuBefore
    rows.push({ ...row, 'node CPU s': Number(nodeCpu.toFixed(1)) })
  }
  console.table(rows)
} finally {
  await devnet.anvil.stop()
  await rm(work, { recursive: true, force: true })
}

async function measure(child: string, configFile: string, date: string, out: string) {
  const profiles = path.join(ROOT, 'bench', 'profiles')
  await mkdir(profiles, { recursive: true })
  const run = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      ...V8_FLAGS,
      ...(HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : []),
      ...(PROFILE ? [`--${PROFILE}-prof`, `--${PROFILE}-prof-dir=${profiles}`] : []),
      child,
      configFile,
      date,
      out,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 2 ** 26,
      env: {
        ...process.env,
        TEMPLATES_DIR: path.join(ROOT, 'templates'),
        CHARTS_MODULE: path.join(path.dirname(child), CHARTS_FILE),
        BENCH_SNAPSHOT_DIR: profiles,
      },
    },
  )
  if (process.env.BENCH_STDOUT) await writeFile(process.env.BENCH_STDOUT, run.stdout)
  const figures = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    started: number
    configLoaded: number
    firstPut: number
    manifestWritten: number
    renderMs: number
    sendMs: number
    finished: number
    poolsOk: number
    poolsFailed: number
    errors: string[]
    maxRssBytes: number
    heapPeakBytes: number
    atRssPeak: { rss: number; heapCommitted: number; external: number; at: number }
    bytesWritten: number
    heapAt: Record<string, number>
    cpuMs: number
    /** What the child's transport metered (see `wholeRunChild.ts`). */
    rpc: {
      byMethod: Record<string, number>
      callsByBlock: Record<string, number>
      requestBytes: number
      responseBytes: number
      firstCallAt: number
      lastCallAnsweredAt: number
    }
  }
  const { rpc } = figures
  const phaseAt = (at: number) =>
    at < figures.configLoaded
      ? 'loading the config'
      : at < rpc.firstCallAt
        ? 'in the block search'
        : at < rpc.lastCallAnsweredAt
          ? 'in the reads'
          : at < figures.firstPut
            ? 'in the metrics'
            : at < figures.manifestWritten
              ? 'writing files'
              : 'in the email'
  const pools = figures.poolsOk + figures.poolsFailed
  process.stdout.write(
    `${pools} pools, heap in use: ${Object.entries(figures.heapAt)
      .map(([phase, bytes]) => `${phase} ${mb(bytes)} MB`)
      .join(', ')}; at the RSS peak (${mb(figures.atRssPeak.rss)} MB, ${phaseAt(
      figures.atRssPeak.at,
    )}) the heap had ${mb(
      figures.atRssPeak.heapCommitted,
    )} MB committed and buffers ${mb(figures.atRssPeak.external)} MB\n`,
  )
  if (figures.errors.length > 0) process.stdout.write(`errors: ${figures.errors.join('\n')}\n`)
  const blocks = Object.values(rpc.callsByBlock)
  const ms = (from: number, to: number) => Math.round(to - from)
  const emailMs = figures.renderMs + figures.sendMs
  const total = Object.values(rpc.byMethod).reduce((sum, count) => sum + count, 0)
  const size = (await readFile(configFile)).length
  return {
    pools,
    ok: figures.poolsOk,
    'JSON-RPC': total,
    'block search': total - (rpc.byMethod.eth_call ?? 0),
    'eth_call per block': blocks.join('/'),
    'request MB': mb(rpc.requestBytes),
    'response MB': mb(rpc.responseBytes),
    'config ms': ms(figures.started, figures.configLoaded),
    'block search ms': ms(figures.configLoaded, rpc.firstCallAt!),
    'reads ms': ms(rpc.firstCallAt!, rpc.lastCallAnsweredAt!),
    'metrics+csv ms': ms(rpc.lastCallAnsweredAt!, figures.firstPut),
    'files ms': ms(figures.firstPut, figures.manifestWritten),
    'email ms': Math.round(emailMs),
    'total s': Number(((figures.finished - figures.started) / 1000).toFixed(1)),
    'CPU s': Number((figures.cpuMs / 1000).toFixed(1)),
    'peak RSS MB': mb(figures.maxRssBytes),
    'peak heap MB': mb(figures.heapPeakBytes),
    'config KB': Math.round(size / 1024),
    'files MB': mb(figures.bytesWritten),
  }
}

/**
 * CPU seconds (user and system) a process has used, from Linux's `/proc/PID/stat`; NaN where
 * there is none. The node's share of a run tells its work apart from the report's.
 */
async function processCpuSeconds(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (pid === undefined || stat === undefined) return Number.NaN
  // Fields 14 and 15 (utime, stime), counted after the command name's closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
}

function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const longest = Math.max(...lists.map((list) => list.length))
  return Array.from({ length: longest }, (_, i) =>
    lists.flatMap((list) => (i < list.length ? [list[i]!] : [])),
  ).flat()
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20)
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(0)} s`
}
