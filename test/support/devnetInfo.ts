import type { Address, Hex } from 'viem'
import type { Devnet } from '../../devnet/buildDevnet.ts'

/** What the test files learn about the shared devnet (JSON-safe: bigints as strings). */
export interface DevnetInfo {
  /** The shared, read-only node. */
  readonly rpcUrl: string
  /** State dump (with history) that private nodes start from. */
  readonly stateFile: string
  readonly genesisTime: string
  readonly endTime: string
  readonly days: number
  readonly tokens: Record<string, Address>
  readonly feeds: Record<string, Address>
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
  readonly uniswapV3: Devnet['uniswapV3']
  readonly uniswapV4: Devnet['uniswapV4']
}

export function toDevnetInfo(devnet: Devnet, rpcUrl: string, stateFile: string): DevnetInfo {
  return {
    rpcUrl,
    stateFile,
    genesisTime: String(devnet.genesisTime),
    endTime: String(devnet.endTime),
    days: devnet.days,
    tokens: devnet.base.tokens,
    feeds: devnet.base.feeds as Record<string, Address>,
    pools: devnet.pools,
    uniswapV2: devnet.uniswapV2,
    curve: devnet.curve,
    balancer: devnet.balancer,
    uniswapV3: devnet.uniswapV3,
    uniswapV4: devnet.uniswapV4,
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    devnet: DevnetInfo
  }
}
