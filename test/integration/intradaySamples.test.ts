import {
  type Abi,
  type Address,
  erc20Abi,
  type Hex,
  isAddressEqual,
  parseAbi,
  slice,
  zeroAddress,
} from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Artifact, compileContracts } from '../../devnet/compileContracts.ts'
import { MORNING_DEPEG, POOLS } from '../../devnet/scenario.ts'
import { createBlockFinder } from '../../lambda/chain/findBlockAtTimestamp.ts'
import { findSampleBlocks, sampleTimes } from '../../lambda/chain/findSampleBlocks.ts'
import { NATIVE_TOKEN_ADDRESS } from '../../lambda/chain/readTokenMetadata.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import { dayBounds } from '../../lambda/report/date.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import { vaultMarginalPrice } from '../support/balancerVault.ts'
import {
  devnetClient,
  devnetTestConfig,
  lastSimulatedDay,
  sharedDevnet,
} from '../support/devnet.ts'
import { configuredPrice, stablePoolPrices } from '../support/referencePrices.ts'
import { startRpcProxy } from '../support/rpcProxy.ts'

const devnet = sharedDevnet()
const { client, counter } = devnetClient()
const config = devnetTestConfig()
const date = lastSimulatedDay()
const { start: dayStart } = dayBounds(date)
let report: DailyReport
let requestsOfDay: number
let artifacts: Record<string, Artifact>

type OkDay = Extract<PoolDay, { status: 'ok' }>
function okDay(id: string, from: DailyReport = report): OkDay {
  const day = from.pools.find((candidate) => candidate.pool.id === id)
  if (day?.status !== 'ok')
    throw new Error(`${id} is not ok: ${day && 'error' in day ? day.error : 'missing'}`)
  return day
}

beforeAll(async () => {
  artifacts = await compileContracts()
  report = await buildDailyReport({ config, date, clientFor: () => client })
  requestsOfDay = counter.count
})

describe('sample blocks', () => {
  test('hourly samples land on the blocks the devnet mines at every full hour', async () => {
    const chain = report.chains[0]!
    const times = Array.from({ length: 25 }, (_, k) => dayStart + BigInt(k) * 3600n)
    expect(chain.samples?.map((block) => block.timestamp)).toEqual(times)
    expect(chain.samples?.[0]).toEqual(chain.start)
    expect(chain.samples?.[24]).toEqual(chain.end)
    // A block at exactly t_k is the sample; the next block is after t_k.
    for (const [k, block] of chain.samples!.entries()) {
      const next = await client.getBlock({ blockNumber: block.number + 1n })
      expect(next.timestamp, `k = ${k}`).toBeGreaterThan(times[k]!)
    }
  })

  test('between blocks, a sample is the last block before its instant', async () => {
    const chain = report.chains[0]!
    const headers = await Promise.all(
      Array.from({ length: Number(chain.end.number - chain.start.number) + 2 }, (_, i) =>
        client.getBlock({ blockNumber: chain.start.number + BigInt(i) }),
      ),
    )
    // 96 a day: t_k at :15 and :45, a quarter of an hour after the devnet's blocks.
    const times = sampleTimes(dayStart, 96)
    const searches = devnetClient()
    const found = await findSampleBlocks(createBlockFinder(searches.client), times)
    times.forEach((time, k) => {
      const expected = headers.filter((header) => header.timestamp <= time).at(-1)!
      expect(found[k]!.number, `k = ${k}`).toBe(expected.number)
    })
    expect(found[1]!.timestamp).toBe(dayStart)
    // Each sample's search starts from the bracket the others left: a header or two each.
    expect(searches.counter.count).toBeLessThanOrEqual(2 + 2 * times.length)
  })
})

test('a sampled day of the devnet stays a handful of requests per sample', () => {
  // The unsampled day is 11 to 13; each of the 23 intermediate samples adds its block search
  // (two headers) and its reads in at most three Multicall3 rounds (all samples' rounds go
  // out together with the start and end blocks').
  expect(requestsOfDay).toBeLessThanOrEqual(13 + 23 * (2 + 3))
})

/** A pool at one block, read and valued apart from the report's code. */
interface RawSample {
  readonly shares: readonly number[]
  readonly weights: readonly number[]
  /** Price deviation of each token i >= 1 (index 0 unused). */
  readonly deviations: readonly number[]
  readonly prices: readonly number[]
  readonly tvlUsd: number
  /** V3 only: active liquidity and sqrt of the raw price. */
  readonly liquidity?: number
  readonly sqrtPrice?: number
  readonly decimals: readonly number[]
}

const v2Abi = parseAbi([
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function getReserves() view returns (uint112, uint112, uint32)',
])
const v3Abi = parseAbi([
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function liquidity() view returns (uint128)',
  'function slot0() view returns (uint160, int24, uint16, uint16, uint16, uint8, bool)',
])
const balancerPoolAbi = parseAbi([
  'function getPoolId() view returns (bytes32)',
  'function getNormalizedWeights() view returns (uint256[])',
  'function getScalingFactors() view returns (uint256[])',
  'function getSwapFeePercentage() view returns (uint256)',
])
const vaultAbi = parseAbi([
  'function getPoolTokens(bytes32) view returns (address[], uint256[], uint256)',
])
const virtualPriceAbi = parseAbi(['function get_virtual_price() view returns (uint256)'])
const stateViewAbi = parseAbi([
  'function getSlot0(bytes32) view returns (uint160, int24, uint24, uint24)',
  'function getLiquidity(bytes32) view returns (uint128)',
])
const poolKeysAbi = parseAbi([
  'function poolKeys(bytes25) view returns (address, address, uint24, int24, address)',
])

const decimalsOf = (token: Address) =>
  // The native coin: 0xEeee… in the config's prices, 0x0000… as a V4 currency.
  token === NATIVE_TOKEN_ADDRESS || token === zeroAddress
    ? Promise.resolve(18)
    : client.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' })

function sharesOf(values: readonly number[]): number[] {
  const total = values.reduce((a, b) => a + b, 0)
  return values.map((value) => value / total)
}

async function rawSample(pool: (typeof devnet.pools)[number], block: bigint): Promise<RawSample> {
  const at = { blockNumber: block }
  if (
    pool.protocol === 'uniswap-v2' ||
    pool.protocol === 'uniswap-v3' ||
    pool.protocol === 'uniswap-v4'
  ) {
    const abi = pool.protocol === 'uniswap-v2' ? v2Abi : v3Abi
    const { stateView, positionManager } = devnet.uniswapV4
    // A V4 pool's currencies are in its key, which PositionManager recorded at its first mint.
    const tokens =
      pool.protocol === 'uniswap-v4'
        ? ((
            await client.readContract({
              address: positionManager,
              abi: poolKeysAbi,
              functionName: 'poolKeys',
              args: [slice(pool.address, 0, 25)],
              ...at,
            })
          ).slice(0, 2) as Address[])
        : ((await Promise.all(
            (['token0', 'token1'] as const).map((functionName) =>
              client.readContract({ address: pool.address, abi, functionName, ...at } as never),
            ),
          )) as Address[])
    const decimals = await Promise.all(tokens.map(decimalsOf))
    const prices = await Promise.all(
      tokens.map(async (token) => (await configuredPrice(client, config, token, block))!),
    )
    let amounts: number[]
    let v3: { liquidity: number; sqrtPrice: number } | undefined
    if (pool.protocol === 'uniswap-v2') {
      const [r0, r1] = await client.readContract({
        address: pool.address,
        abi: v2Abi,
        functionName: 'getReserves',
        ...at,
      })
      amounts = [Number(r0) / 10 ** decimals[0]!, Number(r1) / 10 ** decimals[1]!]
    } else {
      const [[sqrtPriceX96], liquidity] =
        pool.protocol === 'uniswap-v4'
          ? await Promise.all([
              client.readContract({
                address: stateView,
                abi: stateViewAbi,
                functionName: 'getSlot0',
                args: [pool.address],
                ...at,
              }),
              client.readContract({
                address: stateView,
                abi: stateViewAbi,
                functionName: 'getLiquidity',
                args: [pool.address],
                ...at,
              }),
            ])
          : await Promise.all([
              client.readContract({
                address: pool.address,
                abi: v3Abi,
                functionName: 'slot0',
                ...at,
              }),
              client.readContract({
                address: pool.address,
                abi: v3Abi,
                functionName: 'liquidity',
                ...at,
              }),
            ])
      const sqrtPrice = Number(sqrtPriceX96) / 2 ** 96
      // Virtual reserves of one unit of liquidity.
      amounts = [1 / sqrtPrice / 10 ** decimals[0]!, sqrtPrice / 10 ** decimals[1]!]
      v3 = { liquidity: Number(liquidity), sqrtPrice }
    }
    const poolPrice = amounts[1]! / amounts[0]!
    return {
      shares: sharesOf(amounts.map((amount, i) => amount * prices[i]!)),
      weights: [0.5, 0.5],
      deviations: [0, poolPrice / (prices[0]! / prices[1]!) - 1],
      prices,
      tvlUsd: amounts[0]! * prices[0]! + amounts[1]! * prices[1]!,
      decimals,
      ...v3,
    }
  }
  if (pool.protocol === 'balancer-weighted') {
    const poolId = (await client.readContract({
      address: pool.address,
      abi: balancerPoolAbi,
      functionName: 'getPoolId',
      ...at,
    })) as Hex
    const [[tokens, balances], rawWeights] = await Promise.all([
      client.readContract({
        address: devnet.balancer.vault,
        abi: vaultAbi,
        functionName: 'getPoolTokens',
        args: [poolId],
        ...at,
      }),
      client.readContract({
        address: pool.address,
        abi: balancerPoolAbi,
        functionName: 'getNormalizedWeights',
        ...at,
      }),
    ])
    const decimals = await Promise.all(tokens.map(decimalsOf))
    const prices = await Promise.all(
      tokens.map(async (token) => (await configuredPrice(client, config, token, block))!),
    )
    const human = balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!)
    const weights = rawWeights.map((weight) => Number(weight) / 1e18)
    // Weighted spot price of token 0 in token i: (b_i / w_i) / (b_0 / w_0).
    const spot = human.map((b, i) => b / weights[i]! / (human[0]! / weights[0]!))
    return {
      shares: sharesOf(human.map((b, i) => b * prices[i]!)),
      weights,
      deviations: spot.map((price, i) => price / (prices[0]! / prices[i]!) - 1),
      prices,
      tvlUsd: human.reduce((total, b, i) => total + b * prices[i]!, 0),
      decimals,
    }
  }
  if (pool.protocol === 'balancer-stable') {
    // The Vault's own quotes for tiny swaps give the marginal prices; the pool's own BPT is
    // not one of its tokens; rates (scaling factors without decimals) are the par values.
    const poolId = (await client.readContract({
      address: pool.address,
      abi: balancerPoolAbi,
      functionName: 'getPoolId',
      ...at,
    })) as Hex
    const read = (functionName: 'getScalingFactors' | 'getSwapFeePercentage') =>
      client.readContract({ address: pool.address, abi: balancerPoolAbi, functionName, ...at })
    const [[allTokens, allBalances], allFactors, swapFee] = await Promise.all([
      client.readContract({
        address: devnet.balancer.vault,
        abi: vaultAbi,
        functionName: 'getPoolTokens',
        args: [poolId],
        ...at,
      }),
      read('getScalingFactors') as Promise<readonly bigint[]>,
      read('getSwapFeePercentage') as Promise<bigint>,
    ])
    const keep = allTokens.map((token) => !isAddressEqual(token, pool.address))
    const tokens = allTokens.filter((_, i) => keep[i])
    const balances = allBalances.filter((_, i) => keep[i])
    const factors = allFactors.filter((_, i) => keep[i])
    const decimals = await Promise.all(tokens.map(decimalsOf))
    const rates = factors.map((factor, i) => Number(factor) / 10 ** (36 - decimals[i]!))
    const prices = await stablePoolPrices(client, config, tokens, block, rates)
    const quoted = { poolId, tokens, balances, decimals, fee: Number(swapFee) / 1e18 }
    const deviations = await Promise.all(
      tokens.map(async (_, i) => {
        if (i === 0) return 0
        const price = await vaultMarginalPrice(
          devnet.balancer.vault,
          quoted,
          0,
          i,
          client as never,
          block,
        )
        return price / (prices[0]! / prices[i]!) - 1
      }),
    )
    const human = balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!)
    return {
      shares: sharesOf(human.map((b, i) => b * prices[i]!)),
      weights: tokens.map(() => 1 / tokens.length),
      deviations,
      prices,
      tvlUsd: human.reduce((total, b, i) => total + b * prices[i]!, 0),
      decimals,
    }
  }
  // Curve: the pool's own get_dy for a tiny trade, fee added back, gives the marginal price.
  const spec = POOLS.find((candidate) => candidate.id === pool.id)!
  if (spec.protocol !== 'curve-stableswap') throw new Error(`unexpected pool ${pool.id}`)
  const abi = artifacts[spec.contract]!.abi as Abi
  const read = (functionName: string, args: unknown[] = []) =>
    client.readContract({ address: pool.address, abi, functionName, args, ...at } as never)
  const n = spec.assets.length + (spec.basePool ? 1 : 0)
  const indices = [...Array(n).keys()].map(BigInt)
  const [coins, balances, fee] = (await Promise.all([
    Promise.all(indices.map((i) => read('coins', [i]))),
    Promise.all(indices.map((i) => read('balances', [i]))),
    read('fee'),
  ])) as [Address[], bigint[], bigint]
  const decimals = await Promise.all(coins.map(decimalsOf))
  const par = coins.map(() => 1)
  if (spec.basePool) {
    const base = (await read('base_pool')) as Address
    const virtualPrice = await client.readContract({
      address: base,
      abi: virtualPriceAbi,
      functionName: 'get_virtual_price',
      ...at,
    })
    par[n - 1] = Number(virtualPrice) / 1e18
  }
  const prices = await stablePoolPrices(client, config, coins, block, par)
  const dx = balances[0]! / 1_000_000n
  const deviations = await Promise.all(
    indices.map(async (i) => {
      if (i === 0n) return 0
      const dy = (await read('get_dy', [0n, i, dx])) as bigint
      const j = Number(i)
      const price =
        Number(dy) /
        10 ** decimals[j]! /
        (Number(dx) / 10 ** decimals[0]!) /
        (1 - Number(fee) / 1e10)
      return price / (prices[0]! / prices[j]!) - 1
    }),
  )
  const human = balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!)
  return {
    shares: sharesOf(human.map((b, i) => b * prices[i]!)),
    weights: coins.map(() => 1 / n),
    deviations,
    prices,
    tvlUsd: human.reduce((total, b, i) => total + b * prices[i]!, 0),
    decimals,
  }
}

const okPools = devnet.pools
const samplesOf = new Map<string, RawSample[]>()

describe.each(okPools)('$id', (pool) => {
  beforeAll(async () => {
    const blocks = report.chains[0]!.samples!
    samplesOf.set(pool.id, await Promise.all(blocks.map((block) => rawSample(pool, block.number))))
  })

  test('every intraday column matches the pool read at each sample block', () => {
    const day = okDay(pool.id)
    const samples = samplesOf.get(pool.id)!
    const n = samples.length - 1
    const imbalances = samples.map((sample) =>
      Math.max(...sample.shares.map((share, i) => Math.abs(share - sample.weights[i]!))),
    )
    const deviations = samples.map((sample) =>
      sample.deviations.slice(1).reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a)),
    )
    const intraday = day.intraday!
    expect(intraday.samples).toBe(25)
    // The samples at k = 0 and k = n are the day's own start and end.
    expect(imbalances[0]).toBeCloseTo(day.metrics.imbalanceStart, 9)
    expect(imbalances[n]).toBeCloseTo(day.metrics.imbalanceEnd, 9)
    expect(intraday.imbalanceMax).toBeCloseTo(Math.max(...imbalances), 9)
    expect(intraday.imbalanceTwa).toBeCloseTo(
      imbalances.slice(0, n).reduce((a, b) => a + b, 0) / n,
      9,
    )
    // The peak is the sample deviation largest in size; two samples of opposite sign can tie
    // within this test's precision (a stable pool at +/- its fee band), so either is right.
    const peak = deviations.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a))
    expect(Math.abs(intraday.priceDeviationPeak)).toBeCloseTo(Math.abs(peak), 6)
    expect(
      Math.min(...deviations.map((deviation) => Math.abs(deviation - intraday.priceDeviationPeak))),
    ).toBeLessThan(1e-6)
    const { imbalancePp, priceDeviationPct } = config.thresholds
    const hours = (over: (k: number) => boolean) =>
      ([...Array(n).keys()].filter(over).length * 24) / n
    expect(intraday.hoursOverImbalance).toBe(hours((k) => imbalances[k]! * 100 > imbalancePp!))
    expect(intraday.hoursOverDeviation).toBe(
      hours((k) => Math.abs(deviations[k]!) * 100 > priceDeviationPct!),
    )
    if (samples[0]!.prices.length !== 2) {
      expect(intraday.refVolatility).toBeUndefined()
      expect(intraday.lvrUsd).toBeUndefined()
      return
    }
    const ratios = samples.map((sample) => sample.prices[0]! / sample.prices[1]!)
    const variance = ratios
      .slice(1)
      .reduce((total, ratio, k) => total + Math.log(ratio / ratios[k]!) ** 2, 0)
    expect(intraday.refVolatility).toBeCloseTo(Math.sqrt(variance), 12)
    const start = samples[0]!
    const expectedLvr =
      pool.protocol === 'uniswap-v3' || pool.protocol === 'uniswap-v4'
        ? ((variance / 4) * start.liquidity! * start.sqrtPrice! * start.prices[1]!) /
          10 ** start.decimals[1]!
        : pool.protocol === 'curve-stableswap' || pool.protocol === 'balancer-stable'
          ? undefined
          : ((variance * start.weights[0]! * start.weights[1]!) / 2) * day.metrics.tvlUsdStart
    if (expectedLvr === undefined) {
      expect(intraday.lvrUsd).toBeUndefined()
      return
    }
    expect(intraday.lvrUsd! / expectedLvr - 1).toBeCloseTo(0, 9)
    if (pool.protocol !== 'uniswap-v3' && pool.protocol !== 'uniswap-v4') {
      // The value the LVR scales with is the pool's value at the start.
      expect(day.metrics.tvlUsdStart / start.tvlUsd - 1).toBeCloseTo(0, 9)
    }
  })
})

test('the morning depeg shows in the peak columns, not in the end-of-day ones', () => {
  for (const id of Object.keys(MORNING_DEPEG.saleShareOfTvl)) {
    const day = okDay(id)
    const samples = samplesOf.get(id)!
    const { intraday, metrics } = day
    // DAI (token 0 of both pools) is cheap in the pool in the morning and at par by the evening.
    expect(Math.abs(metrics.priceDeviationEnd), id).toBeLessThan(0.005)
    expect(intraday!.priceDeviationPeak, id).toBeLessThan(-0.005)
    expect(intraday!.hoursOverDeviation, id).toBeGreaterThanOrEqual(3)
    const worst = samples.findIndex((sample) =>
      sample.deviations.some((deviation) => deviation === intraday!.priceDeviationPeak),
    )
    expect(worst === -1 || (worst >= 7 && worst <= 12), id).toBe(true)
  }
  const susd = okDay('curve-susd')
  expect(susd.intraday!.imbalanceMax).toBeGreaterThan(susd.metrics.imbalanceEnd + 0.05)
  expect(susd.intraday!.hoursOverImbalance).toBeGreaterThan(0)
})

describe('a sample the node cannot serve', () => {
  let proxy: Awaited<ReturnType<typeof startRpcProxy>>
  let noon: bigint
  afterAll(() => proxy?.stop())

  test('empties the intraday columns of the pools with a note, and the rows stay ok', async () => {
    // Two samples a day: the only intermediate one is at noon, which this node has pruned.
    noon = report.chains[0]!.samples![12]!.number
    proxy = await startRpcProxy(devnet.rpcUrl, ({ method, params }) =>
      method === 'eth_call' && params?.[1] === `0x${noon.toString(16)}`
        ? { kind: 'rpc-error', code: -32000, message: `missing trie node at block ${noon}` }
        : undefined,
    )
    const sampled = await buildDailyReport({
      config: { ...config, samplesPerDay: 2 },
      date,
      clientFor: () => devnetClient(proxy.url).client,
    })
    expect(sampled.chains[0]!.samples!.map((block) => block.number)).toEqual([
      report.chains[0]!.start.number,
      noon,
      report.chains[0]!.end.number,
    ])
    for (const pool of okPools) {
      const day = okDay(pool.id, sampled)
      expect(day.intraday).toBeUndefined()
      expect(day.note).toMatch(/^intraday columns left empty: a sample could not be read/)
      expect(day.metrics).toEqual(okDay(pool.id).metrics)
    }
  })

  test('one sample a day leaves the intraday columns empty without a note', async () => {
    const unsampled = await buildDailyReport({
      config: { ...config, samplesPerDay: 1 },
      date,
      clientFor: () => client,
    })
    expect(unsampled.chains[0]!.samples).toBeUndefined()
    for (const pool of okPools) {
      expect(okDay(pool.id, unsampled).intraday).toBeUndefined()
      expect(okDay(pool.id, unsampled).note).toBeUndefined()
    }
  })
})
