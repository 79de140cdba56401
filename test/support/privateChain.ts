import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
} from 'viem'
import type { Anvil } from '../../devnet/anvil.ts'
import { DEVNET_SENDER } from '../../devnet/devnetWallet.ts'
import { startPrivateDevnet } from './devnet.ts'

/** A node of a test's own, at the shared devnet's last state, that trades and then undoes it. */
export interface PrivateChain {
  readonly anvil: Anvil
  readonly client: ReturnType<typeof createPublicClient>
  /**
   * Sends a transaction from the simulation's funded sender, runs `inspect` on the state it
   * leaves, and reverts the chain to before it.
   */
  tryTrade<T>(
    trade: { to: Address; data: Hex; value?: bigint },
    inspect: () => Promise<T>,
  ): Promise<T>
  stop(): Promise<void>
}

/**
 * Starts a private node from the shared devnet's state dump (automining, the last simulated
 * block on top). The simulation's sender holds every token and has approved every pool.
 */
export async function openPrivateChain(): Promise<PrivateChain> {
  const anvil = await startPrivateDevnet(undefined, { automine: true })
  const transport = http(anvil.rpcUrl)
  const client = createPublicClient({ transport })
  const testClient = createTestClient({ mode: 'anvil', transport })
  const wallet = createWalletClient({ account: DEVNET_SENDER, transport })
  return {
    anvil,
    client,
    async tryTrade(trade, inspect) {
      const snapshot = await testClient.snapshot()
      try {
        const hash = await wallet.sendTransaction({
          to: trade.to,
          data: trade.data,
          value: trade.value ?? 0n,
          gas: 5_000_000n,
          chain: null,
        })
        const receipt = await client.waitForTransactionReceipt({ hash })
        if (receipt.status !== 'success') throw new Error(`trade to ${trade.to} reverted`)
        return await inspect()
      } finally {
        await testClient.revert({ id: snapshot })
      }
    },
    stop: () => anvil.stop(),
  }
}
