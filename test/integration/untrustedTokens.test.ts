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
const factoryAbi = parseAbi([
  'function createPair(address, address) returns (address)',
  'function getPair(address, address) view returns (address)',
])

let anvil: Anvil
let out: string
let stdout = ''
let tokens: Address[] = []
let noSymbol: Address

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
  const usdc = token('USDC', 6)
  const { factory, trader } = await queueUniswapV2Core({ wallet, artifacts })
  await wallet.mine(MIDNIGHT - 1800n)
  for (const t of [...tokens, noSymbol]) {
    wallet.send(
      'pair',
      factory,
      encodeFunctionData({ abi: factoryAbi, functionName: 'createPair', args: [t, usdc] }),
    )
  }
  await wallet.mine(MIDNIGHT - 1200n)
  const client = createPublicClient({ transport: http(anvil.rpcUrl) })
  const pairs: Address[] = []
  for (const t of [...tokens, noSymbol]) {
    const pair = await client.readContract({
      address: factory,
      abi: factoryAbi,
      functionName: 'getPair',
      args: [t, usdc],
    })
    pairs.push(pair)
    const [amount0, amount1] =
      BigInt(t) < BigInt(usdc)
        ? [toRaw(1000, 18), toRaw(1000, 6)]
        : [toRaw(1000, 6), toRaw(1000, 18)]
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
    [...tokens, noSymbol, usdc].map((t) => [`local:${t}`, { fixed: 1 }]),
  )
  const config = {
    chains: { local: { chainId: 31337, rpcUrl: anvil.rpcUrl } },
    prices,
    pools: pairs.map((address, i) => ({
      id: `pool-${i}`,
      chain: 'local',
      protocol: 'uniswap-v2',
      address,
    })),
    digests: [{ name: 'daily', to: ['risk@example.com'] }],
  }
  await writeFile(path.join(out, 'config.json'), JSON.stringify(config))
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
  expect(
    await main(
      ['run', '--config', path.join(out, 'config.json'), '--date', DATE, '--out', out],
      io,
    ),
  ).toBe(0)
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
  expect(metrics.map((row) => row.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
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
