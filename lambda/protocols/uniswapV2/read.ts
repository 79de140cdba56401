import { type Address, parseAbi } from 'viem'
import type { BlockReader } from '../../chain/blockReader.ts'
import { ContractReadError } from '../../errors.ts'

export const uniswapV2PairAbi = parseAbi([
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
  'function totalSupply() view returns (uint256)',
])

/** A Uniswap V2 pair (or a fork with the same interface) at one block. */
export interface UniswapV2State {
  readonly tokens: readonly [Address, Address]
  /** The pair's reserves (raw), the balances its price and invariant use. */
  readonly balances: readonly [bigint, bigint]
  /** LP token supply (raw, 18 decimals). */
  readonly totalSupply: bigint
}

/**
 * Reads a Uniswap V2 pair: `token0`, `token1`, `getReserves`, `totalSupply`, in one round.
 *
 * @param reader - reader pinned to the snapshot block
 * @param address - pair address
 * @returns the pair's state
 * @throws ContractReadError if the address does not answer like a V2 pair
 */
export async function readUniswapV2Pool(
  reader: BlockReader,
  address: Address,
): Promise<UniswapV2State> {
  const call = <functionName extends 'token0' | 'token1' | 'getReserves' | 'totalSupply'>(
    functionName: functionName,
  ) => reader.read({ address, abi: uniswapV2PairAbi, functionName })
  try {
    const [token0, token1, [reserve0, reserve1], totalSupply] = await Promise.all([
      call('token0'),
      call('token1'),
      call('getReserves'),
      call('totalSupply'),
    ])
    return { tokens: [token0, token1], balances: [reserve0, reserve1], totalSupply }
  } catch (error) {
    if (!(error instanceof ContractReadError)) throw error
    // The failed probe says what is there: no contract, one that reverts, or garbage.
    throw new ContractReadError(
      `${address} is not a Uniswap V2 pair at block ${reader.blockNumber}: ${error.shortMessage}`,
      { cause: error },
    )
  }
}

/**
 * Reads what changes in a pair during the day, its reserves, in one call: enough for an
 * intraday sample of a pair whose tokens and supply are known from the day's end.
 *
 * @param reader - reader pinned to the sample block
 * @param known - the pair at another block of the day
 * @param address - pair address
 * @returns the pair's state with the reserves of the reader's block
 */
export async function readUniswapV2Sample(
  reader: BlockReader,
  known: UniswapV2State,
  address: Address,
): Promise<UniswapV2State> {
  const [reserve0, reserve1] = await reader.read({
    address,
    abi: uniswapV2PairAbi,
    functionName: 'getReserves',
  })
  return { ...known, balances: [reserve0, reserve1] }
}
