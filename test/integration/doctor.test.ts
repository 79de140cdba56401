import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { decodeFunctionResult, encodeFunctionData, type Hex, hexToBigInt, parseAbi } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEVNET_RPC_ENV } from '../../devnet/devnetConfig.ts'
import { DEFAULT_MAX_CALLS_PER_REQUEST } from '../../lambda/chain/aggregate3.ts'
import { createChainClient } from '../../lambda/chain/createChainClient.ts'
import { type CliIo, main } from '../../lambda/cli.ts'
import { formatChecks } from '../../lambda/doctor/check.ts'
import { runDoctor } from '../../lambda/doctor/runDoctor.ts'
import { devnetTestConfig, sharedDevnet } from '../support/devnet.ts'
import { startRpcProxy } from '../support/rpcProxy.ts'

const devnet = sharedDevnet()
const ROOT = path.join(import.meta.dirname, '..', '..')
const CONFIG = path.join(ROOT, 'config', 'devnet.json')
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pool-report-doctor-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs `pool-report doctor` on a config, an hour after the devnet's last midnight. */
async function doctor(config: unknown = undefined, args: string[] = []) {
  let file = CONFIG
  if (config !== undefined) {
    file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`)
    await writeFile(file, JSON.stringify(config))
  }
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    env: { [DEVNET_RPC_ENV]: devnet.rpcUrl },
    now: () => new Date(Number(devnet.endTime) * 1000 + 3_600_000),
  }
  const status = await main(['doctor', '--config', file, ...args], io)
  const lines = stdout.split('\n').filter((line) => /^(ok|FAIL) /.test(line))
  return { status, stdout, stderr, lines }
}

/** The parts of a config file the tests change. */
interface ConfigJson {
  chains: { devnet: { chainId: number; rpcUrl?: string; rpcUrlEnv?: string; multicall3?: string } }
  prices: Record<string, { chainlink?: string; maxAgeSeconds?: number }>
  pools: { id: string }[]
}

const committedConfig = async (): Promise<ConfigJson> => JSON.parse(await readFile(CONFIG, 'utf8'))

/** The devnet config without its deliberately misconfigured pool (a feed declared as a V2 pair). */
async function devnetConfigJson() {
  const config = await committedConfig()
  config.pools = config.pools.filter(
    (pool: { id: string }) => pool.id !== 'misconfigured-not-a-pair',
  )
  return config
}

/** A raw JSON-RPC request to the devnet, apart from the report's client. */
async function rpc(method: string, ...params: unknown[]): Promise<unknown> {
  const response = await fetch(devnet.rpcUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await response.json()) as { result: unknown }).result
}

const block = async (tag: Hex | 'latest') =>
  (await rpc('eth_getBlockByNumber', tag, false)) as {
    number: Hex
    timestamp: Hex
    gasLimit: Hex
  }

test('every check passes on the devnet pools, with the values the chain shows', async () => {
  const config = await devnetConfigJson()
  const { status, stdout, stderr, lines } = await doctor(config)
  expect(stderr).toBe('')
  expect(status).toBe(0)
  expect(lines.every((line) => line.startsWith('ok '))).toBe(true)
  const feeds = Object.values(config.prices).filter((source) => source.chainlink)
  // Chain id, 2 archive depths, Multicall3, gas cap; a line per feed and per pool.
  expect(lines).toHaveLength(5 + feeds.length + config.pools.length)
  expect(stdout).toContain(`${lines.length} checks, all passed.`)
  expect(stdout).toMatch(/^ok +chain devnet +chain id 31337 matches$/m)

  // Yesterday's start block, found apart: the last block at or before its midnight.
  const midnight = BigInt(devnet.endTime) - 86_400n
  const served = stdout.match(/state at the start of yesterday \(\S+\) is served \(block (\d+)\)/)
  const start = BigInt(served![1]!)
  expect(hexToBigInt((await block(`0x${start.toString(16)}`)).timestamp) <= midnight).toBe(true)
  expect(hexToBigInt((await block(`0x${(start + 1n).toString(16)}`)).timestamp) > midnight).toBe(
    true,
  )
  // The devnet is 8 days old: 30 days ago is before its genesis, a pass with a note.
  expect(stdout).toMatch(
    /^ok .*state at the start of 30 days ago .*: the chain is younger, no state to keep;/m,
  )
  expect(stdout).toMatch(
    /^ok +chain devnet +Multicall3 0xcA11bde05977b3631167028862bE2a173976CA11 answers/m,
  )
  // anvil gives an eth_call its block gas limit.
  const gasLimit = hexToBigInt((await block('latest')).gasLimit)
  expect(stdout).toContain(
    `an eth_call gets ${gasLimit.toLocaleString('en-US')} gas; a full batch of ${DEFAULT_MAX_CALLS_PER_REQUEST} calls`,
  )
  expect(stdout).toMatch(
    /^ok +pool uni-v3-weth-usdc-005 +0x\w+ reads as uniswap-v3 at block \d+ \(2 tokens\)$/m,
  )
  expect(stdout).toMatch(/^ok +pool curve-3pool +0x\w+ reads as curve-stableswap .*\(3 tokens\)$/m)
})

/** A feed's age at the latest block, read with raw calls. */
async function feedAge(feed: string): Promise<bigint> {
  const abi = parseAbi([
    'function latestRoundData() view returns (uint80, int256, uint256, uint256 updatedAt, uint80)',
  ])
  const latest = await block('latest')
  const data = (await rpc(
    'eth_call',
    { to: feed, data: encodeFunctionData({ abi, functionName: 'latestRoundData' }) },
    latest.number,
  )) as Hex
  const [, , , updatedAt] = decodeFunctionResult({ abi, functionName: 'latestRoundData', data })
  return hexToBigInt(latest.timestamp) - updatedAt
}

test('a feed older than its maxAgeSeconds fails its line, and only it', async () => {
  const config = await devnetConfigJson()
  const [key, source] = Object.entries(config.prices).find(([, source]) => source.chainlink)!
  const age = await feedAge(source.chainlink!)
  expect(age).toBeGreaterThan(1n)
  config.prices[key] = { ...source, maxAgeSeconds: Number(age) - 1 }
  const { status, lines } = await doctor(config)
  expect(status).toBe(1)
  const failed = lines.filter((line) => line.startsWith('FAIL'))
  expect(failed).toHaveLength(1)
  expect(failed[0]).toContain(`feed ${key}`)
  expect(failed[0]).toContain(`is stale at block`)
  expect(failed[0]).toContain(
    `last updated ${age} s before the snapshot (limit ${Number(age) - 1} s)`,
  )
})

test('a wrong chainId fails its line; a pool that is not of its protocol fails its line', async () => {
  // The committed config declares a price feed as a V2 pair.
  const config = await committedConfig()
  config.chains.devnet.chainId = 1
  const { status, lines } = await doctor(config)
  expect(status).toBe(1)
  expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([
    expect.stringMatching(
      /^FAIL +chain devnet +chain id is 31337, the config says 1: this RPC URL serves another chain$/,
    ),
    expect.stringMatching(
      /^FAIL +pool misconfigured-not-a-pair +uniswap-v2: 0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512 is not a Uniswap V2 pair at block \d+/,
    ),
  ])
})

test('a Multicall3 address without a contract fails the Multicall3 line and says what to set', async () => {
  const config = await devnetConfigJson()
  const nowhere = '0x000000000000000000000000000000000000dEaD'
  config.chains.devnet.multicall3 = nowhere
  const { status, lines } = await doctor(config)
  expect(status).toBe(1)
  // Feeds and pools are read through Multicall3: they wait for it.
  expect(lines.at(-1)).toMatch(
    /^FAIL +pool \S+ +not checked: Multicall3 does not answer on chain devnet$/,
  )
  expect(lines).toContainEqual(
    expect.stringMatching(
      new RegExp(
        `^FAIL +chain devnet +no Multicall3 at ${nowhere} \\(no contract at ${nowhere} at block \\d+\\); set chains\\.devnet\\.multicall3 to its address on this chain$`,
      ),
    ),
  )
})

test('each RPC URL of a chain gets its own lines: a pruned node fails its archive depth', async () => {
  const latest = hexToBigInt((await block('latest')).number)
  // What geth answers for an eth_call at a block whose state it has pruned.
  const pruned = await startRpcProxy(devnet.rpcUrl, ({ method, params }) => {
    const at = params?.[1]
    return method === 'eth_call' &&
      typeof at === 'string' &&
      at.startsWith('0x') &&
      hexToBigInt(at as Hex) < latest
      ? {
          kind: 'rpc-error',
          code: -32000,
          message: 'missing trie node 5c2e1f0b8a3d9e4c7b6a5f4e3d2c1b0a (path ) <nil>',
        }
      : undefined
  })
  try {
    const checks = await runDoctor({
      config: devnetTestConfig(),
      rpcUrls: new Map([['devnet', [devnet.rpcUrl, pruned.url]]]),
      clientFor: (name, rpcUrl) =>
        createChainClient({ name, chainId: 31337, checkChainId: false, rpcUrl }),
      now: new Date(Number(devnet.endTime) * 1000 + 3_600_000),
    })
    const text = formatChecks(checks)
    const failed = checks.filter((check) => !check.passed)
    expect(failed.map((check) => check.subject)).toEqual([
      'chain devnet rpc 2/2',
      'pool misconfigured-not-a-pair',
    ])
    expect(text).toMatch(
      /^FAIL +chain devnet rpc 2\/2 +state at the start of yesterday \(\S+\): block \d+ is no longer served, this is not an archive node \(.*missing trie node/m,
    )
    expect(checks.filter((check) => check.subject === 'chain devnet rpc 1/2')).toHaveLength(5)
    expect(checks.filter((check) => check.subject === 'chain devnet rpc 2/2')).toHaveLength(5)
    expect(text).not.toContain(pruned.apiKey)
  } finally {
    await pruned.stop()
  }
})

test('an RPC that does not answer fails every line of its chain at once', async () => {
  // A loopback port that was free a moment ago: connections are refused.
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  const config = await devnetConfigJson()
  const rpcUrl = `http://127.0.0.1:${port}/v2/sk_test_doctor_key`
  // The unreachable URL alone, its chain's other fields (the V4 contracts) kept.
  delete config.chains.devnet.rpcUrlEnv
  config.chains.devnet.rpcUrl = rpcUrl

  const started = Date.now()
  const { status, stdout, stderr, lines } = await doctor(config)
  const seconds = (Date.now() - started) / 1000
  expect(status).toBe(1)
  expect(lines.length).toBeGreaterThan(5)
  expect(lines.every((line) => line.startsWith('FAIL '))).toBe(true)
  expect(lines[0]).toMatch(
    /^FAIL +chain devnet +the RPC does not answer: chain devnet could not be read \(eth_chainId\): RPC 1 of 1: connection failed \(ECONNREFUSED\)/,
  )
  expect(lines.at(-1)).toMatch(/not checked: no RPC URL of chain devnet answers$/)
  expect(stdout + stderr).not.toContain('sk_test_doctor_key')
  console.info(`doctor on an unreachable RPC: ${seconds.toFixed(1)} s`)
})

test.each([
  [['--bogus'], /Unknown option '--bogus'/],
  [['--config'], /Option '--config <value>' argument missing/],
])('a bad flag %j exits 2 and names it', async (args, message) => {
  let stderr = ''
  const status = await main(['doctor', ...args], {
    stdout: () => {},
    stderr: (text) => {
      stderr += text
    },
    env: {},
    now: () => new Date(),
  })
  expect(status).toBe(2)
  expect(stderr).toMatch(message)
})

test('doctor --help shows the command and its flag', async () => {
  let stdout = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: () => {},
    env: {},
    now: () => new Date(),
  }
  expect(await main(['doctor', '--help'], io)).toBe(0)
  expect(stdout).toContain('pool-report doctor --config FILE')
  expect(stdout).toMatch(/Options for doctor:\n +--config FILE/)
})

test('doctor without --config, or with a config that has no RPC URL, exits 2', async () => {
  expect(
    await main(['doctor'], { stdout: () => {}, stderr: () => {}, env: {}, now: () => new Date() }),
  ).toBe(2)
  const config = await devnetConfigJson()
  delete config.chains.devnet.rpcUrl
  let stderr = ''
  const file = path.join(dir, 'no-url.json')
  await writeFile(file, JSON.stringify(config))
  const status = await main(['doctor', '--config', file], {
    stdout: () => {},
    stderr: (text) => {
      stderr += text
    },
    env: {},
    now: () => new Date(),
  })
  expect(status).toBe(2)
  expect(stderr).toContain('chains.devnet: environment variable DEVNET_RPC_URL is not set')
})
