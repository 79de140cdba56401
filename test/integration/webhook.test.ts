import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { buildDigestView } from '../../lambda/email/digestView.ts'
import { postWebhook, webhookMessage } from '../../lambda/email/postWebhook.ts'
import { sampleConfig, sampleReport } from '../unit/sampleReport.ts'

let server: Server
let url: string
const received: { path: string; type: string; body: unknown }[] = []
let answer = 200

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        type: request.headers['content-type'] ?? '',
        body: JSON.parse(body),
      })
      response.statusCode = answer
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/s3cr3t-token`
})
afterAll(() => {
  server.close()
})

const digest = { name: 'daily', to: ['risk@example.com'], pools: '*' as const }
const links = { metrics: 'https://m', balances: 'https://b' }

test('the message is Slack JSON whose chain strings cannot make links or mentions', async () => {
  const evil = structuredClone(sampleReport) as typeof sampleReport
  const day = evil.pools[0] as Extract<(typeof evil.pools)[number], { status: 'ok' }>
  ;(day.tokens[1] as { symbol: string }).symbol = '<!channel>&<http://x|y>'
  const message = webhookMessage(buildDigestView(evil, digest, sampleConfig, links)!)!
  await postWebhook(url, message)
  expect(received.at(-1)).toEqual({
    path: '/services/T000/B000/s3cr3t-token',
    type: 'application/json',
    body: message,
  })
  expect(message.text).toBe('Pool report 2026-11-23 (daily): 2 new, 0 escalated, 0 cleared')
  const [block] = message.blocks
  expect(block!.text.text).toContain('&lt;!channel&gt;&amp;&lt;http://x|y&gt;')
  expect(block!.text.text).not.toContain('<')
  expect(block!.text.text.split('\n')).toHaveLength(2)
  expect(block!.text.text).toMatch(/^\*NEW\* `evil-pool` \(/)
})

test('no new, escalated or cleared alert: no message', () => {
  const calm = buildDigestView(
    sampleReport,
    { ...digest, thresholds: { imbalancePp: 90, ilPct: -90, priceDeviationPct: 90 } },
    sampleConfig,
    links,
  )!
  expect(webhookMessage(calm)).toBeUndefined()
})

test('a refused post is an error naming the status, never the secret URL', async () => {
  answer = 500
  const message = webhookMessage(buildDigestView(sampleReport, digest, sampleConfig, links)!)!
  const error = await postWebhook(url, message).catch((caught: Error) => caught)
  expect(String(error)).toBe('Error: the webhook answered HTTP 500')
  answer = 200
  server.closeAllConnections()
  const closed = await postWebhook(url.replace(/:\d+\//, ':1/'), message).catch(
    (caught: Error) => caught,
  )
  expect(String(closed)).toMatch(/^Error: the webhook could not be reached/)
  expect(String(closed)).not.toContain('s3cr3t')
})
