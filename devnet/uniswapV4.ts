import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  maxUint48,
  maxUint128,
  maxUint160,
  maxUint256,
  parseAbi,
  parseAbiParameters,
  zeroAddress,
} from 'viem'
import { stateViewAbi } from '../lambda/protocols/uniswapV4/abi.ts'
import { DYNAMIC_FEE_FLAG, type PoolKey, poolIdOf } from '../lambda/protocols/uniswapV4/poolKey.ts'
import {
  arbitrageTarget,
  noiseTrades,
  planPosition,
  rawPrice,
  sqrtPriceOf,
  sqrtPriceX96At,
} from './concentratedLiquidity.ts'
import { type BaseDeployment, type DevnetContext, withArgs } from './deployBase.ts'
import { DEVNET_SENDER, type DevnetWallet } from './devnetWallet.ts'
import type { PoolDriver, StepContext } from './poolDriver.ts'
import { createRandom, type Random } from './random.ts'
import {
  ASSETS,
  type AssetKey,
  LP_EXIT_HOUR,
  LP_JOIN_HOUR,
  SEED,
  type UniswapV4PoolSpec,
} from './scenario.ts'
import { hashId } from './uniswapV2.ts'

/** Permit2's canonical address, where `PositionManager` and every wallet expect it. */
export const PERMIT2_ADDRESS: Address = '0x000000000022D473030F116dDEE9F6B43aC78BA3'
/**
 * Where the dynamic-fee hook lives: a hook's permissions are the low 14 bits of its address,
 * here `AFTER_INITIALIZE` (1 << 12) and `BEFORE_SWAP` (1 << 7), the two callbacks of v4-core's
 * `DynamicFeesTestHook`.
 */
export const DYNAMIC_FEE_HOOK_ADDRESS: Address = '0xd1F0000000000000000000000000000000001080'

/** The `PositionManager` entry point and the views the devnet uses. */
export const positionManagerV4Abi = parseAbi([
  'function modifyLiquidities(bytes unlockData, uint256 deadline) payable',
  'function nextTokenId() view returns (uint256)',
  'function getPositionLiquidity(uint256 tokenId) view returns (uint128 liquidity)',
  'function getPoolAndPositionInfo(uint256 tokenId) view returns ((address currency0, address currency1, uint24 fee, int24 tickSpacing, address hooks) poolKey, uint256 info)',
])

/** v4-core's `PoolSwapTest` router. */
export const poolSwapTestAbi = parseAbi([
  'struct PoolKey { address currency0; address currency1; uint24 fee; int24 tickSpacing; address hooks; }',
  'struct SwapParams { bool zeroForOne; int256 amountSpecified; uint160 sqrtPriceLimitX96; }',
  'struct TestSettings { bool takeClaims; bool settleUsingBurn; }',
  'function swap(PoolKey key, SwapParams params, TestSettings testSettings, bytes hookData) payable returns (int256 delta)',
])

const poolManagerAbi = parseAbi([
  'struct PoolKey { address currency0; address currency1; uint24 fee; int24 tickSpacing; address hooks; }',
  'function initialize(PoolKey key, uint160 sqrtPriceX96) returns (int24 tick)',
])

const dynamicFeesHookAbi = parseAbi([
  'struct PoolKey { address currency0; address currency1; uint24 fee; int24 tickSpacing; address hooks; }',
  'function setManager(address manager)',
  'function setFee(uint24 fee)',
  'function forcePoolFeeUpdate(PoolKey key, uint24 fee)',
])

const permit2Abi = parseAbi([
  'function approve(address token, address spender, uint160 amount, uint48 expiration)',
])
const mintableAbi = parseAbi(['function mint(address to, uint256 amount)'])

/** `Actions` of v4-periphery that the devnet's LP uses. */
const ACTION = {
  MINT_POSITION: 0x02,
  BURN_POSITION: 0x03,
  SETTLE_PAIR: 0x0d,
  TAKE_PAIR: 0x11,
  SWEEP: 0x14,
}
/** `TickMath.MIN_SQRT_PRICE + 1` and `MAX_SQRT_PRICE - 1`: no price limit. */
export const MIN_SQRT_PRICE_LIMIT = 4295128740n
export const MAX_SQRT_PRICE_LIMIT = 1461446703485210103287273052203988822378723970341n
/** Gas `PositionManager` lets a subscriber's `notifyUnsubscribe` use (mainnet's setting). */
const UNSUBSCRIBE_GAS_LIMIT = 300_000n
/** `PositionManager.tokenURI` is not used: its descriptor is a placeholder. */
const NO_DESCRIPTOR: Address = '0x000000000000000000000000000000000000dEaD'
const OVERNIGHT_SHARE = 0.05
const JOIN_SHARE = 0.03
/** What the devnet's LP holds of every token, and of ETH: far more than any position needs. */
const LP_FUNDS = 10n ** 36n
/** Room on the ETH sent with a native mint, over the plan at the previous block's price. */
const NATIVE_SLACK = 2

/** The Uniswap V4 contracts of a devnet. */
export interface UniswapV4Core {
  readonly poolManager: Address
  readonly stateView: Address
  readonly positionManager: Address
  readonly swapRouter: Address
}

/** The Uniswap V4 part of the devnet. */
export interface UniswapV4Deployment extends UniswapV4Core {
  readonly hook: Address
  readonly drivers: PoolDriver[]
}

/**
 * Deploys the real `PoolManager` and `PoolSwapTest` from `@uniswap/v4-core`, `StateView` and
 * `PositionManager` from `@uniswap/v4-periphery`, and installs Permit2 (the runtime code that
 * v4-periphery's Permit2 test helper etches) at its canonical address. The deployments are
 * queued on the wallet; mine them before use.
 *
 * @param wallet - the deployer, owner of the `PoolManager`
 * @param weth - the token the manager treats as WETH9
 * @returns the contracts' addresses
 */
export async function deployUniswapV4Core(
  wallet: DevnetWallet,
  weth: Address,
): Promise<UniswapV4Core> {
  const [poolManager, swapRouter, stateView, positionManager] = await Promise.all([
    artifact('@uniswap/v4-core/out/PoolManager.sol/PoolManager.json'),
    artifact('@uniswap/v4-core/out/PoolSwapTest.sol/PoolSwapTest.json'),
    artifact('@uniswap/v4-periphery/foundry-out/StateView.sol/StateView.json'),
    artifact('@uniswap/v4-periphery/foundry-out/PositionManager.sol/PositionManager.json'),
  ])
  await wallet.request('anvil_setCode', PERMIT2_ADDRESS, await permit2RuntimeCode())
  const manager = wallet.deploy(
    'deploy PoolManager',
    withArgs({ bytecode: poolManager }, ['address'], [DEVNET_SENDER]),
  )
  return {
    poolManager: manager,
    swapRouter: wallet.deploy(
      'deploy PoolSwapTest',
      withArgs({ bytecode: swapRouter }, ['address'], [manager]),
    ),
    stateView: wallet.deploy(
      'deploy StateView',
      withArgs({ bytecode: stateView }, ['address'], [manager]),
    ),
    positionManager: wallet.deploy(
      'deploy PositionManager',
      withArgs(
        { bytecode: positionManager },
        ['address', 'address', 'uint256', 'address', 'address'],
        [manager, PERMIT2_ADDRESS, UNSUBSCRIBE_GAS_LIMIT, NO_DESCRIPTOR, weth],
      ),
    ),
  }
}

/**
 * Deploys V4, puts v4-core's `DynamicFeesTestHook` at `DYNAMIC_FEE_HOOK_ADDRESS`, creates each
 * pool at the reference prices and mints its positions through `PositionManager` (paying
 * with Permit2, and in ETH for native pools) as `DEVNET_SENDER`, over three blocks from
 * `timestamp`.
 */
export async function deployUniswapV4(
  context: DevnetContext,
  base: BaseDeployment,
  specs: readonly UniswapV4PoolSpec[],
  timestamp: bigint,
): Promise<UniswapV4Deployment> {
  const { wallet } = context
  const core = await deployUniswapV4Core(wallet, base.tokens.WETH)
  const hookArtifact = await readJson(
    '@uniswap/v4-core/out/DynamicFeesTestHook.sol/DynamicFeesTestHook.json',
  )
  await wallet.request(
    'anvil_setCode',
    DYNAMIC_FEE_HOOK_ADDRESS,
    hookArtifact.deployedBytecode.object,
  )
  // Native-ETH positions and swaps are paid from the sender's own balance.
  await wallet.request('anvil_setBalance', DEVNET_SENDER, `0x${LP_FUNDS.toString(16)}`)
  const hookCall = (label: string, functionName: 'setManager' | 'setFee', args: unknown[]) =>
    wallet.send(
      label,
      DYNAMIC_FEE_HOOK_ADDRESS,
      encodeFunctionData({ abi: dynamicFeesHookAbi, functionName, args } as never),
    )
  hookCall('point the dynamic-fee hook at the PoolManager', 'setManager', [core.poolManager])
  for (const asset of new Set(specs.flatMap((spec) => spec.assets))) {
    if (ASSETS[asset].native) continue
    queueFundingAndApprovals(wallet, base.tokens[asset], core, asset)
  }
  await wallet.mine(timestamp)

  const positionIds = { next: 1n }
  const drivers = specs.map((spec) => {
    const [a, b] = spec.assets.map((asset) => ({ asset, currency: currencyOf(base, asset) }))
    const [first, second] = BigInt(a!.currency) < BigInt(b!.currency) ? [a!, b!] : [b!, a!]
    const assets = [first.asset, second.asset] as const
    const key: PoolKey = {
      currency0: first.currency,
      currency1: second.currency,
      fee: spec.dynamicFee ? DYNAMIC_FEE_FLAG : spec.feePips,
      tickSpacing: spec.tickSpacing,
      hooks: spec.dynamicFee ? DYNAMIC_FEE_HOOK_ADDRESS : zeroAddress,
    }
    // The hook's afterInitialize sets the pool's first LP fee from its stored fee.
    if (spec.dynamicFee) hookCall(`set the start fee of ${spec.id}`, 'setFee', [spec.feePips])
    const startPrice = rawPrice(assets, (asset) => ASSETS[asset].startPriceUsd)
    wallet.send(
      `initialize ${spec.id}`,
      core.poolManager,
      initializeCall(key, sqrtPriceX96At(startPrice)),
    )
    return new UniswapV4Driver(context, spec, core, key, assets, startPrice, positionIds)
  })
  await wallet.mine(timestamp + 1n)

  for (const driver of drivers) driver.seed()
  await wallet.mine(timestamp + 2n)
  return { ...core, hook: DYNAMIC_FEE_HOOK_ADDRESS, drivers }
}

/**
 * Queues what an LP and trader of `token` needs on V4: `LP_FUNDS` minted to `DEVNET_SENDER`,
 * approvals to Permit2 and the swap router, and a Permit2 allowance for `PositionManager`.
 *
 * @param wallet - the sender's wallet
 * @param token - a mintable test token
 * @param core - the V4 contracts
 * @param name - the token's name in transaction labels
 */
export function queueFundingAndApprovals(
  wallet: DevnetWallet,
  token: Address,
  core: UniswapV4Core,
  name: string,
): void {
  const call = (label: string, to: Address, data: Hex) =>
    wallet.send(`${label} (${name})`, to, data)
  call(
    'fund the V4 LP',
    token,
    encodeFunctionData({ abi: mintableAbi, functionName: 'mint', args: [DEVNET_SENDER, LP_FUNDS] }),
  )
  for (const spender of [PERMIT2_ADDRESS, core.swapRouter]) {
    call(
      'approve',
      token,
      encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, maxUint256] }),
    )
  }
  call(
    'allow PositionManager through Permit2',
    PERMIT2_ADDRESS,
    encodeFunctionData({
      abi: permit2Abi,
      functionName: 'approve',
      args: [token, core.positionManager, maxUint160, Number(maxUint48)],
    }),
  )
}

/**
 * Calldata of `PoolManager.initialize(key, sqrtPriceX96)`.
 *
 * @param key - the new pool's key
 * @param sqrtPriceX96 - its start price, Q64.96
 * @returns calldata for the `PoolManager`
 */
export function initializeCall(key: PoolKey, sqrtPriceX96: bigint): Hex {
  return encodeFunctionData({
    abi: poolManagerAbi,
    functionName: 'initialize',
    args: [key, sqrtPriceX96],
  })
}

/** A pool's currency for an asset: the native coin is `0x0000…0000` in V4. */
function currencyOf(base: BaseDeployment, asset: AssetKey): Address {
  return ASSETS[asset].native ? zeroAddress : base.tokens[asset]
}

class UniswapV4Driver implements PoolDriver {
  /** The pool id: V4 pools have no address of their own. */
  readonly address: Address
  private readonly random: Random
  private readonly native: boolean
  /** Token ids of the overnight positions still open, oldest first. */
  private readonly overnight: bigint[] = []

  constructor(
    private readonly context: DevnetContext,
    readonly spec: UniswapV4PoolSpec,
    private readonly core: UniswapV4Core,
    readonly key: PoolKey,
    /** Assets in the pool's currency order. */
    private readonly assets: readonly [AssetKey, AssetKey],
    private readonly startPrice: number,
    /** `PositionManager` numbers positions from 1 in mint order, shared by all its pools. */
    private readonly positionIds: { next: bigint },
  ) {
    this.address = poolIdOf(key)
    this.random = createRandom(SEED ^ hashId(spec.id))
    this.native = key.currency0 === zeroAddress
  }

  /** Queues the pool's seed positions at the start price. */
  seed(): void {
    for (const position of this.spec.positions) {
      this.mintAround(
        Math.sqrt(this.startPrice),
        position.range,
        position.tvlShare * this.spec.tvlUsd,
        (asset) => ASSETS[asset].startPriceUsd,
        'seed position',
      )
    }
  }

  async trade({ reader, market, hourOfDay, hoursBeforeEnd }: StepContext): Promise<void> {
    const [sqrtPriceX96] = await this.slot0(reader)
    const priceOf = (asset: AssetKey) => market.price(asset)
    for (const { side, amountIn } of noiseTrades(this.random, this.spec, this.assets, priceOf)) {
      this.swap(
        'noise',
        side === 0,
        amountIn,
        side === 0 ? MIN_SQRT_PRICE_LIMIT : MAX_SQRT_PRICE_LIMIT,
      )
    }
    const dynamicFee = this.spec.dynamicFee
    if (dynamicFee && hoursBeforeEnd === dynamicFee.raisedHoursBeforeEnd) {
      this.context.wallet.send(
        `raise the LP fee of ${this.spec.id}`,
        this.key.hooks,
        encodeFunctionData({
          abi: dynamicFeesHookAbi,
          functionName: 'setFee',
          args: [dynamicFee.raisedFeePips],
        }),
      )
    }
    const sqrtPrice = sqrtPriceOf(sqrtPriceX96)
    if (hourOfDay === 0) {
      const range = this.spec.overnightRange
      this.overnight.push(
        this.mintAround(
          sqrtPrice,
          [-range, range],
          OVERNIGHT_SHARE * this.spec.tvlUsd,
          priceOf,
          'overnight LP',
        ),
      )
    }
    if (hourOfDay === LP_JOIN_HOUR) {
      this.mintAround(sqrtPrice, 'full', JOIN_SHARE * this.spec.tvlUsd, priceOf, 'LP join')
    }
    // The position minted two nights ago has now spanned a whole UTC day.
    if (hourOfDay === LP_EXIT_HOUR && this.overnight.length >= 2) {
      const tokenId = this.overnight.shift()!
      this.context.wallet.send(
        `LP exit on ${this.spec.id}`,
        this.core.positionManager,
        modifyLiquiditiesCall(
          [ACTION.BURN_POSITION, ACTION.TAKE_PAIR],
          [
            encodeAbiParameters(parseAbiParameters('uint256, uint128, uint128, bytes'), [
              tokenId,
              0n,
              0n,
              '0x',
            ]),
            encodeAbiParameters(parseAbiParameters('address, address, address'), [
              this.key.currency0,
              this.key.currency1,
              DEVNET_SENDER,
            ]),
          ],
        ),
      )
    }
  }

  async arbitrage({ reader, market, hoursBeforeEnd }: StepContext): Promise<void> {
    if (hoursBeforeEnd < (this.spec.arbitragePausedHoursBeforeEnd ?? 0)) return
    const [sqrtPriceX96, , , lpFee] = await this.slot0(reader)
    const reference = rawPrice(this.assets, (asset) => market.price(asset))
    const target = arbitrageTarget(sqrtPriceX96, reference, lpFee / 1e6)
    // Exact input without an amount limit: the price limit ends the swap.
    if (target) this.swap('arbitrage', target.zeroForOne, 2n ** 127n - 1n, target.sqrtPriceX96)
  }

  private slot0(reader: StepContext['reader']) {
    return reader.read({
      address: this.core.stateView,
      abi: stateViewAbi,
      functionName: 'getSlot0',
      args: [this.address],
    })
  }

  /** Queues an exact-input swap of at most `amountIn` through `PoolSwapTest`, up to a price. */
  private swap(
    why: string,
    zeroForOne: boolean,
    amountIn: bigint,
    sqrtPriceLimitX96: bigint,
  ): void {
    // The router returns unspent ETH, so a native input can send everything it may need.
    const value =
      zeroForOne && this.native ? (amountIn < LP_FUNDS / 4n ? amountIn : LP_FUNDS / 4n) : 0n
    this.context.wallet.send(
      `${why} on ${this.spec.id}`,
      this.core.swapRouter,
      swapCall(this.key, zeroForOne, amountIn, sqrtPriceLimitX96),
      3_000_000n,
      value,
    )
  }

  /**
   * Queues a mint through `PositionManager` worth `valueUsd` at `priceOf` (see `planPosition`)
   * and returns its token id, which is known before it is mined: the manager numbers
   * positions in the order they arrive, and one sender's transactions arrive in nonce order.
   */
  private mintAround(
    sqrtPrice: number,
    range: 'full' | readonly [number, number],
    valueUsd: number,
    priceOf: (asset: AssetKey) => number,
    why: string,
  ): bigint {
    const planned = planPosition(
      sqrtPrice,
      range,
      this.key.tickSpacing,
      valueUsd,
      this.assets,
      priceOf,
    )
    // The block's noise trades run first and move the price: ETH is capped at twice the plan
    // (the rest is swept back), tokens only by what the LP holds.
    const ethMax = BigInt(Math.ceil(planned.amount0 * NATIVE_SLACK)) + 1n
    const call = mintPositionCall(
      this.key,
      planned.tickLower,
      planned.tickUpper,
      BigInt(Math.floor(planned.liquidity)),
      ethMax,
    )
    this.context.wallet.send(
      `${why} on ${this.spec.id}`,
      this.core.positionManager,
      call.data,
      2_000_000n,
      call.value,
    )
    return this.positionIds.next++
  }
}

async function readJson(specifier: string) {
  const file = createRequire(import.meta.url).resolve(specifier)
  return JSON.parse(await readFile(file, 'utf8')) as {
    bytecode: { object: Hex }
    deployedBytecode: { object: Hex }
  }
}

async function artifact(specifier: string): Promise<Hex> {
  return (await readJson(specifier)).bytecode.object
}

/**
 * Permit2's runtime code: `@uniswap/v4-periphery` ships it as the literal that its test helper
 * `DeployPermit2` etches at the canonical address (Permit2 itself has no npm artifact).
 */
async function permit2RuntimeCode(): Promise<Hex> {
  const file = createRequire(import.meta.url).resolve(
    '@uniswap/v4-periphery/lib/permit2/test/utils/DeployPermit2.sol',
  )
  const match = /hex"([0-9a-f]+)"/.exec(await readFile(file, 'utf8'))
  if (!match) throw new Error(`no Permit2 bytecode literal in ${file}`)
  return `0x${match[1]}`
}

/**
 * Calldata and ETH value of a `PositionManager.modifyLiquidities` call that mints `liquidity`
 * over `[tickLower, tickUpper]` for `DEVNET_SENDER`, paying tokens through Permit2 and native
 * ETH from at most `ethMax` wei sent along (the rest is swept back).
 *
 * @param key - the pool's key
 * @param tickLower - lower tick, a multiple of the tick spacing
 * @param tickUpper - upper tick
 * @param liquidity - the position's liquidity
 * @param ethMax - most ETH the mint may take, for pools of the native coin
 * @returns what to send to the `PositionManager`
 */
export function mintPositionCall(
  key: PoolKey,
  tickLower: number,
  tickUpper: number,
  liquidity: bigint,
  ethMax: bigint,
): { readonly data: Hex; readonly value: bigint } {
  const native = key.currency0 === zeroAddress
  const actions = [ACTION.MINT_POSITION, ACTION.SETTLE_PAIR]
  const params: Hex[] = [
    encodeAbiParameters(
      parseAbiParameters(
        '(address, address, uint24, int24, address), int24, int24, uint256, uint128, uint128, address, bytes',
      ),
      [
        [key.currency0, key.currency1, key.fee, key.tickSpacing, key.hooks],
        tickLower,
        tickUpper,
        liquidity,
        native ? ethMax : maxUint128,
        maxUint128,
        DEVNET_SENDER,
        '0x',
      ],
    ),
    encodeAbiParameters(parseAbiParameters('address, address'), [key.currency0, key.currency1]),
  ]
  if (native) {
    actions.push(ACTION.SWEEP)
    params.push(
      encodeAbiParameters(parseAbiParameters('address, address'), [zeroAddress, DEVNET_SENDER]),
    )
  }
  return { data: modifyLiquiditiesCall(actions, params), value: native ? ethMax : 0n }
}

/**
 * Calldata of an exact-input `PoolSwapTest.swap` of `amountIn` that stops at
 * `sqrtPriceLimitX96`.
 *
 * @param key - the pool's key
 * @param zeroForOne - sells currency0 (true) or currency1
 * @param amountIn - most the swap sells
 * @param sqrtPriceLimitX96 - the price the swap stops at, Q64.96
 * @returns calldata for the router
 */
export function swapCall(
  key: PoolKey,
  zeroForOne: boolean,
  amountIn: bigint,
  sqrtPriceLimitX96: bigint,
): Hex {
  return encodeFunctionData({
    abi: poolSwapTestAbi,
    functionName: 'swap',
    args: [
      key,
      { zeroForOne, amountSpecified: -amountIn, sqrtPriceLimitX96 },
      { takeClaims: false, settleUsingBurn: false },
      '0x',
    ],
  })
}

/** `modifyLiquidities(abi.encode(actions, params), no deadline)` calldata. */
function modifyLiquiditiesCall(actions: readonly number[], params: readonly Hex[]): Hex {
  const unlockData = encodeAbiParameters(parseAbiParameters('bytes, bytes[]'), [
    `0x${actions.map((action) => action.toString(16).padStart(2, '0')).join('')}`,
    params,
  ])
  return encodeFunctionData({
    abi: positionManagerV4Abi,
    functionName: 'modifyLiquidities',
    args: [unlockData, maxUint256],
  })
}
