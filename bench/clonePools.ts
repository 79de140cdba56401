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
 * @param sources - the pools to copy, each with its number of copies
 * @returns the copies' addresses, per source
 */
export async function clonePools(
  wallet: DevnetWallet,
  sources: readonly { readonly address: Address; readonly copies: number }[],
): Promise<ClonedPool[]> {
  const dump = (await wallet.request('anvil_dumpState')) as Hex
  const state = JSON.parse(gunzipSync(Buffer.from(dump.slice(2), 'hex')).toString()) as {
    accounts: Record<string, DumpedAccount>
  }
  const accounts = new Map(
    Object.entries(state.accounts).map(([address, account]) => [address.toLowerCase(), account]),
  )
  let batch: { method: string; params: unknown[] }[] = []
  let bytes = 0
  const send = async () => {
    await wallet.rpc(batch)
    batch = []
    bytes = 0
  }
  const add = async (method: string, ...params: unknown[]) => {
    const size = JSON.stringify(params).length + 64
    if (bytes + size > BATCH_BYTES) await send()
    batch.push({ method, params })
    bytes += size
  }
  let next = 0
  const result: ClonedPool[] = []
  for (const { address, copies } of sources) {
    const account = accounts.get(address.toLowerCase())
    if (!account) throw new Error(`no account ${address} in the node's state`)
    const tokenBalances = findTokenBalances(accounts, address)
    const clones: Address[] = []
    for (let i = 0; i < copies; i++) {
      const clone = cloneAddress(next++)
      clones.push(clone)
      await add('anvil_setCode', clone, account.code)
      await add('anvil_setBalance', clone, account.balance)
      for (const [slot, value] of Object.entries(account.storage)) {
        await add('anvil_setStorageAt', clone, slot, pad32(value as Hex))
      }
      for (const { token, slot, value } of tokenBalances) {
        await add('anvil_setStorageAt', token, mappingKey(clone, slot), pad32(value))
      }
    }
    result.push({ source: address, clones })
  }
  await send()
  return result
}

/** The `n`-th copy's address: `0xc10e…` followed by `n`, far from any deployed contract. */
export function cloneAddress(n: number): Address {
  return `0xc10e${n.toString(16).padStart(36, '0')}`
}

/** Every token storage entry `balanceOf[pool]` of a mapping at slot 0..15 that is not zero. */
function findTokenBalances(
  accounts: ReadonlyMap<string, DumpedAccount>,
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
      const slot = keys.get(pad32(key as Hex))
      if (slot !== undefined) found.push({ token: token as Address, slot, value: value as Hex })
    }
  }
  return found
}

function mappingKey(holder: Address, slot: bigint): Hex {
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [holder, slot]))
}

function pad32(value: Hex): Hex {
  return numberToHex(BigInt(value), { size: 32 })
}
