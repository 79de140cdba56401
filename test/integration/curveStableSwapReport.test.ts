import { type Abi, type Address, encodeFunctionData, erc20Abi, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Artifact, compileContracts } from '../../devnet/compileContracts.ts'
import { DEVNET_SENDER } from '../../devnet/devnetWallet.ts'
import { type CurveStableSwapPoolSpec, POOLS, STETH_DEPEG } from '../../devnet/scenario.ts'
import { NATIVE_TOKEN_ADDRESS } from '../../lambda/chain/readTokenMetadata.ts'
import {
  plainRates,
  type StableSwapPool,
  stableSwapExchange,
  stableSwapGetDy,
  stableSwapVirtualPrice,
} from '../../lambda/metrics/stableSwapMath.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import { addDays } from '../../lambda/report/date.ts'
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

// stableswap-ng pools (oracle rates, dynamic fee) have their own test file.
const pools = POOLS.filter(
  (spec): spec is CurveStableSwapPoolSpec =>
    spec.protocol === 'curve-stableswap' && spec.contract !== 'StableSwapNG',
).map((spec) => ({
  id: spec.id,
  spec,
  address: devnet.pools.find((pool) => pool.id === spec.id)!.address,
  lpToken: devnet.curve.lpTokens[spec.id]!,
}))
type CurvePool = (typeof pools)[number]
/** Coins of a pool: its assets, and a metapool's base LP token last. */
const coinCount = (pool: CurvePool) => pool.spec.assets.length + (pool.spec.basePool ? 1 : 0)
const virtualPriceAbi = parseAbi(['function get_virtual_price() view returns (uint256)'])
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

function okDay(id: string, from: DailyReport = report): OkDay {
  const day = from.pools.find((candidate) => candidate.pool.id === id)
  if (day?.status !== 'ok')
    throw new Error(`${id} is not ok: ${day && 'error' in day ? day.error : 'missing'}`)
  return day
}

/**
 * A pool's state at a block (the latest without one), read with its own contract's ABI, not
 * with the report's reads.
 */
async function rawPool(pool: CurvePool, blockNumber: bigint | undefined, reader = client) {
  const abi = artifacts[pool.spec.contract]!.abi
  const read = (functionName: string, args: unknown[] = []) =>
    reader.readContract({ address: pool.address, abi, functionName, args, blockNumber } as never)
  const indices = [...Array(coinCount(pool)).keys()].map(BigInt)
  const [coins, balances, a, fee, adminFee, virtualPrice, supply] = await Promise.all([
    Promise.all(indices.map((i) => read('coins', [i]))) as Promise<Address[]>,
    Promise.all(indices.map((i) => read('balances', [i]))) as Promise<bigint[]>,
    read('A') as Promise<bigint>,
    read('fee') as Promise<bigint>,
    read('admin_fee') as Promise<bigint>,
    read('get_virtual_price') as Promise<bigint>,
    reader.readContract({
      address: pool.lpToken,
      abi: erc20Abi,
      functionName: 'totalSupply',
      blockNumber,
    }),
  ])
  const decimals = await Promise.all(
    coins.map((coin) =>
      coin === NATIVE_TOKEN_ADDRESS
        ? 18
        : reader.readContract({ address: coin, abi: erc20Abi, functionName: 'decimals' }),
    ),
  )
  // The stETH-style and meta contracts keep A with two more decimals, as Curve's later pools do.
  const aPrecision = ['StableSwapETH', 'StableSwapMeta'].includes(pool.spec.contract) ? 100n : 1n
  const rates = plainRates(decimals)
  if (pool.spec.basePool) {
    // A metapool counts the base pool's LP token, its last coin, at the base virtual price.
    rates[rates.length - 1] = await baseVirtualPrice(pool, blockNumber, reader)
  }
  const math: StableSwapPool = {
    balances,
    rates,
    amp: a * aPrecision,
    aPrecision,
    fee,
    adminFee,
  }
  const human = balances.map((raw, i) => Number(raw) / 10 ** decimals[i]!)
  // What the pool counts one whole coin as: its rate in 18-decimal units per token.
  const par = rates.map((rate, i) => Number(rate) * 10 ** (decimals[i]! - 36))
  return {
    coins,
    balances,
    human,
    par,
    decimals,
    a,
    fee,
    adminFee,
    virtualPrice,
    supply,
    math,
    abi,
  }
}

async function baseVirtualPrice(pool: CurvePool, blockNumber: bigint | undefined, reader = client) {
  const abi = artifacts[pool.spec.contract]!.abi
  const basePool = (await reader.readContract({
    address: pool.address,
    abi,
    functionName: 'base_pool',
    blockNumber,
  } as never)) as Address
  return reader.readContract({
    address: basePool,
    abi: virtualPriceAbi,
    functionName: 'get_virtual_price',
    blockNumber,
  } as never) as Promise<bigint>
}

test('the report reads every Curve pool, whichever interface and LP token it has', () => {
  // uint256 indices with token(), native ETH with lp_token() and A_precise, int128 indices on
  // a pool that is its own LP token.
  for (const pool of pools) expect(okDay(pool.id).tokens).toHaveLength(coinCount(pool))
  expect(okDay('curve-steth').tokens.map((token) => token.symbol)).toEqual(['ETH', 'stETH'])
  expect(okDay('curve-susd').tokens.map((token) => token.decimals)).toEqual([18, 6, 6, 18])
  // The metapool's base LP token has no price: it is valued at the base virtual price.
  expect(okDay('curve-lusd-3crv').tokens.map((token) => token.symbol)).toEqual(['LUSD', '3Crv'])
})

describe.each(pools)('$id', (pool) => {
  test('the Solidity pool quotes and exchanges exactly what the TypeScript math computes', async () => {
    const end = okDay(pool.id).end!.number
    const state = await rawPool(pool, end)
    expect(state.virtualPrice).toBe(stableSwapVirtualPrice(state.math, state.supply))
    const n = coinCount(pool)
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
        }),
      ),
    )
    cases.forEach(([i, j, dx], k) => {
      expect(quoted[k], `get_dy(${i}, ${j}, ${dx})`).toBe(stableSwapGetDy(state.math, i, j, dx))
    })
    // An exchange (simulated by the node) pays what the math says, and get_dy agrees.
    const [i, j, dx] = cases[cases.length - 2]!
    const { data } = await client.call({
      account: DEVNET_SENDER,
      to: pool.address,
      data: encodeFunctionData({
        abi: state.abi,
        functionName: 'exchange',
        args: [BigInt(i), BigInt(j), dx, 0n],
      }),
      value: state.coins[i] === NATIVE_TOKEN_ADDRESS ? dx : 0n,
      blockNumber: end,
    })
    expect(BigInt(data!)).toBe(stableSwapExchange(state.math, i, j, dx).dy)
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
    expect(day.tokens.map((token) => token.priceEnd)).toEqual(end.prices)
    expect(day.tokens.map((token) => token.weight)).toEqual(
      end.human.map(() => 1 / end.human.length),
    )
    // The fees that stay with LPs: fee * (1 - admin_fee).
    const lpFeeRate = (Number(end.fee) / 1e10) * (1 - Number(end.adminFee) / 1e10)
    expect(m.volumeUsdEst! * lpFeeRate).toBeCloseTo(m.feesUsd, 6)
  })

  test('fee return equals the virtual-price growth that the day’s exchanges paid in fees', async () => {
    const day = okDay(pool.id)
    const start = await rawPool(pool, day.start!.number)
    const end = await rawPool(pool, day.end!.number)
    const events = (artifacts[pool.spec.contract]!.abi as Abi).filter(
      (item) => item.type === 'event',
    )
    const logs = await client.getLogs({
      address: pool.address,
      events: events as never,
      fromBlock: day.start!.number + 1n,
      toBlock: day.end!.number,
    })
    // Replay the day from the start balances with the test's own invariant solver: each
    // exchange leaves the LP share of its fee in the pool (the fee is fee/(1 - fee) of what
    // the trader got; the admin takes admin_fee of it out).
    const fee = Number(start.fee) / 1e10
    const adminShare = Number(start.adminFee) / 1e10
    const ann = Number(start.a) * start.human.length
    const unit = start.decimals.map((d) => 10 ** d)
    // A metapool's rate for its base LP token moves with the base pool's fees during the day;
    // within a block the base pool trades first, so the rate at a block is the block's.
    const parAt = async (blockNumber: bigint) =>
      pool.spec.basePool
        ? [...start.par.slice(0, -1), Number(await baseVirtualPrice(pool, blockNumber)) / 1e18]
        : start.par
    const value = (amounts: readonly number[]) =>
      invariant(
        amounts.map((b, k) => b * par[k]!),
        ann,
      )
    let par = start.par
    let rateGrowth = 1
    let balances = [...start.human]
    let supply = Number(start.supply)
    let swapGrowth = 1
    let liquidityGrowth = 1
    let exchanges = 0
    const moveRateTo = async (blockNumber: bigint) => {
      const next = await parAt(blockNumber)
      const before = value(balances)
      par = next
      rateGrowth *= value(balances) / before
    }
    for (const log of logs as unknown as {
      eventName: string
      args: unknown
      blockNumber: bigint
    }[]) {
      await moveRateTo(log.blockNumber)
      const before = value(balances)
      if (log.eventName === 'TokenExchange') {
        const { sold_id, tokens_sold, bought_id, tokens_bought } = log.args as Record<
          string,
          bigint
        >
        const [i, j] = [Number(sold_id), Number(bought_id)]
        const bought = Number(tokens_bought) / unit[j]!
        balances[i] = balances[i]! + Number(tokens_sold) / unit[i]!
        balances[j] = balances[j]! - bought - ((bought * fee) / (1 - fee)) * adminShare
        swapGrowth *= value(balances) / before
        exchanges++
      } else if (log.eventName === 'AddLiquidity' || log.eventName === 'RemoveLiquidity') {
        const { token_amounts, fees, token_supply } = log.args as unknown as {
          token_amounts: bigint[]
          fees: bigint[]
          token_supply: bigint
        }
        const sign = log.eventName === 'AddLiquidity' ? 1 : -1
        balances = balances.map(
          (b, k) =>
            b + (sign * Number(token_amounts[k]!) - Number(fees[k]!) * adminShare) / unit[k]!,
        )
        const supplyAfter = Number(token_supply)
        liquidityGrowth *= value(balances) / supplyAfter / (before / supply)
        supply = supplyAfter
      }
    }
    await moveRateTo(day.end!.number)
    // Every hour has exchanges, and the day has an LP join and an LP exit.
    expect(exchanges).toBeGreaterThan(24)
    const named = (name: string) =>
      (logs as { eventName: string }[]).filter((log) => log.eventName === name)
    expect(named('AddLiquidity')).toHaveLength(1)
    expect(named('RemoveLiquidity')).toHaveLength(1)
    balances.forEach((b, k) => {
      expect(b / end.human[k]! - 1, `balance ${k}`).toBeCloseTo(0, 9)
    })
    // Joins are proportional and exits are pro rata: they earn the LPs nothing.
    expect(liquidityGrowth - 1).toBeCloseTo(0, 9)
    const { feeReturn } = day.metrics
    expect(feeReturn).toBeGreaterThan(0)
    expect(feeReturn / (swapGrowth * liquidityGrowth * rateGrowth - 1) - 1).toBeCloseTo(0, 5)
    if (!pool.spec.basePool) expect(rateGrowth).toBe(1)
  })

  test('price deviation is the pool’s own quote for a tiny trade against the reference prices', async () => {
    const day = okDay(pool.id)
    const end = day.end!.number
    const state = await rawPool(pool, end)
    const prices = await stablePoolPrices(client, config, state.coins, end, state.par)
    const dx = state.balances[0]! / 1_000_000n
    const deviations = await Promise.all(
      state.coins.slice(1).map(async (_, k) => {
        const i = k + 1
        const dy = await client.readContract({
          address: pool.address,
          abi: state.abi,
          functionName: 'get_dy',
          args: [0n, BigInt(i), dx],
          blockNumber: end,
        })
        // Coin 0 in coin i, fee added back, against the reference ratio.
        const price =
          Number(dy) /
          10 ** state.decimals[i]! /
          (Number(dx) / 10 ** state.decimals[0]!) /
          (1 - Number(state.fee) / 1e10)
        return price / (prices[0]! / prices[i]!) - 1
      }),
    )
    const largest = deviations.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a))
    expect(day.metrics.priceDeviationEnd).toBeCloseTo(largest, 6)
  })

  test('depth: selling it into the real pool moves one pair’s price by exactly 2%, no pair by more', async () => {
    const day = okDay(pool.id)
    const end = day.end!.number
    // The private node's state is the last simulated block, the same as the day's end block.
    const state = await rawPool(pool, end)
    const latest = await rawPool(pool, undefined, chain.client as never)
    expect(latest.balances).toEqual(state.balances)
    const prices = await stablePoolPrices(client, config, state.coins, end, state.par)
    const depthUsd = day.metrics.depth2pctUsd
    const quote = async (i: number, j: number, reader = chain.client) => {
      const dx = state.balances[i]! / 10_000_000n
      const dy = await reader.readContract({
        address: pool.address,
        abi: state.abi,
        functionName: 'get_dy',
        args: [BigInt(i), BigInt(j), dx],
      } as never)
      return Number(dy) / Number(dx)
    }
    const n = state.coins.length
    const moves: { target: number; moved: number }[] = []
    for (let sold = 0; sold < n; sold++) {
      for (let bought = 0; bought < n; bought++) {
        if (sold === bought) continue
        const dx = BigInt(Math.floor((depthUsd / prices[sold]!) * 10 ** state.decimals[sold]!))
        const before = await quote(sold, bought)
        const after = await chain.tryTrade(
          {
            to: pool.address,
            data: encodeFunctionData({
              abi: state.abi,
              functionName: 'exchange',
              args: [BigInt(sold), BigInt(bought), dx, 0n],
            }),
            value: state.coins[sold] === NATIVE_TOKEN_ADDRESS ? dx : 0n,
          },
          () => quote(sold, bought),
        )
        // Pairs are priced lower index in higher: selling the lower one moves that price to
        // 0.98x, selling the higher one to 1.02x, i.e. the sold coin's price to 1/1.02.
        moves.push({ target: sold < bought ? 0.98 : 1 / 1.02, moved: after / before })
      }
    }
    for (const { target, moved } of moves) expect(moved).toBeGreaterThan(target - 1e-5)
    expect(Math.min(...moves.map(({ target, moved }) => Math.abs(moved - target)))).toBeLessThan(
      1e-5,
    )
  })
})

test('the stETH depeg shows as price deviation and imbalance on its days, and is gone after', async () => {
  // Days are counted back from the last one; a day's end snapshot is 24*k hours before the
  // end of the simulation. The pool is depegged at the end of a day when the drop is over
  // and the recovery has not started.
  const depegged = [0, 1, 2, 3, 4, 5, 6].filter(
    (k) =>
      24 * k <= STETH_DEPEG.fromHoursBeforeEnd - 12 && 24 * k >= STETH_DEPEG.recoveryHoursBeforeEnd,
  )
  expect(depegged.length).toBeGreaterThanOrEqual(3)
  const expected = 1 / (1 + STETH_DEPEG.move) - 1
  for (const k of [0, ...depegged]) {
    const day = okDay(
      'curve-steth',
      await buildDailyReport({ config, date: addDays(date, -k), clientFor: () => client }),
    )
    const { priceDeviationEnd, imbalanceEnd } = day.metrics
    if (k === 0) {
      expect(Math.abs(priceDeviationEnd)).toBeLessThan(0.001)
      expect(day.alerts).toEqual([])
      continue
    }
    // ETH is worth ~3.1% more stETH in the pool than at par, give or take the 0.04% fee
    // band and the market's noise; arbitrage filled the pool with stETH.
    expect(Math.abs(priceDeviationEnd - expected)).toBeLessThan(0.001)
    expect(imbalanceEnd).toBeGreaterThan(0.15)
    expect(day.tokens[1]!.shareEnd).toBeGreaterThan(0.65)
    expect(day.alerts).toEqual(['imbalance', 'price_deviation'])
  }
})

test('the 3pool drifts into USDT as USDT slips, and alerts on imbalance', () => {
  const day = okDay('curve-3pool')
  const usdt = day.tokens.findIndex((token) => token.symbol === 'USDT')
  expect(day.tokens[usdt]!.shareEnd).toBeGreaterThan(0.5)
  expect(day.metrics.imbalanceEnd).toBeGreaterThan(0.15)
  expect(Math.abs(day.metrics.priceDeviationEnd)).toBeLessThan(0.001)
  expect(day.alerts).toContain('imbalance')
})

/** The StableSwap invariant D for balances in the pool's units, by Newton's method in doubles. */
function invariant(balances: readonly number[], ann: number): number {
  const n = balances.length
  const sum = balances.reduce((total, b) => total + b, 0)
  const nnProduct = balances.reduce((product, b) => product * b * n, 1)
  // f(D) = Ann*S + D - Ann*D - D^(n+1) / (n^n * prod(x)), decreasing in D for D > 0.
  let d = sum
  for (let iteration = 0; iteration < 100; iteration++) {
    const f = ann * sum + d - ann * d - d ** (n + 1) / nnProduct
    const slope = 1 - ann - ((n + 1) * d ** n) / nnProduct
    const next = d - f / slope
    if (Math.abs(next - d) <= d * 1e-16) return next
    d = next
  }
  return d
}

test('an address that is not the declared kind of pool is an error row that says so', async () => {
  const pair = devnet.pools.find((pool) => pool.protocol === 'uniswap-v2')!.address
  const curve = pools[0]!.address
  const wrong = [
    { id: 'pair-as-curve', protocol: 'curve-stableswap', address: pair },
    { id: 'curve-as-balancer', protocol: 'balancer-weighted', address: curve },
  ] as const
  const withWrong = {
    ...config,
    pools: [...config.pools, ...wrong.map((pool) => ({ ...pool, chain: 'devnet' }))],
  }
  const { pools: days } = await buildDailyReport({
    config: withWrong,
    date,
    pools: withWrong.pools.slice(-2),
    clientFor: () => client,
  })
  expect(days.map((day) => day.status)).toEqual(['error', 'error'])
  const errors = days.map((day) => ('error' in day ? day.error : ''))
  expect(errors[0]).toMatch(
    /^0x\w+ is not a Curve StableSwap pool at block \d+: coins\(0\) reverted$/,
  )
  expect(errors[1]).toMatch(
    /^0x\w+ is not a Balancer weighted pool at block \d+: getPoolId\(\) on 0x\w+ at block \d+ reverted$/,
  )
})
