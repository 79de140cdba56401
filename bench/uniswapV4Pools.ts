/**
 * The Uniswap V4 part of `npm run bench`: deploys the real V4 contracts and pools with a
 * full-range and a +/-1% position each, and snapshots them the report's way.
 */
import { type Address, type Hex, zeroAddress } from 'viem'
import type { DevnetWallet } from '../devnet/devnetWallet.ts'
import {
  deployUniswapV4Core,
  initializeCall,
  mintPositionCall,
  queueFundingAndApprovals,
  type UniswapV4Core,
} from '../devnet/uniswapV4.ts'
import type { PoolKey } from '../lambda/protocols/uniswapV4/poolKey.ts'
import { poolIdOf } from '../lambda/protocols/uniswapV4/poolKey.ts'
import { sendInBlocks } from './uniswapV3Pools.ts'

const FEE_TIERS = [
  { fee: 500, tickSpacing: 10 },
  { fee: 3000, tickSpacing: 60 },
  { fee: 10_000, tickSpacing: 200 },
] as const

/** Gas limits that leave room for many transactions in anvil's 1e9-gas blocks. */
const INITIALIZE_GAS = 1_000_000n
const MINT_GAS = 1_500_000n
const LIQUIDITY = 10n ** 21n

/**
 * Deploys V4, initializes `count` pools over pairs of `tokens` (cycling through the three
 * usual fee tiers and tick spacings) at price 1, and mints a full-range position and a +/-1%
 * one in each through `PositionManager`.
 *
 * @returns the V4 contracts and the pool ids
 */
export async function deployV4Pools(
  wallet: DevnetWallet,
  tokens: readonly Address[],
  count: number,
  nextTimestamp: () => bigint,
): Promise<{ core: UniswapV4Core; poolIds: Hex[] }> {
  const core = await deployUniswapV4Core(wallet, tokens[0]!)
  await wallet.mine(nextTimestamp())
  for (const [i, token] of tokens.entries())
    queueFundingAndApprovals(wallet, token, core, `token ${i}`)
  await wallet.mine(nextTimestamp())

  const keys: PoolKey[] = []
  for (let a = 0; a < tokens.length && keys.length < count; a++) {
    for (let b = a + 1; b < tokens.length && keys.length < count; b++) {
      const [currency0, currency1] =
        BigInt(tokens[a]!) < BigInt(tokens[b]!)
          ? [tokens[a]!, tokens[b]!]
          : [tokens[b]!, tokens[a]!]
      keys.push({
        currency0,
        currency1,
        hooks: zeroAddress,
        ...FEE_TIERS[keys.length % FEE_TIERS.length]!,
      })
    }
  }
  await sendInBlocks(wallet, nextTimestamp, INITIALIZE_GAS, keys, (key) => ({
    label: `initialize ${key.currency0}/${key.currency1}/${key.fee}`,
    to: core.poolManager,
    data: initializeCall(key, 2n ** 96n),
  }))
  const positions = keys.flatMap((key) => {
    const full = Math.floor(887272 / key.tickSpacing) * key.tickSpacing
    const near = Math.ceil(100 / key.tickSpacing) * key.tickSpacing
    return [
      { key, tickLower: -full, tickUpper: full },
      { key, tickLower: -near, tickUpper: near },
    ]
  })
  await sendInBlocks(
    wallet,
    nextTimestamp,
    MINT_GAS,
    positions,
    ({ key, tickLower, tickUpper }) => ({
      label: `mint ${key.currency0}/${key.currency1}/${key.fee}`,
      to: core.positionManager,
      data: mintPositionCall(key, tickLower, tickUpper, LIQUIDITY, 0n).data,
    }),
  )
  return { core, poolIds: keys.map(poolIdOf) }
}
