import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEVNET_RPC_ENV, devnetConfig } from '../../devnet/devnetConfig.ts'
import { type CliIo, main } from '../../lambda/cli.ts'
import { addDays } from '../../lambda/report/date.ts'
import { lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'

const devnet = sharedDevnet()
const date = lastSimulatedDay()
const CONFIG = path.join(import.meta.dirname, '..', '..', 'config', 'devnet.json')
let out: string

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'pool-report-cli-'))
})
afterAll(async () => {
  await rm(out, { recursive: true, force: true })
})

async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    env: { [DEVNET_RPC_ENV]: devnet.rpcUrl, ...env },
    now: () => new Date(Number(devnet.endTime) * 1000 + 3_600_000),
  }
  const status = await main(args, io)
  return { status, stdout, stderr }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort()
}

test('config/devnet.json is the config of the simulated devnet', async () => {
  const committed = JSON.parse(await readFile(CONFIG, 'utf8'))
  const generated = devnetConfig({
    base: { tokens: devnet.tokens as never, feeds: devnet.feeds },
    pools: devnet.pools,
    uniswapV4: devnet.uniswapV4,
  })
  expect(committed).toEqual(JSON.parse(JSON.stringify(generated)))
})

test('run writes the layout, prints the summary, and a second run writes the same bytes', async () => {
  const first = await run(['run', '--config', CONFIG, '--date', date, '--out', out])
  expect(first.stderr).toBe('')
  expect(first.status).toBe(0)
  expect(first.stdout).toContain(`Pool report for ${date} (UTC)`)
  expect(first.stdout).toMatch(/uni-v2-link-weth\s+WETH\/LINK.*imbalance, price_deviation/)
  expect(first.stdout).toMatch(/uni-v3-link-weth-100\s+WETH\/LINK/)
  expect(first.stdout).toContain('ERROR: ')
  const files = await listFiles(out)
  expect(files).toEqual([
    `balances/dt=${date}/balances.csv`,
    `emails/dt=${date}/daily.eml`,
    `emails/dt=${date}/daily.html`,
    `emails/dt=${date}/daily.txt`,
    `metrics/dt=${date}/metrics.csv`,
    `runs/dt=${date}/deliveries/daily.json`,
    `runs/dt=${date}/manifest.json`,
    `runs/dt=${date}/pool-days.json`,
    'state/alerts/daily.json',
  ])
  const contents = await Promise.all(files.map((file) => readFile(path.join(out, file))))
  const second = await run(['run', '--config', CONFIG, '--date', date, '--out', out])
  expect(second.status).toBe(0)
  expect(second.stdout).toContain(`Digest daily of ${date} was already rendered; --force`)
  const again = await Promise.all(files.map((file) => readFile(path.join(out, file))))
  for (const [i, content] of again.entries())
    expect(content.equals(contents[i]!), files[i]).toBe(true)

  const manifest = JSON.parse(contents[files.indexOf(`runs/dt=${date}/manifest.json`)]!.toString())
  expect(manifest).toMatchObject({
    date,
    pools: { total: 22, ok: 21, error: 1 },
    // Five V2 pairs and three V3 pools; a 3-, a 2-, a 4-coin Curve pool and a 2-coin
    // metapool, a 2-coin NG pool; two Balancer weighted pools; a 2-, a 3- and a 5-token
    // ComposableStablePool and a 2-token MetaStablePool; two V4 pools.
    rows: {
      metrics: 22,
      balances: 5 * 2 + 3 * 2 + 3 + 2 + 4 + 2 + 2 + 2 * 2 + 2 + 3 + 5 + 2 + 2 * 2,
    },
    emails: [{ digest: 'daily', id: `emails/dt=${date}/daily.eml` }],
  })
  const html = contents[files.indexOf(`emails/dt=${date}/daily.html`)]!.toString()
  expect(html).toContain(`href="file://${out}/metrics/dt&#x3D;${date}/metrics.csv"`)
})

test('an RPC variable listing a dead URL first fails over to the next: the same files, no URL printed', async () => {
  const dir = path.join(out, 'fail-over')
  const dead = 'http://127.0.0.1:9/v2/sk_dead_0a1b2c3d'
  const { status, stdout, stderr } = await run(
    ['run', '--config', CONFIG, '--date', date, '--out', dir, '--no-email', '--timeout', '60'],
    { [DEVNET_RPC_ENV]: `${dead},${devnet.rpcUrl}` },
  )
  expect(status).toBe(0)
  expect(`${stdout}${stderr}`).not.toContain('sk_dead_0a1b2c3d')
  for (const file of [`metrics/dt=${date}/metrics.csv`, `balances/dt=${date}/balances.csv`]) {
    const expected = await readFile(path.join(out, file))
    const actual = await readFile(path.join(dir, file))
    expect(actual.equals(expected), file).toBe(true)
  }
})

test('a run of some pools rewrites their rows and keeps the others; the digest waits for all', async () => {
  const dir = path.join(out, 'some')
  const some = ['uni-v3-link-weth-100', 'curve-steth', 'uni-v2-wbtc-weth']
  const runSome = () =>
    run(['run', '--config', CONFIG, '--date', date, '--out', dir, '--pools', some.join(',')])
  const dataFiles = [
    `metrics/dt=${date}/metrics.csv`,
    `balances/dt=${date}/balances.csv`,
    `runs/dt=${date}/pool-days.json`,
  ]
  const read = () => Promise.all(dataFiles.map((file) => readFile(path.join(dir, file), 'utf8')))
  const poolIds = (csv: string) =>
    csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[3])

  // First on a date: only these pools' rows (in config order), and no digest of half the pools.
  const first = await runSome()
  expect(first.status).toBe(0)
  expect(first.stdout).toContain(`Digest daily of ${date} waits until the date's files cover`)
  expect(poolIds((await read())[0]!)).toEqual([
    'uni-v2-wbtc-weth',
    'uni-v3-link-weth-100',
    'curve-steth',
  ])
  expect(await listFiles(dir)).not.toContain(`emails/dt=${date}/daily.eml`)

  // The run of every pool completes the date and sends the digest.
  expect((await run(['run', '--config', CONFIG, '--date', date, '--out', dir])).stdout).toContain(
    `emails/dt=${date}/daily.eml`,
  )
  const complete = await read()
  expect(poolIds(complete[0]!)).toHaveLength(22)

  // Some pools again, on the same chain state: their fresh rows and the stored others give
  // the same bytes as the full run.
  expect((await runSome()).status).toBe(0)
  const again = await read()
  for (const [i, file] of dataFiles.entries()) expect(again[i], file).toBe(complete[i])
})

test('--force renders a digest again that was already rendered for the date', async () => {
  const dir = path.join(out, 'forced')
  const args = ['run', '--config', CONFIG, '--date', date, '--out', dir]
  expect((await run(args)).status).toBe(0)
  const eml = path.join(dir, `emails/dt=${date}/daily.eml`)
  await rm(eml)
  expect((await run(args)).stdout).not.toContain(`emails/dt=${date}/daily.eml`)
  await expect(readFile(eml)).rejects.toThrow()
  const forced = await run([...args, '--force'])
  expect(forced.stdout).toContain(`emails/dt=${date}/daily.eml`)
  expect((await readFile(eml, 'utf8')).length).toBeGreaterThan(0)
})

test('--pools and --no-email narrow the run', async () => {
  const dir = path.join(out, 'subset')
  const { status } = await run([
    'run',
    '--config',
    CONFIG,
    '--date',
    date,
    '--out',
    dir,
    '--pools',
    'uni-v2-dai-usdc',
    '--no-email',
  ])
  expect(status).toBe(0)
  expect(await listFiles(dir)).not.toContain(`emails/dt=${date}/daily.eml`)
  const csv = await readFile(path.join(dir, `metrics/dt=${date}/metrics.csv`), 'utf8')
  expect(csv.trim().split('\n')).toHaveLength(2)
  expect(csv).toContain(',uni-v2-dai-usdc,')
})

describe('bad input is a clear error with a non-zero exit, before any chain read', () => {
  let requests = 0
  let rpcUrl: string
  const server = createServer((_request, response) => {
    requests++
    response.end('{}')
  })
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    rpcUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.close()
    expect(requests).toBe(0)
  })

  test.each([
    [['run', '--config', CONFIG, '--bogus'], /Unknown option '--bogus'/],
    [['run', '--config', CONFIG, '--date', '2026-02-30'], /"2026-02-30" is not a calendar date/],
    [
      ['run', '--config', CONFIG, '--date', '23/11/2026'],
      /not a calendar date in the form YYYY-MM-DD/,
    ],
    [['run', '--config', CONFIG, '--date', addDays(date, 1)], /is not over yet/],
    [['run', '--config', CONFIG, '--pools', 'nope'], /"nope" not in the config/],
    [['run'], /--config FILE is required/],
    [['report'], /unknown command "report"/],
    [['run', '--config', '/nonexistent.json'], /Cannot read config/],
    [['run', '--config', CONFIG, '--timeout', '5m'], /--timeout "5m" is not a number of seconds/],
    [['run', '--config', CONFIG, '--timeout', '0'], /--timeout "0" is not a number of seconds/],
  ])('%j', async (args, message) => {
    const { status, stderr } = await run(args, { [DEVNET_RPC_ENV]: rpcUrl })
    expect(status).toBe(2)
    expect(stderr).toMatch(message)
  })

  test('a digest webhook whose URL is not set is named, and nothing is read or written', async () => {
    const file = path.join(out, 'webhook.json')
    const config = JSON.parse(await readFile(CONFIG, 'utf8'))
    config.digests[0].webhookUrlEnv = 'NO_SUCH_WEBHOOK'
    await writeFile(file, JSON.stringify(config))
    const dir = path.join(out, 'no-webhook')
    const args = ['run', '--config', file, '--date', date, '--out', dir]
    const { status, stderr } = await run(args, { [DEVNET_RPC_ENV]: rpcUrl })
    expect(status).toBe(2)
    expect(stderr).toMatch(/digest daily: NO_SUCH_WEBHOOK is not set/)
    await expect(readdir(dir)).rejects.toThrow()
  })

  test('a config with a bad checksum names the field', async () => {
    const file = path.join(out, 'bad.json')
    const config = JSON.parse(await readFile(CONFIG, 'utf8'))
    // Flipping the case of one letter of a checksummed address breaks its checksum.
    const address: string = config.pools[1].address
    const letter = address.slice(2).search(/[a-fA-F]/) + 2
    const flipped =
      address[letter] === address[letter]!.toLowerCase() ? 'toUpperCase' : 'toLowerCase'
    config.pools[1].address = `${address.slice(0, letter)}${address[letter]![flipped]()}${address.slice(letter + 1)}`
    await writeFile(file, JSON.stringify(config))
    const { status, stderr } = await run(['run', '--config', file], { [DEVNET_RPC_ENV]: rpcUrl })
    expect(status).toBe(2)
    expect(stderr).toMatch(/pools\[1\]\.address: .*wrong EIP-55 checksum/)
  })
})

test('a date before the chain existed is refused and writes nothing', async () => {
  const dir = path.join(out, 'early')
  const { status, stderr } = await run([
    'run',
    '--config',
    CONFIG,
    '--date',
    '2020-01-01',
    '--out',
    dir,
  ])
  expect(status).toBe(2)
  expect(stderr).toMatch(
    /cannot report 2020-01-01 on devnet: the day starts before the chain existed/,
  )
  // The date's lock came and went: no file is left behind.
  expect(await listFiles(dir)).toEqual([])
})

test('--help explains every flag', async () => {
  const { status, stdout } = await run(['--help'])
  expect(status).toBe(0)
  for (const flag of ['--config', '--date', '--out', '--pools', '--no-email', '--force'])
    expect(stdout).toContain(flag)
})
