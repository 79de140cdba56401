import { type Address, type Hex, isAddressEqual, parseAbi, slice } from 'viem'
import type { BlockReader } from '../../chain/blockReader.ts'
import { ContractReadError } from '../../errors.ts'

/** The Balancer V2 weighted pool getters the report reads (the BPT is the pool itself). */
export const balancerWeightedPoolAbi = parseAbi([
  'function getPoolId() view returns (bytes32)',
  'function getVault() view returns (address)',
  'function getNormalizedWeights() view returns (uint256[])',
  'function getInvariant() view returns (uint256)',
  'function getSwapFeePercentage() view returns (uint256)',
  'function totalSupply() view returns (uint256)',
])

/** The Balancer V2 Vault, which holds every pool's tokens. */
export const balancerVaultAbi = parseAbi([
  'function getPoolTokens(bytes32 poolId) view returns (address[] tokens, uint256[] balances, uint256 lastChangeBlock)',
])

/** Weighted pools hold 2 to 8 tokens. */
export const BALANCER_MAX_TOKENS = 8
/** Weights, fees and the invariant are 18-decimal fixed point. */
export const BALANCER_ONE = 10n ** 18n

/** A Balancer V2 weighted pool at one block. */
export interface BalancerWeightedState {
  readonly poolId: Hex
  readonly vault: Address
  /** Tokens in the Vault's order for the pool. */
  readonly tokens: readonly Address[]
  /** The Vault's balances of the pool (raw). */
  readonly balances: readonly bigint[]
  /** `getNormalizedWeights()`, 18 decimals, summing to 1e18. */
  readonly weights: readonly bigint[]
  /** `getInvariant()`: `prod(b_i^w_i)` on 18-decimal balances. */
  readonly invariant: bigint
  /** `getSwapFeePercentage()`, 18 decimals (3e15 = 0.3%). */
  readonly swapFee: bigint
  /** BPT `totalSupply()`. */
  readonly totalSupply: bigint
}

/**
 * Reads a Balancer V2 weighted pool in two Multicall3 rounds: the pool's `getPoolId`,
 * `getVault`, `getNormalizedWeights`, `getInvariant`, `getSwapFeePercentage` and
 * `totalSupply`, then the Vault's `getPoolTokens(poolId)`.
 *
 * @param reader - reader pinned to the snapshot block
 * @param address - pool (BPT) address
 * @returns the pool's state
 * @throws ContractReadError if the address does not answer like a weighted pool
 */
export async function readBalancerWeightedPool(
  reader: BlockReader,
  address: Address,
): Promise<BalancerWeightedState> {
  const notAPool = (why: string, cause?: unknown) =>
    new ContractReadError(
      `${address} is not a Balancer weighted pool at block ${reader.blockNumber}: ${why}`,
      { cause },
    )
  const call = <functionName extends (typeof balancerWeightedPoolAbi)[number]['name']>(
    functionName: functionName,
  ) => reader.read({ address, abi: balancerWeightedPoolAbi, functionName })
  let poolId: Hex
  let vault: Address
  let weights: readonly bigint[]
  let invariant: bigint
  let swapFee: bigint
  let totalSupply: bigint
  try {
    ;[poolId, vault, weights, invariant, swapFee, totalSupply] = await Promise.all([
      call('getPoolId'),
      call('getVault'),
      call('getNormalizedWeights'),
      call('getInvariant'),
      call('getSwapFeePercentage'),
      call('totalSupply'),
    ])
  } catch (error) {
    if (!(error instanceof ContractReadError)) throw error
    throw notAPool(error.shortMessage, error)
  }
  const [tokens, balances] = await readVaultPoolTokens(reader, { address, poolId, vault, notAPool })
  const n = tokens.length
  if (n < 2 || n > BALANCER_MAX_TOKENS) throw notAPool(`it holds ${n} tokens`)
  if (weights.length !== n || balances.length !== n) {
    throw notAPool(`${n} tokens but ${weights.length} weights and ${balances.length} balances`)
  }
  const weightSum = weights.reduce((total, weight) => total + weight, 0n)
  if (weights.some((weight) => weight <= 0n) || abs(weightSum - BALANCER_ONE) > BigInt(n)) {
    throw notAPool('its weights are not positive fractions summing to 1')
  }
  if (swapFee >= BALANCER_ONE) throw notAPool('its swap fee is 100% or more')
  if (totalSupply === 0n || invariant === 0n) throw notAPool('it holds no liquidity')
  return { poolId, vault, tokens, balances, weights, invariant, swapFee, totalSupply }
}

/**
 * Reads what moves in a weighted pool during the day, in one Multicall3 round: the Vault's
 * balances and the weights (they move in liquidity bootstrapping and managed pools). Enough
 * for an intraday sample; supply, invariant and fee are the day's end's.
 *
 * @param reader - reader pinned to the sample block
 * @param known - the pool at another block of the day (a full read)
 * @param address - pool (BPT) address
 * @returns the pool's state with its balances and weights at the reader's block
 */
export async function readBalancerWeightedSample(
  reader: BlockReader,
  known: BalancerWeightedState,
  address: Address,
): Promise<BalancerWeightedState> {
  const [weights, [tokens, balances]] = await Promise.all([
    reader.read({ address, abi: balancerWeightedPoolAbi, functionName: 'getNormalizedWeights' }),
    readVaultPoolTokens(reader, { ...known, address, notAPool: sampleRefusal(reader, address) }),
  ])
  if (tokens.length !== known.tokens.length || weights.length !== known.tokens.length)
    throw sampleRefusal(reader, address)('its tokens changed during the day')
  return { ...known, balances, weights }
}

/** How a sample read words what it finds wrong with a Balancer pool. */
export function sampleRefusal(reader: BlockReader, address: Address) {
  return (why: string, cause?: unknown) =>
    new ContractReadError(`Balancer pool ${address} at block ${reader.blockNumber}: ${why}`, {
      cause,
    })
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value
}

/**
 * A Balancer V2 pool's tokens and balances as its Vault lists them, after checking that the
 * pool id is the pool's own (it starts with the pool's address).
 *
 * @param reader - the snapshot's block reader
 * @param pool - the pool's address, the id and Vault it reported, and how to word a refusal
 * @returns `[tokens, balances]` in the Vault's order
 * @throws ContractReadError (made by `notAPool`) when the id is not the pool's or the Vault does not list it
 */
export async function readVaultPoolTokens(
  reader: BlockReader,
  {
    address,
    poolId,
    vault,
    notAPool,
  }: {
    readonly address: Address
    readonly poolId: Hex
    readonly vault: Address
    readonly notAPool: (why: string, cause?: unknown) => ContractReadError
  },
): Promise<readonly [readonly Address[], readonly bigint[]]> {
  // A pool id starts with the pool's address: an id from elsewhere is a misconfiguration.
  if (!isAddressEqual(slice(poolId, 0, 20), address))
    throw notAPool(`its pool id ${poolId} is not its own`)
  try {
    const [tokens, balances] = await reader.read({
      address: vault,
      abi: balancerVaultAbi,
      functionName: 'getPoolTokens',
      args: [poolId],
    })
    return [tokens, balances]
  } catch (error) {
    if (!(error instanceof ContractReadError)) throw error
    throw notAPool(`its Vault ${vault} does not list it (${error.shortMessage})`, error)
  }
}
