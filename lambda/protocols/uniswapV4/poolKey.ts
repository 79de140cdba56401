import { type Address, encodeAbiParameters, type Hex, keccak256 } from 'viem'

/** A V4 pool's key: what `PoolManager` hashes into its id. */
export interface PoolKey {
  /** The lower currency; `0x0000…0000` is the chain's native coin. */
  readonly currency0: Address
  readonly currency1: Address
  /** LP fee in pips, or `DYNAMIC_FEE_FLAG` when the hook sets it. */
  readonly fee: number
  readonly tickSpacing: number
  readonly hooks: Address
}

/** `LPFeeLibrary.DYNAMIC_FEE_FLAG`: the key's fee of a pool whose hook sets the LP fee. */
export const DYNAMIC_FEE_FLAG = 0x800000
/** `LPFeeLibrary.MAX_LP_FEE`: 100% in pips. */
export const MAX_LP_FEE = 1_000_000
/** `TickMath.MAX_TICK_SPACING` of v4-core (int16 max). */
export const MAX_TICK_SPACING = 32_767

const POOL_KEY_TYPES = [
  { type: 'address' },
  { type: 'address' },
  { type: 'uint24' },
  { type: 'int24' },
  { type: 'address' },
] as const

/**
 * The pool id of a key, as `PoolIdLibrary.toId`: `keccak256(abi.encode(key))`.
 *
 * @param key - the pool key
 * @returns the 32-byte pool id
 * @example poolIdOf({ currency0: zeroAddress, currency1: usdc, fee: 500, tickSpacing: 10, hooks: zeroAddress })
 */
export function poolIdOf(key: PoolKey): Hex {
  return keccak256(
    encodeAbiParameters(POOL_KEY_TYPES, [
      key.currency0,
      key.currency1,
      key.fee,
      key.tickSpacing,
      key.hooks,
    ]),
  )
}

/**
 * What is wrong with a key that `PoolManager.initialize` would refuse, or nothing: currencies
 * in ascending order, a fee of at most 100% (or the dynamic-fee flag), a tick spacing in
 * 1..32767.
 *
 * @param key - the pool key
 * @returns a message naming the problem, or undefined for a valid key
 */
export function poolKeyProblem(key: PoolKey): string | undefined {
  if (BigInt(key.currency0) >= BigInt(key.currency1)) {
    return `currency0 ${key.currency0} must be below currency1 ${key.currency1}`
  }
  if (key.fee !== DYNAMIC_FEE_FLAG && (key.fee < 0 || key.fee > MAX_LP_FEE)) {
    return `fee ${key.fee} is neither at most ${MAX_LP_FEE} pips nor the dynamic-fee flag ${DYNAMIC_FEE_FLAG}`
  }
  if (key.tickSpacing < 1 || key.tickSpacing > MAX_TICK_SPACING) {
    return `tickSpacing ${key.tickSpacing} is not in 1..${MAX_TICK_SPACING}`
  }
  return undefined
}
