import {
  type Address,
  encodeFunctionData,
  erc20Abi,
  getContractAddress,
  maxUint256,
  zeroAddress,
} from 'viem'
import { NATIVE_TOKEN_ADDRESS } from '../lambda/chain/readTokenMetadata.ts'
import { curveExchange, stableSwapAmountIn } from '../lambda/metrics/stableSwapDepth.ts'
import {
  FEE_DENOMINATOR,
  type StableSwapPool,
  stableSwapExchange,
  stableSwapMarginalPrices,
} from '../lambda/metrics/stableSwapMath.ts'
import { toPool } from '../lambda/protocols/curveStableSwap/day.ts'
import { readCurveStableSwapPool } from '../lambda/protocols/curveStableSwap/read.ts'
import { type BaseDeployment, type DevnetContext, toRaw, withArgs } from './deployBase.ts'
import { DEVNET_SENDER } from './devnetWallet.ts'
import type { PoolDriver, StepContext } from './poolDriver.ts'
import { createRandom, type Random } from './random.ts'
import {
  ASSETS,
  type AssetKey,
  type CurveStableSwapPoolSpec,
  LP_EXIT_HOUR,
  LP_JOIN_HOUR,
  MORNING_DEPEG,
  morningDepeg,
  SEED,
} from './scenario.ts'
import { hashId } from './uniswapV2.ts'

/** Tokens the sender mints once per pool: the traders' unlimited capital. */
const FUNDING = 10n ** 36n
/** Wei the sender holds for the pools with a native-ETH coin. */
const ETH_FUNDING = 10n ** 30n

/** The Curve part of the devnet. */
export interface CurveDeployment {
  readonly drivers: PoolDriver[]
  /** LP token of each pool, by pool id (the pool itself for pools that are their own token). */
  readonly lpTokens: Record<string, Address>
}

/** A metapool's base pool, whose LP token is the metapool's last coin. */
interface BasePool {
  readonly address: Address
  readonly lpToken: Address
  readonly assets: readonly AssetKey[]
}

/**
 * Deploys the devnet's Solidity StableSwap pools, funds the sender with every coin (and
 * ETH), approves the pools and seeds each with equal values of its coins at the reference
 * prices, in one block at `timestamp`. A metapool's base pool comes before it in `specs`;
 * the sender holds its LP tokens from seeding it.
 */
export async function deployCurveStableSwap(
  context: DevnetContext,
  base: BaseDeployment,
  specs: readonly CurveStableSwapPoolSpec[],
  timestamp: bigint,
): Promise<CurveDeployment> {
  const { wallet, artifacts } = context
  await wallet.request('anvil_setBalance', DEVNET_SENDER, `0x${ETH_FUNDING.toString(16)}`)
  const drivers: PoolDriver[] = []
  const lpTokens: Record<string, Address> = {}
  const bases = new Map<string, BasePool>()
  for (const spec of specs) {
    const basePool = spec.basePool === undefined ? undefined : bases.get(spec.basePool)
    if (spec.basePool !== undefined && !basePool)
      throw new Error(`${spec.id}: base pool ${spec.basePool} must be deployed first`)
    const tokens = spec.assets.map((asset) => base.tokens[asset])
    const coins = basePool ? [...tokens, basePool.lpToken] : tokens
    const n = coins.length
    const [types, args] = basePool
      ? [['address'], [basePool.address]]
      : [[] as string[], [] as unknown[]]
    const pool =
      spec.contract === 'StableSwapNG'
        ? wallet.deploy(
            `deploy ${spec.id}`,
            withArgs(
              artifacts.StableSwapNG!,
              ['address[]', 'address[]', 'uint256', 'uint256', 'uint256', 'string', 'string'],
              [
                coins,
                // A rate-bearing coin is its own rate oracle (`getRate()`), as wstETH's is.
                spec.assets.map((asset) => (ASSETS[asset].rate ? base.tokens[asset] : zeroAddress)),
                BigInt(spec.a),
                spec.fee,
                spec.offpegFeeMultiplier ?? 0n,
                spec.lpName,
                spec.lpSymbol,
              ],
            ),
          )
        : wallet.deploy(
            `deploy ${spec.id}`,
            withArgs(
              artifacts[spec.contract]!,
              [`address[${n}]`, ...types, 'uint256', 'uint256', 'uint256', 'string', 'string'],
              [coins, ...args, BigInt(spec.a), spec.fee, spec.adminFee, spec.lpName, spec.lpSymbol],
            ),
          )
    // The 3pool and stETH contracts create their LP token first thing; the others are their own.
    const ownToken = !['StableSwap3Pool', 'StableSwapETH'].includes(spec.contract)
    lpTokens[spec.id] = ownToken ? pool : getContractAddress({ from: pool, nonce: 1n })
    bases.set(spec.id, { address: pool, lpToken: lpTokens[spec.id]!, assets: spec.assets })
    for (const coin of coins) {
      if (coin === NATIVE_TOKEN_ADDRESS) continue
      if (tokens.includes(coin)) wallet.send(`fund ${spec.id}`, coin, encodeMint(context, FUNDING))
      wallet.send(
        `approve ${spec.id}`,
        coin,
        encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [pool, maxUint256] }),
      )
    }
    const driver = new CurveStableSwapDriver(context, spec, pool, lpTokens[spec.id]!, basePool)
    // A fresh base pool's LP token is worth one dollar (its virtual price is 1).
    const amounts = [
      ...spec.assets.map((asset) =>
        toRaw(spec.tvlUsd / n / ASSETS[asset].startPriceUsd, ASSETS[asset].decimals),
      ),
      ...(basePool ? [toRaw(spec.tvlUsd / n, 18)] : []),
    ]
    driver.addLiquidity('seed', amounts)
    drivers.push(driver)
  }
  await wallet.mine(timestamp)
  return { drivers, lpTokens }
}

class CurveStableSwapDriver implements PoolDriver {
  private readonly random: Random
  private readonly decimals: readonly number[]
  private readonly native: number

  constructor(
    private readonly context: DevnetContext,
    readonly spec: CurveStableSwapPoolSpec,
    readonly address: Address,
    private readonly lpToken: Address,
    private readonly basePool?: BasePool,
  ) {
    this.random = createRandom(SEED ^ hashId(spec.id))
    this.decimals = [
      ...spec.assets.map((asset) => ASSETS[asset].decimals),
      ...(basePool ? [18] : []),
    ]
    this.native = spec.assets.findIndex((asset) => ASSETS[asset].native)
  }

  /**
   * Market price of each coin: a base pool's LP token is worth its share of the base pool's
   * coins at market prices.
   */
  private async coinPrices(reader: StepContext['reader'], market: StepContext['market']) {
    const prices = this.spec.assets.map((asset) => market.price(asset))
    const { basePool } = this
    if (!basePool) return prices
    const base = await readCurveStableSwapPool(reader, basePool.address)
    const value = basePool.assets.reduce(
      (total, asset, i) =>
        total + (Number(base.balances[i]!) / 10 ** ASSETS[asset].decimals) * market.price(asset),
      0,
    )
    return [...prices, value / (Number(base.lpSupply) / 1e18)]
  }

  async trade({ reader, market, hourOfDay, hoursBeforeEnd }: StepContext): Promise<void> {
    const [state, lpBalance, prices] = await Promise.all([
      readCurveStableSwapPool(reader, this.address),
      reader.read({
        address: this.lpToken,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [DEVNET_SENDER],
      }),
      this.coinPrices(reader, market),
    ])
    // First in the block, so the deposit is exactly proportional and pays no imbalance fee.
    if (hourOfDay === LP_JOIN_HOUR) {
      const share = BigInt(Math.round((0.05 + 0.15 * this.random.uniform()) * 1e6))
      this.addLiquidity(
        'LP join',
        state.balances.map((balance) => (balance * share) / 1_000_000n),
      )
    }
    const n = this.decimals.length
    const trades = this.random.poisson(this.spec.noiseTradesPerHour)
    for (let t = 0; t < trades; t++) {
      const sizeUsd = this.spec.tvlUsd * 0.0005 * Math.exp(0.8 * this.random.normal())
      const sold = Math.floor(this.random.uniform() * n)
      const bought = (sold + 1 + Math.floor(this.random.uniform() * (n - 1))) % n
      this.exchange('noise', sold, bought, toRaw(sizeUsd / prices[sold]!, this.decimals[sold]!))
    }
    const { saleShareOfTvl } = morningDepeg(this.spec.id, hourOfDay, hoursBeforeEnd)
    if (saleShareOfTvl > 0) {
      const sold = this.spec.assets.indexOf(MORNING_DEPEG.asset)
      this.exchange(
        'morning depeg sale',
        sold,
        this.spec.assets.indexOf(MORNING_DEPEG.for),
        toRaw((this.spec.tvlUsd * saleShareOfTvl) / prices[sold]!, this.decimals[sold]!),
      )
    }
    if (hourOfDay === LP_EXIT_HOUR) {
      const share = BigInt(Math.round((0.05 + 0.1 * this.random.uniform()) * 1e6))
      this.send('LP exit', 'remove_liquidity', [
        (lpBalance * share) / 1_000_000n,
        Array(n).fill(0n),
      ])
    }
  }

  /**
   * Trades the pool back to the market, one pair at a time: while some coin `i` sells for
   * more of coin `j` (after the fee) than the market pays, sell `i` until the marginal price
   * is at the edge of the fee band. Each exchange is replayed with the pool's own integer
   * math, so the next one starts from the exact state the chain will have.
   */
  async arbitrage({ reader, market, hourOfDay, hoursBeforeEnd }: StepContext): Promise<void> {
    if (hoursBeforeEnd < (this.spec.arbitragePausedHoursBeforeEnd ?? 0)) return
    // Thin arbitrage (the morning depeg) makes part of each trade.
    const { arbitrageShare } = morningDepeg(this.spec.id, hourOfDay, hoursBeforeEnd)
    let pool: StableSwapPool = toPool(
      await readCurveStableSwapPool(reader, this.address),
      this.decimals,
    )
    const reference = await this.coinPrices(reader, market)
    const keep = 1 - Number(this.spec.fee) / Number(FEE_DENOMINATOR)
    // Thin arbitrage makes one partial trade an hour.
    const rounds = arbitrageShare === 1 ? this.decimals.length : 1
    for (let round = 0; round < rounds; round++) {
      const prices = stableSwapMarginalPrices(pool, this.decimals)
      let best = { edge: 1 + 1e-9, sold: -1, bought: -1 }
      for (let i = 0; i < prices.length; i++) {
        for (let j = 0; j < prices.length; j++) {
          if (i === j) continue
          // prices[k] is coin 0 in coin k, so coin i in coin j is prices[j] / prices[i].
          const edge = ((prices[j]! / prices[i]!) * keep) / (reference[i]! / reference[j]!)
          if (edge > best.edge) best = { edge, sold: i, bought: j }
        }
      }
      if (best.sold === -1) return
      const full = stableSwapAmountIn(
        pool,
        this.decimals,
        best.sold,
        best.bought,
        1 / best.edge,
        curveExchange,
      )
      const dx =
        arbitrageShare === 1 ? full : (full * BigInt(Math.round(arbitrageShare * 1e6))) / 1_000_000n
      this.exchange('arbitrage', best.sold, best.bought, dx)
      pool = { ...pool, balances: stableSwapExchange(pool, best.sold, best.bought, dx).balances }
    }
  }

  /** Queues `add_liquidity`, paying the native coin's amount as value. */
  addLiquidity(why: string, amounts: readonly bigint[]): void {
    this.send(why, 'add_liquidity', [amounts, 0n], this.native === -1 ? 0n : amounts[this.native]!)
  }

  private exchange(why: string, sold: number, bought: number, dx: bigint): void {
    if (dx <= 0n) return
    this.send(
      why,
      'exchange',
      [BigInt(sold), BigInt(bought), dx, 0n],
      sold === this.native ? dx : 0n,
    )
  }

  private send(why: string, functionName: string, args: unknown[], value = 0n): void {
    this.context.wallet.send(
      `${why} on ${this.spec.id}`,
      this.address,
      encodeFunctionData({
        abi: this.context.artifacts[this.spec.contract]!.abi,
        functionName,
        args,
      }),
      3_000_000n,
      value,
    )
  }
}

function encodeMint(context: DevnetContext, amount: bigint) {
  return encodeFunctionData({
    abi: context.artifacts.TestToken!.abi,
    functionName: 'mint',
    args: [DEVNET_SENDER, amount],
  })
}
