import poolArtifact from '@balancer-labs/v2-deployments/dist/tasks/20230206-composable-stable-pool-v3/artifact/ComposableStablePool.json' with {
  type: 'json',
}
import { type Abi, type Address, erc20Abi, type Hex, isAddressEqual } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ASSETS, type BalancerStablePoolSpec, POOLS } from '../../devnet/scenario.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import { swapData, vaultAbi, vaultMarginalPrice } from '../support/balancerVault.ts'
import {
  devnetClient,
  devnetTestConfig,
  lastSimulatedDay,
  sharedDevnet,
} from '../support/devnet.ts'
import { expectCompoundingMetrics } from '../support/expectedMetrics.ts'
import { openPrivateChain, type PrivateChain } from '../support/privateChain.ts'
import { configuredPrice } from '../support/referencePrices.ts'

const poolAbi = poolArtifact.abi as Abi
const devnet = sharedDevnet()
const { client } = devnetClient()
const config = devnetTestConfig()
const date = lastSimulatedDay()
const vault = devnet.balancer.vault
let report: DailyReport
let chain: PrivateChain

const pools = POOLS.filter(
  (spec): spec is BalancerStablePoolSpec => spec.protocol === 'balancer-stable',
).map((spec) => ({
  id: spec.id,
  spec,
  address: devnet.pools.find((pool) => pool.id === spec.id)!.address,
}))
type StablePool = (typeof pools)[number]
type OkDay = Extract<PoolDay, { status: 'ok' }>

beforeAll(async () => {
  ;[report, chain] = await Promise.all([
    buildDailyReport({ config, date, clientFor: () => client }),
    openPrivateChain(),
  ])
})
afterAll(async () => {
  await chain?.stop()
})

function okDay(id: string): OkDay {
  const day = report.pools.find((candidate) => candidate.pool.id === id)
  if (day?.status !== 'ok')
    throw new Error(`${id} is not ok: ${day && 'error' in day ? day.error : 'missing'}`)
  return day
}

/**
 * A pool's state at a block (the latest without one), through the ComposableStablePool and
 * Vault ABIs of the deployment package; the pool's own BPT is dropped from its tokens.
 */
async function rawPool(pool: StablePool, blockNumber: bigint | undefined, reader = client) {
  const read = (address: Address, abi: Abi, functionName: string, args: unknown[] = []) =>
    reader.readContract({
      address,
      abi,
      functionName,
      args,
      blockNumber,
    } as never) as Promise<unknown>
  const poolId = (await read(pool.address, poolAbi, 'getPoolId')) as Hex
  const [[allTokens, allBalances], allFactors, [amp, , precision], swapFee, rate, supply] =
    (await Promise.all([
      read(vault, vaultAbi, 'getPoolTokens', [poolId]),
      read(pool.address, poolAbi, 'getScalingFactors'),
      read(pool.address, poolAbi, 'getAmplificationParameter'),
      read(pool.address, poolAbi, 'getSwapFeePercentage'),
      read(pool.address, poolAbi, 'getRate'),
      // A MetaStablePool has no getActualSupply: its totalSupply is all in circulation.
      read(pool.address, poolAbi, 'getActualSupply').catch(() =>
        read(pool.address, poolAbi, 'totalSupply'),
      ),
    ])) as [[Address[], bigint[]], bigint[], [bigint, boolean, bigint], bigint, bigint, bigint]
  const keep = allTokens.map((token) => !isAddressEqual(token, pool.address))
  const tokens = allTokens.filter((_, i) => keep[i])
  const balances = allBalances.filter((_, i) => keep[i])
  const factors = allFactors.filter((_, i) => keep[i])
  const decimals = await Promise.all(
    tokens.map((token) =>
      client.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' }),
    ),
  )
  return {
    poolId,
    tokens,
    balances,
    human: balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!),
    decimals,
    /** Balances as the invariant sees them (18 decimals, rates applied), as floats. */
    scaled: balances.map((raw, i) => (Number(raw) * Number(factors[i]!)) / 1e36),
    /** Each token's rate: its scaling factor without the decimals. */
    rates: factors.map((factor, i) => Number(factor) / 10 ** (36 - decimals[i]!)),
    amp: Number(amp) / Number(precision),
    fee: Number(swapFee) / 1e18,
    rate: Number(rate) / 1e18,
    supply: Number(supply),
  }
}

/**
 * The StableSwap invariant in floating point, written apart from the report's integer math:
 * `A n^n S + D = A n^n D + D^(n+1) / (n^n P)` with Balancer's `A n^n = amp * n`, by Newton's
 * method on `f(D) = D^(n+1) / (n^n P) + (amp n - 1) D - amp n S`.
 */
function invariant(x: readonly number[], amp: number): number {
  const n = x.length
  const sum = x.reduce((a, b) => a + b, 0)
  const product = x.reduce((a, b) => a * n * b, 1)
  let d = sum
  for (let k = 0; k < 100; k++) {
    const f = d ** (n + 1) / product + (amp * n - 1) * d - amp * n * sum
    const df = ((n + 1) * d ** n) / product + (amp * n - 1)
    const next = d - f / df
    if (Math.abs(next - d) < d * 1e-15) return next
    d = next
  }
  return d
}

async function prices(tokens: readonly Address[], blockNumber: bigint): Promise<number[]> {
  return Promise.all(
    tokens.map(async (token) => (await configuredPrice(client, config, token, blockNumber))!),
  )
}

test('the devnet has 2-, 3- and 5-token ComposableStablePools and a MetaStablePool', async () => {
  expect(pools.map((pool) => pool.spec.assets.length).sort()).toEqual([2, 2, 3, 5])
  const meta = pools.find((pool) => pool.spec.metaStable)!
  // The MetaStablePool has no getActualSupply and no BPT among its Vault tokens.
  await expect(
    client.readContract({ address: meta.address, abi: poolAbi, functionName: 'getActualSupply' }),
  ).rejects.toThrow()
  expect(okDay(meta.id).tokens).toHaveLength(2)
})

describe.each(pools)('$id', (pool) => {
  test('its tokens are the Vault’s without its own BPT, each weighing 1/n', async () => {
    const day = okDay(pool.id)
    const end = await rawPool(pool, day.end!.number)
    expect(end.tokens).toHaveLength(pool.spec.assets.length)
    expect(day.tokens.map((token) => token.address)).toEqual(end.tokens)
    expect(day.tokens.map((token) => token.weight)).toEqual(
      end.tokens.map(() => 1 / end.tokens.length),
    )
  })

  test('getRate() is the invariant of the scaled balances per BPT (checked apart from the report)', async () => {
    const end = await rawPool(pool, okDay(pool.id).end!.number)
    expect(invariant(end.scaled, end.amp) / (end.supply / 1e18) / end.rate - 1).toBeCloseTo(0, 9)
  })

  test('value shares, imbalance, TVL, LP vs HODL and fee return (getRate growth) match raw reads', async () => {
    const day = okDay(pool.id)
    const snapshot = async (blockNumber: bigint) => {
      const state = await rawPool(pool, blockNumber)
      return { ...state, prices: await prices(state.tokens, blockNumber) }
    }
    const [start, end] = await Promise.all([snapshot(day.start!.number), snapshot(day.end!.number)])
    const n = end.tokens.length
    // fee_return is the growth of getRate(), the invariant per BPT.
    const feeReturn = end.rate / start.rate - 1
    const m = day.metrics
    expectCompoundingMetrics(m, start, end, Array(n).fill(1 / n), feeReturn)
    expect(m.feeReturn).toBeGreaterThan(0)
    expect(m.volumeUsdEst! * end.fee).toBeCloseTo(m.feesUsd, 6)
  })

  test('price deviation is the Vault’s own quote for a tiny swap against the reference prices', async () => {
    const day = okDay(pool.id)
    const end = day.end!.number
    const state = await rawPool(pool, end)
    const reference = await prices(state.tokens, end)
    // The private node's latest state is the end block.
    const deviations = await Promise.all(
      state.tokens.slice(1).map(async (_, k) => {
        const i = k + 1
        const price = await vaultMarginalPrice(vault, state, 0, i, chain.client as never)
        return price / (reference[0]! / reference[i]!) - 1
      }),
    )
    const largest = deviations.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a))
    expect(day.metrics.priceDeviationEnd).toBeCloseTo(largest, 6)
  })

  test('depth: selling it through the Vault moves one pair’s price by exactly 2%, no pair by more', async () => {
    const day = okDay(pool.id)
    const state = await rawPool(pool, day.end!.number)
    const latest = await rawPool(pool, undefined, chain.client as never)
    expect(latest.balances).toEqual(state.balances)
    const reference = await prices(state.tokens, day.end!.number)
    const n = state.tokens.length
    const pairs = [...Array(n * n).keys()]
      .map((k) => [Math.floor(k / n), k % n] as const)
      .filter(([sold, bought]) => sold !== bought)
    // Prices before, all at once; the trades then go one at a time on the private node.
    const before = await Promise.all(
      pairs.map(([sold, bought]) =>
        vaultMarginalPrice(vault, state, sold, bought, chain.client as never),
      ),
    )
    const moves: { target: number; moved: number }[] = []
    for (const [k, [sold, bought]] of pairs.entries()) {
      const amount = BigInt(
        Math.floor((day.metrics.depth2pctUsd / reference[sold]!) * 10 ** state.decimals[sold]!),
      )
      const after = await chain.tryTrade(
        {
          to: vault,
          data: swapData(state.poolId, state.tokens[sold]!, state.tokens[bought]!, amount),
        },
        async () =>
          vaultMarginalPrice(
            vault,
            await rawPool(pool, undefined, chain.client as never),
            sold,
            bought,
            chain.client as never,
          ),
      )
      moves.push({ target: sold < bought ? 0.98 : 1 / 1.02, moved: after / before[k]! })
    }
    for (const { target, moved } of moves) expect(moved).toBeGreaterThan(target - 1e-5)
    expect(Math.min(...moves.map(({ target, moved }) => Math.abs(moved - target)))).toBeLessThan(
      1e-5,
    )
  })
})

test('the wstETH pool’s rate provider raised the rate during the day, and the pool scales by it', async () => {
  const pool = pools.find(({ spec }) => spec.assets.some((asset) => ASSETS[asset].rate))!
  const day = okDay(pool.id)
  const [start, end] = await Promise.all([
    rawPool(pool, day.start!.number),
    rawPool(pool, day.end!.number),
  ])
  const wsteth = end.rates.findIndex((rate) => rate > 1)
  expect(end.rates[wsteth]).toBeGreaterThan(start.rates[wsteth]!)
  expect(end.rates[1 - wsteth]).toBe(1)
  // A day of 3.5% a year: the pool's BPT rate earns about half of it on its wstETH half.
  const dailyYield = 1.035 ** (1 / 365) - 1
  expect(day.metrics.feeReturn).toBeGreaterThan(dailyYield * 0.3)
})

test('the 5-token pool holds the depegged USDe: it is the most overweight token', () => {
  const day = okDay('bal-usd-5')
  const usde = day.tokens.findIndex((token) => token.symbol === 'USDe')
  const shares = day.metrics.valueSharesEnd
  expect(Math.max(...shares)).toBe(shares[usde])
  expect(day.metrics.imbalanceEnd).toBeGreaterThan(0.1)
})

test('a weighted pool declared as balancer-stable is an error row naming the read that failed', async () => {
  const weighted = config.pools.find((pool) => pool.protocol === 'balancer-weighted')!
  const wrong = { ...weighted, id: 'weighted-as-stable', protocol: 'balancer-stable' as const }
  const { pools: days } = await buildDailyReport({
    config: { ...config, pools: [wrong] },
    date,
    clientFor: () => client,
  })
  expect(days[0]).toMatchObject({
    status: 'error',
    error: expect.stringMatching(/is not a Balancer stable pool at block \d+: .*revert/i),
  })
})
