import {
  type Address,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  maxUint128,
  maxUint256,
  parseAbi,
} from 'viem'
import { uniswapV3PoolAbi } from '../lambda/protocols/uniswapV3/read.ts'
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
import { createRandom } from './random.ts'
import {
  ASSETS,
  type AssetKey,
  LP_EXIT_HOUR,
  LP_JOIN_HOUR,
  SEED,
  type UniswapV3PoolSpec,
} from './scenario.ts'
import { hashId } from './uniswapV2.ts'

/** The factory functions the devnet uses. */
export const uniswapV3FactoryAbi = parseAbi([
  'function getPool(address tokenA, address tokenB, uint24 fee) view returns (address pool)',
])

/** The `NonfungiblePositionManager` functions the devnet and its tests use. */
export const positionManagerAbi = parseAbi([
  'struct MintParams { address token0; address token1; uint24 fee; int24 tickLower; int24 tickUpper; uint256 amount0Desired; uint256 amount1Desired; uint256 amount0Min; uint256 amount1Min; address recipient; uint256 deadline; }',
  'struct DecreaseLiquidityParams { uint256 tokenId; uint128 liquidity; uint256 amount0Min; uint256 amount1Min; uint256 deadline; }',
  'struct CollectParams { uint256 tokenId; address recipient; uint128 amount0Max; uint128 amount1Max; }',
  'function createAndInitializePoolIfNecessary(address token0, address token1, uint24 fee, uint160 sqrtPriceX96) payable returns (address pool)',
  'function mint(MintParams params) payable returns (uint256 tokenId, uint128 liquidity, uint256 amount0, uint256 amount1)',
  'function decreaseLiquidity(DecreaseLiquidityParams params) payable returns (uint256 amount0, uint256 amount1)',
  'function collect(CollectParams params) payable returns (uint256 amount0, uint256 amount1)',
  'function positions(uint256 tokenId) view returns (uint96 nonce, address operator, address token0, address token1, uint24 fee, int24 tickLower, int24 tickUpper, uint128 liquidity, uint256 feeGrowthInside0LastX128, uint256 feeGrowthInside1LastX128, uint128 tokensOwed0, uint128 tokensOwed1)',
  'function balanceOf(address owner) view returns (uint256)',
  'function tokenOfOwnerByIndex(address owner, uint256 index) view returns (uint256)',
])

const mintableAbi = parseAbi(['function mint(address to, uint256 amount)'])

/** Share of the TVL an LP mints overnight, and joins with in full range at `LP_JOIN_HOUR`. */
const OVERNIGHT_SHARE = 0.05
const JOIN_SHARE = 0.03
/** `NonfungiblePositionManager.tokenURI` is not used: its descriptor is a placeholder. */
const NO_DESCRIPTOR: Address = '0x000000000000000000000000000000000000dEaD'
/** What the devnet's LP holds of every token: far more than any position needs. */
const LP_FUNDS = 10n ** 36n

/** The Uniswap V3 part of the devnet. */
export interface UniswapV3Deployment {
  readonly factory: Address
  readonly positionManager: Address
  readonly trader: Address
  readonly drivers: PoolDriver[]
}

/**
 * Deploys the real `UniswapV3Factory` (and so the real pool bytecode) from `@uniswap/v3-core`
 * and `NonfungiblePositionManager` from `@uniswap/v3-periphery`, creates each pool at the
 * reference prices, and mints its positions through the manager as `DEVNET_SENDER`, over
 * three blocks from `timestamp`.
 */
/**
 * Deploys the real `UniswapV3Factory` and `NonfungiblePositionManager` from npm (the
 * transactions are queued on the wallet; mine them before use).
 *
 * @param wallet - the deployer
 * @param weth - the token the manager treats as WETH9
 * @returns the factory and position manager addresses
 */
export async function deployUniswapV3Core(
  wallet: DevnetWallet,
  weth: Address,
): Promise<{ factory: Address; positionManager: Address }> {
  const [factoryArtifact, managerArtifact] = await Promise.all([
    import('@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json', {
      with: { type: 'json' },
    }),
    import(
      '@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json',
      { with: { type: 'json' } }
    ),
  ])
  const factory = wallet.deploy('deploy UniswapV3Factory', factoryArtifact.default.bytecode as Hex)
  const positionManager = wallet.deploy(
    'deploy NonfungiblePositionManager',
    withArgs(
      { bytecode: managerArtifact.default.bytecode as Hex },
      ['address', 'address', 'address'],
      [factory, weth, NO_DESCRIPTOR],
    ),
  )
  return { factory, positionManager }
}

export async function deployUniswapV3(
  context: DevnetContext,
  base: BaseDeployment,
  specs: readonly UniswapV3PoolSpec[],
  timestamp: bigint,
): Promise<UniswapV3Deployment> {
  const { wallet, artifacts, client } = context
  // The devnet's WETH stands in for WETH9: the manager only unwraps it on request.
  const { factory, positionManager } = await deployUniswapV3Core(wallet, base.tokens.WETH)
  const trader = wallet.deploy('deploy UniswapV3Trader', artifacts.UniswapV3Trader!.bytecode)
  for (const asset of new Set(specs.flatMap((spec) => spec.assets))) {
    const token = base.tokens[asset]
    wallet.send(
      `fund the LP with ${asset}`,
      token,
      encodeFunctionData({
        abi: mintableAbi,
        functionName: 'mint',
        args: [DEVNET_SENDER, LP_FUNDS],
      }),
    )
    wallet.send(
      `approve ${asset} to the position manager`,
      token,
      encodeFunctionData({
        abi: erc20Abi,
        functionName: 'approve',
        args: [positionManager, maxUint256],
      }),
    )
  }
  await wallet.mine(timestamp)

  const pools = specs.map((spec) => {
    // Token order in the pool is by address.
    const [a, b] = spec.assets
    const assets: [AssetKey, AssetKey] =
      BigInt(base.tokens[a]) < BigInt(base.tokens[b]) ? [a, b] : [b, a]
    const tokens: [Address, Address] = [base.tokens[assets[0]], base.tokens[assets[1]]]
    const startPrice = rawPrice(assets, (asset) => ASSETS[asset].startPriceUsd)
    wallet.send(
      `create ${spec.id}`,
      positionManager,
      encodeFunctionData({
        abi: positionManagerAbi,
        functionName: 'createAndInitializePoolIfNecessary',
        args: [tokens[0], tokens[1], spec.feePips, sqrtPriceX96At(startPrice)],
      }),
      8_000_000n,
    )
    return { spec, assets, tokens, startPrice }
  })
  await wallet.mine(timestamp + 1n)

  const book = new PositionBook(context, positionManager)
  const drivers: UniswapV3Driver[] = []
  for (const { spec, assets, tokens, startPrice } of pools) {
    const address = await client.readContract({
      address: factory,
      abi: uniswapV3FactoryAbi,
      functionName: 'getPool',
      args: [tokens[0], tokens[1], spec.feePips],
    })
    const tickSpacing = await client.readContract({
      address,
      abi: uniswapV3PoolAbi,
      functionName: 'tickSpacing',
    })
    const driver = new UniswapV3Driver(
      context,
      spec,
      address,
      tickSpacing,
      trader,
      assets,
      tokens,
      book,
    )
    for (const position of spec.positions) {
      driver.mintAround(
        Math.sqrt(startPrice),
        position.range,
        position.tvlShare * spec.tvlUsd,
        (asset) => ASSETS[asset].startPriceUsd,
        'seed position',
      )
    }
    drivers.push(driver)
  }
  await wallet.mine(timestamp + 2n)
  await book.verify()
  return { factory, positionManager, trader, drivers }
}

/**
 * Token ids of the positions the devnet's LP mints. The manager numbers positions from 1 in
 * the order it mints them, which is the order the wallet queues them in (one sender, rising
 * nonces), so the id of a queued mint is known before it is mined.
 */
class PositionBook {
  private nextTokenId = 1n
  private readonly expected = new Map<bigint, MintParams>()

  constructor(
    private readonly context: DevnetContext,
    readonly positionManager: Address,
  ) {}

  mint(label: string, params: MintParams): bigint {
    const tokenId = this.nextTokenId++
    this.expected.set(tokenId, params)
    this.context.wallet.send(
      label,
      this.positionManager,
      encodeFunctionData({ abi: positionManagerAbi, functionName: 'mint', args: [params] }),
      1_500_000n,
    )
    return tokenId
  }

  /** Checks, once mined, that the positions carry the ids the book gave them. */
  async verify(): Promise<void> {
    for (const [tokenId, { tickLower, tickUpper }] of this.expected) {
      const position = await this.context.client.readContract({
        address: this.positionManager,
        abi: positionManagerAbi,
        functionName: 'positions',
        args: [tokenId],
      })
      if (position[5] !== tickLower || position[6] !== tickUpper) {
        throw new Error(`position ${tokenId} is not the one the book expects`)
      }
    }
    this.expected.clear()
  }
}

/** A position the devnet's LP minted, and the range it should have. */
interface MintedPosition {
  readonly tokenId: bigint
  readonly tickLower: number
  readonly tickUpper: number
}

interface MintParams {
  readonly token0: Address
  readonly token1: Address
  readonly fee: number
  readonly tickLower: number
  readonly tickUpper: number
  readonly amount0Desired: bigint
  readonly amount1Desired: bigint
  readonly amount0Min: bigint
  readonly amount1Min: bigint
  readonly recipient: Address
  readonly deadline: bigint
}

class UniswapV3Driver implements PoolDriver {
  private readonly random
  /** Overnight positions still open, oldest first. */
  private readonly overnight: MintedPosition[] = []

  constructor(
    private readonly context: DevnetContext,
    readonly spec: UniswapV3PoolSpec,
    readonly address: Address,
    private readonly tickSpacing: number,
    private readonly trader: Address,
    /** Assets in the pool's token order. */
    private readonly assets: readonly [AssetKey, AssetKey],
    private readonly tokens: readonly [Address, Address],
    private readonly book: PositionBook,
  ) {
    this.random = createRandom(SEED ^ hashId(spec.id))
  }

  async trade({ reader, market, hourOfDay }: StepContext): Promise<void> {
    const [sqrtPriceX96] = await reader.read({
      address: this.address,
      abi: uniswapV3PoolAbi,
      functionName: 'slot0',
    })
    const priceOf = (asset: AssetKey) => market.price(asset)
    for (const { side, amountIn } of noiseTrades(this.random, this.spec, this.assets, priceOf)) {
      this.send('noise', 'swapExactIn', [this.address, side === 0, amountIn])
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
      const minted = this.overnight.shift()!
      const position = await reader.read({
        address: this.book.positionManager,
        abi: positionManagerAbi,
        functionName: 'positions',
        args: [minted.tokenId],
      })
      if (position[5] !== minted.tickLower || position[6] !== minted.tickUpper) {
        throw new Error(
          `position ${minted.tokenId} is not the overnight position of ${this.spec.id}`,
        )
      }
      this.manage(
        'LP exit',
        encodeFunctionData({
          abi: positionManagerAbi,
          functionName: 'decreaseLiquidity',
          args: [
            {
              tokenId: minted.tokenId,
              liquidity: position[7],
              amount0Min: 0n,
              amount1Min: 0n,
              deadline: maxUint256,
            },
          ],
        }),
      )
      this.manage(
        'LP exit collect',
        encodeFunctionData({
          abi: positionManagerAbi,
          functionName: 'collect',
          args: [
            {
              tokenId: minted.tokenId,
              recipient: DEVNET_SENDER,
              amount0Max: maxUint128,
              amount1Max: maxUint128,
            },
          ],
        }),
      )
    }
  }

  async arbitrage({ reader, market, hoursBeforeEnd }: StepContext): Promise<void> {
    if (hoursBeforeEnd < (this.spec.arbitragePausedHoursBeforeEnd ?? 0)) return
    const [sqrtPriceX96] = await reader.read({
      address: this.address,
      abi: uniswapV3PoolAbi,
      functionName: 'slot0',
    })
    const reference = rawPrice(this.assets, (asset) => market.price(asset))
    const target = arbitrageTarget(sqrtPriceX96, reference, this.spec.feePips / 1e6)
    if (target) {
      this.send('arbitrage', 'swapToPrice', [this.address, target.zeroForOne, target.sqrtPriceX96])
    }
  }

  /**
   * Queues a mint through the position manager: `range` as price factors around the raw sqrt
   * price `sqrtPrice` (rounded outwards to the tick spacing) or the full range, worth
   * `valueUsd` at `priceOf`.
   */
  mintAround(
    sqrtPrice: number,
    range: 'full' | readonly [number, number],
    valueUsd: number,
    priceOf: (asset: AssetKey) => number,
    why: string,
  ): MintedPosition {
    const planned = planPosition(sqrtPrice, range, this.tickSpacing, valueUsd, this.assets, priceOf)
    const { tickLower, tickUpper } = planned
    const tokenId = this.book.mint(`${why} on ${this.spec.id}`, {
      token0: this.tokens[0],
      token1: this.tokens[1],
      fee: this.spec.feePips,
      tickLower,
      tickUpper,
      amount0Desired: BigInt(Math.floor(planned.amount0)),
      amount1Desired: BigInt(Math.floor(planned.amount1)),
      amount0Min: 0n,
      amount1Min: 0n,
      recipient: DEVNET_SENDER,
      deadline: maxUint256,
    })
    return { tokenId, tickLower, tickUpper }
  }

  private send(why: string, functionName: 'swapExactIn' | 'swapToPrice', args: unknown[]): void {
    this.context.wallet.send(
      `${why} on ${this.spec.id}`,
      this.trader,
      encodeFunctionData({ abi: this.context.artifacts.UniswapV3Trader!.abi, functionName, args }),
    )
  }

  private manage(why: string, data: Hex): void {
    this.context.wallet.send(`${why} on ${this.spec.id}`, this.book.positionManager, data)
  }
}
