import { type Address, erc20Abi, isAddressEqual, parseAbi } from 'viem'
import { beforeAll, expect, test } from 'vitest'
import { uniswapV2PairAbi } from '../../lambda/protocols/uniswapV2/read.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import {
  devnetClient,
  devnetTestConfig,
  lastSimulatedDay,
  sharedDevnet,
} from '../support/devnet.ts'
import { configuredPrice } from '../support/referencePrices.ts'

const devnet = sharedDevnet()
const { client } = devnetClient()
const date = lastSimulatedDay()
const { MKR, LINK, WBTC, WETH } = devnet.tokens as Record<string, Address>
const pool = (id: string) => devnet.pools.find((candidate) => candidate.id === id)!.address

// MKR priced in its V2 pair, LINK in the 80/20 Balancer pool, WBTC in a pool without it, the
// 3pool's LP token (the LUSD metapool's second coin) as a share of the 3pool.
const base = devnetTestConfig()
const threeCrv = devnet.curve.lpTokens['curve-3pool']!
const config = {
  ...base,
  prices: {
    ...base.prices,
    [`devnet:${MKR}`]: { pool: 'uni-v2-mkr-weth' },
    [`devnet:${LINK}`]: { pool: 'bal-link-weth-80-20' },
    [`devnet:${WBTC}`]: { pool: 'uni-v2-mkr-weth' },
    [`devnet:${threeCrv}`]: { pool: 'curve-3pool' },
  },
}
let report: DailyReport

const curvePoolAbi = parseAbi([
  'function coins(uint256 i) view returns (address)',
  'function balances(uint256 i) view returns (uint256)',
])

const vaultAbi = parseAbi([
  'function getPoolTokens(bytes32 poolId) view returns (address[] tokens, uint256[] balances, uint256 lastChangeBlock)',
])
const weightedPoolAbi = parseAbi([
  'function getPoolId() view returns (bytes32)',
  'function getNormalizedWeights() view returns (uint256[])',
])

function day(id: string): PoolDay {
  return report.pools.find((candidate) => candidate.pool.id === id)!
}

function okDay(id: string) {
  const found = day(id)
  if (found.status !== 'ok') throw new Error(`${id}: ${'error' in found ? found.error : ''}`)
  return found
}

const priceOf = (entry: ReturnType<typeof okDay>, token: Address) =>
  entry.tokens.find((candidate) => isAddressEqual(candidate.address, token))!.priceEnd

beforeAll(async () => {
  report = await buildDailyReport({ config, date, clientFor: () => client })
})

test('a token priced in a V2 pair is worth the pair’s reserve ratio times its partner’s feed', async () => {
  const mkrWeth = okDay('uni-v2-mkr-weth')
  const blockNumber = mkrWeth.end!.number
  const [token0, [reserve0, reserve1]] = await Promise.all([
    client.readContract({
      address: pool('uni-v2-mkr-weth'),
      abi: uniswapV2PairAbi,
      functionName: 'token0',
      blockNumber,
    }),
    client.readContract({
      address: pool('uni-v2-mkr-weth'),
      abi: uniswapV2PairAbi,
      functionName: 'getReserves',
      blockNumber,
    }),
  ])
  // Both tokens have 18 decimals: the reserve ratio is the price.
  const [mkrReserve, wethReserve] = isAddressEqual(token0, MKR!)
    ? [reserve0, reserve1]
    : [reserve1, reserve0]
  const wethUsd = (await configuredPrice(client, base, WETH!, blockNumber))!
  expect(
    priceOf(mkrWeth, MKR!) / ((wethUsd * Number(wethReserve)) / Number(mkrReserve)) - 1,
  ).toBeCloseTo(0, 12)
  // The pair that sets the price cannot deviate from it.
  expect(mkrWeth.metrics.priceDeviationEnd).toBeCloseTo(0, 12)
})

test('a token priced in a weighted pool is worth its weighted spot price times its partner’s feed', async () => {
  const linkPools = report.pools.filter(
    (entry) =>
      entry.status === 'ok' && entry.tokens.some((token) => isAddressEqual(token.address, LINK!)),
  )
  expect(linkPools.map((entry) => entry.pool.id).sort()).toEqual([
    'bal-link-weth-80-20',
    'uni-v2-link-weth',
    'uni-v3-link-weth-100',
    'uni-v4-link-usdc-dynamic',
  ])
  const blockNumber = okDay('bal-link-weth-80-20').end!.number
  const address = pool('bal-link-weth-80-20')
  const [poolId, weights] = await Promise.all([
    client.readContract({ address, abi: weightedPoolAbi, functionName: 'getPoolId', blockNumber }),
    client.readContract({
      address,
      abi: weightedPoolAbi,
      functionName: 'getNormalizedWeights',
      blockNumber,
    }),
  ])
  const [tokens, balances] = await client.readContract({
    address: devnet.balancer.vault,
    abi: vaultAbi,
    functionName: 'getPoolTokens',
    args: [poolId],
    blockNumber,
  })
  const decimals = await Promise.all(
    tokens.map((token) =>
      client.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' }),
    ),
  )
  const side = (token: Address) => {
    const i = tokens.findIndex((candidate) => isAddressEqual(candidate, token))
    return Number(balances[i]!) / 10 ** decimals[i]! / (Number(weights[i]!) / 1e18)
  }
  const wethUsd = (await configuredPrice(client, base, WETH!, blockNumber))!
  const expected = (wethUsd * side(WETH!)) / side(LINK!)
  // Every pool holding LINK values it at that price, the Uniswap ones included.
  for (const entry of linkPools) {
    expect(
      priceOf(entry as ReturnType<typeof okDay>, LINK!) / expected - 1,
      entry.pool.id,
    ).toBeCloseTo(0, 12)
  }
})

test('a price that names a pool without the token makes an error row that says so', () => {
  const wbtcWeth = day('uni-v2-wbtc-weth')
  expect(wbtcWeth.status).toBe('error')
  expect('error' in wbtcWeth && wbtcWeth.error).toMatch(
    /price of 0x[0-9a-fA-F]{40}: pool uni-v2-mkr-weth does not hold it/,
  )
})

test('an LP token priced through its pool is worth the pool’s value per share at the feeds', async () => {
  const metapool = okDay('curve-lusd-3crv')
  const blockNumber = metapool.end!.number
  const read = <T>(parameters: object) =>
    client.readContract({ ...parameters, blockNumber } as never) as Promise<T>
  const address = pool('curve-3pool')
  const coins = await Promise.all(
    [0n, 1n, 2n].map((i) =>
      read<Address>({ address, abi: curvePoolAbi, functionName: 'coins', args: [i] }),
    ),
  )
  let value = 0
  for (const [i, coin] of coins.entries()) {
    const [balance, decimals, usd] = await Promise.all([
      read<bigint>({ address, abi: curvePoolAbi, functionName: 'balances', args: [BigInt(i)] }),
      read<number>({ address: coin, abi: erc20Abi, functionName: 'decimals' }),
      configuredPrice(client, base, coin, blockNumber),
    ])
    value += (Number(balance) / 10 ** decimals) * usd!
  }
  const supply = await read<bigint>({
    address: threeCrv,
    abi: erc20Abi,
    functionName: 'totalSupply',
  })
  expect(priceOf(metapool, threeCrv) / (value / (Number(supply) / 1e18)) - 1).toBeCloseTo(0, 12)
})
