import { beforeAll, expect, test } from 'vitest'
import { parseConfig } from '../../lambda/config/loadConfig.ts'
import { composeMime } from '../../lambda/email/composeMime.ts'
import { buildDigestView, composition } from '../../lambda/email/digestView.ts'
import { type DigestRenderer, loadDigestRenderer } from '../../lambda/email/renderDigest.ts'
import { sampleConfig, sampleReport, sampleReportWithV3 } from './sampleReport.ts'

const links = {
  metrics: 'https://files.example/metrics.csv?sig=a&b=1',
  balances: 'https://files.example/balances.csv',
}
const digest = {
  name: 'daily',
  to: ['risk@example.com'],
  pools: '*' as const,
  thresholds: { imbalancePp: 5 },
}
let render: DigestRenderer

beforeAll(async () => {
  render = await loadDigestRenderer()
})

test('alerts come first and use the digest thresholds over the defaults', () => {
  const view = buildDigestView(sampleReport, digest, sampleConfig, links)!
  expect(view.counts).toEqual({
    pools: 2,
    ok: 1,
    errors: 1,
    alerts: 1,
    new: 2,
    escalated: 0,
    cleared: 0,
    ongoing: 0,
  })
  // Without a stored lifecycle every alert of the day is new.
  expect(view.notices.map(({ label, message }) => `${label} ${message}`)).toEqual([
    'NEW imbalance 25.00 pp (limit 5 pp); holds =HYPERLINK("http://evil") 75.0% / US,DC 25.0%',
    'NEW divergence loss -5.719% (limit -1%)',
  ])
  const loose = buildDigestView(
    sampleReport,
    { ...digest, thresholds: { imbalancePp: 30, ilPct: -10 } },
    sampleConfig,
    links,
  )!
  expect(loose.notices).toEqual([])
})

test('a digest whose pools are not in the run is skipped', () => {
  expect(
    buildDigestView(sampleReport, { ...digest, pools: ['elsewhere'] }, sampleConfig, links),
  ).toBeUndefined()
})

test('the HTML escapes strings from the chain; the text keeps them readable', () => {
  const evil = structuredClone(sampleReport) as typeof sampleReport
  const day = evil.pools[0] as Extract<(typeof evil.pools)[number], { status: 'ok' }>
  ;(day.tokens[1] as { symbol: string }).symbol = '<img src=x onerror=alert(1)>'
  const { subject, html, text } = render(buildDigestView(evil, digest, sampleConfig, links)!)
  // The only images are the digest's own charts.
  expect(html.match(/<img /g)).toHaveLength(html.match(/<img [^>]*src="cid:/g)!.length)
  expect(html).not.toContain('<img src=x')
  expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;')
  expect(html.indexOf('Alerts')).toBeLessThan(html.indexOf('All pools'))
  expect(html.indexOf('All pools')).toBeLessThan(html.indexOf('could not be read'))
  expect(html).toContain('href="https://files.example/metrics.csv?sig&#x3D;a&amp;b&#x3D;1"')
  expect(text).toContain('<img src=x onerror=alert(1)>')
  expect(text).toContain('metrics.csv:  https://files.example/metrics.csv?sig=a&b=1')
  expect(subject).toBe('Pool report 2026-11-23: 1 alerting (2 new), 1 unreadable (2 pools)')
})

test('an error message with a line break cannot break the subject or headers', async () => {
  const { subject, html, text } = render(
    buildDigestView(sampleReport, digest, sampleConfig, links)!,
  )
  expect(subject).not.toMatch(/[\r\n]/)
  const mime = (
    await composeMime(
      { from: 'report@example.com', to: ['risk@example.com'], subject, html, text },
      { messageId: '<x@y>', date: new Date('2026-11-24T00:00:00Z') },
    )
  ).toString()
  expect(mime).toContain('Content-Type: multipart/alternative')
  expect(mime).toContain('Content-Type: text/plain; charset=utf-8')
  expect(mime).toContain('Content-Type: text/html; charset=utf-8')
  expect(mime).toMatch(
    /^Subject: Pool report 2026-11-23: 1 alerting \(2 new\), 1 unreadable \(2 pools\)$/m,
  )
})

test('stable pools lead with what they hold, largest first, and are flagged over their limit', () => {
  const pool = parseConfig({
    chains: { devnet: { chainId: 31337, rpcUrl: 'http://127.0.0.1:1' } },
    pools: [
      {
        id: 'curve-3pool',
        chain: 'devnet',
        protocol: 'curve-stableswap',
        address: '0x0000000000000000000000000000000000000003',
      },
    ],
  }).pools[0]!
  const okDay = sampleReport.pools[0] as Extract<
    (typeof sampleReport.pools)[number],
    { status: 'ok' }
  >
  const coin = (symbol: string, shareEnd: number) => ({
    ...okDay.tokens[0]!,
    symbol,
    weight: 1 / 3,
    shareEnd,
  })
  const stable = {
    ...okDay,
    pool,
    alerts: [],
    tokens: [coin('DAI', 0.15), coin('USDC', 0.155), coin('USDT', 0.695)],
    metrics: { ...okDay.metrics, imbalanceEnd: 0.695 - 1 / 3, divergenceLoss: 0 },
    intraday: {
      samples: 25,
      imbalanceMax: 0.42,
      imbalanceTwa: 0.3,
      priceDeviationPeak: -0.012,
      hoursOverImbalance: 14,
      hoursOverDeviation: 3,
    },
  }
  const report = { ...sampleReport, pools: [stable] }
  const view = buildDigestView(report, digest, sampleConfig, links)!
  expect(view.stablePools).toEqual([
    {
      poolId: 'curve-3pool',
      composition: 'USDT 69.5% / USDC 15.5% / DAI 15.0%',
      imbalance: '36.17 pp',
      imbalancePeak: 'peak 42.00 pp, 14 h over',
      overLimit: '5 pp',
      bar: { cid: 'mix-0@pool-report', alt: 'Composition: USDT 69.5% / USDC 15.5% / DAI 15.0%' },
      legend: [
        { text: 'USDT 69.5%', color: '#2e90fa' },
        { text: 'USDC 15.5%', color: '#f79009' },
        { text: 'DAI 15.0%', color: '#12b76a' },
      ],
    },
  ])
  expect(view.charts).toContainEqual({
    cid: 'mix-0@pool-report',
    kind: 'composition',
    shares: [0.695, 0.155, 0.15],
    colors: ['#2e90fa', '#f79009', '#12b76a'],
  })
  expect(view.notices[0]!.message).toBe(
    'imbalance 36.17 pp (limit 5 pp); holds USDT 69.5% / USDC 15.5% / DAI 15.0%',
  )
  const { html, text } = render(view)
  expect(html.indexOf('Stable pools')).toBeLessThan(html.indexOf('All pools'))
  expect(html).toContain('36.17 pp out of balance (limit 5 pp)')
  expect(text).toContain(
    '- curve-3pool: USDT 69.5% / USDC 15.5% / DAI 15.0%, 36.17 pp out of balance (OVER the 5 pp limit)',
  )
  // Within its limit, a stable pool is listed without the flag; other pools are not listed.
  const calm = buildDigestView(
    report,
    { ...digest, thresholds: { imbalancePp: 40 } },
    sampleConfig,
    links,
  )!
  expect(calm.stablePools[0]).not.toHaveProperty('overLimit')
  expect(buildDigestView(sampleReport, digest, sampleConfig, links)!.stablePools).toEqual([])
})

test('a weighted pool’s composition shows the target of each token', () => {
  const okDay = sampleReport.pools[0] as Extract<
    (typeof sampleReport.pools)[number],
    { status: 'ok' }
  >
  expect(
    composition([
      { ...okDay.tokens[0]!, symbol: 'WETH', weight: 0.2, shareEnd: 0.196 },
      { ...okDay.tokens[1]!, symbol: 'LINK', weight: 0.8, shareEnd: 0.804 },
    ]),
  ).toBe('LINK 80.4% (target 80%) / WETH 19.6% (target 20%)')
})

test('a V3 pool carries its reference range into both bodies; other pools do not', () => {
  const view = buildDigestView(sampleReportWithV3, digest, sampleConfig, links)!
  const range = '±10% range: IL -9.465%, left the range'
  expect(view.pools.map((pool) => pool.range)).toEqual(['', range])
  const { html, text } = render(view)
  expect(html).toContain(`<br><span class="muted">${range}</span>`)
  expect(text).toContain(`    ${range}\n`)
})

test('a sampled pool shows the day’s peak and hours out of band next to its end values', () => {
  const view = buildDigestView(sampleReportWithV3, digest, sampleConfig, links)!
  expect(view.pools.map((pool) => [pool.imbalancePeak, pool.priceDeviationPeak])).toEqual([
    ['', ''],
    ['peak 1.23 pp, 3 h over', 'peak -2.15%, 10.3 h over'],
  ])
  const { html, text } = render(view)
  // Under the end value and its change since the day before (none stored here).
  expect(html).toContain(
    '0.25 pp<span class="delta">—</span><span class="muted peak">peak 1.23 pp, 3 h over</span>',
  )
  expect(html).toContain(
    '-1.00%<span class="delta">—</span><span class="muted peak">peak -2.15%, 10.3 h over</span>',
  )
  expect(text).toContain(
    '| price vs market -1.00% (—)\n    over the day: imbalance peak 1.23 pp, 3 h over | price vs market peak -2.15%, 10.3 h over\n',
  )
})
