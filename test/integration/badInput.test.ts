import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEVNET_RPC_ENV } from '../../devnet/devnetConfig.ts'
import { type CliIo, main } from '../../lambda/cli.ts'
import { addDays } from '../../lambda/report/date.ts'
import { lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'
import { filesUnder } from '../support/files.ts'
import { startRpcProxy } from '../support/rpcProxy.ts'

// Bad command lines and bad configs, each run against a folder that already holds a good day:
// the message names what is wrong, the exit status is 2, no chain is read, and every file the
// good run wrote is still there, byte for byte. (Lambda payloads: handler.test.ts; hostile
// chain data: untrustedTokens.test.ts.)

const devnet = sharedDevnet()
const date = lastSimulatedDay()
const CONFIG = path.join(import.meta.dirname, '..', '..', 'config', 'devnet.json')
let dir: string
let configs: string
let rpc: Awaited<ReturnType<typeof startRpcProxy>>
let good: Map<string, string>

async function run(args: string[], env: Record<string, string> = {}) {
  let stderr = ''
  const io: CliIo = {
    stdout: () => {},
    stderr: (text) => {
      stderr += text
    },
    env: { [DEVNET_RPC_ENV]: rpc.url, ...env },
    now: () => new Date(Number(devnet.endTime) * 1000 + 3_600_000),
  }
  return { status: await main(args, io), stderr }
}

beforeAll(async () => {
  rpc = await startRpcProxy(devnet.rpcUrl)
  dir = await mkdtemp(path.join(tmpdir(), 'pool-report-bad-input-'))
  configs = await mkdtemp(path.join(tmpdir(), 'pool-report-bad-configs-'))
  expect((await run(['run', '--config', CONFIG, '--date', date, '--out', dir])).status).toBe(0)
  good = await filesUnder(dir)
  expect(good.has(`metrics/dt=${date}/metrics.csv`)).toBe(true)
})
afterAll(async () => {
  await rpc.stop()
  await Promise.all([dir, configs].map((folder) => rm(folder, { recursive: true, force: true })))
})

/** Runs a bad input and checks the refusal: exit 2, the message, no chain read, nothing lost. */
async function expectRefused(args: string[], message: RegExp, env: Record<string, string> = {}) {
  const requests = rpc.requests
  const { status, stderr } = await run(args, env)
  expect(stderr).toMatch(message)
  expect(status).toBe(2)
  expect(rpc.requests).toBe(requests)
  expect(await filesUnder(dir)).toEqual(good)
}

describe('bad command lines', () => {
  const at = (...args: string[]) => ['run', '--config', CONFIG, '--out', '<dir>', ...args]
  test.each([
    ['an unknown flag', at('--bogus'), /Unknown option '--bogus'/],
    [
      'a date that is not in the calendar',
      at('--date', '2026-02-30'),
      /"2026-02-30" is not a calendar date/,
    ],
    [
      'a date in another format',
      at('--date', '23/11/2026'),
      /not a calendar date in the form YYYY-MM-DD/,
    ],
    ['a day that is not over', at('--date', '<tomorrow>'), /is not over yet/],
    ['a flag without its value', at('--date'), /Option '--date <value>' argument missing/],
    [
      'an unknown pool id',
      at('--date', '<date>', '--pools', 'uni-v2-dai-usdc,nope'),
      /"nope" not in the config/,
    ],
    ['a stray argument', at('extra'), /Unexpected argument 'extra'/],
    [
      'a value given to a switch',
      at('--no-email=yes'),
      /Option '--no-email' does not take an argument/,
    ],
    [
      'a time limit that is not a number',
      at('--timeout', 'soon'),
      /--timeout "soon" is not a number of seconds/,
    ],
    ['no --config', ['run', '--out', '<dir>'], /--config FILE is required/],
    ['an unknown command', ['report', '--out', '<dir>'], /unknown command "report"/],
    [
      'a config file that does not exist',
      ['run', '--config', '/nonexistent/pools.json', '--out', '<dir>'],
      /Cannot read config \/nonexistent\/pools\.json/,
    ],
  ])('%s', async (_, args, message) => {
    const filled = args.map((arg) =>
      arg === '<dir>'
        ? dir
        : arg === '<date>'
          ? date
          : arg === '<tomorrow>'
            ? addDays(date, 2)
            : arg,
    )
    await expectRefused(filled, message)
  })
})

// A config under construction: each case breaks one field of the devnet's config.
// biome-ignore lint/suspicious/noExplicitAny: deliberately untyped JSON
type Draft = Record<string, any>
const WETH = 'devnet:0x5FbDB2315678afecb367f032d93F642f64180aa3'

describe('bad configs', () => {
  test.each<[string, (config: Draft) => unknown, RegExp]>([
    [
      'an unknown protocol',
      (c) => {
        c.pools[0].protocol = 'uniswap-v9'
      },
      /pools\[0\]\.protocol: unknown protocol; expected one of/,
    ],
    [
      'a V3 reference range of 100%',
      (c) => {
        c.pools[5].rangePct = 100
      },
      /pools\[5\]\.rangePct: Too big: expected number to be <100/,
    ],
    [
      'a V3-only field on a V2 pool',
      (c) => {
        c.pools[0].rangePct = 10
      },
      /pools\[0\]: Unrecognized key: "rangePct"/,
    ],
    [
      'a wrong EIP-55 checksum',
      (c) => {
        c.pools[0].address = flipCase(c.pools[0].address)
      },
      /pools\[0\]\.address: ".*" has a wrong EIP-55 checksum \(expected 0x/,
    ],
    [
      'an address too short',
      (c) => {
        c.pools[0].address = '0x1234'
      },
      /pools\[0\]\.address: "0x1234" is not an address/,
    ],
    [
      'a pool on an unknown chain',
      (c) => {
        c.pools[0].chain = 'arbitrum'
      },
      /pools\[0\]\.chain: unknown chain "arbitrum"; chains are: devnet/,
    ],
    [
      'a duplicate pool id',
      (c) => {
        c.pools[1].id = c.pools[0].id
      },
      /pools\[1\]\.id: duplicate pool id "uni-v2-weth-usdc"/,
    ],
    [
      'a pool id with a space',
      (c) => {
        c.pools[0].id = 'my pool'
      },
      /pools\[0\]\.id: letters, digits, "\.", "_" and "-"/,
    ],
    [
      'a misspelled field',
      (c) => {
        c.pools[0].adress = c.pools[0].address
      },
      /pools\[0\]: Unrecognized key: "adress"/,
    ],
    [
      'a V2 fee over 100%',
      (c) => {
        c.pools[0].feeBps = 20_000
      },
      /pools\[0\]\.feeBps: Too big/,
    ],
    [
      'no pools',
      (c) => {
        c.pools = []
      },
      /pools: Too small: expected array to have >=1 items/,
    ],
    [
      'a chain without an RPC',
      (c) => {
        c.chains.devnet = { chainId: 31337 }
      },
      /chains\.devnet: needs rpcUrl, rpcUrls or rpcUrlEnv/,
    ],
    [
      'a negative chain id',
      (c) => {
        c.chains.devnet.chainId = -1
      },
      /chains\.devnet\.chainId: Too small/,
    ],
    [
      'an RPC URL that is not http(s) or ws(s)',
      (c) => {
        c.chains.devnet.rpcUrl = 'ftp://node.example'
      },
      /chains\.devnet\.rpcUrl: /,
    ],
    [
      'an RPC URL and a URL list at once',
      (c) => {
        c.chains.devnet.rpcUrls = [c.chains.devnet.rpcUrl]
      },
      /chains\.devnet\.rpcUrls: give rpcUrl or rpcUrls, not both/,
    ],
    [
      'no request allowed in flight',
      (c) => {
        c.chains.devnet.maxConcurrentRequests = 0
      },
      /chains\.devnet\.maxConcurrentRequests: Too small/,
    ],
    [
      'a batch size of zero',
      (c) => {
        c.chains.devnet.maxCallsPerRequest = 0
      },
      /chains\.devnet\.maxCallsPerRequest: Too small/,
    ],
    [
      'a chain name in capitals',
      (c) => {
        c.chains.Devnet = c.chains.devnet
      },
      /chains\.Devnet: invalid name: chain names are lower case letters/,
    ],
    [
      'a price without a source',
      (c) => {
        c.prices[WETH] = {}
      },
      /prices\["devnet:0x5FbDB.*"\]: a price needs a source/,
    ],
    [
      'a price with two sources',
      (c) => {
        c.prices[WETH] = { fixed: 1, pool: 'uni-v2-weth-usdc' }
      },
      /a price has one source, not fixed and pool/,
    ],
    [
      'a negative fixed price',
      (c) => {
        c.prices[WETH] = { fixed: -1 }
      },
      /prices\["devnet:0x5FbDB.*"\]\.fixed: Too small/,
    ],
    [
      'a staleness limit on a fixed price',
      (c) => {
        c.prices[WETH] = { fixed: 1, maxAgeSeconds: 60 }
      },
      /maxAgeSeconds applies to chainlink prices only/,
    ],
    [
      'a price key without a chain',
      (c) => {
        c.prices['0x5FbDB2315678afecb367f032d93F642f64180aa3'] = { fixed: 1 }
      },
      /prices\["0x5FbDB.*"\]: price keys are "chain:tokenAddress"/,
    ],
    [
      'a price key on an unknown chain',
      (c) => {
        c.prices['base:0x5FbDB2315678afecb367f032d93F642f64180aa3'] = { fixed: 1 }
      },
      /prices\["base:0x5FbDB.*"\]: unknown chain "base"/,
    ],
    [
      'a price from an unknown pool',
      (c) => {
        c.prices[WETH] = { pool: 'nope' }
      },
      /prices\["devnet:0x5FbDB.*"\]\.pool: unknown pool id "nope"/,
    ],
    [
      'a digest naming an unknown pool',
      (c) => {
        c.digests[0].pools = ['nope']
      },
      /digests\[0\]\.pools\[0\]: unknown pool id "nope"/,
    ],
    [
      'a digest recipient that is not an address',
      (c) => {
        c.digests[0].to = ['risk-at-example.com']
      },
      /digests\[0\]\.to\[0\]: Invalid email/,
    ],
    [
      'two digests of one name',
      (c) => {
        c.digests.push(c.digests[0])
      },
      /duplicate digest "daily"/,
    ],
    [
      'a digest name in capitals',
      (c) => {
        c.digests[0].name = 'Daily'
      },
      /digests\[0\]\.name: lower case letters, digits/,
    ],
    [
      'a positive IL threshold',
      (c) => {
        c.thresholds = { ilPct: 1 }
      },
      /thresholds\.ilPct: Too big/,
    ],
    [
      'a top level that is a list',
      () => [],
      /\(top level\): Invalid input: expected object, received array/,
    ],
  ])('%s', async (_, mutate, message) => {
    const config = JSON.parse(await readFile(CONFIG, 'utf8')) as Draft
    const replaced = mutate(config)
    const file = await configFile(JSON.stringify(replaced ?? config))
    await expectRefused(['run', '--config', file, '--date', date, '--out', dir], message)
  })

  test('a config that is not JSON', async () => {
    const file = await configFile('{"chains": {')
    await expectRefused(['run', '--config', file, '--out', dir], /Config .*\.json is not JSON/)
  })

  test('an RPC variable that is not set', async () => {
    const config = JSON.parse(await readFile(CONFIG, 'utf8')) as Draft
    // Only the RPC changes: the chain keeps the V4 contracts its V4 pools need.
    config.chains.devnet = {
      chainId: 31337,
      rpcUrlEnv: 'RPC_URL_NOWHERE',
      uniswapV4: config.chains.devnet.uniswapV4,
    }
    const file = await configFile(JSON.stringify(config))
    await expectRefused(
      ['run', '--config', file, '--date', date, '--out', dir],
      /environment variable RPC_URL_NOWHERE is not set/,
    )
  })
})

let files = 0
/** Writes a config file beside (not inside) the output folder. */
async function configFile(text: string): Promise<string> {
  const file = path.join(configs, `config-${files++}.json`)
  await writeFile(file, text)
  return file
}

/** The address with the case of its first letter flipped: the checksum no longer holds. */
function flipCase(address: string): string {
  const i = address.slice(2).search(/[a-fA-F]/) + 2
  const letter = address[i]!
  const flipped = letter === letter.toLowerCase() ? letter.toUpperCase() : letter.toLowerCase()
  return `${address.slice(0, i)}${flipped}${address.slice(i + 1)}`
}
