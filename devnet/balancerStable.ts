import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  maxUint256,
  parseAbi,
  parseAbiParameters,
  zeroAddress,
} from 'viem'
import { stableSwapAmountIn } from '../lambda/metrics/stableSwapDepth.ts'
import { stableSwapMarginalPrices } from '../lambda/metrics/stableSwapMath.ts'
import { toStablePool } from '../lambda/protocols/balancerStable/day.ts'
import {
  balancerStablePoolAbi,
  readBalancerStablePool,
} from '../lambda/protocols/balancerStable/read.ts'
import { balancerStableSwap } from '../lambda/protocols/balancerStable/stableMath.ts'
import { balancerVaultActionsAbi } from './balancerWeighted.ts'
import { type BaseDeployment, type DevnetContext, toRaw, withArgs } from './deployBase.ts'
import { DEVNET_SENDER } from './devnetWallet.ts'
import type { PoolDriver, StepContext } from './poolDriver.ts'
import { createRandom, type Random } from './random.ts'
import {
  ASSETS,
  type AssetKey,
  type BalancerStablePoolSpec,
  LP_EXIT_HOUR,
  LP_JOIN_HOUR,
  SEED,
} from './scenario.ts'
import { hashId } from './uniswapV2.ts'

const factoryAbi = parseAbi([
  'function create(string name, string symbol, address[] tokens, uint256 amplificationParameter, address[] rateProviders, uint256[] tokenRateCacheDurations, bool[] exemptFromYieldProtocolFeeFlags, uint256 swapFeePercentage, address owner) returns (address)',
  'event PoolCreated(address indexed pool)',
])
const metaFactoryAbi = parseAbi([
  'function create(string name, string symbol, address[] tokens, uint256 amplificationParameter, address[] rateProviders, uint256[] priceRateCacheDuration, uint256 swapFeePercentage, bool oracleEnabled, address owner) returns (address)',
])

/** Join and exit kinds (userData's first word): the proportional exit moved in 2022. */
const JOIN_INIT = 0n
const JOIN_EXACT_TOKENS_IN_FOR_BPT_OUT = 1n
const COMPOSABLE_EXIT_EXACT_BPT_IN_FOR_ALL_TOKENS_OUT = 2n
const META_EXIT_EXACT_BPT_IN_FOR_TOKENS_OUT = 1n
/** How long the pool caches a token's rate before it asks the rate provider again. */
const RATE_CACHE_SECONDS = 3600n
const FUNDING = 10n ** 36n

/**
 * Deploys the real `ProtocolFeePercentagesProvider` (2022-07-25),
 * `ComposableStablePoolFactory` (v3, 2023-02-06) and `MetaStablePoolFactory` (2021-07-27,
 * linked to its `QueryProcessor` library) from `@balancer-labs/v2-deployments` on the
 * devnet's Vault, creates a ComposableStablePool or MetaStablePool per spec (a rate-bearing
 * token is its own rate provider), funds the sender and approves the Vault, then initializes each pool with
 * equal value per token at the reference prices, over two blocks from `timestamp`.
 */
export async function deployBalancerStable(
  context: DevnetContext,
  base: BaseDeployment,
  vault: Address,
  specs: readonly BalancerStablePoolSpec[],
  timestamp: bigint,
): Promise<PoolDriver[]> {
  const { wallet, client } = context
  const [providerCode, factoryArtifact, queryProcessorCode, metaFactoryCode] = await Promise.all([
    import(
      '@balancer-labs/v2-deployments/dist/tasks/20220725-protocol-fee-percentages-provider/bytecode/ProtocolFeePercentagesProvider.json',
      { with: { type: 'json' } }
    ),
    import(
      '@balancer-labs/v2-deployments/dist/tasks/20230206-composable-stable-pool-v3/artifact/ComposableStablePoolFactory.json',
      { with: { type: 'json' } }
    ),
    import(
      '@balancer-labs/v2-deployments/dist/tasks/deprecated/20210727-meta-stable-pool/bytecode/QueryProcessor.json',
      { with: { type: 'json' } }
    ),
    import(
      '@balancer-labs/v2-deployments/dist/tasks/deprecated/20210727-meta-stable-pool/bytecode/MetaStablePoolFactory.json',
      { with: { type: 'json' } }
    ),
  ])
  // The caps on protocol yield and AUM fees (50%), as on mainnet.
  const provider = wallet.deploy(
    'deploy ProtocolFeePercentagesProvider',
    withArgs(
      { bytecode: `0x${providerCode.default.creationCode}` },
      ['address', 'uint256', 'uint256'],
      [vault, 5n * 10n ** 17n, 5n * 10n ** 17n],
    ),
  )
  const factory = wallet.deploy(
    'deploy ComposableStablePoolFactory',
    withArgs(
      { bytecode: factoryArtifact.default.bytecode as Hex },
      ['address', 'address', 'string', 'string'],
      [vault, provider, 'devnet factory', 'devnet pool'],
    ),
  )
  const queryProcessor = wallet.deploy(
    'deploy QueryProcessor',
    `0x${queryProcessorCode.default.creationCode}`,
  )
  // Solidity leaves `__$<hash>$__` where a linked library's address goes.
  const metaFactory = wallet.deploy(
    'deploy MetaStablePoolFactory',
    withArgs(
      {
        bytecode: `0x${metaFactoryCode.default.creationCode.replace(
          /__\$[0-9a-f]{34}\$__/g,
          queryProcessor.slice(2).toLowerCase(),
        )}`,
      },
      ['address'],
      [vault],
    ),
  )
  const ordered = specs.map((spec) =>
    [...spec.assets].sort((a, b) => (BigInt(base.tokens[a]) < BigInt(base.tokens[b]) ? -1 : 1)),
  )
  for (const [k, spec] of specs.entries()) {
    const assets = ordered[k]!
    const tokens = assets.map((asset) => base.tokens[asset])
    const rateProviders = assets.map((asset) =>
      ASSETS[asset].rate ? base.tokens[asset] : zeroAddress,
    )
    const cacheDurations = assets.map((asset) => (ASSETS[asset].rate ? RATE_CACHE_SECONDS : 0n))
    const [name, symbol, amp, fee] = [
      `Balancer ${spec.id}`,
      `B-${spec.id}`,
      BigInt(spec.amp),
      toRaw(spec.swapFee, 18),
    ]
    wallet.send(
      `create ${spec.id}`,
      spec.metaStable ? metaFactory : factory,
      spec.metaStable
        ? encodeFunctionData({
            abi: metaFactoryAbi,
            functionName: 'create',
            args: [
              name,
              symbol,
              tokens,
              amp,
              rateProviders,
              cacheDurations,
              fee,
              false,
              DEVNET_SENDER,
            ],
          })
        : encodeFunctionData({
            abi: factoryAbi,
            functionName: 'create',
            args: [
              name,
              symbol,
              tokens,
              amp,
              rateProviders,
              cacheDurations,
              assets.map(() => false),
              fee,
              DEVNET_SENDER,
            ],
          }),
      20_000_000n,
    )
  }
  for (const asset of new Set(specs.flatMap((spec) => spec.assets))) {
    wallet.send(
      'fund Balancer stable trader',
      base.tokens[asset],
      encodeFunctionData({
        abi: context.artifacts.TestToken!.abi,
        functionName: 'mint',
        args: [DEVNET_SENDER, FUNDING],
      }),
    )
    wallet.send(
      'approve Vault',
      base.tokens[asset],
      encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [vault, maxUint256] }),
    )
  }
  await wallet.mine(timestamp)

  // Each factory's pools, in the order they were created.
  const created = await Promise.all(
    [factory, metaFactory].map((address) =>
      client.getContractEvents({
        address,
        abi: factoryAbi,
        eventName: 'PoolCreated',
        fromBlock: 'latest',
      }),
    ),
  )
  const drivers: BalancerStableDriver[] = []
  for (const [k, spec] of specs.entries()) {
    const address = created[spec.metaStable ? 1 : 0]!.shift()!.args.pool!
    const poolId = await client.readContract({
      address,
      abi: balancerStablePoolAbi,
      functionName: 'getPoolId',
    })
    const driver = new BalancerStableDriver(
      context,
      spec,
      address,
      vault,
      poolId,
      ordered[k]!,
      base,
    )
    driver.initialize(
      ordered[k]!.map((asset) =>
        toRaw(
          spec.tvlUsd / spec.assets.length / ASSETS[asset].startPriceUsd,
          ASSETS[asset].decimals,
        ),
      ),
    )
    drivers.push(driver)
  }
  await wallet.mine(timestamp + 1n)
  return drivers
}

class BalancerStableDriver implements PoolDriver {
  private readonly random: Random
  private readonly decimals: readonly number[]
  /** The pool's tokens in the Vault's order, a ComposableStablePool's own BPT included. */
  private readonly registered: readonly Address[]
  /** Where the BPT sits among them; -1 for a MetaStablePool, which has none. */
  private readonly bptIndex: number

  constructor(
    private readonly context: DevnetContext,
    readonly spec: BalancerStablePoolSpec,
    readonly address: Address,
    private readonly vault: Address,
    private readonly poolId: Hex,
    /** Assets in the Vault's token order, the BPT left out. */
    private readonly assets: readonly AssetKey[],
    base: BaseDeployment,
  ) {
    this.random = createRandom(SEED ^ hashId(spec.id))
    this.decimals = assets.map((asset) => ASSETS[asset].decimals)
    const tokens = assets.map((asset) => base.tokens[asset])
    this.bptIndex = spec.metaStable
      ? -1
      : tokens.filter((token) => BigInt(token) < BigInt(address)).length
    this.registered = this.withBpt(tokens, address)
  }

  /**
   * Queues the first join; a ComposableStablePool mints (and keeps) the rest of its BPT, and
   * lists it among the amounts.
   */
  initialize(amounts: readonly bigint[]): void {
    const withBpt = this.withBpt(amounts, 0n)
    this.send('seed', 'joinPool', [
      this.poolId,
      DEVNET_SENDER,
      DEVNET_SENDER,
      {
        assets: this.registered,
        maxAmountsIn: this.withBpt(amounts, maxUint256),
        userData: encodeAbiParameters(parseAbiParameters('uint256, uint256[]'), [
          JOIN_INIT,
          withBpt,
        ]),
        fromInternalBalance: false,
      },
    ])
  }

  async trade({ reader, market, hourOfDay }: StepContext): Promise<void> {
    const [state, bpt] = await Promise.all([
      readBalancerStablePool(reader, this.address),
      reader.read({
        address: this.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [DEVNET_SENDER],
      }),
    ])
    if (hourOfDay === LP_JOIN_HOUR) {
      const share = BigInt(Math.round((0.05 + 0.15 * this.random.uniform()) * 1e6))
      const amounts = state.balances.map((balance) => (balance * share) / 1_000_000n)
      this.send('LP join', 'joinPool', [
        this.poolId,
        DEVNET_SENDER,
        DEVNET_SENDER,
        {
          assets: this.registered,
          maxAmountsIn: this.withBpt(amounts, 0n),
          userData: encodeAbiParameters(parseAbiParameters('uint256, uint256[], uint256'), [
            JOIN_EXACT_TOKENS_IN_FOR_BPT_OUT,
            amounts,
            0n,
          ]),
          fromInternalBalance: false,
        },
      ])
    }
    const n = this.assets.length
    const trades = this.random.poisson(this.spec.noiseTradesPerHour)
    for (let t = 0; t < trades; t++) {
      const sizeUsd = this.spec.tvlUsd * 0.0005 * Math.exp(0.8 * this.random.normal())
      const sold = Math.floor(this.random.uniform() * n)
      const bought = (sold + 1 + Math.floor(this.random.uniform() * (n - 1))) % n
      const amount = sizeUsd / market.price(this.assets[sold]!)
      this.swap('noise', sold, bought, toRaw(amount, this.decimals[sold]!))
    }
    if (hourOfDay === LP_EXIT_HOUR) {
      const share = BigInt(Math.round((0.05 + 0.1 * this.random.uniform()) * 1e6))
      this.send('LP exit', 'exitPool', [
        this.poolId,
        DEVNET_SENDER,
        DEVNET_SENDER,
        {
          assets: this.registered,
          minAmountsOut: this.registered.map(() => 0n),
          userData: encodeAbiParameters(parseAbiParameters('uint256, uint256'), [
            this.spec.metaStable
              ? META_EXIT_EXACT_BPT_IN_FOR_TOKENS_OUT
              : COMPOSABLE_EXIT_EXACT_BPT_IN_FOR_ALL_TOKENS_OUT,
            (bpt * share) / 1_000_000n,
          ]),
          toInternalBalance: false,
        },
      ])
    }
  }

  /**
   * Trades the pool back to the market, pair by pair: while a token sells for more of another
   * (after the fee) than the market pays, sell it until its marginal price is at the edge of
   * the fee band, solved on the invariant; balances are carried forward with the pool's swap.
   */
  async arbitrage({ reader, market, hoursBeforeEnd }: StepContext): Promise<void> {
    if (hoursBeforeEnd < (this.spec.arbitragePausedHoursBeforeEnd ?? 0)) return
    let pool = toStablePool(await readBalancerStablePool(reader, this.address))
    const reference = this.assets.map((asset) => market.price(asset))
    const fee = Number(pool.swapFee) / 1e18
    for (let round = 0; round < this.assets.length; round++) {
      const prices = stableSwapMarginalPrices(pool, this.decimals)
      let best = { edge: 1 + 1e-9, sold: -1, bought: -1 }
      for (let i = 0; i < prices.length; i++) {
        for (let j = 0; j < prices.length; j++) {
          if (i === j) continue
          const edge = ((prices[j]! / prices[i]!) * (1 - fee)) / (reference[i]! / reference[j]!)
          if (edge > best.edge) best = { edge, sold: i, bought: j }
        }
      }
      const { sold, bought } = best
      if (sold === -1) return
      const amount = stableSwapAmountIn(
        pool,
        this.decimals,
        sold,
        bought,
        1 / best.edge,
        balancerStableSwap,
      )
      this.swap('arbitrage', sold, bought, amount)
      pool = { ...pool, balances: balancerStableSwap(pool, sold, bought, amount) }
    }
  }

  /** `values` of the pool's tokens with `bpt` inserted at the BPT's place, if it has one. */
  private withBpt<T>(values: readonly T[], bpt: T): T[] {
    if (this.bptIndex === -1) return [...values]
    return [...values.slice(0, this.bptIndex), bpt, ...values.slice(this.bptIndex)]
  }

  /** Index among the registered tokens of the pool's token `k`. */
  private registeredIndex(k: number): number {
    return this.bptIndex !== -1 && k >= this.bptIndex ? k + 1 : k
  }

  private swap(why: string, sold: number, bought: number, amount: bigint): void {
    if (amount <= 0n) return
    this.send(why, 'swap', [
      {
        poolId: this.poolId,
        kind: 0,
        assetIn: this.registered[this.registeredIndex(sold)]!,
        assetOut: this.registered[this.registeredIndex(bought)]!,
        amount,
        userData: '0x',
      },
      {
        sender: DEVNET_SENDER,
        fromInternalBalance: false,
        recipient: DEVNET_SENDER,
        toInternalBalance: false,
      },
      0n,
      maxUint256,
    ])
  }

  private send(why: string, functionName: 'swap' | 'joinPool' | 'exitPool', args: unknown[]): void {
    this.context.wallet.send(
      `${why} on ${this.spec.id}`,
      this.vault,
      encodeFunctionData({ abi: balancerVaultActionsAbi, functionName, args } as never),
      1_500_000n,
    )
  }
}
