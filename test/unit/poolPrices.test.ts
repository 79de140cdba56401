import { expect, test } from 'vitest'
import type { BlockReader } from '../../lambda/chain/blockReader.ts'
import {
  MissingPriceError,
  planPoolPrices,
  readPoolPrices,
} from '../../lambda/prices/poolPrices.ts'

const feed = { chainlink: '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419' as const }
// Fixed prices never touch the chain: a reader that fails proves it.
const noChain = {
  blockNumber: 1n,
  read: () => Promise.reject(new Error('no chain')),
  readRaw: () => Promise.reject(new Error('no chain')),
} as unknown as BlockReader

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

test('a stable pool without any price is valued at 1 USD a coin', async () => {
  const plan = planPoolPrices([undefined, undefined, undefined], true)
  expect(plan).toEqual([{ kind: 'usd' }, { kind: 'usd' }, { kind: 'usd' }])
  expect(await readPoolPrices(noChain, plan, 0n)).toEqual([1, 1, 1])
})

test('pegged coins copy the price their anchor has at the block', async () => {
  const plan = planPoolPrices([undefined, { fixed: 0.998 }, undefined, { fixed: 1.001 }], true)
  expect(await readPoolPrices(noChain, plan, 0n)).toEqual([0.998, 0.998, 0.998, 1.001])
})

test('a pool that is not pegged needs every price', () => {
  expect(() => planPoolPrices([feed, undefined], false)).toThrow(MissingPriceError)
  expect(() => planPoolPrices([feed, undefined], false)).toThrow('token 1 has no configured price')
})
