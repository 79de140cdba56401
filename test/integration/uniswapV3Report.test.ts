import {
  type Address,
  encodeFunctionData,
  erc20Abi,
  isAddressEqual,
  maxUint128,
  parseAbi,
  parseAbiItem,
} from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { compileContracts } from '../../devnet/compileContracts.ts'
import { DEVNET_SENDER, DevnetWallet } from '../../devnet/devnetWallet.ts'
import { positionManagerAbi } from '../../devnet/uniswapV3.ts'
import { getAmountsForLiquidity } from '../../lambda/protocols/uniswapV3/math/liquidityAmounts.ts'
import { getSqrtRatioAtTick } from '../../lambda/protocols/uniswapV3/math/tickMath.ts'
import { uniswapV3PoolAbi } from '../../lambda/protocols/uniswapV3/read.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import { addDays } from '../../lambda/report/date.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import {
  devnetClient,
  devnetTestConfig,
  lastSimulatedDay,
  sharedDevnet,
  startPrivateDevnet,
} from '../support/devnet.ts'
import { configuredPrice } from '../support/referencePrices.ts'

const devnet = sharedDevnet()
const { client } = devnetClient()
const config = devnetTestConfig()
const date = lastSimulatedDay()
const manager = devnet.uniswapV3.positionManager
let report: DailyReport

const v3Pools = devnet.pools.filter((pool) => pool.protocol === 'uniswap-v3')
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

/** Raw reads of a pool at a block, and the reference prices there: the test's own view. */
async function rawPool(pool: Address, blockNumber: bigint) {
  const read = <
    functionName extends
      | 'token0'
      | 'token1'
      | 'slot0'
      | 'liquidity'
      | 'fee'
      | 'tickSpacing'
      | 'feeGrowthGlobal0X128'
      | 'feeGrowthGlobal1X128',
  >(
    functionName: functionName,
  ) => client.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName, blockNumber })
  const [token0, token1, slot0, liquidity, fee, tickSpacing, growth0, growth1] = await Promise.all([
    read('token0'),
    read('token1'),
    read('slot0'),
    read('liquidity'),
    read('fee'),
    read('tickSpacing'),
    read('feeGrowthGlobal0X128'),
    read('feeGrowthGlobal1X128'),
  ])
  const tokens = [token0, token1] as const
  const [decimals, balances, prices] = await Promise.all([
    Promise.all(
      tokens.map((address) =>
        client.readContract({ address, abi: erc20Abi, functionName: 'decimals' }),
      ),
    ),
    Promise.all(
      tokens.map((address) =>
        client.readContract({
          address,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [pool],
          blockNumber,
        }),
      ),
    ),
    Promise.all(
      tokens.map(async (token) => (await configuredPrice(client, config, token, blockNumber))!),
    ),
  ])
  return {
    tokens,
    sqrtPriceX96: slot0[0],
    tick: slot0[1],
    /** sqrt of the raw price, as a float. */
    sqrtPrice: Number(slot0[0]) / 2 ** 96,
    liquidity,
    fee,
    tickSpacing,
    growth: [growth0, growth1] as const,
    decimals,
    balances,
    prices,
  }
}
type RawPool = Awaited<ReturnType<typeof rawPool>>

/** Value (USD) of raw amounts of the pool's two tokens at the given prices. */
const usdValue = (pool: RawPool, amounts: readonly number[], prices: readonly number[]) =>
  (amounts[0]! / 10 ** pool.decimals[0]!) * prices[0]! +
  (amounts[1]! / 10 ** pool.decimals[1]!) * prices[1]!

/** Every position of the devnet's LP in `pool` at a block, read through the position manager. */
async function positionsOf(pool: RawPool, blockNumber: bigint) {
  const count = await client.readContract({
    address: manager,
    abi: positionManagerAbi,
    functionName: 'balanceOf',
    args: [DEVNET_SENDER],
    blockNumber,
  })
  const ids = await Promise.all(
    Array.from({ length: Number(count) }, (_, i) =>
      client.readContract({
        address: manager,
        abi: positionManagerAbi,
        functionName: 'tokenOfOwnerByIndex',
        args: [DEVNET_SENDER, BigInt(i)],
        blockNumber,
      }),
    ),
  )
  const positions = await Promise.all(
    ids.map(async (tokenId) => {
      const p = await client.readContract({
        address: manager,
        abi: positionManagerAbi,
        functionName: 'positions',
        args: [tokenId],
        blockNumber,
      })
      return {
        tokenId,
        token0: p[2],
        token1: p[3],
        fee: p[4],
        tickLower: p[5],
        tickUpper: p[6],
        liquidity: p[7],
      }
    }),
  )
  return positions.filter(
    (p) =>
      isAddressEqual(p.token0, pool.tokens[0]) &&
      isAddressEqual(p.token1, pool.tokens[1]) &&
      p.fee === pool.fee &&
      p.liquidity > 0n,
  )
}

/** Calls a position-manager function as the position's owner, without sending it. */
async function asOwner(
  functionName: 'collect' | 'decreaseLiquidity',
  params: object,
  blockNumber: bigint,
): Promise<readonly [bigint, bigint]> {
  const { result } = await client.simulateContract({
    address: manager,
    abi: positionManagerAbi,
    functionName,
    args: [params],
    account: DEVNET_SENDER,
    blockNumber,
  } as never)
  return result as readonly [bigint, bigint]
}

test('the devnet has V3 pools on the three fee tiers, each with positions in and out of range', async () => {
  const day = okDay(v3Pools[0]!.id)
  const pools = await Promise.all(v3Pools.map((pool) => rawPool(pool.address, day.end!.number)))
  expect(pools.map((pool) => pool.fee).sort((a, b) => a - b)).toEqual([500, 3000, 10_000])
  for (const pool of pools) {
    const positions = await positionsOf(pool, day.end!.number)
    const kinds = new Set(
      positions.map((p) =>
        p.tickLower < -880_000 && p.tickUpper > 880_000
          ? 'full'
          : pool.tick < p.tickLower
            ? 'above'
            : pool.tick >= p.tickUpper
              ? 'below'
              : 'around',
      ),
    )
    expect(positions.length).toBeGreaterThanOrEqual(4)
    expect(kinds.has('full') && kinds.has('around')).toBe(true)
    expect(kinds.has('above') || kinds.has('below')).toBe(true)
  }
})

test('swaps during the day cross initialized ticks', async () => {
  const day = okDay(v3Pools[0]!.id)
  const events = [
    parseAbiItem(
      'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
    ),
    parseAbiItem(
      'event Mint(address sender, address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount, uint256 amount0, uint256 amount1)',
    ),
    parseAbiItem(
      'event Burn(address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount, uint256 amount0, uint256 amount1)',
    ),
  ]
  let crossings = 0
  for (const pool of v3Pools) {
    const logs = await client.getLogs({
      address: pool.address,
      events,
      fromBlock: day.start!.number + 1n,
      toBlock: day.end!.number,
    })
    // Between two swaps with no mint or burn in between, only a crossed tick changes the
    // in-range liquidity that the second swap reports.
    logs.forEach((log, i) => {
      const before = logs[i - 1]
      if (log.eventName === 'Swap' && before?.eventName === 'Swap') {
        if (log.args.liquidity !== before.args.liquidity) crossings++
      }
    })
  }
  expect(crossings).toBeGreaterThan(0)
})

describe.each(v3Pools)('$id', (poolInfo) => {
  test('fee return equals what a full-range position collected over the day, per unit of its liquidity', async () => {
    const day = okDay(poolInfo.id)
    const [start, end] = await Promise.all([
      rawPool(poolInfo.address, day.start!.number),
      rawPool(poolInfo.address, day.end!.number),
    ])
    const fullRange = (await positionsOf(start, day.start!.number)).find(
      (p) => p.tickLower < -880_000 && p.tickUpper > 880_000,
    )!
    const [sameAtEnd] = (await positionsOf(end, day.end!.number)).filter(
      (p) => p.tokenId === fullRange.tokenId,
    )
    expect(sameAtEnd?.liquidity).toBe(fullRange.liquidity)
    const collect = (blockNumber: bigint) =>
      asOwner(
        'collect',
        {
          tokenId: fullRange.tokenId,
          recipient: DEVNET_SENDER,
          amount0Max: maxUint128,
          amount1Max: maxUint128,
        },
        blockNumber,
      )
    const [owedStart, owedEnd] = await Promise.all([
      collect(day.start!.number),
      collect(day.end!.number),
    ])
    const collected = [owedEnd[0] - owedStart[0], owedEnd[1] - owedStart[1]]
    expect(collected[0]! > 0n && collected[1]! > 0n).toBe(true)
    const liquidity = Number(fullRange.liquidity)
    // One unit of liquidity: its virtual reserves at the start, and its share of the fees.
    const held = usdValue(start, [1 / start.sqrtPrice, start.sqrtPrice], end.prices)
    const earned = usdValue(
      start,
      collected.map((amount) => Number(amount) / liquidity),
      end.prices,
    )
    // The manager floors what it owes to a raw unit of each token, at each of the two blocks.
    const rounding = usdValue(start, [1 / liquidity, 1 / liquidity], end.prices) / held
    expect(day.metrics.feeReturn).toBeGreaterThan(1000 * rounding)
    expect(Math.abs(day.metrics.feeReturn - earned / held)).toBeLessThanOrEqual(rounding)
  })

  test('every metric matches a recomputation from raw pool reads', async () => {
    const day = okDay(poolInfo.id)
    const [start, end] = await Promise.all([
      rawPool(poolInfo.address, day.start!.number),
      rawPool(poolInfo.address, day.end!.number),
    ])
    const virtual = (pool: RawPool) => [1 / pool.sqrtPrice, pool.sqrtPrice]
    const held = usdValue(start, virtual(start), end.prices)
    const endValue = usdValue(end, virtual(end), end.prices)
    const wrap = (a: bigint, b: bigint) => (b >= a ? b - a : b + 2n ** 256n - a)
    const feesPerUnit = [0, 1].map((i) => Number(wrap(start.growth[i]!, end.growth[i]!)) / 2 ** 128)
    const earned = usdValue(end, feesPerUnit, end.prices)
    const share0 = (pool: RawPool, prices: readonly number[]) =>
      usdValue(pool, [1 / pool.sqrtPrice, 0], prices) / usdValue(pool, virtual(pool), prices)
    const humanPrice = end.sqrtPrice ** 2 * 10 ** (end.decimals[0]! - end.decimals[1]!)

    const m = day.metrics
    expect(m.tvlUsdStart).toBeCloseTo(usdValue(start, start.balances.map(Number), start.prices), 4)
    expect(m.tvlUsdEnd).toBeCloseTo(usdValue(end, end.balances.map(Number), end.prices), 4)
    expect(m.imbalanceStart).toBeCloseTo(Math.abs(share0(start, start.prices) - 0.5), 12)
    expect(m.imbalanceEnd).toBeCloseTo(Math.abs(share0(end, end.prices) - 0.5), 12)
    expect(m.priceDeviationEnd).toBeCloseTo(humanPrice / (end.prices[0]! / end.prices[1]!) - 1, 12)
    expect(m.feeReturn).toBeCloseTo(earned / held, 14)
    expect(m.divergenceLoss).toBeCloseTo(endValue / held - 1, 12)
    expect(m.lpVsHodl).toBeCloseTo((endValue + earned) / held - 1, 12)
    expect(m.feesUsd / (earned * Number(end.liquidity)) - 1).toBeCloseTo(0, 12)
    // No protocol fee on the devnet: the LPs keep the whole fee.
    expect(m.volumeUsdEst! * (end.fee / 1e6)).toBeCloseTo(m.feesUsd, 6)
    expect(day.tokens.map((token) => token.balanceEnd)).toEqual([...end.balances])
  })

  test('depth is the smaller trade that moves the real pool’s price by 2%, fee included', async () => {
    const day = okDay(poolInfo.id)
    const end = await rawPool(poolInfo.address, day.end!.number)
    const { abi } = (await compileContracts()).UniswapV3Trader!
    // What the pool takes, through its own swap loop, to reach a price limit.
    const paidToReach = async (zeroForOne: boolean, sqrtPriceLimitX96: bigint) => {
      const { data } = await client.call({
        account: DEVNET_SENDER,
        to: devnet.uniswapV3.trader,
        data: encodeFunctionData({
          abi,
          functionName: 'swapToPrice',
          args: [poolInfo.address, zeroForOne, sqrtPriceLimitX96],
        }),
        blockNumber: day.end!.number,
      })
      const amount0 = BigInt.asIntN(256, BigInt(`0x${data!.slice(2, 66)}`))
      const amount1 = BigInt.asIntN(256, BigInt(`0x${data!.slice(66, 130)}`))
      return zeroForOne ? amount0 : amount1
    }
    const sqrtPrice = Number(end.sqrtPriceX96)
    const [sell0, sell1] = await Promise.all([
      paidToReach(true, BigInt(Math.floor(sqrtPrice * Math.sqrt(0.98)))),
      paidToReach(false, BigInt(Math.ceil(sqrtPrice * Math.sqrt(1.02)))),
    ])
    const usd = (raw: bigint, i: number) => (Number(raw) / 10 ** end.decimals[i]!) * end.prices[i]!
    const expected = Math.min(usd(sell0, 0), usd(sell1, 1))
    expect(day.metrics.depth2pctUsd / expected - 1).toBeCloseTo(0, 9)
  })
})

test('the depth window of the 0.05% pool holds initialized ticks, so depth walks across them', async () => {
  const pool = v3Pools.find((candidate) => candidate.id.endsWith('-005'))!
  const day = okDay(pool.id)
  const end = await rawPool(pool.address, day.end!.number)
  const window = Math.log(1.02) / Math.log(1.0001)
  const bounds = (await positionsOf(end, day.end!.number)).flatMap((p) => [
    p.tickLower,
    p.tickUpper,
  ])
  expect(bounds.some((tick) => tick !== end.tick && Math.abs(tick - end.tick) < window)).toBe(true)
})

describe('a price that leaves a range during the day', () => {
  const linkPool = v3Pools.find((pool) => pool.id === 'uni-v3-link-weth-100')!

  test('a real position left by the price holds the amounts the range formulas give, at both blocks', async () => {
    const day = okDay(linkPool.id)
    const [start, end] = await Promise.all([
      rawPool(linkPool.address, day.start!.number),
      rawPool(linkPool.address, day.end!.number),
    ])
    const endIds = new Set((await positionsOf(end, day.end!.number)).map((p) => p.tokenId))
    const left = (await positionsOf(start, day.start!.number)).filter(
      (p) =>
        endIds.has(p.tokenId) &&
        p.tickLower <= start.tick &&
        start.tick < p.tickUpper &&
        (end.tick < p.tickLower || end.tick >= p.tickUpper),
    )
    expect(left.length).toBeGreaterThan(0)
    for (const position of left) {
      for (const pool of [start, end]) {
        const blockNumber = pool === start ? day.start!.number : day.end!.number
        const [amount0, amount1] = await asOwner(
          'decreaseLiquidity',
          {
            tokenId: position.tokenId,
            liquidity: position.liquidity,
            amount0Min: 0n,
            amount1Min: 0n,
            deadline: 2n ** 64n,
          },
          blockNumber,
        )
        expect({ amount0, amount1 }).toEqual(
          getAmountsForLiquidity(
            pool.sqrtPriceX96,
            getSqrtRatioAtTick(position.tickLower),
            getSqrtRatioAtTick(position.tickUpper),
            position.liquidity,
          ),
        )
      }
    }
  })

  test('the reference range is left, and its IL is the closed form for a price above the range', async () => {
    const day = okDay(linkPool.id)
    const [start, end] = await Promise.all([
      rawPool(linkPool.address, day.start!.number),
      rawPool(linkPool.address, day.end!.number),
    ])
    // LINK fell: the pool's price (LINK per WETH) rose above P0 * 1.1.
    const [p0, p1] = [start.sqrtPrice ** 2, end.sqrtPrice ** 2]
    const [sqrtLower, sqrtUpper] = [Math.sqrt(p0 * 0.9), Math.sqrt(p0 * 1.1)]
    expect(p1).toBeGreaterThan(p0 * 1.1)
    const atStart = [1 / start.sqrtPrice - 1 / sqrtUpper, start.sqrtPrice - sqrtLower]
    const allToken1 = [0, sqrtUpper - sqrtLower]
    const expected = usdValue(end, allToken1, end.prices) / usdValue(end, atStart, end.prices) - 1
    expect(day.metrics.range).toMatchObject({ rangePct: 10, inRange: false })
    expect(day.metrics.range!.divergenceLoss).toBeCloseTo(expected, 12)
    // Out of range, the position loses far more than full-range liquidity.
    expect(day.metrics.range!.divergenceLoss).toBeLessThan(day.metrics.divergenceLoss * 5)
  })

  test('a pool that stayed in its +/-5% reference range loses what the in-range form says', async () => {
    const pool = v3Pools.find((candidate) => candidate.id === 'uni-v3-weth-usdc-005')!
    const day = okDay(pool.id)
    const [start, end] = await Promise.all([
      rawPool(pool.address, day.start!.number),
      rawPool(pool.address, day.end!.number),
    ])
    const [sqrtLower, sqrtUpper] = [
      start.sqrtPrice * Math.sqrt(0.95),
      start.sqrtPrice * Math.sqrt(1.05),
    ]
    const amountsAt = (s: number) => [1 / s - 1 / sqrtUpper, s - sqrtLower]
    const expected =
      usdValue(end, amountsAt(end.sqrtPrice), end.prices) /
        usdValue(end, amountsAt(start.sqrtPrice), end.prices) -
      1
    expect(day.metrics.range).toMatchObject({ rangePct: 5, inRange: true })
    expect(day.metrics.range!.divergenceLoss).toBeCloseTo(expected, 12)
  })
})

test('a V3 pool that was created but never initialized is an error row, not a crash', async () => {
  const node = await startPrivateDevnet()
  try {
    const wallet = new DevnetWallet(node.rpcUrl)
    await wallet.syncNonce()
    const factoryAbi = parseAbi([
      'function createPool(address tokenA, address tokenB, uint24 fee) returns (address pool)',
      'function getPool(address tokenA, address tokenB, uint24 fee) view returns (address pool)',
    ])
    const [tokenA, tokenB] = [devnet.tokens.DAI!, devnet.tokens.MKR!]
    wallet.send(
      'create an empty pool',
      devnet.uniswapV3.factory,
      encodeFunctionData({
        abi: factoryAbi,
        functionName: 'createPool',
        args: [tokenA, tokenB, 3000],
      }),
      8_000_000n,
    )
    // Created after the last simulated midnight, the pool exists through the whole UTC day
    // after the next one, still without a price.
    const endTime = BigInt(devnet.endTime)
    await wallet.mine(endTime + 60n)
    await wallet.mine(endTime + 86_400n)
    await wallet.mine(endTime + 2n * 86_400n)
    await wallet.mine(endTime + 2n * 86_400n + 12n)
    const { client: privateClient } = devnetClient(node.rpcUrl)
    const address = await privateClient.readContract({
      address: devnet.uniswapV3.factory,
      abi: factoryAbi,
      functionName: 'getPool',
      args: [tokenA, tokenB, 3000],
    })
    const { pools } = await buildDailyReport({
      config: {
        ...config,
        pools: [{ id: 'empty', chain: 'devnet', protocol: 'uniswap-v3', address }],
      },
      date: addDays(date, 2),
      clientFor: () => privateClient,
    })
    expect(pools[0]!.status === 'error' && pools[0]!.error).toMatch(
      /pool 0x[0-9a-fA-F]{40} at block \d+: the pool is not initialized/,
    )
  } finally {
    await node.stop()
  }
})

test('a V2 pair configured as a V3 pool is an error row that names the block', async () => {
  const pair = devnet.pools.find((pool) => pool.protocol === 'uniswap-v2')!
  const broken = {
    ...config,
    pools: [
      { id: 'v2-as-v3', chain: 'devnet', protocol: 'uniswap-v3' as const, address: pair.address },
    ],
  }
  const { pools } = await buildDailyReport({ config: broken, date, clientFor: () => client })
  expect(pools[0]).toMatchObject({ status: 'error' })
  expect(pools[0]!.status === 'error' && pools[0]!.error).toMatch(
    /is not a Uniswap V3 pool at block \d+/,
  )
})
