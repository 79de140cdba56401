import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  getContractAddress,
  type Hex,
  maxUint256,
  parseAbi,
  parseAbiParameters,
} from 'viem'
import {
  BALANCER_ONE,
  balancerWeightedPoolAbi,
  readBalancerWeightedPool,
} from '../lambda/protocols/balancerWeighted/read.ts'
import {
  weightedAmountIn,
  weightedMarginalPrices,
} from '../lambda/protocols/balancerWeighted/weightedMath.ts'
import { type BaseDeployment, type DevnetContext, toRaw, withArgs } from './deployBase.ts'
import { DEVNET_SENDER } from './devnetWallet.ts'
import type { PoolDriver, StepContext } from './poolDriver.ts'
import { createRandom, type Random } from './random.ts'
import {
  ASSETS,
  type AssetKey,
  type BalancerWeightedPoolSpec,
  LP_EXIT_HOUR,
  LP_JOIN_HOUR,
  SEED,
} from './scenario.ts'
import { hashId } from './uniswapV2.ts'

/** The Vault entry points the simulation uses (Balancer V2, 2021-04-18 deployment). */
export const balancerVaultActionsAbi = parseAbi([
  'struct SingleSwap { bytes32 poolId; uint8 kind; address assetIn; address assetOut; uint256 amount; bytes userData; }',
  'struct FundManagement { address sender; bool fromInternalBalance; address recipient; bool toInternalBalance; }',
  'struct JoinPoolRequest { address[] assets; uint256[] maxAmountsIn; bytes userData; bool fromInternalBalance; }',
  'struct ExitPoolRequest { address[] assets; uint256[] minAmountsOut; bytes userData; bool toInternalBalance; }',
  'function swap(SingleSwap singleSwap, FundManagement funds, uint256 limit, uint256 deadline) payable returns (uint256)',
  'function joinPool(bytes32 poolId, address sender, address recipient, JoinPoolRequest request) payable',
  'function exitPool(bytes32 poolId, address sender, address recipient, ExitPoolRequest request)',
])

const factoryAbi = parseAbi([
  'function create(string name, string symbol, address[] tokens, uint256[] weights, uint256 swapFeePercentage, address owner) returns (address)',
])

/** WeightedPool join and exit kinds (userData's first word). */
const JOIN_INIT = 0n
const JOIN_EXACT_TOKENS_IN_FOR_BPT_OUT = 1n
const EXIT_EXACT_BPT_IN_FOR_TOKENS_OUT = 1n
/** The Vault rejects a swap that sells more than 30% of the balance in; stay below. */
const MAX_IN_RATIO = 0.29
const FUNDING = 10n ** 36n

/** The Balancer part of the devnet. */
export interface BalancerDeployment {
  readonly vault: Address
  readonly drivers: PoolDriver[]
}

/**
 * Deploys the real Balancer V2 `Authorizer`, `Vault` and `WeightedPoolFactory` (bytecode from
 * `@balancer-labs/v2-deployments`, 2021-04-18), creates a weighted pool per spec, funds the
 * sender and approves the Vault, then joins each pool with equal value per weight at the
 * reference prices, over two blocks from `timestamp`.
 */
export async function deployBalancerWeighted(
  context: DevnetContext,
  base: BaseDeployment,
  specs: readonly BalancerWeightedPoolSpec[],
  timestamp: bigint,
): Promise<BalancerDeployment> {
  const { wallet, client } = context
  const [authorizerCode, vaultCode, factoryCode] = await Promise.all([
    import(
      '@balancer-labs/v2-deployments/dist/tasks/20210418-authorizer/bytecode/Authorizer.json',
      {
        with: { type: 'json' },
      }
    ),
    import('@balancer-labs/v2-deployments/dist/tasks/20210418-vault/bytecode/Vault.json', {
      with: { type: 'json' },
    }),
    import(
      '@balancer-labs/v2-deployments/dist/tasks/20210418-weighted-pool/bytecode/WeightedPoolFactory.json',
      { with: { type: 'json' } }
    ),
  ])
  const code = (module: { default: { creationCode: string } }) => ({
    bytecode: `0x${module.default.creationCode}` as Hex,
  })
  const authorizer = wallet.deploy(
    'deploy Balancer Authorizer',
    withArgs(code(authorizerCode), ['address'], [DEVNET_SENDER]),
  )
  // The Vault's WETH only matters for ETH sent to it, which the simulation never does.
  const vault = wallet.deploy(
    'deploy Balancer Vault',
    withArgs(
      code(vaultCode),
      ['address', 'address', 'uint256', 'uint256'],
      [authorizer, base.tokens.WETH, 0n, 0n],
    ),
  )
  const factory = wallet.deploy(
    'deploy WeightedPoolFactory',
    withArgs(code(factoryCode), ['address'], [vault]),
  )
  const pools = specs.map((spec, k) => {
    // The Vault wants tokens sorted by address; weights follow their tokens.
    const order = spec.assets
      .map((asset, i) => ({ asset, weight: spec.weights[i]!, token: base.tokens[asset] }))
      .sort((a, b) => (BigInt(a.token) < BigInt(b.token) ? -1 : 1))
    const weights = order.map(({ weight }) => toRaw(weight, 18))
    weights[weights.length - 1] = BALANCER_ONE - weights.slice(0, -1).reduce((s, w) => s + w, 0n)
    wallet.send(
      `create ${spec.id}`,
      factory,
      encodeFunctionData({
        abi: factoryAbi,
        functionName: 'create',
        args: [
          `Balancer ${spec.id}`,
          `B-${spec.id}`,
          order.map(({ token }) => token),
          weights,
          toRaw(spec.swapFee, 18),
          DEVNET_SENDER,
        ],
      }),
      15_000_000n,
    )
    // A contract's first CREATE uses nonce 1.
    return {
      spec,
      assets: order.map(({ asset }) => asset),
      address: getContractAddress({ from: factory, nonce: BigInt(k + 1) }),
    }
  })
  for (const token of new Set(pools.flatMap(({ assets }) => assets.map((a) => base.tokens[a])))) {
    wallet.send(
      'fund Balancer trader',
      token,
      encodeFunctionData({
        abi: context.artifacts.TestToken!.abi,
        functionName: 'mint',
        args: [DEVNET_SENDER, FUNDING],
      }),
    )
    wallet.send(
      'approve Vault',
      token,
      encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [vault, maxUint256] }),
    )
  }
  await wallet.mine(timestamp)

  const drivers: PoolDriver[] = []
  for (const { spec, assets, address } of pools) {
    const poolId = await client.readContract({
      address,
      abi: balancerWeightedPoolAbi,
      functionName: 'getPoolId',
    })
    const driver = new BalancerWeightedDriver(context, spec, address, vault, poolId, assets, base)
    const amounts = assets.map((asset) => {
      const weight = spec.weights[spec.assets.indexOf(asset)]!
      return toRaw((spec.tvlUsd * weight) / ASSETS[asset].startPriceUsd, ASSETS[asset].decimals)
    })
    driver.join('seed', JOIN_INIT, amounts)
    drivers.push(driver)
  }
  await wallet.mine(timestamp + 1n)
  return { vault, drivers }
}

class BalancerWeightedDriver implements PoolDriver {
  private readonly random: Random
  private readonly decimals: readonly number[]
  private readonly tokens: readonly Address[]

  constructor(
    private readonly context: DevnetContext,
    readonly spec: BalancerWeightedPoolSpec,
    readonly address: Address,
    private readonly vault: Address,
    private readonly poolId: Hex,
    /** Assets in the Vault's token order. */
    private readonly assets: readonly AssetKey[],
    base: BaseDeployment,
  ) {
    this.random = createRandom(SEED ^ hashId(spec.id))
    this.decimals = assets.map((asset) => ASSETS[asset].decimals)
    this.tokens = assets.map((asset) => base.tokens[asset])
  }

  async trade({ reader, market, hourOfDay }: StepContext): Promise<void> {
    const [state, bpt] = await Promise.all([
      readBalancerWeightedPool(reader, this.address),
      reader.read({
        address: this.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [DEVNET_SENDER],
      }),
    ])
    // First in the block, so the amounts are proportional and no swap fee is charged.
    if (hourOfDay === LP_JOIN_HOUR) {
      const share = BigInt(Math.round((0.05 + 0.15 * this.random.uniform()) * 1e6))
      this.join(
        'LP join',
        JOIN_EXACT_TOKENS_IN_FOR_BPT_OUT,
        state.balances.map((balance) => (balance * share) / 1_000_000n),
      )
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
      const userData = encodeAbiParameters(parseAbiParameters('uint256, uint256'), [
        EXIT_EXACT_BPT_IN_FOR_TOKENS_OUT,
        (bpt * share) / 1_000_000n,
      ])
      this.send('LP exit', 'exitPool', [
        this.poolId,
        DEVNET_SENDER,
        DEVNET_SENDER,
        {
          assets: this.tokens,
          minAmountsOut: this.tokens.map(() => 0n),
          userData,
          toInternalBalance: false,
        },
      ])
    }
  }

  /**
   * Trades the pool back to the market, pair by pair: while a token sells for more of another
   * (after the fee) than the market pays, sell it until the spot price is at the edge of the
   * fee band. Balances are carried forward with the weighted swap formula.
   */
  async arbitrage({ reader, market, hoursBeforeEnd }: StepContext): Promise<void> {
    if (hoursBeforeEnd < (this.spec.arbitragePausedHoursBeforeEnd ?? 0)) return
    const state = await readBalancerWeightedPool(reader, this.address)
    const balances = state.balances.map((raw, i) => Number(raw) / 10 ** this.decimals[i]!)
    const weights = state.weights.map((weight) => Number(weight) / Number(BALANCER_ONE))
    const reference = this.assets.map((asset) => market.price(asset))
    const fee = Number(state.swapFee) / Number(BALANCER_ONE)
    for (let round = 0; round < balances.length; round++) {
      const prices = weightedMarginalPrices(balances, weights)
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
      const amount = Math.min(
        weightedAmountIn(balances[sold]!, weights[sold]!, weights[bought]!, 1 / best.edge, fee),
        balances[sold]! * MAX_IN_RATIO,
      )
      this.swap('arbitrage', sold, bought, toRaw(amount, this.decimals[sold]!))
      const out =
        balances[bought]! *
        (1 -
          (balances[sold]! / (balances[sold]! + amount * (1 - fee))) **
            (weights[sold]! / weights[bought]!))
      balances[sold] = balances[sold]! + amount
      balances[bought] = balances[bought]! - out
    }
  }

  /** Queues a join with raw `amounts` in the Vault's token order. */
  join(why: string, kind: bigint, amounts: readonly bigint[]): void {
    const userData =
      kind === JOIN_INIT
        ? encodeAbiParameters(parseAbiParameters('uint256, uint256[]'), [kind, amounts])
        : encodeAbiParameters(parseAbiParameters('uint256, uint256[], uint256'), [
            kind,
            amounts,
            0n,
          ])
    this.send(why, 'joinPool', [
      this.poolId,
      DEVNET_SENDER,
      DEVNET_SENDER,
      { assets: this.tokens, maxAmountsIn: amounts, userData, fromInternalBalance: false },
    ])
  }

  private swap(why: string, sold: number, bought: number, amount: bigint): void {
    if (amount <= 0n) return
    this.send(why, 'swap', [
      {
        poolId: this.poolId,
        kind: 0,
        assetIn: this.tokens[sold]!,
        assetOut: this.tokens[bought]!,
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
      1_000_000n,
    )
  }
}
