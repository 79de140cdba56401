import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cloneBalancerPools } from '../../bench/cloneBalancerPools.ts'
import { clonePools, readNodeState } from '../../bench/clonePools.ts'
import { cloneV4Pools, readPoolKeyAt } from '../../bench/cloneV4Pools.ts'
import type { Anvil } from '../../devnet/anvil.ts'
import { DevnetWallet } from '../../devnet/devnetWallet.ts'
import { createBlockReader } from '../../lambda/chain/blockReader.ts'
import { createChainClient } from '../../lambda/chain/createChainClient.ts'
import type { Config, PoolConfig } from '../../lambda/config/schema.ts'
import { protocolAdapter } from '../../lambda/protocols/registry.ts'
import { poolIdOf } from '../../lambda/protocols/uniswapV4/poolKey.ts'
import { devnetTestConfig, sharedDevnet, startPrivateDevnet } from '../support/devnet.ts'

// The whole-run benchmark measures copies of the devnet's pools; its figures mean something
// only if a copy costs the reads its source costs and reads as its source does.
const devnet = sharedDevnet()
let node: Anvil
let config: Config
let copies: { source: PoolConfig; copy: PoolConfig }[]

beforeAll(async () => {
  node = await startPrivateDevnet(devnet)
  config = devnetTestConfig(devnet, node.rpcUrl)
  const wallet = new DevnetWallet(node.rpcUrl)
  const state = await readNodeState(wallet)
  const contracts = ['uniswap-v2', 'uniswap-v3', 'curve-stableswap'].map(
    (protocol) =>
      config.pools.find((pool) => pool.protocol === protocol) as PoolConfig & { address: Address },
  )
  const v4 = config.pools.filter((pool) => pool.protocol === 'uniswap-v4')
  const balancer = config.pools.filter(
    (pool) => pool.protocol === 'balancer-weighted' || pool.protocol === 'balancer-stable',
  )
  const clonedBalancer = await cloneBalancerPools(
    wallet,
    node.rpcUrl,
    state,
    balancer.map((pool) => ({ address: pool.address, copies: 2 })),
  )
  const clonedContracts = await clonePools(
    wallet,
    state,
    contracts.map((pool) => ({ address: pool.address, copies: 1 })),
  )
  const { poolManager, positionManager } = config.chains.devnet!.uniswapV4!
  const keys = await Promise.all(
    v4.map((pool) => readPoolKeyAt(node.rpcUrl, positionManager, pool.poolId)),
  )
  const clonedV4 = await cloneV4Pools(
    wallet,
    state,
    poolManager,
    keys.map((key) => ({ key, copies: 2 })),
  )
  copies = [
    ...clonedContracts.map(({ clones: [address] }, i) => ({
      source: contracts[i]!,
      copy: { ...contracts[i]!, address: address! },
    })),
    ...clonedBalancer.flatMap(({ clones }, i) =>
      clones.map((address) => ({ source: balancer[i]!, copy: { ...balancer[i]!, address } })),
    ),
    ...clonedV4.flatMap(({ clones }, i) =>
      // Copies have no PositionManager record, so they carry their keys, and so does the source.
      clones.map((key) => ({
        source: { ...v4[i]!, key: keys[i]! },
        copy: { ...v4[i]!, poolId: poolIdOf(key), key },
      })),
    ),
  ]
  const latest = (await wallet.request('eth_getBlockByNumber', 'latest', false)) as {
    timestamp: string
  }
  await wallet.mine(BigInt(latest.timestamp) + 12n)
}, 120_000)
afterAll(() => node?.stop())

describe('the benchmark pool copies', () => {
  test('read as their sources, with the same number of calls', async () => {
    const client = createChainClient({ name: 'devnet', chainId: 31337, rpcUrl: node.rpcUrl })
    const blockNumber = await client.getBlockNumber()
    const chain = config.chains.devnet!
    expect(copies.map(({ copy }) => copy.protocol)).toEqual([
      'uniswap-v2',
      'uniswap-v3',
      'curve-stableswap',
      ...Array(4).fill('balancer-weighted'),
      ...Array(8).fill('balancer-stable'),
      'uniswap-v4',
      'uniswap-v4',
      'uniswap-v4',
      'uniswap-v4',
    ])
    for (const { source, copy } of copies) {
      const read = async (pool: PoolConfig) => {
        const reader = createBlockReader(client, { blockNumber })
        const calls = countingCalls(reader)
        return { state: await protocolAdapter(pool).read(reader, pool, chain), calls: calls() }
      }
      const [original, cloned] = await Promise.all([read(source), read(copy)])
      expect(cloned.calls, copy.id).toBe(original.calls)
      if (copy.protocol === 'balancer-weighted' || copy.protocol === 'balancer-stable') {
        // A copy's pool id is its own address followed by its source's specialization and nonce.
        const { poolId } = original.state as unknown as { poolId: Hex }
        const ownId = `${copy.address.toLowerCase()}${poolId.slice(42)}`
        expect(cloned.state, copy.id).toEqual({ ...original.state, poolId: ownId })
        continue
      }
      if (copy.protocol !== 'uniswap-v4') {
        const expected =
          'address' in original.state
            ? { ...original.state, address: copy.address }
            : original.state
        expect(cloned.state, copy.id).toEqual(expected)
        continue
      }
      const state = original.state as unknown as Record<string, unknown>
      const { poolId, key, lpFee, feePips, ...same } = cloned.state as unknown as Record<
        string,
        unknown
      >
      expect(poolId).toBe(copy.poolId)
      expect(key).toEqual(copy.key)
      // A static-fee copy's key carries a fee of its own, and its slot0 says so.
      const dynamic = (state.key as { fee: number }).fee === 0x800000
      expect(lpFee).toBe(dynamic ? state.lpFee : (copy.key as { fee: number }).fee)
      expect(same).toEqual(
        Object.fromEntries(Object.entries(state).filter(([field]) => field in same)),
      )
      expect(feePips).toBeGreaterThanOrEqual(state.feePips as number)
    }
  })
})

/** Counts the distinct calls a reader is asked for. */
function countingCalls(reader: ReturnType<typeof createBlockReader>): () => number {
  let count = 0
  const read = reader.read.bind(reader)
  reader.read = ((call: Parameters<typeof read>[0]) => {
    count++
    return read(call)
  }) as typeof reader.read
  return () => count
}
