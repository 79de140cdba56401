import {
  type Address,
  createPublicClient,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  http,
  maxUint256,
  parseAbi,
  zeroAddress,
} from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Anvil } from '../../devnet/anvil.ts'
import { compileContracts } from '../../devnet/compileContracts.ts'
import { DEVNET_SENDER, DevnetWallet } from '../../devnet/devnetWallet.ts'
import { positionManagerAbi } from '../../devnet/uniswapV3.ts'
import {
  MAX_SQRT_PRICE_LIMIT,
  MIN_SQRT_PRICE_LIMIT,
  mintPositionCall,
  swapCall,
} from '../../devnet/uniswapV4.ts'
import { parseConfig } from '../../lambda/config/loadConfig.ts'
import { type PoolKey, poolIdOf } from '../../lambda/protocols/uniswapV4/poolKey.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import { sharedDevnet, startPrivateDevnet } from '../support/devnet.ts'

/**
 * A V3 pool and a V4 pool built alike on a private node: the same tokens, fee, start price,
 * liquidity positions and swaps, a day apart from the shared simulation. Their day metrics
 * must agree; the V4 pool's TVL must be what its positions hold.
 */
const devnet = sharedDevnet()
const DAY = 86_400n
const dayStart = BigInt(devnet.endTime) + DAY
const date = new Date(Number(dayStart) * 1000).toISOString().slice(0, 10)
const FEE = 3000
const SPACING = 60
const PRICE_USD = { LINK: 15, USDC: 1 } as const
const [token0, token1] = [devnet.tokens.LINK!, devnet.tokens.USDC!].sort((a, b) =>
  BigInt(a) < BigInt(b) ? -1 : 1,
) as [Address, Address]
const decimals = [token0 === devnet.tokens.LINK ? 18 : 6, token1 === devnet.tokens.LINK ? 18 : 6]
const prices = [token0 === devnet.tokens.LINK ? 15 : 1, token1 === devnet.tokens.LINK ? 15 : 1]
const key: PoolKey = {
  currency0: token0,
  currency1: token1,
  fee: FEE,
  tickSpacing: SPACING,
  hooks: zeroAddress,
}
const poolId = poolIdOf(key)
/** A pool nobody initialized: its row must be an error naming it. */
const idleKey: PoolKey = { ...key, fee: 500, tickSpacing: 10 }

const v3FactoryAbi = parseAbi(['function getPool(address, address, uint24) view returns (address)'])
const stateViewSlot0Abi = parseAbi([
  'function getSlot0(bytes32) view returns (uint160 sqrtPriceX96, int24 tick, uint24 protocolFee, uint24 lpFee)',
])

let node: Anvil
let report: DailyReport
let v3Pool: Address
/** Positions as ticks and liquidity (read back from the V3 manager, minted again on V4). */
const positions: { tickLower: number; tickUpper: number; liquidity: bigint }[] = []
let startTick: number

function okDay(id: string): Extract<PoolDay, { status: 'ok' }> {
  const day = report.pools.find((candidate) => candidate.pool.id === id)
  if (day?.status !== 'ok')
    throw new Error(`${id}: ${day && 'error' in day ? day.error : 'missing'}`)
  return day
}

beforeAll(async () => {
  node = await startPrivateDevnet(devnet)
  const wallet = new DevnetWallet(node.rpcUrl)
  await wallet.syncNonce()
  const client = createPublicClient({ transport: http(node.rpcUrl) })
  const { UniswapV3Trader } = await compileContracts()
  const v3Manager = devnet.uniswapV3.positionManager
  const v4 = devnet.uniswapV4

  // Token1 per token0 in raw units, at the USD prices; the start tick is a multiple of 60.
  const rawPrice = (prices[0]! / prices[1]!) * 10 ** (decimals[1]! - decimals[0]!)
  startTick = Math.round(Math.log(rawPrice) / Math.log(1.0001) / SPACING) * SPACING
  const sqrtPriceX96 = BigInt(Math.floor(1.0001 ** (startTick / 2) * 2 ** 96))
  let time = BigInt(devnet.endTime) + 3600n
  wallet.send(
    'create the V3 twin',
    v3Manager,
    encodeFunctionData({
      abi: positionManagerAbi,
      functionName: 'createAndInitializePoolIfNecessary',
      args: [token0, token1, FEE, sqrtPriceX96],
    }),
    8_000_000n,
  )
  wallet.send(
    'create the V4 twin',
    v4.poolManager,
    encodeFunctionData({
      abi: parseAbi([
        'function initialize((address, address, uint24, int24, address) key, uint160 sqrtPriceX96) returns (int24)',
      ]),
      functionName: 'initialize',
      args: [[token0, token1, FEE, SPACING, zeroAddress], sqrtPriceX96],
    }),
  )
  await wallet.mine(time++)
  v3Pool = await client.readContract({
    address: devnet.uniswapV3.factory,
    abi: v3FactoryAbi,
    functionName: 'getPool',
    args: [token0, token1, FEE],
  })

  // Full range, around the price (wide and narrow), and wholly above and below it.
  const ranges: [number, number][] = [
    [-887220, 887220],
    [startTick - 600, startTick + 600],
    [startTick - 120, startTick + 120],
    [startTick + 300, startTick + 1200],
    [startTick - 1200, startTick - 300],
  ]
  const heldBefore = await client.readContract({
    address: v3Manager,
    abi: positionManagerAbi,
    functionName: 'balanceOf',
    args: [DEVNET_SENDER],
  })
  for (const [tickLower, tickUpper] of ranges) {
    wallet.send(
      'mint on the V3 twin',
      v3Manager,
      encodeFunctionData({
        abi: positionManagerAbi,
        functionName: 'mint',
        args: [
          {
            token0,
            token1,
            fee: FEE,
            tickLower,
            tickUpper,
            // About 100k USD of each token; the manager takes what the range needs.
            amount0Desired: BigInt(Math.floor((100_000 / prices[0]!) * 10 ** decimals[0]!)),
            amount1Desired: BigInt(Math.floor((100_000 / prices[1]!) * 10 ** decimals[1]!)),
            amount0Min: 0n,
            amount1Min: 0n,
            recipient: DEVNET_SENDER,
            deadline: maxUint256,
          },
        ],
      }),
      1_500_000n,
    )
  }
  await wallet.mine(time++)
  for (let i = 0; i < ranges.length; i++) {
    const tokenId = await client.readContract({
      address: v3Manager,
      abi: positionManagerAbi,
      functionName: 'tokenOfOwnerByIndex',
      args: [DEVNET_SENDER, heldBefore + BigInt(i)],
    })
    const position = await client.readContract({
      address: v3Manager,
      abi: positionManagerAbi,
      functionName: 'positions',
      args: [tokenId],
    })
    positions.push({ tickLower: position[5], tickUpper: position[6], liquidity: position[7] })
  }
  for (const { tickLower, tickUpper, liquidity } of positions) {
    const call = mintPositionCall(key, tickLower, tickUpper, liquidity, 0n)
    wallet.send('mint on the V4 twin', v4.positionManager, call.data, 2_000_000n)
  }
  await wallet.mine(time++)

  // The day: swaps both ways, large enough to cross the narrow range's ticks, ending below it.
  const swaps: [zeroForOne: boolean, amountUsd: number][] = [
    [true, 40_000],
    [false, 90_000],
    [true, 25_000],
    [true, 400_000],
    [false, 10_000],
  ]
  for (const [i, [zeroForOne, amountUsd]] of swaps.entries()) {
    const side = zeroForOne ? 0 : 1
    const amountIn = BigInt(Math.floor((amountUsd / prices[side]!) * 10 ** decimals[side]!))
    wallet.send(
      'swap on the V3 twin',
      devnet.uniswapV3.trader,
      encodeFunctionData({
        abi: UniswapV3Trader!.abi,
        functionName: 'swapExactIn',
        args: [v3Pool, zeroForOne, amountIn],
      }),
    )
    wallet.send(
      'swap on the V4 twin',
      v4.swapRouter,
      swapCall(key, zeroForOne, amountIn, zeroForOne ? MIN_SQRT_PRICE_LIMIT : MAX_SQRT_PRICE_LIMIT),
    )
    await wallet.mine(dayStart + BigInt(i + 1) * 3600n)
  }
  await wallet.mine(dayStart + DAY)
  await wallet.mine(dayStart + DAY + 12n)

  const config = parseConfig({
    chains: {
      devnet: {
        chainId: 31337,
        rpcUrl: node.rpcUrl,
        uniswapV4: {
          poolManager: v4.poolManager,
          stateView: v4.stateView,
          positionManager: v4.positionManager,
        },
      },
    },
    prices: {
      [`devnet:${devnet.tokens.LINK}`]: { fixed: PRICE_USD.LINK },
      [`devnet:${devnet.tokens.USDC}`]: { fixed: PRICE_USD.USDC },
    },
    pools: [
      { id: 'twin-v3', chain: 'devnet', protocol: 'uniswap-v3', address: v3Pool, rangePct: 3 },
      { id: 'twin-v4', chain: 'devnet', protocol: 'uniswap-v4', poolId, rangePct: 3 },
      { id: 'twin-v4-keyed', chain: 'devnet', protocol: 'uniswap-v4', poolId, key, rangePct: 3 },
      {
        id: 'v4-idle',
        chain: 'devnet',
        protocol: 'uniswap-v4',
        poolId: poolIdOf(idleKey),
        key: idleKey,
      },
    ],
  })
  report = await buildDailyReport({ config, date, clientFor: () => client })
}, 60_000)

afterAll(async () => {
  await node?.stop()
})

test('a V4 pool and a V3 pool with the same positions and swaps report the same figures', () => {
  const v3 = okDay('twin-v3').metrics
  const v4 = okDay('twin-v4').metrics
  expect(v4.imbalanceStart).toBe(v3.imbalanceStart)
  expect(v4.imbalanceEnd).toBe(v3.imbalanceEnd)
  expect(v4.priceDeviationEnd).toBe(v3.priceDeviationEnd)
  expect(v4.divergenceLoss).toBe(v3.divergenceLoss)
  expect(v4.feeReturn).toBe(v3.feeReturn)
  expect(v4.lpVsHodl).toBe(v3.lpVsHodl)
  expect(v4.feesUsd).toBe(v3.feesUsd)
  expect(v4.volumeUsdEst).toBe(v3.volumeUsdEst)
  expect(v4.depth2pctUsd).toBe(v3.depth2pctUsd)
  expect(v4.range).toEqual(v3.range)
  // The day moved the pools: the figures compared are not trivially zero.
  expect(v3.feeReturn).toBeGreaterThan(0)
  expect(Math.abs(v3.priceDeviationEnd)).toBeGreaterThan(0.005)
  expect(v3.range?.divergenceLoss).not.toBe(0)
})

test('the swaps crossed initialized ticks: the price ends below the narrow range', async () => {
  const client = createPublicClient({ transport: http(node.rpcUrl) })
  const [, tick] = await client.readContract({
    address: devnet.uniswapV4.stateView,
    abi: stateViewSlot0Abi,
    functionName: 'getSlot0',
    args: [poolId],
    blockNumber: okDay('twin-v4').end!.number,
  })
  expect(tick).toBeLessThan(startTick - 120)
})

test("the V4 pool's TVL is what its positions hold at the snapshot prices", async () => {
  const day = okDay('twin-v4')
  const client = createPublicClient({ transport: http(node.rpcUrl) })
  for (const [block, tvl] of [
    [day.start!.number, day.metrics.tvlUsdStart],
    [day.end!.number, day.metrics.tvlUsdEnd],
  ] as const) {
    // The test's own read and decoding of the price, and the position formulas in floats.
    const data = (await client.request({
      method: 'eth_call',
      params: [
        {
          to: devnet.uniswapV4.stateView,
          data: encodeFunctionData({
            abi: stateViewSlot0Abi,
            functionName: 'getSlot0',
            args: [poolId],
          }),
        },
        `0x${block.toString(16)}`,
      ],
    })) as Hex
    const [sqrtPriceX96] = decodeFunctionResult({
      abi: stateViewSlot0Abi,
      functionName: 'getSlot0',
      data,
    })
    const sqrtPrice = Number(sqrtPriceX96) / 2 ** 96
    let value = 0
    for (const { tickLower, tickUpper, liquidity } of positions) {
      const lower = 1.0001 ** (tickLower / 2)
      const upper = 1.0001 ** (tickUpper / 2)
      const clipped = Math.min(Math.max(sqrtPrice, lower), upper)
      const amount0 = Number(liquidity) * (1 / clipped - 1 / upper)
      const amount1 = Number(liquidity) * (clipped - lower)
      value +=
        (amount0 / 10 ** decimals[0]!) * prices[0]! + (amount1 / 10 ** decimals[1]!) * prices[1]!
    }
    expect(tvl / value - 1).toBeCloseTo(0, 9)
  }
})

test('a key in the config gives the same day as the key from PositionManager.poolKeys', () => {
  expect(okDay('twin-v4-keyed').metrics).toEqual(okDay('twin-v4').metrics)
})

test('a pool that is not initialized at the block is an error row naming it', () => {
  const day = report.pools.find((candidate) => candidate.pool.id === 'v4-idle')
  expect(day?.status).toBe('error')
  expect(day && 'error' in day && day.error).toContain(poolIdOf(idleKey))
  expect(day && 'error' in day && day.error).toContain('not initialized')
})
