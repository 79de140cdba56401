import { type Address, getContractAddress, type Hex, numberToHex } from 'viem'

/** A transaction queued for the next block, with a label for error messages. */
interface QueuedTransaction {
  readonly label: string
  readonly to: Address | undefined
  readonly data: Hex
  readonly gas: bigint
  readonly nonce: number
  /** Wei sent with the call (pools with a native-ETH coin). */
  readonly value: bigint
}

/** Anvil's first default account: unlocked, funded, sends every simulation transaction. */
export const DEVNET_SENDER: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

/**
 * Sends the simulation's transactions from one unlocked anvil account and mines blocks with
 * chosen timestamps. Transactions queue locally with explicit nonces and go to anvil in one
 * JSON-RPC batch per block, so a simulated hour costs a handful of HTTP requests and the
 * order inside a block is the order of the code.
 */
export class DevnetWallet {
  private readonly queue: QueuedTransaction[] = []
  private nonce = 0

  constructor(readonly rpcUrl: string) {}

  /** Sends raw JSON-RPC requests in one HTTP batch and returns their results in order. */
  async rpc(requests: readonly { method: string; params: unknown[] }[]): Promise<unknown[]> {
    if (requests.length === 0) return []
    const body = requests.map((request, id) => ({ jsonrpc: '2.0', id, ...request }))
    const response = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const replies = (await response.json()) as {
      id: number
      result?: unknown
      error?: { message: string }
    }[]
    return replies
      .sort((a, b) => a.id - b.id)
      .map((reply, i) => {
        if (reply.error) throw new Error(`${requests[i]!.method} failed: ${reply.error.message}`)
        return reply.result
      })
  }

  async request(method: string, ...params: unknown[]): Promise<unknown> {
    const [result] = await this.rpc([{ method, params }])
    return result
  }

  /** Queues a call for the next block, with `value` wei if it pays in ETH. */
  send(label: string, to: Address, data: Hex, gas = 3_000_000n, value = 0n): void {
    this.queue.push({ label, to, data, gas, nonce: this.nonce++, value })
  }

  /** Queues a contract creation for the next block and returns the address it will have. */
  deploy(label: string, bytecode: Hex, gas = 30_000_000n): Address {
    const nonce = this.nonce++
    this.queue.push({ label, to: undefined, data: bytecode, gas, nonce, value: 0n })
    return getContractAddress({ from: DEVNET_SENDER, nonce: BigInt(nonce) })
  }

  /**
   * Sends the queued transactions, mines them into one block at `timestamp`, and fails
   * loudly if any of them reverted (a silent revert would make the simulation lie).
   */
  async mine(timestamp: bigint): Promise<void> {
    const transactions = this.queue.splice(0)
    await this.rpc(
      transactions.map((tx) => ({
        method: 'eth_sendTransaction',
        params: [
          {
            from: DEVNET_SENDER,
            ...(tx.to && { to: tx.to }),
            data: tx.data,
            gas: numberToHex(tx.gas),
            nonce: numberToHex(tx.nonce),
            ...(tx.value > 0n && { value: numberToHex(tx.value) }),
          },
        ],
      })),
    )
    await this.request('evm_mine', { timestamp: Number(timestamp), blocks: 1 })
    if (transactions.length === 0) return
    const receipts = (await this.request('eth_getBlockReceipts', 'latest')) as { status: Hex }[]
    if (receipts.length !== transactions.length) {
      throw new Error(
        `block at ${timestamp} holds ${receipts.length} of ${transactions.length} transactions`,
      )
    }
    const failed = transactions
      .filter((_, i) => receipts[i]!.status !== '0x1')
      .map((tx) => tx.label)
    if (failed.length > 0) throw new Error(`devnet transactions reverted: ${failed.join(', ')}`)
  }

  /** Starts counting nonces from the account's current transaction count. */
  async syncNonce(): Promise<void> {
    this.nonce = Number(await this.request('eth_getTransactionCount', DEVNET_SENDER, 'latest'))
  }
}
