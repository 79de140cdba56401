import { inject } from 'vitest'
import { type Anvil, startAnvil } from '../../devnet/anvil.ts'
import { devnetConfig } from '../../devnet/devnetConfig.ts'
import { DevnetWallet } from '../../devnet/devnetWallet.ts'
import { createChainClient } from '../../lambda/chain/createChainClient.ts'
import { parseConfig } from '../../lambda/config/loadConfig.ts'
import type { Config } from '../../lambda/config/schema.ts'
import { addDays } from '../../lambda/report/date.ts'
import type { DevnetInfo } from './devnetInfo.ts'

/** The shared simulated devnet: read from it, never write to it. */
export function sharedDevnet(): DevnetInfo {
  return inject('devnet')
}

/** The last fully simulated UTC day of the devnet, `YYYY-MM-DD`. */
export function lastSimulatedDay(devnet: DevnetInfo = sharedDevnet()): string {
  return addDays(new Date(Number(devnet.endTime) * 1000).toISOString().slice(0, 10), -1)
}

/** The devnet's report config, pointed at `rpcUrl`. */
export function devnetTestConfig(
  devnet: DevnetInfo = sharedDevnet(),
  rpcUrl = devnet.rpcUrl,
): Config {
  const config = parseConfig(
    JSON.parse(
      JSON.stringify(
        devnetConfig({
          base: { tokens: devnet.tokens as never, feeds: devnet.feeds },
          pools: devnet.pools,
          uniswapV4: devnet.uniswapV4,
        }),
      ),
    ),
  )
  return { ...config, chains: { devnet: { ...config.chains.devnet!, rpcUrl } } }
}

/** A client of the shared devnet that counts its JSON-RPC requests. */
export function devnetClient(rpcUrl = sharedDevnet().rpcUrl) {
  const counter = { count: 0 }
  return { client: createChainClient({ name: 'devnet', chainId: 31337, rpcUrl, counter }), counter }
}

/**
 * A node of its own, started from the shared devnet's state, for tests that send
 * transactions. By default it mines only when asked (`DevnetWallet.mine`), so blocks continue
 * the simulated timeline; `automine` mines each transaction as it arrives, for tests that
 * only look at the state a trade leaves.
 */
export async function startPrivateDevnet(
  devnet: DevnetInfo = sharedDevnet(),
  { automine = false }: { readonly automine?: boolean } = {},
): Promise<Anvil> {
  const node = await startAnvil({ loadState: devnet.stateFile, noMining: !automine })
  // A loaded node's clock restarts from the wall clock, and refuses the simulated (earlier)
  // timestamps: set it back to the last simulated block.
  const wallet = new DevnetWallet(node.rpcUrl)
  const latest = (await wallet.request('eth_getBlockByNumber', 'latest', false)) as {
    timestamp: string
  }
  await wallet.request('evm_setTime', Number(latest.timestamp))
  return node
}
