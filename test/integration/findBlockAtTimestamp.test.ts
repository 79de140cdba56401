import { afterAll, beforeAll, expect, test } from 'vitest'
import { type Anvil, startAnvil } from '../../devnet/anvil.ts'
import { DevnetWallet } from '../../devnet/devnetWallet.ts'
import { createRandom } from '../../devnet/random.ts'
import { createChainClient } from '../../lambda/chain/createChainClient.ts'
import { createBlockFinder } from '../../lambda/chain/findBlockAtTimestamp.ts'
import { DayNotAvailableError } from '../../lambda/errors.ts'

const GENESIS = 1_700_000_000n
let anvil: Anvil
/** Timestamp of every block, by number: the brute-force answer key. */
const timestamps: bigint[] = [GENESIS]

beforeAll(async () => {
  anvil = await startAnvil({ noMining: true, genesisTimestamp: GENESIS })
  const wallet = new DevnetWallet(anvil.rpcUrl)
  const random = createRandom(7)
  let time = GENESIS
  for (let i = 1; i <= 600; i++) {
    // 12 s slots with missed slots, blocks sharing a timestamp (as on some L2s), a three-hour
    // halt, and then 2 s blocks: everything that trips a naive interpolation.
    const u = random.uniform()
    if (i === 250) time += 3n * 3600n
    else if (i > 400) time += 2n
    else time += u < 0.1 ? 0n : u < 0.25 ? 24n : 12n
    await wallet.mine(time)
    timestamps.push(time)
  }
})
afterAll(async () => {
  await anvil.stop()
})

function bruteForce(target: bigint): number {
  let answer = -1
  timestamps.forEach((timestamp, number) => {
    if (timestamp <= target) answer = number
  })
  return answer
}

test('finds the last block at or before any timestamp, in few requests', async () => {
  const latest = timestamps.at(-1)!
  const random = createRandom(11)
  const targets = [
    GENESIS,
    ...timestamps.slice(1, 40),
    ...timestamps.slice(240, 260),
    ...timestamps.slice(395, 410),
    latest - 1n,
    ...Array.from(
      { length: 60 },
      () => GENESIS + BigInt(Math.floor(random.uniform() * Number(latest - GENESIS))),
    ),
  ]
  let worst = 0
  for (const target of targets) {
    const counter = { count: 0 }
    const finder = createBlockFinder(
      createChainClient({ name: 'test', chainId: 31337, rpcUrl: anvil.rpcUrl, counter }),
    )
    const block = await finder.lastBlockAtOrBefore(target)
    expect(Number(block.number), `target ${target}`).toBe(bruteForce(target))
    expect(block.timestamp).toBe(timestamps[Number(block.number)])
    worst = Math.max(worst, counter.count)
  }
  // Genesis and latest, then at most twice a binary search over 600 blocks (2 * 10).
  expect(worst).toBeLessThanOrEqual(22)
})

test('a second boundary reuses what the first search learnt', async () => {
  const counter = { count: 0 }
  const finder = createBlockFinder(
    createChainClient({ name: 'test', chainId: 31337, rpcUrl: anvil.rpcUrl, counter }),
  )
  await finder.lastBlockAtOrBefore(timestamps[500]! + 5n)
  const afterFirst = counter.count
  expect(Number((await finder.lastBlockAtOrBefore(timestamps[450]! + 1n)).number)).toBe(
    bruteForce(timestamps[450]! + 1n),
  )
  expect(counter.count - afterFirst).toBeLessThan(afterFirst)
})

test('refuses times before genesis and times the chain has not passed', async () => {
  const finder = createBlockFinder(
    createChainClient({ name: 'test', chainId: 31337, rpcUrl: anvil.rpcUrl }),
  )
  await expect(finder.lastBlockAtOrBefore(GENESIS - 1n)).rejects.toMatchObject({
    constructor: DayNotAvailableError,
    reason: 'before-genesis',
  })
  // A block could still come with the latest timestamp, so the latest time itself is not final.
  await expect(finder.lastBlockAtOrBefore(timestamps.at(-1)!)).rejects.toMatchObject({
    reason: 'not-yet',
  })
})
