import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { type Address, createPublicClient, encodeFunctionData, http, parseAbi } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type Anvil, startAnvil } from '../../devnet/anvil.ts'
import { compileContracts } from '../../devnet/compileContracts.ts'
import { installMulticall3, toRaw, withArgs } from '../../devnet/deployBase.ts'
import { DevnetWallet } from '../../devnet/devnetWallet.ts'
import { queueUniswapV2Core } from '../../devnet/uniswapV2.ts'
import { type CliIo, main } from '../../lambda/cli.ts'

const DAY = 86_400n
const MIDNIGHT = 1_790_000_000n - (1_790_000_000n % DAY)
const DATE = new Date(Number(MIDNIGHT) * 1000).toISOString().slice(0, 10)
const SYMBOLS = [
  '=HYPERLINK("http://x.io","a")',
  '<script>alert(1)</script>',
  '+1-2,"x"',
  '@SUM(A1:A9)',
]
/** Tokens whose decimals are legal ERC-20 values but far from the usual 6 to 18. */
const ODD_DECIMALS = [0, 77, 255] as const
/** A symbol that would break a CSV row, a mail header and the terminal table. */
const NEWLINE_SYMBOL = 'EVIL\r\nBcc: x@evil.io'
/** Runtime code that reverts every call (PUSH1 0 PUSH1 0 REVERT). */
const REVERTING_CODE = '0x60006000fd'
/** Runtime code that answers every call with 3 bytes, which decode as nothing (PUSH3 … RETURN). */
const GARBAGE_CODE = '0x62deadbe6000526003601df3'
const REVERTING: Address = '0x00000000000000000000000000000000000bad01'
const GARBAGE: Address = '0x00000000000000000000000000000000000bad02'
/** An address with no code at all, as if a wallet were configured as a pool. */
const EOA: Address = '0x000000000000000000000000000000000000dEaD'

const factoryAbi = parseAbi([
  'function createPair(address, address) returns (address)',
  'function getPair(address, address) view returns (address)',
])

let anvil: Anvil
let out: string
let stdout = ''
let tokens: Address[] = []
let noSymbol: Address
let oddDecimals: Address[] = []
let newlineSymbol: Address
/** The metrics and balances rows of the sane pools, from a run without the hostile ones. */
let saneRows: { metrics: string[]; balances: string[] }

beforeAll(async () => {
  // A small chain of its own: hostile tokens paired with a stablecoin, and one day to report.
  anvil = await startAnvil({ noMining: true, genesisTimestamp: MIDNIGHT - 3600n })
  const artifacts = await compileContracts()
  const wallet = new DevnetWallet(anvil.rpcUrl)
  await wallet.syncNonce()
  await installMulticall3({ wallet, artifacts })
  const token = (symbol: string, decimals: number) =>
    wallet.deploy(
      symbol,
      withArgs(artifacts.TestToken!, ['string', 'string', 'uint8'], [symbol, symbol, decimals]),
    )
  tokens = SYMBOLS.map((symbol) => token(symbol, 18))
  noSymbol = wallet.deploy('no symbol', withArgs(artifacts.NoSymbolToken!, ['uint8'], [18]))
  oddDecimals = ODD_DECIMALS.map((decimals) => token(`D${decimals}`, decimals))
  newlineSymbol = token(NEWLINE_SYMBOL, 18)
  const usdc = token('USDC', 6)
  await wallet.request('anvil_setCode', REVERTING, REVERTING_CODE)
  await wallet.request('anvil_setCode', GARBAGE, GARBAGE_CODE)
  const hostile = [...oddDecimals, newlineSymbol]
  const { factory, trader } = await queueUniswapV2Core({ wallet, artifacts })
  await wallet.mine(MIDNIGHT - 1800n)
  for (const t of [...tokens, noSymbol, ...hostile]) {
    wallet.send(
      'pair',
      factory,
      encodeFunctionData({ abi: factoryAbi, functionName: 'createPair', args: [t, usdc] }),
    )
  }
  await wallet.mine(MIDNIGHT - 1200n)
  const client = createPublicClient({ transport: http(anvil.rpcUrl) })
  const pairs: Address[] = []
  for (const t of [...tokens, noSymbol, ...hostile]) {
    const pair = await client.readContract({
      address: factory,
      abi: factoryAbi,
      functionName: 'getPair',
      args: [t, usdc],
    })
    pairs.push(pair)
    // 1000 whole tokens where a V2 reserve (uint112) can hold them, else 10^30 raw units.
    const decimals = ODD_DECIMALS[oddDecimals.indexOf(t)] ?? 18
    const amount = decimals <= 18 ? 1000n * 10n ** BigInt(decimals) : 10n ** 30n
    const [amount0, amount1] =
      BigInt(t) < BigInt(usdc) ? [amount, toRaw(1000, 6)] : [toRaw(1000, 6), amount]
    wallet.send(
      'seed',
      trader,
      encodeFunctionData({
        abi: artifacts.UniswapV2Trader!.abi,
        functionName: 'seed',
        args: [pair, amount0, amount1],
      }),
    )
  }
  await wallet.mine(MIDNIGHT - 600n)
  await wallet.mine(MIDNIGHT + DAY)
  await wallet.mine(MIDNIGHT + DAY + 12n)

  out = await mkdtemp(path.join(tmpdir(), 'pool-report-untrusted-'))
  const prices = Object.fromEntries(
    [...tokens, noSymbol, ...hostile, usdc].map((t) => [`local:${t}`, { fixed: 1 }]),
  )
  const pool = (id: string, address: Address) => ({
    id,
    chain: 'local',
    protocol: 'uniswap-v2',
    address,
  })
  const sane = pairs.slice(0, tokens.length + 1).map((address, i) => pool(`pool-${i}`, address))
  const config = (pools: unknown[]) => ({
    chains: { local: { chainId: 31337, rpcUrl: anvil.rpcUrl } },
    prices,
    pools,
    digests: [{ name: 'daily', to: ['risk@example.com'] }],
  })
  await writeFile(path.join(out, 'sane.json'), JSON.stringify(config(sane)))
  await writeFile(
    path.join(out, 'config.json'),
    JSON.stringify(
      config([
        ...sane,
        ...ODD_DECIMALS.map((decimals, i) => pool(`decimals-${decimals}`, pairs[sane.length + i]!)),
        pool('newline-symbol', pairs.at(-1)!),
        pool('eoa', EOA),
        pool('reverting', REVERTING),
        pool('garbage', GARBAGE),
      ]),
    ),
  )
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stdout += text
    },
    env: {},
    now: () => new Date(),
  }
  const report = (file: string, args: string[] = []) =>
    main(['run', '--config', path.join(out, file), '--date', DATE, '--out', out, ...args], io)
  // The sane pools first; then every pool, hostile ones included, over the same folder.
  expect(await report('sane.json', ['--no-email'])).toBe(0)
  saneRows = {
    metrics: (await read(`metrics/dt=${DATE}/metrics.csv`)).split('\n'),
    balances: (await read(`balances/dt=${DATE}/balances.csv`)).split('\n'),
  }
  stdout = ''
  expect(await report('config.json'), stdout).toBe(0)
})
afterAll(async () => {
  await anvil?.stop()
  await rm(out, { recursive: true, force: true })
})

const read = (key: string) => readFile(path.join(out, key), 'utf8')

test('no CSV cell can start a spreadsheet formula, and the symbols survive intact', async () => {
  const metrics = parse(await read(`metrics/dt=${DATE}/metrics.csv`), { columns: true }) as Record<
    string,
    string
  >[]
  const balances = parse(await read(`balances/dt=${DATE}/balances.csv`), {
    columns: true,
  }) as Record<string, string>[]
  expect(metrics.slice(0, 5).map((row) => row.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
  for (const row of [...metrics, ...balances]) {
    for (const [column, cell] of Object.entries(row)) {
      // Numbers may be negative; every other cell must not open with a formula character.
      if (!/^-?\d/.test(cell)) expect(cell, column).not.toMatch(/^[=+\-@\t\r]/)
    }
  }
  const symbols = balances.map((row) => row.symbol!.replace(/^'/, ''))
  for (const symbol of SYMBOLS) expect(symbols).toContain(symbol)
})

test('a token whose symbol() reverts is named by its address and does not break its pool', async () => {
  const balances = parse(await read(`balances/dt=${DATE}/balances.csv`), {
    columns: true,
  }) as Record<string, string>[]
  const row = balances.find((candidate) => candidate.token_address === noSymbol)
  expect(row?.symbol).toBe(`${noSymbol.slice(0, 6)}…${noSymbol.slice(-4)}`)
})

test('the HTML digest escapes symbols; the text digest and the terminal show them as they are', async () => {
  const html = await read(`emails/dt=${DATE}/daily.html`)
  expect(html).not.toContain('<script>')
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  expect(html).toContain('&#x3D;HYPERLINK(&quot;http://x.io&quot;,&quot;a&quot;)')
  const text = await read(`emails/dt=${DATE}/daily.txt`)
  expect(text).toContain('<script>alert(1)</script>')
  expect(stdout).toContain('@SUM(A1:A9)')
})

const rowsOf = async (file: 'metrics' | 'balances') =>
  parse(await read(`${file}/dt=${DATE}/${file}.csv`), { columns: true }) as Record<string, string>[]

test.each([
  [
    'an address without code',
    'eoa',
    EOA,
    /token0\(\) on 0x\w+ at block \d+ returned no data \(no contract there\?\)/,
  ],
  [
    'a contract that reverts every call',
    'reverting',
    REVERTING,
    /token0\(\) on 0x\w+ at block \d+ reverted/,
  ],
  [
    'a contract that answers garbage',
    'garbage',
    GARBAGE,
    /token0\(\) on 0x\w+ at block \d+ returned data that does not decode/,
  ],
])(
  '%s declared as a pool is an error row naming the address and the failed probe',
  async (_, id, address, reason) => {
    const row = (await rowsOf('metrics')).find((candidate) => candidate.pool_id === id)!
    expect(row.status).toBe('error')
    expect(row.error).toMatch(
      new RegExp(`^${address} is not a Uniswap V2 pair at block \\d+: `, 'i'),
    )
    expect(row.error).toMatch(reason)
  },
)

test.each(ODD_DECIMALS.map((decimals, i) => [decimals, i] as const))(
  'a token with %i decimals is read exactly: its balances print in full, no number in exponent form',
  async (decimals, i) => {
    const token = oddDecimals[i]!
    const row = (await rowsOf('balances')).find((candidate) => candidate.token_address === token)!
    expect(row).toMatchObject({ pool_id: `decimals-${decimals}`, decimals: String(decimals) })
    // 1000 whole tokens, or 10^30 raw units: written out by hand, apart from viem's formatUnits.
    const expected = decimals <= 18 ? '1000' : `0.${'0'.repeat(decimals - 31)}1`
    expect(row.balance_start).toBe(expected)
    expect(row.balance_end).toBe(expected)
    const metrics = (await rowsOf('metrics')).find(
      (candidate) => candidate.pool_id === `decimals-${decimals}`,
    )!
    expect(metrics.status).toBe('ok')
    for (const cell of [...Object.values(row), ...Object.values(metrics)])
      expect(cell).not.toMatch(/^-?\d+(\.\d+)?e[-+]?\d+$/i)
  },
)

test('a symbol with a line break and a mail header cannot break a row, a header or the table', async () => {
  const row = (await rowsOf('balances')).find(
    (candidate) => candidate.token_address === newlineSymbol,
  )!
  // Control characters are dropped; what is left is shown as text.
  expect(row.symbol).toBe('EVILBcc: x@evil.io')
  const eml = await read(`emails/dt=${DATE}/daily.eml`)
  expect(eml).not.toMatch(/^Bcc:/m)
  expect(stdout).not.toContain('EVIL\r')
})

test('the sane pools’ rows are the same with the hostile pools as without them', async () => {
  const metrics = (await read(`metrics/dt=${DATE}/metrics.csv`)).split('\n')
  const balances = (await read(`balances/dt=${DATE}/balances.csv`)).split('\n')
  expect(metrics.slice(0, 6)).toEqual(saneRows.metrics.slice(0, 6))
  expect(balances.slice(0, 11)).toEqual(saneRows.balances.slice(0, 11))
})
