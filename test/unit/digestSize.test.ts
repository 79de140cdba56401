import { expect, test } from 'vitest'
import { parseConfig } from '../../lambda/config/loadConfig.ts'
import { composeMime } from '../../lambda/email/composeMime.ts'
import { buildDigestView, digestObservations, MOVERS } from '../../lambda/email/digestView.ts'
import { drawCharts } from '../../lambda/email/drawCharts.ts'
import { loadDigestRenderer } from '../../lambda/email/renderDigest.ts'
import { advanceAlerts } from '../../lambda/report/alertLifecycle.ts'
import { addDays } from '../../lambda/report/date.ts'
import { parseStoredDay, renderStoredDay } from '../../lambda/report/storedDay.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import { sampleReport } from './sampleReport.ts'

const POOLS = 10_000
const DATE = '2026-11-23'
const template = sampleReport.pools[0] as Extract<PoolDay, { status: 'ok' }>
const config = parseConfig({
  chains: { devnet: { chainId: 31337, rpcUrl: 'http://127.0.0.1:1' } },
  pools: Array.from({ length: POOLS }, (_, i) => ({
    id: `pool-${i}`,
    chain: 'devnet',
    // One pool in ten is a stable pool with a composition bar.
    protocol: i % 10 === 0 ? 'curve-stableswap' : 'uniswap-v2',
    address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
  })),
})
const digest = { name: 'daily', to: ['risk@example.com'], pools: '*' as const }

/** A day of 10,000 pools: one in twenty unreadable, imbalances spread from 0 to 20 pp. */
function day(date: string, shift: number): DailyReport {
  return {
    ...sampleReport,
    date,
    pools: config.pools.map((pool, i): PoolDay => {
      if (i % 20 === 19) return { pool, chainId: 31337, status: 'error', error: 'x'.repeat(2000) }
      const imbalance = (((i * 7919 + shift * 104_729) % 2000) / 100) * 0.01
      return {
        ...template,
        pool,
        // Chain data of any length: a symbol of hundreds of characters.
        tokens: template.tokens.map((token) => ({
          ...token,
          symbol: `${token.symbol}${'Z'.repeat(300)}`,
        })),
        metrics: {
          ...template.metrics,
          imbalanceEnd: imbalance,
          priceDeviationEnd: (i % 7) * 0.001 * (shift % 2 ? 1 : -1),
          tvlUsdEnd: 1_000_000 + i * 10 + shift * 5000,
        },
      }
    }),
  }
}

test('10,000 pools: the HTML stays under 100 KB, the text says the same, the charts are few', async () => {
  // Prepare: yesterday stored, the lifecycle carried from it.
  const yesterday = day(addDays(DATE, -1), 1)
  const today = day(DATE, 2)
  const previous = advanceAlerts(
    undefined,
    yesterday.date,
    digestObservations(yesterday, digest, config),
  )
  const alerts = advanceAlerts(previous, DATE, digestObservations(today, digest, config))
  const history = [{ date: yesterday.date, stored: parseStoredDay(renderStoredDay(yesterday)) }]
  const render = await loadDigestRenderer()
  // Act
  const view = buildDigestView(
    today,
    digest,
    config,
    { metrics: 'https://m', balances: 'https://b' },
    {
      history,
      alerts,
    },
  )!
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
