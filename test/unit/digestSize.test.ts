import { expect, test } from 'vitest'
import { composeMime } from '../../lambda/email/composeMime.ts'
import { MOVERS } from '../../lambda/email/digestView.ts'
import { drawCharts } from '../../lambda/email/drawCharts.ts'
import { loadDigestRenderer } from '../../lambda/email/renderDigest.ts'
import { manyPoolsDigest } from '../support/manyPools.ts'

test('10,000 pools: the HTML stays under 100 KB, the text says the same, the charts are few', async () => {
  // Prepare: 10,000 pools, yesterday stored, the lifecycle carried from it.
  const render = await loadDigestRenderer()
  // Act
  const { today, view } = manyPoolsDigest()
  const { html, text, subject } = render(view)
  const images = await drawCharts(view.charts)
  const eml = await composeMime(
    { from: 'a@example.com', to: ['b@example.com'], subject, html, text, attachments: images },
    { messageId: '<size@test>', date: new Date(0) },
  )
  // Assess
  console.log(
    `10,000 pools: HTML ${Buffer.byteLength(html)} B, text ${Buffer.byteLength(text)} B, .eml ${eml.length} B, ${images.length} charts`,
  )
  expect(Buffer.byteLength(html)).toBeLessThan(100 * 1024)
  expect(Buffer.byteLength(text)).toBeLessThan(100 * 1024)
  expect(eml.length).toBeLessThan(1024 * 1024)
  expect(view.table).toEqual({ complete: false, shown: MOVERS, total: 9500 })
  expect(view.charts.length).toBeLessThanOrEqual(MOVERS + 12)
  // Every status of the lifecycle occurs, capped lists say how many they leave out.
  expect(view.counts.new + view.counts.escalated + view.counts.cleared).toBeGreaterThan(40)
  expect(view.counts.ongoing).toBeGreaterThan(50)
  expect(view.more.notices).toBeGreaterThan(0)
  expect(view.more.ongoing).toBeGreaterThan(0)
  // Both parts carry the same headline, totals, movers and counts of what is left out.
  const headline = `${view.counts.pools} pools, ${view.counts.alerts} over a threshold (${view.counts.new} new, ${view.counts.escalated} escalated, ${view.counts.cleared} cleared, ${view.counts.ongoing} ongoing), ${view.counts.errors} unreadable.`
  const totals = `All 9500 pools read: TVL ${view.totals.tvl} (${view.totals.tvlChange} since the previous day), fees ${view.totals.fees}.`
  for (const part of [html, text]) {
    expect(part).toContain(headline)
    expect(part).toContain(totals)
    expect(part).toContain(`${view.more.notices} more`)
    expect(part).toContain(`${view.more.ongoing} more`)
    expect(part).toContain(`${view.more.errors} more`)
    for (const row of view.pools) expect(part).toContain(row.poolId)
  }
  // The movers are the pools whose imbalance moved most.
  const moved = (id: string) => {
    const i = Number(id.split('-')[1])
    const at = (shift: number) => ((i * 7919 + shift * 104_729) % 2000) / 100
    return Math.abs(at(2) - at(1))
  }
  const cutoff = Math.min(...view.pools.map((row) => moved(row.poolId)))
  const bigger = today.pools.filter(
    (pool) => pool.status === 'ok' && moved(pool.pool.id) > cutoff + 1e-9,
  )
  expect(bigger.length).toBeLessThan(MOVERS)
}, 60_000)
