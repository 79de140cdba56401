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
 * sUSD unpriced, so their stable pools price them at par), one digest, and one deliberately
 * misconfigured pool (a price feed's address declared as a V2 pair) to show what an error
 * row looks like.
 * Addresses are deterministic, so `config/devnet.json` is this config, committed.
 *
 * @param devnet - the deployed devnet (its addresses)
 * @returns a config object in the shape of `config/*.json`
 */
export function devnetConfig(devnet: Pick<Devnet, 'base' | 'pools'>): Config {
  const prices: Config['prices'] = {}
  for (const [key, token] of Object.entries(devnet.base.tokens) as [AssetKey, `0x${string}`][]) {
    // Unpriced assets (stETH, sUSD) sit in stable pools, which price them at par.
    if (ASSETS[key].price === 'none') continue
    const feed = devnet.base.feeds[key]
    prices[`devnet:${token}`] = feed ? { chainlink: feed } : { fixed: ASSETS[key].startPriceUsd }
  }
  return {
    chains: {
      devnet: { chainId: 31337, rpcUrl: DEVNET_DEFAULT_RPC_URL, rpcUrlEnv: DEVNET_RPC_ENV },
    },
    prices,
    pools: [
      ...devnet.pools.map((pool) => {
        const spec = POOLS.find((candidate) => candidate.id === pool.id)
        return {
          id: pool.id,
          chain: 'devnet',
          protocol: pool.protocol,
          address: pool.address,
          ...(spec?.protocol === 'uniswap-v3' && spec.rangePct !== undefined
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
