import { gunzipSync } from 'node:zlib'
import { type Address, encodeAbiParameters, type Hex, keccak256, numberToHex } from 'viem'
import type { DevnetWallet } from '../devnet/devnetWallet.ts'

/** A pool to copy: its address and everything the copies need to read like it. */
export interface ClonedPool {
  readonly source: Address
  readonly clones: readonly Address[]
}

/** One account of anvil's state dump. */
interface DumpedAccount {
  readonly balance: Hex
  readonly code: Hex
  readonly storage: Record<Hex, Hex>
}

/** Mapping slots tried when looking for a token's `balanceOf` mapping. */
const MAPPING_SLOTS = 16
/** Bytes of one HTTP batch sent to anvil while cloning (anvil refuses bodies over 2 MB). */
const BATCH_BYTES = 1_500_000

/**
 * Copies deployed pools to new addresses on anvil: the code, every storage slot and the
 * native balance of each pool (`anvil_setCode`, `anvil_setStorageAt`, `anvil_setBalance`),
 * and each pool's token balances (the `balanceOf` mapping entries that hold the pool's
 * balance, found in the token's storage by their `keccak256(pool, slot)` keys), so a copy
 * answers every read as its source does. Immutables live in the code, so a copy keeps
 * reporting its source's tokens and fees. A copy's own address appears nowhere in its
 * state; pools that check their address against a registry (Balancer's pool id, which
 * starts with the pool's address) cannot be cloned this way.
 *
 * @param wallet - a wallet on the node (for its batched JSON-RPC)
 * @param state - the node's state (`readNodeState`)
 * @param sources - the pools to copy, each with its number of copies
 * @returns the copies' addresses, per source
 */
export async function clonePools(
  wallet: DevnetWallet,
  state: NodeState,
  sources: readonly { readonly address: Address; readonly copies: number }[],
): Promise<ClonedPool[]> {
  const writer = new StorageWriter(wallet)
  let next = 0
  const result: ClonedPool[] = []
  for (const { address, copies } of sources) {
    const account = state.get(address.toLowerCase())
    if (!account) throw new Error(`no account ${address} in the node's state`)
    const tokenBalances = findTokenBalances(state, address)
    const clones: Address[] = []
    for (let i = 0; i < copies; i++) {
      const clone = cloneAddress(next++)
      clones.push(clone)
      await writer.add('anvil_setCode', clone, account.code)
      await writer.add('anvil_setBalance', clone, account.balance)
      for (const [slot, value] of Object.entries(account.storage)) {
        await writer.set(clone, slot as Hex, value)
      }
      for (const { token, slot, value } of tokenBalances) {
        await writer.set(token, mappingKey(clone, slot), value)
      }
    }
    result.push({ source: address, clones })
  }
  await writer.flush()
  return result
}

/** The node's accounts by lower-case address, storage keys and values as 32-byte hex. */
export type NodeState = ReadonlyMap<string, DumpedAccount>

/**
 * The whole state of an anvil node (`anvil_dumpState`), storage normalized to 32-byte words.
 *
 * @param wallet - a wallet on the node
 * @returns its accounts
 */
export async function readNodeState(wallet: DevnetWallet): Promise<NodeState> {
  const dump = (await wallet.request('anvil_dumpState')) as Hex
  const state = JSON.parse(gunzipSync(Buffer.from(dump.slice(2), 'hex')).toString()) as {
    accounts: Record<string, DumpedAccount>
  }
  return new Map(
    Object.entries(state.accounts).map(([address, account]) => [
      address.toLowerCase(),
      {
        ...account,
        storage: Object.fromEntries(
          Object.entries(account.storage).map(([slot, value]) => [
            pad32(slot as Hex),
            pad32(value),
          ]),
        ),
      },
    ]),
  )
}

/** Batches anvil state writes into HTTP requests of at most `BATCH_BYTES`. */
export class StorageWriter {
  private batch: { method: string; params: unknown[] }[] = []
  private bytes = 0

  constructor(private readonly wallet: DevnetWallet) {}

  /** Queues `anvil_setStorageAt(address, slot, value)`. */
  set(address: Address, slot: Hex, value: Hex): Promise<void> {
    return this.add('anvil_setStorageAt', address, pad32(slot), pad32(value))
  }

  async add(method: string, ...params: unknown[]): Promise<void> {
    const size = JSON.stringify(params).length + 64
    if (this.bytes + size > BATCH_BYTES) await this.flush()
    this.batch.push({ method, params })
    this.bytes += size
  }

  async flush(): Promise<void> {
    await this.wallet.rpc(this.batch)
    this.batch = []
    this.bytes = 0
  }
}

/** The `n`-th copy's address: `0xc10e…` followed by `n`, far from any deployed contract. */
export function cloneAddress(n: number): Address {
  return `0xc10e${n.toString(16).padStart(36, '0')}`
}

/** Every token storage entry `balanceOf[pool]` of a mapping at slot 0..15 that is not zero. */
function findTokenBalances(
  accounts: NodeState,
  pool: Address,
): { token: Address; slot: bigint; value: Hex }[] {
  const keys = new Map(
    Array.from({ length: MAPPING_SLOTS }, (_, slot) => [
      mappingKey(pool, BigInt(slot)),
      BigInt(slot),
    ]),
  )
  const found: { token: Address; slot: bigint; value: Hex }[] = []
  for (const [token, account] of accounts) {
    for (const [key, value] of Object.entries(account.storage)) {
      const slot = keys.get(key as Hex)
      if (slot !== undefined) found.push({ token: token as Address, slot, value })
    }
  }
  return found
}

function mappingKey(holder: Address, slot: bigint): Hex {
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [holder, slot]))
}

export function pad32(value: Hex): Hex {
  return numberToHex(BigInt(value), { size: 32 })
}
