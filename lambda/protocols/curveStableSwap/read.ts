import { type Address, erc20Abi, isAddressEqual, parseAbi, zeroAddress } from 'viem'
import type { BlockReader } from '../../chain/blockReader.ts'
import { tryRead } from '../../chain/tryRead.ts'
import { ContractReadError } from '../../errors.ts'
import { FEE_DENOMINATOR } from '../../metrics/stableSwapMath.ts'

/** Curve pool getters without an index argument. */
export const curvePoolAbi = parseAbi([
  'function A() view returns (uint256)',
  'function A_precise() view returns (uint256)',
  'function get_virtual_price() view returns (uint256)',
  'function fee() view returns (uint256)',
  'function admin_fee() view returns (uint256)',
  'function lp_token() view returns (address)',
  'function token() view returns (address)',
  'function stored_rates() view returns (uint256[])',
  'function base_pool() view returns (address)',
  'function base_virtual_price() view returns (uint256)',
  'function gamma() view returns (uint256)',
  'function N_COINS() view returns (uint256)',
  'function get_balances() view returns (uint256[])',
  'function offpeg_fee_multiplier() view returns (uint256)',
])

/** Indexed getters of pools since the 3pool (Vyper arrays index with `uint256`). */
export const curveUint256IndexAbi = parseAbi([
  'function coins(uint256 i) view returns (address)',
  'function balances(uint256 i) view returns (uint256)',
])

/** Indexed getters of the early pools (compound, y, busd, susd, ...), indexed with `int128`. */
export const curveInt128IndexAbi = parseAbi([
  'function coins(int128 i) view returns (address)',
  'function balances(int128 i) view returns (uint256)',
])

/** Pools with more coins than this are not StableSwap pools the report reads. */
export const CURVE_MAX_COINS = 4
/** `A_PRECISION` of every pool that has `A_precise()`. */
const A_PRECISION_OF_PRECISE_POOLS = 100n

/** A Curve StableSwap pool at one block. */
export interface CurveStableSwapState {
  /** Coins in the pool's order; the native coin is `0xEeee…EEeE`. */
  readonly tokens: readonly Address[]
  /** `balances(i)`: the pool's own accounting, admin fees excluded (raw). */
  readonly balances: readonly bigint[]
  /** `A_precise()` where the pool has it, else `A()`; already includes `n^(n-1)`. */
  readonly amp: bigint
  /** 100 with `A_precise()`, else 1. */
  readonly aPrecision: bigint
  /** `fee()` and `admin_fee()`, scaled by 1e10. */
  readonly fee: bigint
  readonly adminFee: bigint
  /** `get_virtual_price()`: `D / S`, scaled by 1e18. */
  readonly virtualPrice: bigint
  /** The LP token: `lp_token()`, `token()`, or the pool itself. */
  readonly lpToken: Address
  readonly lpSupply: bigint
  /** `stored_rates()` for pools that publish their rates (StableSwap-NG); plain rates otherwise. */
  readonly rates?: readonly bigint[]
  /** stableswap-ng: `offpeg_fee_multiplier()` (1e10 scale), behind the pool's dynamic fee. */
  readonly offpegFeeMultiplier?: bigint
  /**
   * Metapools only: the rate of their last coin, the base pool's LP token, which they count at
   * the base pool's virtual price (`base_pool().get_virtual_price()`, or the pool's cached
   * `base_virtual_price()` where the base pool is a constant of the contract).
   */
  readonly baseVirtualPrice?: bigint
  /** How the pool answered the probes, so that an intraday sample reads only what moves. */
  readonly getters: CurveGetters
}

/** The getters a pool answered in a full read. */
export interface CurveGetters {
  /** The index type of `coins(i)` and `balances(i)`. */
  readonly index: 'uint256' | 'int128'
  /** stableswap-ng's `get_balances()` answered with every coin's balance. */
  readonly getBalances: boolean
  /** A metapool's base pool, whose `get_virtual_price()` prices the last coin. */
  readonly basePool?: Address
}

/**
 * Reads a Curve StableSwap pool in two Multicall3 rounds. The first probes the interface:
 * `coins(i)` with `uint256` and with `int128` indices (the number of coins is where they
 * stop answering), `A`, `A_precise`, `get_virtual_price`, `fee`, `admin_fee`, `lp_token`,
 * `token`, `totalSupply` of the pool itself, `stored_rates`, a metapool's `base_pool` and
 * `base_virtual_price`, `gamma` (only CryptoSwap pools have it, and they are refused), and
 * stableswap-ng's `N_COINS`, `get_balances` and `offpeg_fee_multiplier`. The second reads
 * `balances(i)` (unless `get_balances()` answered), the LP token's `totalSupply` and a
 * metapool's base pool `get_virtual_price`.
 *
 * @param reader - reader pinned to the snapshot block
 * @param address - pool address
 * @returns the pool's state
 * @throws ContractReadError if the address does not answer like a StableSwap pool
 */
export async function readCurveStableSwapPool(
  reader: BlockReader,
  address: Address,
): Promise<CurveStableSwapState> {
  const notAPool = (why: string) =>
    new ContractReadError(
      `${address} is not a Curve StableSwap pool at block ${reader.blockNumber}: ${why}`,
    )
  const probe = <functionName extends (typeof curvePoolAbi)[number]['name']>(
    functionName: functionName,
  ) => tryRead(reader, { address, abi: curvePoolAbi, functionName })
  const indices = [...Array(CURVE_MAX_COINS + 1).keys()].map(BigInt)
  const [
    coinsByUint256,
    coinsByInt128,
    a,
    aPrecise,
    virtualPrice,
    fee,
    adminFee,
    lpToken,
    token,
    poolSupply,
    storedRates,
    basePool,
    cachedBaseVirtualPrice,
    gamma,
    nCoins,
    allBalances,
    offpegFeeMultiplier,
  ] = await Promise.all([
    Promise.all(
      indices.map((i) =>
        tryRead(reader, { address, abi: curveUint256IndexAbi, functionName: 'coins', args: [i] }),
      ),
    ),
    Promise.all(
      indices.map((i) =>
        tryRead(reader, { address, abi: curveInt128IndexAbi, functionName: 'coins', args: [i] }),
      ),
    ),
    probe('A'),
    probe('A_precise'),
    probe('get_virtual_price'),
    probe('fee'),
    probe('admin_fee'),
    probe('lp_token'),
    probe('token'),
    tryRead(reader, { address, abi: erc20Abi, functionName: 'totalSupply' }),
    probe('stored_rates'),
    probe('base_pool'),
    probe('base_virtual_price'),
    probe('gamma'),
    probe('N_COINS'),
    probe('get_balances'),
    probe('offpeg_fee_multiplier'),
  ])

  const index = coinsByUint256[0] !== undefined ? 'uint256' : 'int128'
  const indexAbi = INDEX_ABIS[index]
  const coinProbes = coinsByUint256[0] !== undefined ? coinsByUint256 : coinsByInt128
  const probed = coinProbes.indexOf(undefined)
  // An NG pool says how many coins it has; older pools stop answering coins(i) past the last.
  const count = nCoins === undefined ? probed : Number(nCoins)
  if (count === 0) throw notAPool('coins(0) reverted')
  if (count === -1 || count > CURVE_MAX_COINS)
    throw notAPool(`it has more than ${CURVE_MAX_COINS} coins`)
  if (nCoins !== undefined && probed !== -1 && probed < count)
    throw notAPool(`N_COINS() is ${count} but coins(${probed}) reverted`)
  if (count < 2) throw notAPool('it has a single coin')
  const tokens = coinProbes.slice(0, count) as Address[]
  if (tokens.some((coin) => isAddressEqual(coin, zeroAddress))) throw notAPool('a coin is 0x0')
  // CryptoSwap pools answer the same getters but price with a different invariant.
  if (gamma !== undefined) throw notAPool('it is a CryptoSwap pool (it has gamma())')
  if (a === undefined) throw notAPool('A() reverted')
  if (virtualPrice === undefined) throw notAPool('get_virtual_price() reverted (no liquidity?)')
  if (fee === undefined || fee >= FEE_DENOMINATOR) throw notAPool('fee() is missing or above 100%')
  if (adminFee === undefined || adminFee > FEE_DENOMINATOR)
    throw notAPool('admin_fee() is missing or above 100%')

  const lp = [lpToken, token].find((candidate) => candidate && candidate !== zeroAddress)
  if (!lp && poolSupply === undefined)
    throw notAPool('no LP token: neither lp_token(), token() nor totalSupply() answer')

  const getters: CurveGetters = {
    index,
    getBalances: allBalances?.length === count,
    ...(basePool && basePool !== zeroAddress && { basePool }),
  }
  const [balances, lpSupply, freshBaseVirtualPrice] = await Promise.all([
    getters.getBalances
      ? (allBalances as readonly bigint[])
      : readIndexedBalances(reader, address, indexAbi, count, notAPool),
    lp ? readSupply(reader, lp) : (poolSupply as bigint),
    getters.basePool &&
      tryRead(reader, {
        address: getters.basePool,
        abi: curvePoolAbi,
        functionName: 'get_virtual_price',
      }),
  ])
  const baseVirtualPrice = freshBaseVirtualPrice ?? cachedBaseVirtualPrice
  const amp = aPrecise ?? a
  if (amp === 0n) throw notAPool('A() is zero')
  const rates = publishedRates(storedRates, count)
  return {
    tokens,
    balances,
    amp,
    aPrecision: aPrecise !== undefined ? A_PRECISION_OF_PRECISE_POOLS : 1n,
    fee,
    adminFee,
    virtualPrice,
    lpToken: lp ?? address,
    lpSupply,
    ...(rates && { rates }),
    ...(offpegFeeMultiplier !== undefined && { offpegFeeMultiplier }),
    ...(!rates && baseVirtualPrice && { baseVirtualPrice }),
    getters,
  }
}

/**
 * Reads what moves in a pool during the day, in one Multicall3 round, with the getters the
 * full read found: the balances, the amplification (it ramps), an NG pool's rates and a
 * metapool's base virtual price. Enough for an intraday sample (its imbalance, price
 * deviation and par values); fees, supply and virtual price are the day's end's.
 *
 * @param reader - reader pinned to the sample block
 * @param known - the pool at another block of the day (a full read)
 * @param address - pool address
 * @returns the pool's state with what moves read at the reader's block
 * @throws ContractReadError if a getter that answered in the full read fails
 */
export async function readCurveStableSwapSample(
  reader: BlockReader,
  known: CurveStableSwapState,
  address: Address,
): Promise<CurveStableSwapState> {
  const notAPool = (why: string) =>
    new ContractReadError(`Curve pool ${address} at block ${reader.blockNumber}: ${why}`)
  const count = known.tokens.length
  const { getters } = known
  const call = <functionName extends 'A' | 'A_precise' | 'get_balances' | 'stored_rates'>(
    functionName: functionName,
  ) => reader.read({ address, abi: curvePoolAbi, functionName })
  const metapool = known.baseVirtualPrice !== undefined
  const [balances, amp, storedRates, freshBaseVirtualPrice, cachedBaseVirtualPrice] =
    await Promise.all([
      getters.getBalances
        ? call('get_balances')
        : readIndexedBalances(reader, address, INDEX_ABIS[getters.index], count, notAPool),
      call(known.aPrecision === A_PRECISION_OF_PRECISE_POOLS ? 'A_precise' : 'A'),
      known.rates && call('stored_rates'),
      // As the full read: the base pool's own virtual price, else the pool's cached one.
      metapool && getters.basePool
        ? tryRead(reader, {
            address: getters.basePool,
            abi: curvePoolAbi,
            functionName: 'get_virtual_price',
          })
        : undefined,
      metapool
        ? tryRead(reader, { address, abi: curvePoolAbi, functionName: 'base_virtual_price' })
        : undefined,
    ])
  if (balances.length !== count) throw notAPool(`get_balances() lists ${balances.length} coins`)
  if (amp === 0n) throw notAPool('A() is zero')
  const rates = known.rates && publishedRates(storedRates, count)
  if (known.rates && !rates) throw notAPool('stored_rates() no longer lists a rate per coin')
  const baseVirtualPrice = freshBaseVirtualPrice ?? cachedBaseVirtualPrice
  if (metapool && !baseVirtualPrice) throw notAPool('the base pool has no virtual price')
  return {
    ...known,
    balances,
    amp,
    ...(rates && { rates }),
    ...(baseVirtualPrice && { baseVirtualPrice }),
  }
}

const INDEX_ABIS = { uint256: curveUint256IndexAbi, int128: curveInt128IndexAbi } as const

/** `balances(i)` of every coin; a revert means the address is not the pool it was. */
function readIndexedBalances(
  reader: BlockReader,
  address: Address,
  indexAbi: (typeof INDEX_ABIS)[keyof typeof INDEX_ABIS],
  count: number,
  notAPool: (why: string) => ContractReadError,
): Promise<bigint[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const balance = await tryRead(reader, {
        address,
        abi: indexAbi,
        functionName: 'balances',
        args: [BigInt(i)],
      })
      if (balance === undefined) throw notAPool(`balances(${i}) reverted`)
      return balance
    }),
  )
}

/** `stored_rates()` where it lists a positive rate per coin (NG pools), else `undefined`. */
function publishedRates(
  storedRates: readonly bigint[] | undefined,
  count: number,
): readonly bigint[] | undefined {
  return storedRates?.length === count && storedRates.every((rate) => rate > 0n)
    ? storedRates
    : undefined
}

async function readSupply(reader: BlockReader, lpToken: Address): Promise<bigint> {
  return reader.read({ address: lpToken, abi: erc20Abi, functionName: 'totalSupply' })
}
