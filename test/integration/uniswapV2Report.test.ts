import { type Address, encodeFunctionData, erc20Abi, parseAbiItem } from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { compileContracts } from '../../devnet/compileContracts.ts'
import { DEVNET_SENDER } from '../../devnet/devnetWallet.ts'
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
const { client, counter } = devnetClient()
// The day's two ends only: intradaySamples.test.ts covers the samples and their cost.
const config = { ...devnetTestConfig(), samplesPerDay: 1 }
const date = lastSimulatedDay()
let report: DailyReport

const swapEvent = parseAbiItem(
  'event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)',
)
const syncEvent = parseAbiItem('event Sync(uint112 reserve0, uint112 reserve1)')
const mintEvent = parseAbiItem(
  'event Mint(address indexed sender, uint256 amount0, uint256 amount1)',
)
const burnEvent = parseAbiItem(
  'event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to)',
)

const v2Pools = devnet.pools.filter((pool) => pool.protocol === 'uniswap-v2')
type OkDay = Extract<PoolDay, { status: 'ok' }>

function okDay(id: string): OkDay {
  const day = report.pools.find((candidate) => candidate.pool.id === id)
  if (day?.status !== 'ok')
    throw new Error(`${id} is not ok: ${day && 'error' in day ? day.error : 'missing'}`)
  return day
}

beforeAll(async () => {
  report = await buildDailyReport({ config, date, clientFor: () => client })
})

test('snapshots every devnet pool in a handful of JSON-RPC requests', () => {
  // Block search (genesis, latest, a few probes) and, the two blocks in step, four Multicall3
  // rounds: pool state and interface probes; balances, LP supplies, Vault balances, tick
  // bitmaps and tokens; V3 ticks; token metadata and prices.
  expect(counter.count).toBeLessThanOrEqual(13)
  expect(report.chains[0]!.end.timestamp - report.chains[0]!.start.timestamp).toBe(86_400n)
})

test('a configured address that is not a pair is an error row, the other pools are unaffected', () => {
  const broken = report.pools.find((day) => day.pool.id === 'misconfigured-not-a-pair')
  expect(broken?.status).toBe('error')
  expect(broken && 'error' in broken && broken.error).toMatch(
    /is not a Uniswap V2 pair at block \d+/,
  )
  for (const pool of v2Pools) expect(okDay(pool.id).status).toBe('ok')
})

describe.each(v2Pools)('$id', (pool) => {
  test('fee return equals the invariant growth that the day’s swaps paid, LP joins and exits included', async () => {
    const day = okDay(pool.id)
    const logs = await client.getLogs({
      address: pool.address,
      events: [swapEvent, syncEvent, mintEvent, burnEvent],
      fromBlock: day.start!.number + 1n,
      toBlock: day.end!.number,
    })
    // Every hour has trades, and the day has an LP join and an LP exit.
    expect(logs.filter((log) => log.eventName === 'Mint')).toHaveLength(1)
    expect(logs.filter((log) => log.eventName === 'Burn')).toHaveLength(1)
    let growth = 1
    let swaps = 0
    logs.forEach((log, i) => {
      if (log.eventName !== 'Swap') return
      // The pair emits Sync (reserves after) right before Swap.
      const sync = logs[i - 1]
      if (sync?.eventName !== 'Sync') throw new Error('Swap without its Sync')
      const after = [sync.args.reserve0!, sync.args.reserve1!]
      const before = [
        after[0]! - log.args.amount0In! + log.args.amount0Out!,
        after[1]! - log.args.amount1In! + log.args.amount1Out!,
      ]
      growth *= Math.sqrt(
        (Number(after[0]) / Number(before[0])) * (Number(after[1]) / Number(before[1])),
      )
      swaps++
    })
    expect(swaps).toBeGreaterThan(24)
    expect(day.metrics.feeReturn).toBeGreaterThan(0)
    expect(day.metrics.feeReturn / (growth - 1) - 1).toBeCloseTo(0, 6)
  })

  test('every metric matches a recomputation from raw contract reads', async () => {
    const day = okDay(pool.id)
    const read = async (blockNumber: bigint) => {
      const [token0, token1, reserves, supply] = await Promise.all(
        (['token0', 'token1', 'getReserves', 'totalSupply'] as const).map((functionName) =>
          client.readContract({
            address: pool.address,
            abi: uniswapV2PairAbi,
            functionName,
            blockNumber,
          }),
        ),
      )
      const tokens = [token0, token1] as Address[]
      const decimals = await Promise.all(
        tokens.map((address) =>
          client.readContract({ address, abi: erc20Abi, functionName: 'decimals' }),
        ),
      )
      const prices = await Promise.all(
        tokens.map(async (token) => (await configuredPrice(client, config, token, blockNumber))!),
      )
      const [r0, r1] = reserves as readonly [bigint, bigint, number]
      const balances = [Number(r0) / 10 ** decimals[0]!, Number(r1) / 10 ** decimals[1]!]
      return {
        balances,
        supply: Number(supply as bigint),
        prices,
        sqrtK: Math.sqrt(Number(r0) * Number(r1)),
      }
    }
    const start = await read(day.start!.number)
    const end = await read(day.end!.number)
    const value = (balances: number[], prices: number[]) =>
      balances[0]! * prices[0]! + balances[1]! * prices[1]!
    const share0 = (s: typeof start) =>
      (s.balances[0]! * s.prices[0]!) / value(s.balances, s.prices)
    const lpVsHodl =
      value(
        end.balances.map((b) => b / end.supply),
        end.prices,
      ) /
        value(
          start.balances.map((b) => b / start.supply),
          end.prices,
        ) -
      1
    const feeReturn = end.sqrtK / end.supply / (start.sqrtK / start.supply) - 1
    const poolPrice = end.balances[1]! / end.balances[0]!

    const m = day.metrics
    expect(m.tvlUsdStart).toBeCloseTo(value(start.balances, start.prices), 4)
    expect(m.tvlUsdEnd).toBeCloseTo(value(end.balances, end.prices), 4)
    expect(m.imbalanceStart).toBeCloseTo(Math.abs(share0(start) - 0.5), 12)
    expect(m.imbalanceEnd).toBeCloseTo(Math.abs(share0(end) - 0.5), 12)
    expect(m.priceDeviationEnd).toBeCloseTo(poolPrice / (end.prices[0]! / end.prices[1]!) - 1, 12)
    expect(m.lpVsHodl).toBeCloseTo(lpVsHodl, 12)
    expect(m.feeReturn).toBeCloseTo(feeReturn, 12)
    expect(m.divergenceLoss).toBeCloseTo((1 + lpVsHodl) / (1 + feeReturn) - 1, 12)
    expect(m.volumeUsdEst! * 0.003).toBeCloseTo(m.feesUsd, 6)
    expect(day.tokens.map((token) => token.priceEnd)).toEqual(end.prices)
  })

  test('depth is the smaller trade that moves the real pair’s price by 2%', async () => {
    const day = okDay(pool.id)
    const trader = devnet.uniswapV2.trader
    const { abi } = (await compileContracts()).UniswapV2Trader!
    const [x, y] = (await client.readContract({
      address: pool.address,
      abi: uniswapV2PairAbi,
      functionName: 'getReserves',
      blockNumber: day.end!.number,
    })) as readonly [bigint, bigint, number]
    // Price change of the sold token after a swap executed by the devnet's contracts.
    const priceFactorAfter = async (zeroForOne: boolean, amountIn: bigint) => {
      const { data } = await client.call({
        account: DEVNET_SENDER,
        to: trader,
        data: encodeFunctionData({
          abi,
          functionName: 'swapExactIn',
          args: [pool.address, zeroForOne, amountIn],
        }),
        blockNumber: day.end!.number,
      })
      const amountOut = BigInt(data!)
      const [reserveIn, reserveOut] = zeroForOne ? [x, y] : [y, x]
      return (
        (Number(reserveOut - amountOut) / Number(reserveIn + amountIn)) *
        (Number(reserveIn) / Number(reserveOut))
      )
    }
    // Bisect the amount that moves the sold token's price to 98% (token 0) or 1/1.02 (token 1).
    const amountFor = async (zeroForOne: boolean, target: number) => {
      let [lo, hi] = [0n, (zeroForOne ? x : y) / 10n]
      while (hi - lo > 1n) {
        const mid = (lo + hi) / 2n
        if ((await priceFactorAfter(zeroForOne, mid)) > target) lo = mid
        else hi = mid
      }
      return hi
    }
    const [sell0, sell1] = await Promise.all([amountFor(true, 0.98), amountFor(false, 1 / 1.02)])
    const usd = (raw: bigint, i: number) =>
      (Number(raw) / 10 ** day.tokens[i]!.decimals) * day.tokens[i]!.priceEnd
    const expected = Math.min(usd(sell0, 0), usd(sell1, 1))
    expect(day.metrics.depth2pctUsd / expected - 1).toBeCloseTo(0, 6)
  })
})

test('arbitraged pools end the day inside the fee band; the paused one is out of balance and alerts', () => {
  for (const pool of v2Pools.filter((candidate) => candidate.id !== 'uni-v2-link-weth')) {
    const { metrics, alerts } = okDay(pool.id)
    expect(Math.abs(metrics.priceDeviationEnd)).toBeLessThan(0.0031)
    expect(alerts).toEqual([])
  }
  const paused = okDay('uni-v2-link-weth')
  // LINK fell 30% while nobody arbitraged the pool: it prices LINK far above the market.
  expect(paused.metrics.priceDeviationEnd).toBeLessThan(-0.2)
  expect(paused.metrics.imbalanceEnd).toBeGreaterThan(0.05)
  expect(paused.alerts).toEqual(expect.arrayContaining(['imbalance', 'price_deviation']))
})

test('the token whose symbol() returns bytes32 gets its symbol', () => {
  expect(
    okDay('uni-v2-mkr-weth')
      .tokens.map((token) => token.symbol)
      .sort(),
  ).toEqual(['MKR', 'WETH'])
})
