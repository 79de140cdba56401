import { type Address, createPublicClient, type Hex, http } from 'viem'
import type { ChainClient } from '../lambda/chain/createChainClient.ts'
import { type Anvil, startAnvil } from './anvil.ts'
import { deployBalancerStable } from './balancerStable.ts'
import { deployBalancerWeighted } from './balancerWeighted.ts'
import { compileContracts } from './compileContracts.ts'
import { deployCurveStableSwap } from './curveStableSwap.ts'
import { type BaseDeployment, deployBase } from './deployBase.ts'
import { DevnetWallet } from './devnetWallet.ts'
import { POOLS } from './scenario.ts'
import { simulateMarket } from './simulate.ts'
import { deployUniswapV2 } from './uniswapV2.ts'
import { deployUniswapV3 } from './uniswapV3.ts'
import { deployUniswapV4, type UniswapV4Core } from './uniswapV4.ts'

const DAY = 86_400n

/** A simulated chain and where everything on it is. */
export interface Devnet {
  readonly anvil: Anvil
  readonly rpcUrl: string
  readonly base: BaseDeployment
  readonly pools: readonly {
    readonly id: string
    readonly protocol: string
    /** The pool's address, or a V4 pool's id. */
    readonly address: Hex
  }[]
  readonly uniswapV2: { readonly factory: Address; readonly trader: Address }
  /** LP token of each Curve pool, by pool id. */
  readonly curve: { readonly lpTokens: Record<string, Address> }
  readonly balancer: { readonly vault: Address }
  readonly uniswapV3: {
    readonly factory: Address
    readonly positionManager: Address
    readonly trader: Address
  }
  /** The V4 contracts, and the dynamic-fee hook. */
  readonly uniswapV4: UniswapV4Core & { readonly hook: Address }
  /** Timestamp of the genesis block. */
  readonly genesisTime: bigint
  /** The UTC midnight the simulation ends at; the days before it are fully simulated. */
  readonly endTime: bigint
  readonly days: number
}

export interface BuildDevnetOptions {
  /** Most recent UTC midnight by default. */
  readonly endTime?: bigint
  /** Whole days simulated before `endTime`. @default 8 */
  readonly days?: number
  /** Keep the state (with history) in this file when the node stops. */
  readonly dumpState?: string
  /** Loopback port of the node; a free one by default. */
  readonly port?: number
}

/**
 * Starts anvil, deploys tokens, feeds and pools, and simulates the market for `days` full
 * UTC days that end at `endTime`. One more empty block follows the last midnight, so that
 * the last day is complete from the chain's point of view.
 *
 * @param options - end time, length, state file
 * @returns the running devnet
 */
export async function buildDevnet(options: BuildDevnetOptions = {}): Promise<Devnet> {
  const endTime = options.endTime ?? lastUtcMidnight(new Date())
  const days = options.days ?? 8
  const firstDay = endTime - BigInt(days) * DAY
  const genesisTime = firstDay - 3n * 3600n
  const artifacts = await compileContracts()
  const anvil = await startAnvil({
    genesisTimestamp: genesisTime,
    noMining: true,
    ...(options.dumpState && { dumpState: options.dumpState }),
    ...(options.port !== undefined && { port: options.port }),
  })
  try {
    const wallet = new DevnetWallet(anvil.rpcUrl)
    await wallet.syncNonce()
    const client: ChainClient = createPublicClient({ transport: http(anvil.rpcUrl) })
    const context = { wallet, client, artifacts }
    const base = await deployBase(context, genesisTime + 60n)
    const v2 = await deployUniswapV2(
      context,
      base,
      POOLS.filter((pool) => pool.protocol === 'uniswap-v2'),
      genesisTime + 120n,
    )
    const v3 = await deployUniswapV3(
      context,
      base,
      POOLS.filter((pool) => pool.protocol === 'uniswap-v3'),
      genesisTime + 180n,
    )
    const curve = await deployCurveStableSwap(
      context,
      base,
      POOLS.filter((pool) => pool.protocol === 'curve-stableswap'),
      genesisTime + 240n,
    )
    const balancer = await deployBalancerWeighted(
      context,
      base,
      POOLS.filter((pool) => pool.protocol === 'balancer-weighted'),
      genesisTime + 300n,
    )
    const balancerStable = await deployBalancerStable(
      context,
      base,
      balancer.vault,
      POOLS.filter((pool) => pool.protocol === 'balancer-stable'),
      genesisTime + 360n,
    )
    const v4 = await deployUniswapV4(
      context,
      base,
      POOLS.filter((pool) => pool.protocol === 'uniswap-v4'),
      genesisTime + 420n,
    )
    const drivers = [
      ...v2.drivers,
      ...v3.drivers,
      ...curve.drivers,
      ...balancer.drivers,
      ...balancerStable,
      ...v4.drivers,
    ]
    await simulateMarket(context, { base, drivers, from: firstDay - 3600n, to: endTime })
    await wallet.mine(endTime + 12n)
    return {
      anvil,
      rpcUrl: anvil.rpcUrl,
      base,
      pools: drivers.map((driver) => ({
        id: driver.spec.id,
        protocol: driver.spec.protocol,
        address: driver.address,
      })),
      uniswapV2: { factory: v2.factory, trader: v2.trader },
      curve: { lpTokens: curve.lpTokens },
      balancer: { vault: balancer.vault },
      uniswapV3: {
        factory: v3.factory,
        positionManager: v3.positionManager,
        trader: v3.trader,
      },
      uniswapV4: {
        poolManager: v4.poolManager,
        stateView: v4.stateView,
        positionManager: v4.positionManager,
        swapRouter: v4.swapRouter,
        hook: v4.hook,
      },
      genesisTime,
      endTime,
      days,
    }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}

/** The most recent UTC midnight at or before `now`, in seconds. */
export function lastUtcMidnight(now: Date): bigint {
  return BigInt(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) / 1000)
}
