import { type Address, type Hex, isAddressEqual, parseAbi } from 'viem'
import type { BlockReader } from '../../chain/blockReader.ts'
import { tryRead } from '../../chain/tryRead.ts'
import { ContractReadError } from '../../errors.ts'
import { BALANCER_ONE, readVaultPoolTokens, sampleRefusal } from '../balancerWeighted/read.ts'

/**
 * The getters of Balancer V2 stable pools the report reads (ComposableStablePool,
 * MetaStablePool, StablePool); the BPT is the pool itself.
 */
export const balancerStablePoolAbi = parseAbi([
  'function getPoolId() view returns (bytes32)',
  'function getVault() view returns (address)',
  'function getScalingFactors() view returns (uint256[])',
  'function getAmplificationParameter() view returns (uint256 value, bool isUpdating, uint256 precision)',
  'function getSwapFeePercentage() view returns (uint256)',
  'function getRate() view returns (uint256)',
  'function getActualSupply() view returns (uint256)',
  'function totalSupply() view returns (uint256)',
])

/** Stable pools hold 2 to 5 tokens (a ComposableStablePool's own BPT not counted). */
export const BALANCER_STABLE_MAX_TOKENS = 5

/** A Balancer V2 stable pool at one block. */
export interface BalancerStableState {
  readonly poolId: Hex
  readonly vault: Address
  /** Tokens in the Vault's order for the pool, its own BPT left out. */
  readonly tokens: readonly Address[]
  /** The Vault's balances of those tokens (raw). */
  readonly balances: readonly bigint[]
  /**
   * `getScalingFactors()` of those tokens: `10^(18 - decimals)` times the token's rate, 18
   * decimals, so that `balance * factor / 1e18` is the balance the invariant sees.
   */
  readonly scalingFactors: readonly bigint[]
  /** `getAmplificationParameter()`: `A * n^(n-1)` times `ampPrecision`. */
  readonly amp: bigint
  readonly ampPrecision: bigint
  /** `getSwapFeePercentage()`, 18 decimals. */
  readonly swapFee: bigint
  /** `getRate()`: the invariant per BPT, 18 decimals. */
  readonly rate: bigint
  /** `getActualSupply()` (ComposableStablePool), else `totalSupply()`. */
  readonly supply: bigint
}

/**
 * Reads a Balancer V2 stable pool in two Multicall3 rounds: the pool's `getPoolId`,
 * `getVault`, `getScalingFactors`, `getAmplificationParameter`, `getSwapFeePercentage`,
 * `getRate`, `getActualSupply` (where it exists) and `totalSupply`, then the Vault's
 * `getPoolTokens(poolId)`. A ComposableStablePool lists its own BPT among its tokens: it is
 * left out, with its balance and scaling factor.
 *
 * @param reader - reader pinned to the snapshot block
 * @param address - pool (BPT) address
 * @returns the pool's state
 * @throws ContractReadError if the address does not answer like a stable pool
 */
export async function readBalancerStablePool(
  reader: BlockReader,
  address: Address,
): Promise<BalancerStableState> {
  const notAPool = (why: string, cause?: unknown) =>
    new ContractReadError(
      `${address} is not a Balancer stable pool at block ${reader.blockNumber}: ${why}`,
      { cause },
    )
  const call = <functionName extends (typeof balancerStablePoolAbi)[number]['name']>(
    functionName: functionName,
  ) => reader.read({ address, abi: balancerStablePoolAbi, functionName })
  let poolId: Hex
  let vault: Address
  let allScalingFactors: readonly bigint[]
  let ampParameter: readonly [bigint, boolean, bigint]
  let swapFee: bigint
  let rate: bigint
  let totalSupply: bigint
  let actualSupply: bigint | undefined
  try {
    ;[poolId, vault, allScalingFactors, ampParameter, swapFee, rate, totalSupply, actualSupply] =
      await Promise.all([
        call('getPoolId'),
        call('getVault'),
        call('getScalingFactors'),
        call('getAmplificationParameter'),
        call('getSwapFeePercentage'),
        call('getRate'),
        call('totalSupply'),
        tryRead(reader, { address, abi: balancerStablePoolAbi, functionName: 'getActualSupply' }),
      ])
  } catch (error) {
    if (!(error instanceof ContractReadError)) throw error
    throw notAPool(error.shortMessage, error)
  }
  const [allTokens, allBalances] = await readVaultPoolTokens(reader, {
    address,
    poolId,
    vault,
    notAPool,
  })
  if (allScalingFactors.length !== allTokens.length) {
    throw notAPool(`${allTokens.length} tokens but ${allScalingFactors.length} scaling factors`)
  }
  const kept = allTokens.flatMap((token, i) => (isAddressEqual(token, address) ? [] : [i]))
  const n = kept.length
  if (n < 2 || n > BALANCER_STABLE_MAX_TOKENS) throw notAPool(`it holds ${n} tokens`)
  const [amp, , ampPrecision] = ampParameter
  if (amp === 0n || ampPrecision === 0n) throw notAPool('its amplification is zero')
  if (swapFee >= BALANCER_ONE) throw notAPool('its swap fee is 100% or more')
  const supply = actualSupply ?? totalSupply
  if (supply === 0n || rate === 0n) throw notAPool('it holds no liquidity')
  return {
    poolId,
    vault,
    tokens: kept.map((i) => allTokens[i]!),
    balances: kept.map((i) => allBalances[i]!),
    scalingFactors: kept.map((i) => allScalingFactors[i]!),
    amp,
    ampPrecision,
    swapFee,
    rate,
    supply,
  }
}

/**
 * Reads what moves in a stable pool during the day, in one Multicall3 round: the Vault's
 * balances, the scaling factors (the tokens' rates) and the amplification (it ramps). Enough
 * for an intraday sample; supply, rate and fee are the day's end's.
 *
 * @param reader - reader pinned to the sample block
 * @param known - the pool at another block of the day (a full read)
 * @param address - pool (BPT) address
 * @returns the pool's state with what moves read at the reader's block
 */
export async function readBalancerStableSample(
  reader: BlockReader,
  known: BalancerStableState,
  address: Address,
): Promise<BalancerStableState> {
  const notAPool = sampleRefusal(reader, address)
  const call = <functionName extends 'getScalingFactors' | 'getAmplificationParameter'>(
    functionName: functionName,
  ) => reader.read({ address, abi: balancerStablePoolAbi, functionName })
  const [allScalingFactors, [amp, , ampPrecision], [allTokens, allBalances]] = await Promise.all([
    call('getScalingFactors'),
    call('getAmplificationParameter'),
    readVaultPoolTokens(reader, { ...known, address, notAPool }),
  ])
  const kept = allTokens.flatMap((token, i) => (isAddressEqual(token, address) ? [] : [i]))
  if (kept.length !== known.tokens.length || allScalingFactors.length !== allTokens.length)
    throw notAPool('its tokens changed during the day')
  if (amp === 0n || ampPrecision === 0n) throw notAPool('its amplification is zero')
  return {
    ...known,
    balances: kept.map((i) => allBalances[i]!),
    scalingFactors: kept.map((i) => allScalingFactors[i]!),
    amp,
    ampPrecision,
  }
}
