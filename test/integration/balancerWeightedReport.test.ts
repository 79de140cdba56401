import poolAbiJson from '@balancer-labs/v2-deployments/dist/tasks/20210418-weighted-pool/abi/WeightedPool.json' with {
  type: 'json',
}
import { type Abi, type Address, erc20Abi, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type BalancerWeightedPoolSpec, POOLS } from '../../devnet/scenario.ts'
import { weightedDivergenceLoss } from '../../lambda/metrics/divergenceLoss.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import { swapData, vaultAbi, vaultMarginalPrice } from '../support/balancerVault.ts'
import {
  devnetClient,
  devnetTestConfig,
  lastSimulatedDay,
  sharedDevnet,
} from '../support/devnet.ts'
import { openPrivateChain, type PrivateChain } from '../support/privateChain.ts'
import { configuredPrice } from '../support/referencePrices.ts'

const poolAbi = poolAbiJson as Abi
const devnet = sharedDevnet()
const { client } = devnetClient()
const config = devnetTestConfig()
const date = lastSimulatedDay()
const vault = devnet.balancer.vault
let report: DailyReport
let chain: PrivateChain

const pools = POOLS.filter(
  (spec): spec is BalancerWeightedPoolSpec => spec.protocol === 'balancer-weighted',
).map((spec) => ({
  id: spec.id,
  spec,
  address: devnet.pools.find((pool) => pool.id === spec.id)!.address,
}))
type BalancerPool = (typeof pools)[number]
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

/** A pool's state at a block (the latest without one), through the Balancer ABIs. */
async function rawPool(pool: BalancerPool, blockNumber: bigint | undefined, reader = client) {
  const read = (address: Address, abi: Abi, functionName: string, args: unknown[] = []) =>
    reader.readContract({
      address,
      abi,
      functionName,
      args,
      blockNumber,
    } as never) as Promise<unknown>
  const poolId = (await read(pool.address, poolAbi, 'getPoolId')) as Hex
  const [[tokens, balances], weights, invariant, swapFee, supply] = (await Promise.all([
    read(vault, vaultAbi, 'getPoolTokens', [poolId]),
    read(pool.address, poolAbi, 'getNormalizedWeights'),
    read(pool.address, poolAbi, 'getInvariant'),
    read(pool.address, poolAbi, 'getSwapFeePercentage'),
    read(pool.address, poolAbi, 'totalSupply'),
  ])) as [[Address[], bigint[]], bigint[], bigint, bigint, bigint]
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
    weights: weights.map((weight) => Number(weight) / 1e18),
    invariant,
    fee: Number(swapFee) / 1e18,
    supply,
  }
}

async function prices(tokens: readonly Address[], blockNumber: bigint): Promise<number[]> {
  return Promise.all(
    tokens.map(async (token) => (await configuredPrice(client, config, token, blockNumber))!),
  )
}

/** Marginal price of token `i` in token `j`, fees excluded, from the Vault's quotes. */
function marginalPrice(
  state: Awaited<ReturnType<typeof rawPool>>,
  i: number,
  j: number,
  reader = client,
) {
  return vaultMarginalPrice(vault, state, i, j, reader)
}

describe.each(pools)('$id', (pool) => {
  test('value shares, imbalance against the pool’s weights, TVL, LP vs HODL and fee return match raw reads', async () => {
    const day = okDay(pool.id)
    const snapshot = async (blockNumber: bigint) => {
      const state = await rawPool(pool, blockNumber)
      return { ...state, prices: await prices(state.tokens, blockNumber) }
    }
    const [start, end] = await Promise.all([snapshot(day.start!.number), snapshot(day.end!.number)])
    const value = (amounts: number[], p: number[]) => amounts.reduce((t, a, i) => t + a * p[i]!, 0)
    const shares = (s: typeof start) =>
      s.human.map((b, i) => (b * s.prices[i]!) / value(s.human, s.prices))
    const imbalance = (s: typeof start) =>
      Math.max(...shares(s).map((share, i) => Math.abs(share - s.weights[i]!)))
    const perShare = (s: typeof start) => s.human.map((b) => b / Number(s.supply))
    const lpVsHodl = value(perShare(end), end.prices) / value(perShare(start), end.prices) - 1
    const feeReturn =
      Number(end.invariant) /
        Number(end.supply) /
        (Number(start.invariant) / Number(start.supply)) -
      1

    const m = day.metrics
    expect(day.tokens.map((token) => token.address)).toEqual(end.tokens)
    expect(day.tokens.map((token) => token.weight)).toEqual(end.weights)
    expect(m.tvlUsdEnd / value(end.human, end.prices) - 1).toBeCloseTo(0, 12)
    expect(m.valueSharesEnd).toEqual(shares(end).map((share) => expect.closeTo(share, 12)))
    expect(m.imbalanceStart).toBeCloseTo(imbalance(start), 12)
    expect(m.imbalanceEnd).toBeCloseTo(imbalance(end), 12)
    expect(m.lpVsHodl).toBeCloseTo(lpVsHodl, 12)
    expect(m.feeReturn).toBeCloseTo(feeReturn, 12)
    expect(m.divergenceLoss).toBeCloseTo((1 + lpVsHodl) / (1 + feeReturn) - 1, 12)
    expect(m.volumeUsdEst! * end.fee).toBeCloseTo(m.feesUsd, 6)
    // Arbitrage keeps the pool at the market: its divergence loss is the closed form of the
    // reference price moves, up to the fee band it is allowed to drift in.
    const ratios = end.prices.map((p, i) => p / start.prices[i]!)
    expect(m.divergenceLoss).toBeCloseTo(weightedDivergenceLoss(ratios, end.weights), 3)
  })

  test('fee return equals the invariant growth per BPT that the day’s swap fees paid', async () => {
    const day = okDay(pool.id)
    const start = await rawPool(pool, day.start!.number)
    const end = await rawPool(pool, day.end!.number)
    const logs = await client.getLogs({
      address: vault,
      events: vaultAbi.filter(
        (item) =>
          item.type === 'event' && (item.name === 'Swap' || item.name === 'PoolBalanceChanged'),
      ) as never,
      args: { poolId: start.poolId } as never,
      fromBlock: day.start!.number + 1n,
      toBlock: day.end!.number,
    })
    // Replay the Vault's balance changes; each swap keeps its fee, a fraction `fee` of the
    // input, in the pool, which grows prod(b^w) by ((b_in + a) / (b_in + a(1 - fee)))^w_in.
    const balances = [...start.balances]
    const index = (token: Address) =>
      start.tokens.findIndex((t) => t.toLowerCase() === token.toLowerCase())
    let growth = 1
    let swaps = 0
    const joinsAndExits: string[] = []
    for (const log of logs as unknown as { eventName: string; args: unknown }[]) {
      if (log.eventName === 'Swap') {
        const { tokenIn, tokenOut, amountIn, amountOut } = log.args as {
          tokenIn: Address
          tokenOut: Address
          amountIn: bigint
          amountOut: bigint
        }
        const [i, j] = [index(tokenIn), index(tokenOut)]
        const [b, a] = [Number(balances[i]!), Number(amountIn)]
        growth *= ((b + a) / (b + a * (1 - start.fee))) ** start.weights[i]!
        balances[i] = balances[i]! + amountIn
        balances[j] = balances[j]! - amountOut
        swaps++
      } else {
        const { deltas, protocolFeeAmounts } = log.args as {
          deltas: bigint[]
          protocolFeeAmounts: bigint[]
        }
        deltas.forEach((delta, k) => {
          balances[k] = balances[k]! + delta - protocolFeeAmounts[k]!
        })
        joinsAndExits.push(deltas.every((delta) => delta > 0n) ? 'join' : 'exit')
      }
    }
    // Every hour has swaps, and the day has an LP join and an LP exit.
    expect(swaps).toBeGreaterThan(24)
    expect(joinsAndExits).toEqual(['join', 'exit'])
    // The events explain the Vault's balances to the unit.
    expect(balances).toEqual(end.balances)
    const { feeReturn } = day.metrics
    expect(feeReturn).toBeGreaterThan(0)
    expect(feeReturn / (growth - 1) - 1).toBeCloseTo(0, 5)
  })

  test('price deviation is the Vault’s own quote for a tiny swap against the reference prices', async () => {
    const day = okDay(pool.id)
    const end = day.end!.number
    const state = await rawPool(pool, end)
    const reference = await prices(state.tokens, end)
    // The report's client reads at the end block; the private node's latest state is that block.
    const deviations = await Promise.all(
      state.tokens.slice(1).map(async (_, k) => {
        const i = k + 1
        const price = await marginalPrice(state, 0, i, chain.client as never)
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
    const moves: { target: number; moved: number }[] = []
    for (let sold = 0; sold < n; sold++) {
      for (let bought = 0; bought < n; bought++) {
        if (sold === bought) continue
        const amount = BigInt(
          Math.floor((day.metrics.depth2pctUsd / reference[sold]!) * 10 ** state.decimals[sold]!),
        )
        const before = await marginalPrice(state, sold, bought, chain.client as never)
        const after = await chain.tryTrade(
          {
            to: vault,
            data: swapData(state.poolId, state.tokens[sold]!, state.tokens[bought]!, amount),
          },
          async () =>
            marginalPrice(
              await rawPool(pool, undefined, chain.client as never),
              sold,
              bought,
              chain.client as never,
            ),
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

test('the 50/50 weighted pool and the constant-product pair on the same tokens lose the same to divergence', () => {
  const weighted = okDay('bal-weth-usdc-50-50').metrics.divergenceLoss
  const pair = okDay('uni-v2-weth-usdc').metrics.divergenceLoss
  // Both follow the same market within a 0.3% fee band.
  expect(weighted).toBeCloseTo(pair, 4)
})
