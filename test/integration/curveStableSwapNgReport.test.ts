import { type Abi, type Address, encodeFunctionData, erc20Abi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Artifact, compileContracts } from '../../devnet/compileContracts.ts'
import { DEVNET_SENDER } from '../../devnet/devnetWallet.ts'
import { ASSETS, type CurveStableSwapPoolSpec, POOLS } from '../../devnet/scenario.ts'
import {
  type StableSwapPool,
  stableSwapExchange,
  stableSwapGetDy,
} from '../../lambda/metrics/stableSwapMath.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import {
  devnetClient,
  devnetTestConfig,
  lastSimulatedDay,
  sharedDevnet,
} from '../support/devnet.ts'
import { expectCompoundingMetrics } from '../support/expectedMetrics.ts'
import { openPrivateChain, type PrivateChain } from '../support/privateChain.ts'
import { stablePoolPrices } from '../support/referencePrices.ts'

const devnet = sharedDevnet()
const { client } = devnetClient()
const config = devnetTestConfig()
const date = lastSimulatedDay()
let report: DailyReport
let artifacts: Record<string, Artifact>
let chain: PrivateChain

const pools = POOLS.filter(
  (spec): spec is CurveStableSwapPoolSpec =>
    spec.protocol === 'curve-stableswap' && spec.contract === 'StableSwapNG',
).map((spec) => ({
  id: spec.id,
  spec,
  address: devnet.pools.find((pool) => pool.id === spec.id)!.address,
}))
type NgPool = (typeof pools)[number]
type OkDay = Extract<PoolDay, { status: 'ok' }>

beforeAll(async () => {
  ;[report, artifacts, chain] = await Promise.all([
    buildDailyReport({ config, date, clientFor: () => client }),
    compileContracts(),
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

/** An NG pool's state at a block (the latest without one), through its own contract's ABI. */
async function rawPool(pool: NgPool, blockNumber: bigint | undefined, reader = client) {
  const abi = artifacts.StableSwapNG!.abi as Abi
  const read = (functionName: string, args: unknown[] = []) =>
    reader.readContract({
      address: pool.address,
      abi,
      functionName,
      args,
      blockNumber,
    } as never) as Promise<unknown>
  const n = Number(await read('N_COINS'))
  const [coins, balances, rates, amp, fee, adminFee, multiplier, virtualPrice, supply] =
    (await Promise.all([
      Promise.all([...Array(n).keys()].map((i) => read('coins', [BigInt(i)]))),
      read('get_balances'),
      read('stored_rates'),
      read('A_precise'),
      read('fee'),
      read('admin_fee'),
      read('offpeg_fee_multiplier'),
      read('get_virtual_price'),
      read('totalSupply'),
    ])) as [Address[], bigint[], bigint[], bigint, bigint, bigint, bigint, bigint, bigint]
  const decimals = await Promise.all(
    coins.map((coin) =>
      client.readContract({ address: coin, abi: erc20Abi, functionName: 'decimals' }),
    ),
  )
  const math: StableSwapPool = {
    balances,
    rates,
    amp,
    aPrecision: 100n,
    fee,
    adminFee,
    offpegFeeMultiplier: multiplier,
  }
  return {
    abi,
    coins,
    balances,
    human: balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!),
    decimals,
    rates,
    par: rates.map((rate, i) => Number(rate) * 10 ** (decimals[i]! - 36)),
    /** Scaled (18-decimal, rate-adjusted) balances, as floats. */
    xp: balances.map((raw, k) => (Number(raw) * Number(rates[k]!)) / 1e36),
    fee: Number(fee) / 1e10,
    multiplier: Number(multiplier) / 1e10,
    virtualPrice,
    supply,
    math,
  }
}

/**
 * The NG dynamic fee in floating point, written apart from the report's code: the base fee
 * times `m / ((m - 1) * 4 xi xj / (xi + xj)^2 + 1)`.
 */
function dynamicFee(fee: number, multiplier: number, xi: number, xj: number): number {
  if (multiplier <= 1) return fee
  return (multiplier * fee) / (((multiplier - 1) * 4 * xi * xj) / (xi + xj) ** 2 + 1)
}

/** The pool's own fee for a trade of coins i and j at its current balances (`dynamic_fee`). */
async function poolFee(pool: NgPool, i: number, j: number, reader = client, blockNumber?: bigint) {
  const fee = await reader.readContract({
    address: pool.address,
    abi: artifacts.StableSwapNG!.abi,
    functionName: 'dynamic_fee',
    args: [BigInt(i), BigInt(j)],
    ...(blockNumber !== undefined && { blockNumber }),
  } as never)
  return Number(fee) / 1e10
}

/**
 * Marginal price of coin i in coin j, fees excluded: a tiny `get_dy` with the pool's own
 * dynamic fee for the pair added back.
 */
async function marginalPrice(
  pool: NgPool,
  i: number,
  j: number,
  reader = client,
  blockNumber?: bigint,
) {
  const state = await rawPool(pool, blockNumber, reader)
  const dx = state.balances[i]! / 10_000_000n
  const dy = (await reader.readContract({
    address: pool.address,
    abi: state.abi,
    functionName: 'get_dy',
    args: [BigInt(i), BigInt(j), dx],
    ...(blockNumber !== undefined && { blockNumber }),
  } as never)) as bigint
  const fee = await poolFee(pool, i, j, reader, blockNumber)
  return Number(dy) / 10 ** state.decimals[j]! / (Number(dx) / 10 ** state.decimals[i]!) / (1 - fee)
}

test('the devnet has an NG pool with an oracle-rated LST coin and a dynamic fee', () => {
  expect(pools.length).toBeGreaterThan(0)
  for (const pool of pools) {
    expect(pool.spec.assets.some((asset) => ASSETS[asset].rate)).toBe(true)
    expect(pool.spec.offpegFeeMultiplier).toBeGreaterThan(10n ** 10n)
  }
})

describe.each(pools)('$id', (pool) => {
  test('the pool quotes and exchanges exactly what the TypeScript math computes, dynamic fee included', async () => {
    const end = okDay(pool.id).end!.number
    const state = await rawPool(pool, end)
    const n = state.coins.length
    const cases: [number, number, bigint][] = []
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue
        for (const fraction of [0n, 1_000n, 100_000n, 600_000n]) {
          cases.push([i, j, fraction === 0n ? 1n : (state.balances[i]! * fraction) / 1_000_000n])
        }
      }
    }
    const quoted = await Promise.all(
      cases.map(([i, j, dx]) =>
        client.readContract({
          address: pool.address,
          abi: state.abi,
          functionName: 'get_dy',
          args: [BigInt(i), BigInt(j), dx],
          blockNumber: end,
        } as never),
      ),
    )
    cases.forEach(([i, j, dx], k) => {
      expect(quoted[k], `get_dy(${i}, ${j}, ${dx})`).toBe(stableSwapGetDy(state.math, i, j, dx))
    })
    const [i, j, dx] = cases[cases.length - 1]!
    const { data } = await client.call({
      account: DEVNET_SENDER,
      to: pool.address,
      data: encodeFunctionData({
        abi: state.abi,
        functionName: 'exchange',
        args: [BigInt(i), BigInt(j), dx, 0n],
      }),
      blockNumber: end,
    })
    expect(BigInt(data!)).toBe(stableSwapExchange(state.math, i, j, dx).dy)
  })

  test('the dynamic fee is the NG formula on the scaled balances, and grows off balance', async () => {
    const state = await rawPool(pool, okDay(pool.id).end!.number)
    const fee = await poolFee(pool, 0, 1, client, okDay(pool.id).end!.number)
    // The pool's fee is an integer of about 1e6 (1e10 scale): it rounds at 1e-6.
    expect(
      fee / dynamicFee(state.fee, state.multiplier, state.xp[0]!, state.xp[1]!) - 1,
    ).toBeCloseTo(0, 5)
    expect(fee).toBeGreaterThanOrEqual(state.fee)
    const lopsided = dynamicFee(state.fee, state.multiplier, 9, 1)
    expect(lopsided).toBeGreaterThan(2 * state.fee)
  })

  test('stored_rates carries the LST’s oracle rate, which rose during the day', async () => {
    const day = okDay(pool.id)
    const [start, end] = await Promise.all([
      rawPool(pool, day.start!.number),
      rawPool(pool, day.end!.number),
    ])
    const lst = pool.spec.assets.findIndex((asset) => ASSETS[asset].rate)
    expect(end.par[lst]).toBeGreaterThan(start.par[lst]!)
    expect(end.par[lst]).toBeGreaterThan(1)
    expect(end.par.filter((_, k) => k !== lst)).toEqual(
      end.par.filter((_, k) => k !== lst).map(() => 1),
    )
  })

  test('value shares, imbalance against 1/n, TVL, LP vs HODL and fee return match raw reads', async () => {
    const day = okDay(pool.id)
    const snapshot = async (blockNumber: bigint) => {
      const state = await rawPool(pool, blockNumber)
      const prices = await stablePoolPrices(client, config, state.coins, blockNumber, state.par)
      return { ...state, prices }
    }
    const [start, end] = await Promise.all([snapshot(day.start!.number), snapshot(day.end!.number)])
    const n = end.human.length
    const feeReturn = Number(end.virtualPrice) / Number(start.virtualPrice) - 1
    const m = day.metrics
    expectCompoundingMetrics(m, start, end, Array(n).fill(1 / n), feeReturn)
    expect(m.feeReturn).toBeGreaterThan(0)
  })

  test('price deviation is the pool’s own tiny quote, its dynamic fee added back, against the reference prices', async () => {
    const day = okDay(pool.id)
    const end = day.end!.number
    const state = await rawPool(pool, end)
    const prices = await stablePoolPrices(client, config, state.coins, end, state.par)
    const deviations = await Promise.all(
      state.coins.slice(1).map(async (_, k) => {
        const price = await marginalPrice(pool, 0, k + 1, client, end)
        return price / (prices[0]! / prices[k + 1]!) - 1
      }),
    )
    const largest = deviations.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a))
    expect(day.metrics.priceDeviationEnd).toBeCloseTo(largest, 6)
  })

  test('depth: selling it into the real pool, at its dynamic fee, moves one pair’s price by exactly 2%', async () => {
    const day = okDay(pool.id)
    const end = day.end!.number
    const state = await rawPool(pool, end)
    const latest = await rawPool(pool, undefined, chain.client as never)
    expect(latest.balances).toEqual(state.balances)
    const prices = await stablePoolPrices(client, config, state.coins, end, state.par)
    const n = state.coins.length
    const moves: { target: number; moved: number }[] = []
    for (let sold = 0; sold < n; sold++) {
      for (let bought = 0; bought < n; bought++) {
        if (sold === bought) continue
        const dx = BigInt(
          Math.floor((day.metrics.depth2pctUsd / prices[sold]!) * 10 ** state.decimals[sold]!),
        )
        const before = await marginalPrice(pool, sold, bought, chain.client as never)
        const after = await chain.tryTrade(
          {
            to: pool.address,
            data: encodeFunctionData({
              abi: state.abi,
              functionName: 'exchange',
              args: [BigInt(sold), BigInt(bought), dx, 0n],
            }),
          },
          () => marginalPrice(pool, sold, bought, chain.client as never),
        )
        moves.push({ target: sold < bought ? 0.98 : 1 / 1.02, moved: after / before })
      }
    }
    for (const { target, moved } of moves) expect(moved).toBeGreaterThan(target - 1e-5)
    expect(Math.min(...moves.map(({ target, moved }) => Math.abs(moved - target)))).toBeLessThan(
      1e-5,
    )
  })
})
