import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../lambda/config/loadConfig.ts'
import { resolveRpcUrls } from '../../lambda/config/resolveRpcUrls.ts'
import { samplesPerDayOf } from '../../lambda/config/schema.ts'
import { selectPools } from '../../lambda/config/selectPools.ts'
import { InvalidInputError } from '../../lambda/errors.ts'

/** The example of DESIGN.md, which must be complete and valid as it stands. */
const designExample = {
  chains: { ethereum: { chainId: 1, rpcUrl: 'https://...', rpcUrlEnv: 'RPC_URL_ETHEREUM' } },
  prices: {
    'ethereum:0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2': {
      chainlink: '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419',
    },
    'ethereum:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48': { fixed: 1 },
  },
  pools: [
    {
      id: 'uni-v2-usdc-weth',
      chain: 'ethereum',
      protocol: 'uniswap-v2',
      address: '0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc',
    },
  ],
  digests: [
    {
      name: 'daily',
      to: ['risk@example.com'],
      pools: '*',
      thresholds: { imbalancePp: 5, priceDeviationPct: 0.5, ilPct: -1 },
    },
  ],
}

function issuesOf(input: unknown): readonly string[] {
  try {
    parseConfig(input)
  } catch (error) {
    if (error instanceof InvalidInputError) return error.issues
    throw error
  }
  throw new Error('expected the config to be rejected')
}

// A config under construction: tests poke at any field to break it.
// biome-ignore lint/suspicious/noExplicitAny: deliberately untyped JSON
type Draft = Record<string, any>
const clone = () => structuredClone(designExample) as Draft

test('the DESIGN example is a valid config, with defaults filled in', () => {
  const config = parseConfig(designExample)
  expect(config.pools[0]).toHaveProperty('address', '0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc')
  expect(config.thresholds).toEqual({ imbalancePp: 5, priceDeviationPct: 0.5, ilPct: -1 })
})

test('a V3 pool takes an optional reference range', () => {
  const input = clone()
  input.pools.push(
    { ...input.pools[0], id: 'v3-default', protocol: 'uniswap-v3' },
    { ...input.pools[0], id: 'v3-narrow', protocol: 'uniswap-v3', rangePct: 2.5 },
  )
  const [, byDefault, narrow] = parseConfig(input).pools
  expect(byDefault).toMatchObject({ protocol: 'uniswap-v3' })
  expect(byDefault).not.toHaveProperty('rangePct')
  expect(narrow).toMatchObject({ protocol: 'uniswap-v3', rangePct: 2.5 })
})

test('intraday samples: hourly by default, set for all chains or per chain', () => {
  expect(samplesPerDayOf(parseConfig(designExample), 'ethereum')).toBe(24)
  const input = clone()
  input.samplesPerDay = 1
  input.chains.base = { chainId: 8453, rpcUrl: 'https://...', samplesPerDay: 48 }
  const config = parseConfig(input)
  expect(samplesPerDayOf(config, 'ethereum')).toBe(1)
  expect(samplesPerDayOf(config, 'base')).toBe(48)
  input.samplesPerDay = 0
  input.chains.base.samplesPerDay = 2.5
  expect(issuesOf(input)).toEqual([
    'chains.base.samplesPerDay: Invalid input: expected int, received number',
    'samplesPerDay: Too small: expected number to be >=1',
  ])
})

test('lower-case addresses are accepted and checksummed', () => {
  const input = clone()
  input.pools[0].address = '0xb4e16d0168e52d35cacd2c6185b44281ec28c9dc'
  expect(parseConfig(input).pools[0]).toHaveProperty(
    'address',
    '0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc',
  )
})

describe('errors name the JSON path and the problem', () => {
  test.each([
    [
      'unknown protocol',
      (c: Draft) => {
        c.pools[0].protocol = 'uniswap-v9'
      },
      /^pools\[0\]\.protocol: unknown protocol; expected one of uniswap-v2, uniswap-v3/,
    ],
    [
      'reference range of a V3 pool out of (0, 100)',
      (c: Draft) => {
        c.pools[0].protocol = 'uniswap-v3'
        c.pools[0].rangePct = 100
      },
      /^pools\[0\]\.rangePct: Too big: expected number to be <100/,
    ],
    [
      'rangePct on a V2 pool',
      (c: Draft) => {
        c.pools[0].rangePct = 10
      },
      /^pools\[0\]: Unrecognized key: "rangePct"/,
    ],
    [
      'bad checksum',
      (c: Draft) => {
        c.pools[0].address = '0xB4E16d0168e52d35CaCD2c6185b44281Ec28C9Dc'
      },
      /^pools\[0\]\.address: .* wrong EIP-55 checksum \(expected 0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc/,
    ],
    [
      'not an address',
      (c: Draft) => {
        c.pools[0].address = '0x1234'
      },
      /^pools\[0\]\.address: "0x1234" is not an address/,
    ],
    [
      'unknown chain',
      (c: Draft) => {
        c.pools[0].chain = 'arbitrum'
      },
      /^pools\[0\]\.chain: unknown chain "arbitrum"; chains are: ethereum/,
    ],
    [
      'duplicate pool id',
      (c: Draft) => {
        c.pools.push({ ...c.pools[0] })
      },
      /^pools\[1\]\.id: duplicate pool id "uni-v2-usdc-weth"/,
    ],
    [
      'price key without a source',
      (c: Draft) => {
        c.prices['ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7'] = {}
      },
      /^prices\["ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7"\]: a price needs a source/,
    ],
    [
      'price key on an unknown chain',
      (c: Draft) => {
        c.prices['base:0xdAC17F958D2ee523a2206206994597C13D831ec7'] = { fixed: 1 }
      },
      /^prices\["base:0xdAC17F958D2ee523a2206206994597C13D831ec7"\]: unknown chain "base"/,
    ],
    [
      'chain without an RPC',
      (c: Draft) => {
        c.chains.ethereum = { chainId: 1 }
      },
      /^chains\.ethereum: needs rpcUrl, rpcUrls or rpcUrlEnv/,
    ],
    [
      'both rpcUrl and rpcUrls',
      (c: Draft) => {
        c.chains.ethereum.rpcUrls = ['https://a.example']
      },
      /^chains\.ethereum\.rpcUrls: give rpcUrl or rpcUrls, not both/,
    ],
    [
      'an RPC URL that is not http(s)',
      (c: Draft) => {
        c.chains.ethereum = { chainId: 1, rpcUrls: ['https://a.example', 'wss://b.example'] }
      },
      /^chains\.ethereum\.rpcUrls\[1\]: must be an http\(s\) URL/,
    ],
    [
      'an empty rpcUrls',
      (c: Draft) => {
        c.chains.ethereum = { chainId: 1, rpcUrls: [] }
      },
      /^chains\.ethereum\.rpcUrls: /,
    ],
    [
      'a request timeout of zero',
      (c: Draft) => {
        c.chains.ethereum.timeoutMs = 0
      },
      /^chains\.ethereum\.timeoutMs: /,
    ],
    [
      'a fractional request limit',
      (c: Draft) => {
        c.chains.ethereum.maxConcurrentRequests = 1.5
      },
      /^chains\.ethereum\.maxConcurrentRequests: /,
    ],
    [
      'a run time limit in seconds by mistake',
      (c: Draft) => {
        c.runTimeoutMs = 300
      },
      /^runTimeoutMs: /,
    ],
    [
      'misspelled field',
      (c: Draft) => {
        c.pools[0].adress = c.pools[0].address
      },
      /^pools\[0\]: Unrecognized key: "adress"/,
    ],
    [
      'digest naming an unknown pool',
      (c: Draft) => {
        c.digests[0].pools = ['nope']
      },
      /^digests\[0\]\.pools\[0\]: unknown pool id "nope"/,
    ],
    [
      'bad recipient',
      (c: Draft) => {
        c.digests[0].to = ['not-an-email']
      },
      /^digests\[0\]\.to\[0\]: Invalid email/,
    ],
  ])('%s', (_, mutate, expected) => {
    const input = clone()
    mutate(input)
    expect(issuesOf(input).join('\n')).toMatch(expected)
  })

  test('every problem is listed at once', () => {
    const input = clone()
    input.pools[0].protocol = 'nope'
    input.chains.ethereum.chainId = -1
    expect(issuesOf(input)).toHaveLength(2)
  })
})

test('--pools selection rejects unknown ids and keeps config order', () => {
  const config = parseConfig({
    ...designExample,
    pools: [
      designExample.pools[0]!,
      {
        ...designExample.pools[0]!,
        id: 'second',
        address: '0x0d4a11d5EEaaC28EC3F61d100daF4d40471f1852',
      },
    ],
  })
  expect(selectPools(config, ['second', 'uni-v2-usdc-weth']).map((pool) => pool.id)).toEqual([
    'uni-v2-usdc-weth',
    'second',
  ])
  expect(() => selectPools(config, ['third'])).toThrow(/"third" not in the config/)
})

test('the RPC URL comes from the named environment variable first, and is required', () => {
  const config = parseConfig(designExample)
  expect(
    resolveRpcUrls(config, ['ethereum'], { RPC_URL_ETHEREUM: 'http://node:8545' }).get('ethereum'),
  ).toEqual(['http://node:8545'])
  expect(resolveRpcUrls(config, ['ethereum'], {}).get('ethereum')).toEqual(['https://...'])
  const envOnly = parseConfig({
    ...designExample,
    chains: { ethereum: { chainId: 1, rpcUrlEnv: 'RPC_URL_ETHEREUM' } },
  })
  expect(() => resolveRpcUrls(envOnly, ['ethereum'], {})).toThrow(
    /environment variable RPC_URL_ETHEREUM is not set/,
  )
})

test('several RPC URLs, from rpcUrls or a comma-separated variable, keep their order', () => {
  const config = parseConfig({
    ...designExample,
    chains: {
      ethereum: {
        chainId: 1,
        rpcUrls: ['https://a.example/key1', 'https://b.example/key2'],
        rpcUrlEnv: 'RPC_URL_ETHEREUM',
      },
    },
  })
  expect(resolveRpcUrls(config, ['ethereum'], {}).get('ethereum')).toEqual([
    'https://a.example/key1',
    'https://b.example/key2',
  ])
  const env = { RPC_URL_ETHEREUM: ' https://c.example/k3 ,http://d.example:8545/k4,' }
  expect(resolveRpcUrls(config, ['ethereum'], env).get('ethereum')).toEqual([
    'https://c.example/k3',
    'http://d.example:8545/k4',
  ])
})

test('a bad URL in the variable is named by its position, never by its text (it holds a key)', () => {
  const config = parseConfig(designExample)
  const env = { RPC_URL_ETHEREUM: 'https://ok.example/secret1,ftp://bad.example/secret2' }
  let message = ''
  try {
    resolveRpcUrls(config, ['ethereum'], env)
  } catch (error) {
    message = (error as Error).message
  }
  expect(message).toMatch(
    /chains\.ethereum\.rpcUrlEnv: entry 2 of environment variable RPC_URL_ETHEREUM is not an http\(s\) URL/,
  )
  expect(message).not.toMatch(/secret/)
})

test('every config shipped in config/ is valid', async () => {
  const dir = path.join(import.meta.dirname, '..', '..', 'config')
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json'))
  expect(files).toEqual(expect.arrayContaining(['devnet.json', 'mainnet.example.json']))
  for (const file of files) {
    const config = parseConfig(JSON.parse(await readFile(path.join(dir, file), 'utf8')), file)
    expect(config.pools.length, file).toBeGreaterThan(0)
  }
})

describe('a price taken from another configured pool', () => {
  const withPoolPrice = (source: unknown) => {
    const input = clone()
    input.prices['ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7'] = source
    return input
  }

  test('names a configured pool on the same chain', () => {
    expect(() => parseConfig(withPoolPrice({ pool: 'uni-v2-usdc-weth' }))).not.toThrow()
    expect(issuesOf(withPoolPrice({ pool: 'nope' })).join('\n')).toMatch(
      /^prices\["ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7"\]\.pool: unknown pool id "nope"/,
    )
  })

  test('is one source, not two', () => {
    expect(issuesOf(withPoolPrice({ pool: 'uni-v2-usdc-weth', fixed: 1 })).join('\n')).toMatch(
      /a price has one source, not fixed and pool/,
    )
  })
})

describe('a uniswap-v4 pool', () => {
  const ETH_USDC_005 = '0x21c67e77068de97969ba93d4aab21826d33ca12bb9f565d8496e8fda8a82ca27'
  /** Mainnet's ETH/USDC 0.05% pool, whose id is known from Uniswap's own tests and docs. */
  const ethUsdcKey = {
    currency0: '0x0000000000000000000000000000000000000000',
    currency1: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
    fee: 500,
    tickSpacing: 10,
    hooks: '0x0000000000000000000000000000000000000000',
  }
  const withV4Pool = (pool: Record<string, unknown>, contracts = true) => {
    const input = clone()
    if (contracts) {
      input.chains.ethereum.uniswapV4 = {
        poolManager: '0x000000000004444c5dc75cB358380D2e3dE08A90',
        stateView: '0x7ffe42c4a5deea5b0fec41c94c136cf115597227',
        positionManager: '0xbd216513d74c8cf14cf4747e6aaa6420ff64ee9e',
      }
    }
    input.pools.push({ id: 'v4', chain: 'ethereum', protocol: 'uniswap-v4', ...pool })
    return input
  }

  test('is named by its pool id, with an optional key that hashes to it', () => {
    const upper = `0x${ETH_USDC_005.slice(2).toUpperCase()}`
    const input = withV4Pool({ poolId: upper })
    input.pools.push({ ...input.pools[1], id: 'v4-keyed', poolId: ETH_USDC_005, key: ethUsdcKey })
    const [, byId, keyed] = parseConfig(input).pools
    expect(byId).toMatchObject({ protocol: 'uniswap-v4', poolId: ETH_USDC_005 })
    expect(keyed).toMatchObject({ key: { fee: 500, tickSpacing: 10 } })
  })

  test.each([
    [
      'a pool id that is not 32 bytes',
      withV4Pool({ poolId: ETH_USDC_005.slice(0, 64) }),
      /^pools\[1\]\.poolId: a V4 pool id is 0x and 64 hex digits \(32 bytes\)/,
    ],
    [
      'an address instead of a pool id',
      withV4Pool({ address: '0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc' }),
      /pools\[1\]: Unrecognized key: "address"/,
    ],
    [
      'a chain without the V4 contracts',
      withV4Pool({ poolId: ETH_USDC_005 }, false),
      /^pools\[1\]: uniswap-v4 pool "v4" needs chains\.ethereum\.uniswapV4 \{ poolManager, stateView, positionManager \}/,
    ],
    [
      'a key of another pool',
      withV4Pool({ poolId: ETH_USDC_005, key: { ...ethUsdcKey, fee: 3000, tickSpacing: 60 } }),
      /^pools\[1\]\.key: the key hashes to pool id 0xdce6394339af00981949f5f3baf27e3610c76326a700af57e4b3e3ae4977f78d, not to poolId 0x21c6/,
    ],
    [
      'a key with its currencies out of order',
      withV4Pool({
        poolId: ETH_USDC_005,
        key: { ...ethUsdcKey, currency0: ethUsdcKey.currency1, currency1: ethUsdcKey.currency0 },
      }),
      /^pools\[1\]\.key: currency0 0xA0b8.* must be below currency1 0x0000/,
    ],
    [
      'a key with a fee above 100%',
      withV4Pool({ poolId: ETH_USDC_005, key: { ...ethUsdcKey, fee: 1_000_001 } }),
      /^pools\[1\]\.key: fee 1000001 is neither at most 1000000 pips nor the dynamic-fee flag 8388608/,
    ],
  ])('rejects %s', (_, input, message) => {
    expect(issuesOf(input).join('\n')).toMatch(message)
  })
})
