import { zeroAddress } from 'viem'
import type { Config } from '../lambda/config/schema.ts'
import type { Devnet } from './buildDevnet.ts'
import { ASSETS, type AssetKey, POOLS } from './scenario.ts'

/** Environment variable that points the devnet config at a running node. */
export const DEVNET_RPC_ENV = 'DEVNET_RPC_URL'

/** Default address of `npm run devnet`. */
export const DEVNET_DEFAULT_RPC_URL = 'http://127.0.0.1:8545'

/**
 * The report config for a devnet: every simulated pool, reference prices from the
 * simulated feeds (USDC fixed at 1 USD; native ETH under its `0xEeee…EEeE` key; stETH and
 * sUSD unpriced, so their stable pools price them at par; V4's native ETH under
 * `0x0000…0000`), the V4 contracts, one digest, and one deliberately
 * misconfigured pool (a price feed's address declared as a V2 pair) to show what an error
 * row looks like.
 * Addresses are deterministic, so `config/devnet.json` is this config, committed.
 *
 * @param devnet - the deployed devnet (its addresses)
 * @returns a config object in the shape of `config/*.json`
 */
export function devnetConfig(devnet: Pick<Devnet, 'base' | 'pools' | 'uniswapV4'>): Config {
  const prices: Config['prices'] = {}
  for (const [key, token] of Object.entries(devnet.base.tokens) as [AssetKey, `0x${string}`][]) {
    // Unpriced assets (stETH, sUSD) sit in stable pools, which price them at par.
    if (ASSETS[key].price === 'none') continue
    const feed = devnet.base.feeds[key]
    const source = feed ? { chainlink: feed } : { fixed: ASSETS[key].startPriceUsd }
    prices[`devnet:${token}`] = source
    // Uniswap V4 names the native coin 0x0000…0000.
    if (ASSETS[key].native) prices[`devnet:${zeroAddress}`] = source
  }
  const { poolManager, stateView, positionManager } = devnet.uniswapV4
  return {
    chains: {
      devnet: {
        chainId: 31337,
        rpcUrl: DEVNET_DEFAULT_RPC_URL,
        rpcUrlEnv: DEVNET_RPC_ENV,
        uniswapV4: { poolManager, stateView, positionManager },
      },
    },
    prices,
    pools: [
      ...devnet.pools.map((pool) => {
        const spec = POOLS.find((candidate) => candidate.id === pool.id)
        return {
          id: pool.id,
          chain: 'devnet',
          protocol: pool.protocol,
          ...(pool.protocol === 'uniswap-v4'
            ? { poolId: pool.address }
            : { address: pool.address }),
          ...((spec?.protocol === 'uniswap-v3' || spec?.protocol === 'uniswap-v4') &&
          spec.rangePct !== undefined
            ? { rangePct: spec.rangePct }
            : {}),
        } as Config['pools'][number]
      }),
      {
        id: 'misconfigured-not-a-pair',
        chain: 'devnet',
        protocol: 'uniswap-v2',
        address: devnet.base.feeds.WETH!,
      },
    ],
    digests: [
      {
        name: 'daily',
        to: ['risk@example.com'],
        pools: '*',
        thresholds: { imbalancePp: 5, priceDeviationPct: 0.5, ilPct: -1 },
      },
    ],
    thresholds: { imbalancePp: 5, priceDeviationPct: 0.5, ilPct: -1 },
  }
}
