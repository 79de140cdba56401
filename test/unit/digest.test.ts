import { beforeAll, expect, test } from 'vitest'
import { composeMime } from '../../lambda/email/composeMime.ts'
import { buildDigestView } from '../../lambda/email/digestView.ts'
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
  expect(view.counts).toEqual({ pools: 2, ok: 1, errors: 1, alerts: 1 })
  expect(view.alerts[0]!.messages).toEqual([
    'imbalance 25.00 pp (limit 5 pp); holds =HYPERLINK("http://evil") 75.0% / US,DC 25.0%',
    'divergence loss -5.719% (limit -1%)',
  ])
  const loose = buildDigestView(
    sampleReport,
    { ...digest, thresholds: { imbalancePp: 30, ilPct: -10 } },
    sampleConfig,
    links,
  )!
  expect(loose.alerts).toEqual([])
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
  expect(html).not.toContain('<img')
  expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;')
  expect(html.indexOf('Alerts')).toBeLessThan(html.indexOf('All pools'))
  expect(html.indexOf('All pools')).toBeLessThan(html.indexOf('could not be read'))
  expect(html).toContain('href="https://files.example/metrics.csv?sig&#x3D;a&amp;b&#x3D;1"')
  expect(text).toContain('<img src=x onerror=alert(1)>')
  expect(text).toContain('metrics.csv:  https://files.example/metrics.csv?sig=a&b=1')
  expect(subject).toBe('Pool report 2026-11-23: 1 alerting, 1 unreadable (2 pools)')
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
  expect(mime).toMatch(/^Subject: Pool report 2026-11-23: 1 alerting, 1 unreadable \(2 pools\)$/m)
})

test('a V3 pool carries its reference range into both bodies; other pools do not', () => {
  const view = buildDigestView(sampleReportWithV3, digest, sampleConfig, links)!
  const range = '±10% range: IL -9.465%, left the range'
  expect(view.pools.map((pool) => pool.range)).toEqual(['', range])
  const { html, text } = render(view)
  expect(html).toContain(`<td style="text-align:left">${range}</td>`)
  expect(text).toContain(`    ${range}\n`)
})
