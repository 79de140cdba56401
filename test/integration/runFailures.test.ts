import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { createPublicClient, custom } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEVNET_RPC_ENV } from '../../devnet/devnetConfig.ts'
import { createChainClient } from '../../lambda/chain/createChainClient.ts'
import { type CliIo, main } from '../../lambda/cli.ts'
import { loadDigestRenderer } from '../../lambda/email/renderDigest.ts'
import { RunTimeoutError } from '../../lambda/errors.ts'
import { acquireDateLock } from '../../lambda/output/dateLock.ts'
import { createLocalStore } from '../../lambda/output/localStore.ts'
import { runReport } from '../../lambda/runReport.ts'
import { devnetTestConfig, lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'
import { filesUnder } from '../support/files.ts'
import { startRpcProxy } from '../support/rpcProxy.ts'

const devnet = sharedDevnet()
const date = lastSimulatedDay()
const CONFIG = path.join(import.meta.dirname, '..', '..', 'config', 'devnet.json')
let dir: string
/** The files of the date after a good run, by path. */
let good: Map<string, string>

async function run(args: string[], rpcUrl = devnet.rpcUrl) {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    env: { [DEVNET_RPC_ENV]: rpcUrl },
    now: () => new Date(Number(devnet.endTime) * 1000 + 3_600_000),
  }
  return { status: await main(args, io), stdout, stderr }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pool-report-failures-'))
  const first = await run(['run', '--config', CONFIG, '--date', date, '--out', dir])
  expect(first.status).toBe(0)
  good = await filesUnder(dir)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A port with nothing listening on it (taken, then released). */
async function closedPort(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/`
}

test.each([
  ['nothing listens on the RPC port', 'refused'],
  ['the RPC answers HTTP 500', 'http-500'],
  ['every eth_call fails inside the node (the block search works)', 'eth_call-error'],
] as const)(
  'a chain that cannot be read fails the run and keeps the earlier files: %s',
  async (_, fault) => {
    let rpcUrl: string
    let stop = async () => {}
    if (fault === 'refused') rpcUrl = await closedPort()
    else {
      const proxy = await startRpcProxy(devnet.rpcUrl, ({ method }) =>
        fault === 'http-500'
          ? { kind: 'status', status: 500 }
          : method === 'eth_call'
            ? { kind: 'rpc-error', code: -32603, message: 'internal error: backend down' }
            : undefined,
      )
      ;({ url: rpcUrl, stop } = proxy)
    }
    try {
      const { status, stderr, stdout } = await run(
        ['run', '--config', CONFIG, '--date', date, '--out', dir, '--force'],
        rpcUrl,
      )
      expect(status).toBe(1)
      expect(stderr).toMatch(
        new RegExp(
          `^error: chain devnet could not be read.+; nothing was written for ${date} and no digest was sent`,
        ),
      )
      expect(stdout).toBe('')
      // Byte for byte the good run's files: no error rows, no new digest, no lock left behind.
      expect(await filesUnder(dir)).toEqual(good)
    } finally {
      await stop()
    }
  },
)

test('a pool whose re-read fails keeps the ok row of the earlier run; the run is partial', async () => {
  // The chain answers, but the pool cannot be priced any more: its re-read fails.
  const config = JSON.parse(await readFile(CONFIG, 'utf8'))
  const balances = parse(good.get(`balances/dt=${date}/balances.csv`)!, {
    columns: true,
  }) as Record<string, string>[]
  const mkr = balances.find((row) => row.pool_id === 'uni-v2-mkr-weth' && row.symbol === 'MKR')!
  delete config.prices[`devnet:${mkr.token_address}`]
  const file = path.join(dir, '..', `${path.basename(dir)}-no-mkr.json`)
  await writeFile(file, JSON.stringify(config))
  try {
    const { status, stdout } = await run([
      'run',
      '--config',
      file,
      '--date',
      date,
      '--out',
      dir,
      '--no-email',
    ])
    expect(status).toBe(0)
    // Every pool but the misconfigured one and the unpriced one.
    expect(stdout).toContain(
      `Status: partial: ${config.pools.length - 2} pools reported, 2 could not be read`,
    )
    expect(stdout).toContain(`uni-v2-mkr-weth: kept the ok row of an earlier run of ${date}`)
    const after = await filesUnder(dir)
    // The row (and the pool's stored day) is the earlier run's; the never-read pool stays an error row.
    for (const key of [
      `metrics/dt=${date}/metrics.csv`,
      `balances/dt=${date}/balances.csv`,
      `runs/dt=${date}/pool-days.json`,
    ])
      expect(after.get(key), key).toBe(good.get(key))
    const manifest = JSON.parse(after.get(`runs/dt=${date}/manifest.json`)!)
    expect(manifest).toMatchObject({
      status: 'partial',
      pools: { total: config.pools.length, ok: config.pools.length - 1, error: 1 },
      errors: [{ poolId: 'misconfigured-not-a-pair' }],
      notes: [
        {
          poolId: 'uni-v2-mkr-weth',
          note: expect.stringMatching(
            /^this run could not read the pool \(no reference price for token 0x[0-9a-fA-F]{40}: add prices.*\); the ok row of an earlier run of the date is kept$/,
          ),
        },
      ],
    })
  } finally {
    await rm(file, { force: true })
  }
})

test('a run in which every pool was read is ok; one with an error row is partial', async () => {
  const some = path.join(dir, '..', `${path.basename(dir)}-ok`)
  try {
    const ok = await run([
      'run',
      '--config',
      CONFIG,
      '--date',
      date,
      '--out',
      some,
      '--pools',
      'uni-v2-dai-usdc,curve-3pool',
      '--no-email',
    ])
    expect(ok.stdout).toContain('Status: ok: 2 pools reported, 0 could not be read.')
    const manifest = JSON.parse(
      await readFile(path.join(some, `runs/dt=${date}/manifest.json`), 'utf8'),
    )
    expect(manifest.status).toBe('ok')
    const withError = JSON.parse(good.get(`runs/dt=${date}/manifest.json`)!)
    expect(withError).toMatchObject({ status: 'partial', pools: { error: 1 } })
  } finally {
    await rm(some, { recursive: true, force: true })
  }
})

test('a run finds the date locked by a live run: it fails naming the lock and its expiry, and writes nothing', async () => {
  const store = createLocalStore(dir)
  const before = await filesUnder(dir)
  const other = await acquireDateLock(store, date, {
    owner: 'manual-run-on-laptop',
    ttlMs: 600_000,
    waitMs: 0,
  })
  try {
    const run = runReport(
      {
        config: devnetTestConfig(),
        configHash: 'test',
        clientFor: (name) => createChainClient({ name, chainId: 31337, rpcUrl: devnet.rpcUrl }),
        store,
        renderDigest: await loadDigestRenderer(),
        sender: { send: () => Promise.reject(new Error('no digest in this test')) },
        defaultFrom: 'report@example.com',
        lock: { waitMs: 200 },
      },
      { date, noEmail: true },
    )
    await expect(run).rejects.toThrow(
      new RegExp(
        `another run is writing ${date}: the lock runs/dt=${date}/lock\\.json is held by manual-run-on-laptop since \\S+ and expires at ${other.expiresAt.toISOString().replace(/\./g, '\\.')}`,
      ),
    )
  } finally {
    await other.release()
  }
  expect(await filesUnder(dir)).toEqual(before)
})

test('the run time limit ends the run as a RunTimeoutError: nothing written, nothing sent', async () => {
  // The transport raises RunTimeoutError when the limit passes; no server can produce that
  // error, so a custom viem transport injects it (the only stand-in in this file).
  const before = await filesUnder(dir)
  const timedOut = createPublicClient({
    transport: custom({
      request: () => Promise.reject(new RunTimeoutError('the run time limit of 300 s passed')),
    }),
  })
  const run = runReport(
    {
      config: devnetTestConfig(),
      configHash: 'test',
      clientFor: () => timedOut,
      store: createLocalStore(dir),
      renderDigest: await loadDigestRenderer(),
      sender: { send: () => Promise.reject(new Error('no digest in this test')) },
      defaultFrom: 'report@example.com',
    },
    { date },
  )
  await expect(run).rejects.toBeInstanceOf(RunTimeoutError)
  await expect(run).rejects.toThrow(
    `chain devnet could not be read: the run time limit of 300 s passed; nothing was written for ${date} and no digest was sent`,
  )
  expect(await filesUnder(dir)).toEqual(before)
})
