import {
  type Address,
  createPublicClient,
  encodeAbiParameters,
  encodePacked,
  type Hex,
  http,
  keccak256,
  numberToHex,
  parseAbi,
} from 'viem'
import type { DevnetWallet } from '../devnet/devnetWallet.ts'
import { type NodeState, pad32, StorageWriter } from './clonePools.ts'

/** Storage slots of the Vault searched for mappings keyed by a pool id. */
const VAULT_MAPPING_SLOTS = 128
/** Words of a struct (or of a mapping's value) looked at past each derived slot. */
const STRUCT_WORDS = 4n

const abi = parseAbi([
  'function getPoolId() view returns (bytes32)',
  'function getVault() view returns (address)',
  'function getPoolTokens(bytes32) view returns (address[], uint256[], uint256)',
])

/** A Balancer pool to copy and its copies' addresses. */
export interface ClonedBalancerPool {
  readonly source: Address
  readonly clones: readonly Address[]
}

/**
 * Copies Balancer V2 pools: each copy is the pool's code at a new address, with its pool id
 * (an immutable, so in the code) rewritten to the copy's own (the new address, the same
 * specialization and nonce) and, for a composable pool that is one of its own tokens, its
 * address too; its storage; and the Vault's records of the source pool (registration, tokens,
 * balances, asset managers) written again under the new id, the pool's own address replaced
 * by the copy's. Those records are found in the node's state as the slots Solidity derives
 * from the pool id: `keccak256(id . p)` for the Vault's mappings `p`, one level deeper with
 * the pool's tokens, token-pair hash or a small index as keys, and the arrays stored there.
 *
 * @param wallet - a wallet on the node
 * @param rpcUrl - the node, to read each pool's id, Vault and tokens
 * @param state - the node's state (`readNodeState`)
 * @param sources - the pools to copy, each with its number of copies
 * @returns the copies' addresses, per source
 */
export async function cloneBalancerPools(
  wallet: DevnetWallet,
  rpcUrl: string,
  state: NodeState,
  sources: readonly { readonly address: Address; readonly copies: number }[],
): Promise<ClonedBalancerPool[]> {
  const client = createPublicClient({ transport: http(rpcUrl) })
  const writer = new StorageWriter(wallet)
  const result: ClonedBalancerPool[] = []
  let next = 0
  for (const { address, copies } of sources) {
    const [poolId, vault] = await Promise.all([
      client.readContract({ address, abi, functionName: 'getPoolId' }),
      client.readContract({ address, abi, functionName: 'getVault' }),
    ])
    const [tokens] = await client.readContract({
      address: vault,
      abi,
      functionName: 'getPoolTokens',
      args: [poolId],
    })
    const account = state.get(address.toLowerCase())
    const vaultStorage = state.get(vault.toLowerCase())?.storage
    if (!account || !vaultStorage) throw new Error(`no pool ${address} or Vault in the state`)
    const records = vaultRecords(vaultStorage, poolId, address, tokens)
    const clones: Address[] = []
    for (let i = 0; i < copies; i++) {
      const clone = balancerCloneAddress(next++)
      clones.push(clone)
      // The address is the id's first 20 bytes; specialization and nonce stay.
      const cloneId = `${clone.toLowerCase()}${poolId.slice(42)}` as Hex
      // A composable pool is one of its own tokens: its address is an immutable too.
      const code = account.code
        .toLowerCase()
        .replaceAll(poolId.slice(2), cloneId.slice(2))
        .replaceAll(address.slice(2).toLowerCase(), clone.slice(2).toLowerCase())
      await writer.add('anvil_setCode', clone, code)
      for (const [slot, value] of Object.entries(account.storage))
        await writer.set(clone, slot as Hex, value)
      for (const { slot, value } of records) {
        const own = value === pad32(address)
        await writer.set(
          vault,
          numberToHex(slot(cloneId, clone), { size: 32 }),
          own ? pad32(clone) : value,
        )
      }
    }
    result.push({ source: address, clones })
  }
  await writer.flush()
  return result
}

/** The `n`-th Balancer copy's address: `0xba1c…` followed by `n`. */
function balancerCloneAddress(n: number): Address {
  return `0xba1c${n.toString(16).padStart(36, '0')}`
}

/** A Vault word of a pool, with the slot it takes for any pool id and address. */
interface VaultRecord {
  readonly slot: (poolId: Hex, pool: Address) => bigint
  readonly value: Hex
}

/** Largest index tried as a mapping key (`EnumerableMap` entries) or array element. */
const MAX_INDEX = 8

/**
 * Every stored Vault word under `keccak256(id . p) + k`, one mapping level below it (keyed by
 * a token, the pool itself among them for a composable pool, the token-pair hash of a
 * two-token pool, or a small index), and the elements of arrays stored there.
 */
function vaultRecords(
  storage: Readonly<Record<string, Hex>>,
  poolId: Hex,
  pool: Address,
  tokens: readonly Address[],
): VaultRecord[] {
  type Key = (pool: Address) => Hex
  const keys: Key[] = [
    ...tokens.map(
      (token): Key =>
        token.toLowerCase() === pool.toLowerCase() ? (own) => pad32(own) : () => pad32(token),
    ),
    // TwoTokenPoolsBalance keys its balances by keccak256(abi.encodePacked(tokenA, tokenB)).
    ...(tokens.length === 2
      ? [() => keccak256(encodePacked(['address', 'address'], [tokens[0]!, tokens[1]!]))]
      : []),
    ...Array.from(
      { length: MAX_INDEX },
      (_, i): Key =>
        () =>
          numberToHex(i, { size: 32 }),
    ),
  ]
  const stored = (slot: bigint) => storage[numberToHex(slot, { size: 32 })]
  const records: VaultRecord[] = []
  const add = (slot: VaultRecord['slot'], value: Hex) => {
    records.push({ slot, value })
    // A dynamic array keeps its length here and its elements from keccak256(slot).
    const length = BigInt(value)
    if (length > BigInt(MAX_INDEX)) return
    for (let i = 0n; i < length; i++) {
      const element = (id: Hex, own: Address) => arrayStart(slot(id, own)) + i
      const item = stored(element(poolId, pool))
      if (item !== undefined) records.push({ slot: element, value: item })
    }
  }
  for (let p = 0n; p < VAULT_MAPPING_SLOTS; p++) {
    const base = (id: Hex) => mappingSlot(id, p)
    for (let k = 0n; k < STRUCT_WORDS; k++) {
      const direct = stored(base(poolId) + k)
      if (direct !== undefined) add((id) => base(id) + k, direct)
      for (const key of keys) {
        const inner = (id: Hex, own: Address) => mappingSlot(key(own), base(id) + k)
        for (let j = 0n; j < STRUCT_WORDS; j++) {
          const value = stored(inner(poolId, pool) + j)
          if (value !== undefined) add((id, own) => inner(id, own) + j, value)
        }
      }
    }
  }
  if (records.length === 0) throw new Error(`the Vault holds nothing under pool id ${poolId}`)
  return records
}

/** `keccak256(key . slot)`: a Solidity mapping's entry for a 32-byte key. */
function mappingSlot(key: Hex, slot: bigint): bigint {
  return BigInt(
    keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [key, slot])),
  )
}

/** `keccak256(slot)`: where a dynamic array stored at `slot` keeps its elements. */
function arrayStart(slot: bigint): bigint {
  return BigInt(keccak256(numberToHex(slot, { size: 32 })))
}
