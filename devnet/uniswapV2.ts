import { type Address, encodeFunctionData, erc20Abi, parseAbi } from 'viem'
import { readUniswapV2Pool } from '../lambda/protocols/uniswapV2/read.ts'
import { type BaseDeployment, type DevnetContext, toRaw, withArgs } from './deployBase.ts'
import { DEVNET_SENDER } from './devnetWallet.ts'
import type { PoolDriver, StepContext } from './poolDriver.ts'
import { createRandom } from './random.ts'
import {
  ASSETS,
  type AssetKey,
  LP_EXIT_HOUR,
  LP_JOIN_HOUR,
  MORNING_DEPEG,
  morningDepeg,
  SEED,
  type UniswapV2PoolSpec,
} from './scenario.ts'

const FEE = 0.003

const factoryAbi = parseAbi([
  'function createPair(address tokenA, address tokenB) returns (address pair)',
  'function getPair(address tokenA, address tokenB) view returns (address pair)',
])

/** The Uniswap V2 part of the devnet. */
export interface UniswapV2Deployment {
  readonly factory: Address
  readonly trader: Address
  readonly drivers: PoolDriver[]
}

/**
 * Deploys the real `UniswapV2Factory` from `@uniswap/v2-core`, creates a pair per spec and
 * seeds it at the reference prices, over three blocks from `timestamp`.
 */
export async function deployUniswapV2(
  context: DevnetContext,
  base: BaseDeployment,
  specs: readonly UniswapV2PoolSpec[],
  timestamp: bigint,
): Promise<UniswapV2Deployment> {
  const { wallet } = context
  const { factory, trader } = await queueUniswapV2Core(context)
  for (const spec of specs) {
    const [a, b] = spec.assets.map((asset) => base.tokens[asset])
    wallet.send(
      `create ${spec.id}`,
      factory,
      encodeFunctionData({ abi: factoryAbi, functionName: 'createPair', args: [a!, b!] }),
    )
  }
  await wallet.mine(timestamp)

  const drivers: PoolDriver[] = []
  for (const spec of specs) {
    const [a, b] = spec.assets.map((asset) => base.tokens[asset]) as [Address, Address]
    const pair = (await context.client.readContract({
      address: factory,
      abi: factoryAbi,
      functionName: 'getPair',
      args: [a, b],
    })) as Address
    // Token order in the pair is by address.
    const assets: [AssetKey, AssetKey] =
      BigInt(a) < BigInt(b) ? [spec.assets[0], spec.assets[1]] : [spec.assets[1], spec.assets[0]]
    const amounts = assets.map((asset) =>
      toRaw(spec.tvlUsd / 2 / ASSETS[asset].startPriceUsd, ASSETS[asset].decimals),
    ) as [bigint, bigint]
    wallet.send(`seed ${spec.id}`, trader, encodeTrader(context, 'seed', [pair, ...amounts]))
    drivers.push(new UniswapV2Driver(context, spec, pair, trader, assets))
  }
  await wallet.mine(timestamp + 1n)
  return { factory, trader, drivers }
}

/**
 * Queues the deployment of the real `UniswapV2Factory` (from `@uniswap/v2-core`) and of the
 * simulation's trader contract, for the next block.
 *
 * @returns the addresses they will have
 */
export async function queueUniswapV2Core(
  context: Pick<DevnetContext, 'wallet' | 'artifacts'>,
): Promise<{ factory: Address; trader: Address }> {
  const factoryArtifact = (
    await import('@uniswap/v2-core/build/UniswapV2Factory.json', { with: { type: 'json' } })
  ).default
  const factory = context.wallet.deploy(
    'deploy UniswapV2Factory',
    withArgs({ bytecode: `0x${factoryArtifact.bytecode}` }, ['address'], [DEVNET_SENDER]),
  )
  const trader = context.wallet.deploy(
    'deploy UniswapV2Trader',
    context.artifacts.UniswapV2Trader!.bytecode,
  )
  return { factory, trader }
}

class UniswapV2Driver implements PoolDriver {
  private readonly random
  private readonly decimals: readonly [number, number]

  constructor(
    private readonly context: DevnetContext,
    readonly spec: UniswapV2PoolSpec,
    readonly address: Address,
    private readonly trader: Address,
    /** Assets in the pair's token order. */
    private readonly assets: readonly [AssetKey, AssetKey],
  ) {
    this.random = createRandom(SEED ^ hashId(spec.id))
    this.decimals = [ASSETS[assets[0]].decimals, ASSETS[assets[1]].decimals]
  }

  async trade({ reader, market, hourOfDay, hoursBeforeEnd }: StepContext): Promise<void> {
    const [{ balances }, lpBalance] = await Promise.all([
      readUniswapV2Pool(reader, this.address),
      reader.read({
        address: this.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [this.trader],
      }),
    ])
    const reserve0 = Number(balances[0]) / 10 ** this.decimals[0]
    const trades = this.random.poisson(this.spec.noiseTradesPerHour)
    for (let i = 0; i < trades; i++) {
      const sizeUsd = this.spec.tvlUsd * 0.0005 * Math.exp(0.8 * this.random.normal())
      const side = this.random.uniform() < 0.5 ? 0 : 1
      this.swap(
        side === 0,
        toRaw(sizeUsd / market.price(this.assets[side]!), this.decimals[side]!),
        'noise',
      )
    }
    const { saleShareOfTvl } = morningDepeg(this.spec.id, hourOfDay, hoursBeforeEnd)
    if (saleShareOfTvl > 0) {
      const sold = this.assets.indexOf(MORNING_DEPEG.asset)
      this.swap(
        sold === 0,
        toRaw(
          (this.spec.tvlUsd * saleShareOfTvl) / market.price(MORNING_DEPEG.asset),
          this.decimals[sold]!,
        ),
        'morning depeg sale',
      )
    }
    if (hourOfDay === LP_JOIN_HOUR) {
      const share = 0.05 + 0.15 * this.random.uniform()
      this.send('LP join', 'addLiquidity', [
        this.address,
        toRaw(reserve0 * share, this.decimals[0]),
      ])
    }
    if (hourOfDay === LP_EXIT_HOUR) {
      const share = 0.05 + 0.1 * this.random.uniform()
      this.send('LP exit', 'removeLiquidity', [
        this.address,
        (lpBalance * BigInt(Math.round(share * 1e6))) / 1_000_000n,
      ])
    }
  }

  async arbitrage({ reader, market, hourOfDay, hoursBeforeEnd }: StepContext): Promise<void> {
    if (hoursBeforeEnd < (this.spec.arbitragePausedHoursBeforeEnd ?? 0)) return
    // Thin arbitrage (the morning depeg) makes part of the trade.
    const { arbitrageShare } = morningDepeg(this.spec.id, hourOfDay, hoursBeforeEnd)
    const { balances } = await readUniswapV2Pool(reader, this.address)
    const [x, y] = balances.map((raw, i) => Number(raw) / 10 ** this.decimals[i]!) as [
      number,
      number,
    ]
    const referencePrice = market.price(this.assets[0]) / market.price(this.assets[1])
    const price = y / x
    // Trade back to the edge of the fee band: beyond it an arbitrageur profits.
    if (price > referencePrice / (1 - FEE)) {
      const target = referencePrice / (1 - FEE)
      this.swap(
        true,
        toRaw(((Math.sqrt((x * y) / target) - x) / (1 - FEE)) * arbitrageShare, this.decimals[0]),
        'arbitrage',
      )
    } else if (price < referencePrice * (1 - FEE)) {
      const target = referencePrice * (1 - FEE)
      this.swap(
        false,
        toRaw(((Math.sqrt(x * y * target) - y) / (1 - FEE)) * arbitrageShare, this.decimals[1]),
        'arbitrage',
      )
    }
  }

  private swap(zeroForOne: boolean, amountIn: bigint, why: string): void {
    if (amountIn > 0n) this.send(why, 'swapExactIn', [this.address, zeroForOne, amountIn])
  }

  private send(why: string, functionName: string, args: unknown[]): void {
    this.context.wallet.send(
      `${why} on ${this.spec.id}`,
      this.trader,
      encodeTrader(this.context, functionName, args),
    )
  }
}

function encodeTrader(context: DevnetContext, functionName: string, args: unknown[]) {
  return encodeFunctionData({ abi: context.artifacts.UniswapV2Trader!.abi, functionName, args })
}

/** A stable 32-bit hash of a pool id, to give each pool its own random stream. */
export function hashId(id: string): number {
  let hash = 2166136261
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619)
  return hash >>> 0
}
