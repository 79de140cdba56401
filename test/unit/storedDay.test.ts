import { expect, test } from 'vitest'
import { parseConfig } from '../../lambda/config/loadConfig.ts'
import {
  parseStoredDay,
  renderStoredDay,
  storedStartFor,
  withStoredPools,
} from '../../lambda/report/storedDay.ts'
import type { DailyReport } from '../../lambda/report/types.ts'
import { sampleConfig, sampleReport, sampleReportWithV3 } from './sampleReport.ts'

const [evil, broken] = sampleReport.pools as [
  Extract<DailyReport['pools'][number], { status: 'ok' }>,
  DailyReport['pools'][number],
]

test('a stored day reads back as the report it was, down to the bytes', () => {
  // V3 states hold maps and bigints; an unbounded depth is a non-finite number.
  const withInfinity: DailyReport = {
    ...sampleReportWithV3,
    pools: [
      { ...evil, metrics: { ...evil.metrics, depth2pctUsd: Number.POSITIVE_INFINITY } },
      ...sampleReportWithV3.pools.slice(1),
    ],
  }
  const text = renderStoredDay(withInfinity)
  const stored = parseStoredDay(text)
  const config = {
    pools: withInfinity.pools.map((day) => day.pool),
  }
  const restored = withStoredPools({ ...withInfinity, pools: [], chains: [] }, stored, config)
  expect(restored).toEqual(withInfinity)
  expect(renderStoredDay(restored)).toBe(text)
})

test('a run of some pools keeps the stored others, in config order, and only the same pools', () => {
  const stored = parseStoredDay(renderStoredDay(sampleReport))
  const fresh: DailyReport = { ...sampleReport, pools: [broken] }
  expect(withStoredPools(fresh, stored, sampleConfig).pools).toEqual([evil, broken])

  // An id that now names another address is not that pool: its stored day is dropped.
  const moved = parseConfig({
    chains: { devnet: { chainId: 31337, rpcUrl: 'http://127.0.0.1:1' } },
    pools: [{ ...evil.pool, address: '0x0000000000000000000000000000000000000009' }, broken.pool],
  })
  const merged = withStoredPools(
    { ...fresh, pools: [{ ...broken, pool: moved.pools[1]! }] },
    stored,
    moved,
  )
  expect(merged.pools.map((day) => day.pool.id)).toEqual(['broken'])
  expect(storedStartFor(stored, moved.pools[0]!, evil.end!)).toBeUndefined()
})

test('the stored end stands in for the next start only at the same block', () => {
  const stored = parseStoredDay(renderStoredDay(sampleReport))
  expect(storedStartFor(stored, evil.pool, evil.end!)).toEqual({
    block: evil.end,
    state: evil.endState,
    prices: [750_000, 1],
  })
  expect(storedStartFor(stored, evil.pool, { ...evil.end!, number: 21n })).toBeUndefined()
  expect(storedStartFor(stored, broken.pool, evil.end!)).toBeUndefined()
})
