/**
 * The Uniswap V3 part of `npm run bench`: deploys pools with liquidity around the price (so
 * their depth windows hold initialized ticks) and snapshots them the report's way and the
 * naive way.
 */
import { type Address, encodeFunctionData, erc20Abi, type Hex, maxUint256, parseAbi } from 'viem'
import type { DevnetWallet } from '../devnet/devnetWallet.ts'
import { DEVNET_SENDER } from '../devnet/devnetWallet.ts'
import {
  deployUniswapV3Core,
  positionManagerAbi,
  uniswapV3FactoryAbi,
} from '../devnet/uniswapV3.ts'
import type { ChainClient } from '../lambda/chain/createChainClient.ts'
import { aggregatorV3Abi } from '../lambda/prices/readChainlinkPrice.ts'
import { depthLimits } from '../lambda/protocols/uniswapV3/math/depthLimits.ts'
import {
  compressTick,
  initializedTicksBetween,
  wordPosition,
} from '../lambda/protocols/uniswapV3/math/tickBitmap.ts'
import { uniswapV3PoolAbi } from '../lambda/protocols/uniswapV3/read.ts'

const FEE_TIERS = [
  { fee: 500, tickSpacing: 10 },
  { fee: 3000, tickSpacing: 60 },
  { fee: 10_000, tickSpacing: 200 },
] as const

/** Gas limits that leave room for many transactions in anvil's 1e9-gas blocks. */
const CREATE_GAS = 6_000_000n
const MINT_GAS = 1_000_000n

const mintableAbi = parseAbi(['function mint(address to, uint256 amount)'])

/**
 * Deploys the V3 factory and position manager, creates `count` pools over pairs of `tokens`
 * (cycling through the three fee tiers) at price 1, and mints a full-range position and a
 * +/-1% one in each, the latter's ticks inside the 2% depth window.
 *
 * @returns the pool addresses
 */
export async function deployV3Pools(
  wallet: DevnetWallet,
  client: ChainClient,
  tokens: readonly Address[],
  count: number,
  nextTimestamp: () => bigint,
): Promise<Address[]> {
  const { factory, positionManager: manager } = await deployUniswapV3Core(wallet, tokens[0]!)
  for (const token of tokens) {
    wallet.send(
      'fund',
      token,
      encodeFunctionData({
        abi: mintableAbi,
        functionName: 'mint',
        args: [DEVNET_SENDER, 10n ** 40n],
      }),
    )
    wallet.send(
      'approve',
      token,
      encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [manager, maxUint256] }),
    )
  }
  await wallet.mine(nextTimestamp())

  const specs: { token0: Address; token1: Address; fee: number; tickSpacing: number }[] = []
  for (let a = 0; a < tokens.length && specs.length < count; a++) {
    for (let b = a + 1; b < tokens.length && specs.length < count; b++) {
      const [token0, token1] =
        BigInt(tokens[a]!) < BigInt(tokens[b]!)
          ? [tokens[a]!, tokens[b]!]
          : [tokens[b]!, tokens[a]!]
      specs.push({ token0, token1, ...FEE_TIERS[specs.length % FEE_TIERS.length]! })
    }
  }
  await sendInBlocks(wallet, nextTimestamp, CREATE_GAS, specs, (spec) => ({
    label: `create ${spec.token0}/${spec.token1}/${spec.fee}`,
    to: manager,
    data: encodeFunctionData({
      abi: positionManagerAbi,
      functionName: 'createAndInitializePoolIfNecessary',
      args: [spec.token0, spec.token1, spec.fee, 2n ** 96n],
    }),
  }))
  const positions = specs.flatMap((spec) => {
    const full = Math.floor(887272 / spec.tickSpacing) * spec.tickSpacing
    // +/-1% around price 1, rounded outwards to the tick spacing.
    const near = Math.ceil(100 / spec.tickSpacing) * spec.tickSpacing
    return [
      { spec, tickLower: -full, tickUpper: full },
      { spec, tickLower: -near, tickUpper: near },
    ]
  })
  await sendInBlocks(
    wallet,
    nextTimestamp,
    MINT_GAS,
    positions,
    ({ spec, tickLower, tickUpper }) => ({
      label: `mint ${spec.token0}/${spec.token1}/${spec.fee}`,
      to: manager,
      data: encodeFunctionData({
        abi: positionManagerAbi,
        functionName: 'mint',
        args: [
          {
            token0: spec.token0,
            token1: spec.token1,
            fee: spec.fee,
            tickLower,
            tickUpper,
            amount0Desired: 10n ** 21n,
            amount1Desired: 10n ** 21n,
            amount0Min: 0n,
            amount1Min: 0n,
            recipient: DEVNET_SENDER,
            deadline: maxUint256,
          },
        ],
      }),
    }),
  )
  return Promise.all(
    specs.map((spec) =>
      client.readContract({
        address: factory,
        abi: uniswapV3FactoryAbi,
        functionName: 'getPool',
        args: [spec.token0, spec.token1, spec.fee],
      }),
    ),
  )
}

/** Queues one transaction per item and mines a block whenever the next would not fit. */
export async function sendInBlocks<T>(
  wallet: DevnetWallet,
  nextTimestamp: () => bigint,
  gas: bigint,
  items: readonly T[],
  transaction: (item: T) => { label: string; to: Address; data: Hex },
): Promise<void> {
  const perBlock = Number(900_000_000n / gas)
  for (const [i, item] of items.entries()) {
    const { label, to, data } = transaction(item)
    wallet.send(label, to, data, gas)
    if (i % perBlock === perBlock - 1) await wallet.mine(nextTimestamp())
  }
  await wallet.mine(nextTimestamp())
}

/** The naive way: the same reads, each its own `eth_call`, 50 pools at a time. */
export async function snapshotV3Naive(
  client: ChainClient,
  pools: readonly Address[],
  feeds: ReadonlyMap<Address, Address>,
  blockNumber: bigint,
): Promise<number> {
  const read = (address: Address, abi: unknown, functionName: string, args?: unknown[]) =>
    client.readContract({
      address,
      abi,
      functionName,
      args,
      blockNumber,
    } as never) as Promise<never>
  const tokens = new Set<Address>()
  for (let i = 0; i < pools.length; i += 50) {
    await Promise.all(
      pools.slice(i, i + 50).map(async (pool) => {
        const functionNames = [
          'token0',
          'token1',
          'fee',
          'tickSpacing',
          'slot0',
          'liquidity',
          'feeGrowthGlobal0X128',
          'feeGrowthGlobal1X128',
        ]
        const [token0, token1, , tickSpacing, slot0] = (await Promise.all(
          functionNames.map((name) => read(pool, uniswapV3PoolAbi, name)),
        )) as unknown as [Address, Address, number, number, readonly [bigint]]
        const limits = depthLimits(slot0[0])
        const first = wordPosition(compressTick(limits.tickDown, tickSpacing))
        const last = wordPosition(compressTick(limits.tickUp, tickSpacing) + 1)
        const positions = Array.from({ length: last - first + 1 }, (_, k) => first + k)
        const [, , ...words] = (await Promise.all([
          read(token0, erc20Abi, 'balanceOf', [pool]),
          read(token1, erc20Abi, 'balanceOf', [pool]),
          ...positions.map((position) => read(pool, uniswapV3PoolAbi, 'tickBitmap', [position])),
        ])) as bigint[]
        const bitmap = new Map(positions.map((position, k) => [position, words[k]!]))
        const ticks = initializedTicksBetween(bitmap, tickSpacing, limits.tickDown, limits.tickUp)
        await Promise.all(ticks.map((tick) => read(pool, uniswapV3PoolAbi, 'ticks', [tick])))
        tokens.add(token0)
        tokens.add(token1)
      }),
    )
  }
  await Promise.all(
    [...tokens].flatMap((token) => [
      read(token, erc20Abi, 'decimals'),
      read(token, erc20Abi, 'symbol'),
      read(feeds.get(token)!, aggregatorV3Abi, 'latestRoundData'),
      read(feeds.get(token)!, aggregatorV3Abi, 'decimals'),
    ]),
  )
  return pools.length
}
