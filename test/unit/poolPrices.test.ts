import { expect, test } from 'vitest'
import type { BlockReader } from '../../lambda/chain/blockReader.ts'
import {
  completePoolPrices,
  MissingPriceError,
  planPoolPrices,
  readConfiguredPrices,
} from '../../lambda/prices/poolPrices.ts'

const feed = { chainlink: '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419' as const }
// Fixed prices never touch the chain: a reader that fails proves it.
const noChain = {
  blockNumber: 1n,
  read: () => Promise.reject(new Error('no chain')),
  readRaw: () => Promise.reject(new Error('no chain')),
} as unknown as BlockReader
const snapshot = {
  reader: noChain,
  blockTimestamp: 0n,
  chain: 'c',
  config: { pools: [], chains: {} },
  prices: new Map(),
}
const tokens = (n: number) =>
  Array.from({ length: n }, (_, i) => `0x${String(i + 1).padStart(40, '0')}` as const)

test('a configured price always wins, in stable pools too', () => {
  expect(planPoolPrices([feed, { fixed: 1 }], true)).toEqual([
    { kind: 'configured', source: feed },
    { kind: 'configured', source: { fixed: 1 } },
  ])
})

test('an unpriced coin of a stable pool trades at par with the first priced coin', () => {
  // stETH/ETH with only ETH priced; a 3pool with only its second coin priced.
  expect(planPoolPrices([feed, undefined], true)[1]).toEqual({ kind: 'peg', index: 0 })
  expect(planPoolPrices([undefined, { fixed: 1 }, undefined], true)).toEqual([
    { kind: 'peg', index: 1 },
    { kind: 'configured', source: { fixed: 1 } },
    { kind: 'peg', index: 1 },
  ])
})

test('pegged coins copy the price their anchor has at the block', async () => {
  const plan = planPoolPrices([undefined, { fixed: 0.998 }, undefined, { fixed: 1.001 }], true)
  const configured = await readConfiguredPrices(snapshot, tokens(4), plan)
  expect(configured).toEqual([undefined, 0.998, undefined, 1.001])
  expect(completePoolPrices(plan, configured)).toEqual([0.998, 0.998, 0.998, 1.001])
})

test('par is what the pool counts a coin as: a metapool’s base LP token at its virtual price', () => {
  // LUSD priced at 0.999; 3CRV unpriced, which the pool counts at a virtual price of 1.03.
  const plan = planPoolPrices([{ fixed: 0.999 }, undefined], true)
  expect(completePoolPrices(plan, [0.999, undefined], [1, 1.03])).toEqual([
    0.999,
    expect.closeTo(0.999 * 1.03, 15),
  ])
})

test('a stable pool without any price is valued at 1 USD per unit of par', async () => {
  const plan = planPoolPrices([undefined, undefined, undefined], true)
  expect(plan).toEqual([{ kind: 'usd' }, { kind: 'usd' }, { kind: 'usd' }])
  const configured = await readConfiguredPrices(snapshot, tokens(3), plan)
  expect(completePoolPrices(plan, configured)).toEqual([1, 1, 1])
  expect(completePoolPrices(plan, configured, [1, 1, 1.02])).toEqual([1, 1, 1.02])
})

test('a pool that is not pegged needs every price', () => {
  expect(() => planPoolPrices([feed, undefined], false)).toThrow(MissingPriceError)
  expect(() => planPoolPrices([feed, undefined], false)).toThrow('token 1 has no configured price')
})
