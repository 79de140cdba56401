import vaultAbiJson from '@balancer-labs/v2-deployments/dist/tasks/20210418-vault/abi/Vault.json' with {
  type: 'json',
}
import { type Abi, type Address, encodeFunctionData, type Hex, maxUint256 } from 'viem'
import { DEVNET_SENDER } from '../../devnet/devnetWallet.ts'
import type { devnetClient } from './devnet.ts'

/** The Balancer V2 Vault's ABI, from the deployment package (not the report's own). */
export const vaultAbi = vaultAbiJson as Abi

type Client = ReturnType<typeof devnetClient>['client']

/** What a Vault quote needs of a pool's state. */
export interface QuotedPool {
  readonly poolId: Hex
  /** The tokens the quotes index, in the caller's order. */
  readonly tokens: readonly Address[]
  readonly balances: readonly bigint[]
  readonly decimals: readonly number[]
  /** Swap fee as a fraction; Balancer takes it from the input. */
  readonly fee: number
}

/** Calldata of a Vault swap given in, from and to the simulation's funded sender. */
export function swapData(poolId: Hex, assetIn: Address, assetOut: Address, amount: bigint): Hex {
  return encodeFunctionData({
    abi: vaultAbi,
    functionName: 'swap',
    args: [
      { poolId, kind: 0, assetIn, assetOut, amount, userData: '0x' },
      {
        sender: DEVNET_SENDER,
        fromInternalBalance: false,
        recipient: DEVNET_SENDER,
        toInternalBalance: false,
      },
      0n,
      maxUint256,
    ],
  })
}

/**
 * The Vault's quote for selling `amount` of token `i` for token `j` (a simulated swap), at
 * `blockNumber` or the latest block.
 */
export async function vaultQuote(
  vault: Address,
  pool: QuotedPool,
  i: number,
  j: number,
  amount: bigint,
  reader: Client,
  blockNumber?: bigint,
): Promise<bigint> {
  const { data } = await reader.call({
    account: DEVNET_SENDER,
    to: vault,
    data: swapData(pool.poolId, pool.tokens[i]!, pool.tokens[j]!, amount),
    ...(blockNumber !== undefined && { blockNumber }),
  })
  return BigInt(data!)
}

/**
 * Marginal price of token `i` in token `j`, fees excluded, from two small Vault quotes: the
 * average price of a sale falls linearly with its size, so `2 p(d) - p(2d)` removes it.
 */
export async function vaultMarginalPrice(
  vault: Address,
  pool: QuotedPool,
  i: number,
  j: number,
  reader: Client,
  blockNumber?: bigint,
): Promise<number> {
  const d = pool.balances[i]! / 1_000_000n
  const [one, two] = await Promise.all([
    vaultQuote(vault, pool, i, j, d, reader, blockNumber),
    vaultQuote(vault, pool, i, j, 2n * d, reader, blockNumber),
  ])
  const price = (out: bigint, amount: bigint) =>
    Number(out) /
    10 ** pool.decimals[j]! /
    (Number(amount) / 10 ** pool.decimals[i]!) /
    (1 - pool.fee)
  return 2 * price(one, d) - price(two, 2n * d)
}
