import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEVNET_RPC_ENV } from '../../devnet/devnetConfig.ts'
import { type CliIo, main } from '../../lambda/cli.ts'
import { addDays } from '../../lambda/report/date.ts'
import { lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'

/** The devnet's pools that read ok (all but the misconfigured one). */
const OK_POOLS = 21

// Six dates of the simulated week, run in order through the CLI; one date in the middle is
// never run (a gap). Email (and the webhook) only for the last three dates, from the day after
// the gap: the alert lifecycle advances on every run.
const devnet = sharedDevnet()
const last = lastSimulatedDay()
const GAP = addDays(last, -3)
const DATES = [-6, -5, -4, -2, -1, 0].map((offset) => addDays(last, offset))
const EMAIL_DATES = DATES.slice(-3)
const CONFIG = path.join(import.meta.dirname, '..', '..', 'config', 'devnet.json')
const WEBHOOK_ENV = 'TEST_DIGEST_WEBHOOK'

let out: string
let config: string
let webhook: Server
const posts: { date: string; body: { text: string; blocks: { text: { text: string } }[] } }[] = []
let postingDate = ''

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'digest-history-'))
  webhook = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      posts.push({ date: postingDate, body: JSON.parse(body) })
      response.end('ok')
    })
  })
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve))
  const devnetConfig = JSON.parse(await readFile(CONFIG, 'utf8'))
  devnetConfig.digests[0].webhookUrlEnv = WEBHOOK_ENV
  config = path.join(out, 'config.json')
  await writeFile(config, JSON.stringify(devnetConfig))
})
afterAll(async () => {
  webhook.close()
  await rm(out, { recursive: true, force: true })
})

async function run(date: string) {
  postingDate = date
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    env: {
      [DEVNET_RPC_ENV]: devnet.rpcUrl,
      [WEBHOOK_ENV]: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/secret`,
    },
    now: () => new Date(Number(devnet.endTime) * 1000 + 3_600_000),
  }
  const args = ['run', '--config', config, '--date', date, '--out', out]
  const status = await main(EMAIL_DATES.includes(date) ? args : [...args, '--no-email'], io)
  expect(stderr).toBe('')
  expect(status).toBe(0)
  return stdout
}

type Row = Record<string, string>
const readCsv = async (date: string): Promise<Row[]> =>
  parse(await readFile(path.join(out, `metrics/dt=${date}/metrics.csv`)), { columns: true })

/**
 * The lifecycle as DESIGN.md states it, written apart from the report's code: each alert's
 * severity against its threshold, the previous reported date's open alerts, escalation by 5 pp
 * or 0.5 points over the value last notified, clearing 20% under the threshold.
 */
function expectedLifecycle(days: readonly Row[][]) {
  type Open = { notified: number; status: string }
  const severity = {
    imbalance: (row: Row) => Number(row.imbalance_pp_end),
    price_deviation: (row: Row) => Math.abs(Number(row.price_deviation_pct_end)),
    il: (row: Row) => -Number(row.il_pct),
  }
  const limit = { imbalance: 5, price_deviation: 0.5, il: 1 }
  const step = { imbalance: 5, price_deviation: 0.5, il: 0.5 }
  let open = new Map<string, Open>()
  return days.map((rows) => {
    const next = new Map<string, Open>()
    for (const row of rows) {
      for (const code of ['imbalance', 'price_deviation', 'il'] as const) {
        const key = `${row.pool_id}/${code}`
        const before = open.get(key)
        if (row.status !== 'ok') {
          if (before) next.set(key, before)
          continue
        }
        const value = severity[code](row)
        if (!before) {
          if (value > limit[code]) next.set(key, { notified: value, status: 'new' })
        } else if (value <= limit[code] * 0.8) {
          next.set(key, { notified: before.notified, status: 'cleared' })
        } else if (value - before.notified >= step[code] - 1e-9) {
          next.set(key, { notified: value, status: 'escalated' })
        } else {
          next.set(key, { notified: before.notified, status: 'ongoing' })
        }
      }
    }
    const statuses = Object.fromEntries([...next].map(([key, entry]) => [key, entry.status]))
    open = new Map([...next].filter(([, entry]) => entry.status !== 'cleared'))
    return statuses
  })
}

test('a week through the CLI: lifecycle day by day, deltas from the stored days, charts, webhook', async () => {
  for (const date of DATES) await run(date)

  // Lifecycle: the state file holds each run date, as DESIGN's rules give from the CSVs.
  const csvs = await Promise.all(DATES.map(readCsv))
  const state = JSON.parse(await readFile(path.join(out, 'state/alerts/daily.json'), 'utf8'))
  expect(Object.keys(state.dates)).toEqual(DATES)
  const actual = DATES.map((date) =>
    Object.fromEntries(
      Object.entries(state.dates[date] as Record<string, Record<string, { status: string }>>)
        .flatMap(([pool, codes]) =>
          Object.entries(codes).map(([code, entry]) => [`${pool}/${code}`, entry.status]),
        )
        .sort(),
    ),
  )
  expect(actual).toEqual(
    expectedLifecycle(csvs).map((day) => Object.fromEntries(Object.entries(day).sort())),
  )
  const seen = new Set(actual.flatMap((day) => Object.values(day)))
  expect(seen).toContain('new')
  expect(seen).toContain('ongoing')
  // The 1% V3 pool sits over its price threshold most days: one notice, then ongoing lines.
  expect(actual.at(-1)!['uni-v3-link-weth-100/price_deviation']).toMatch(/ongoing|escalated/)

  // Deltas in the last digest's text part: each equals the difference of the two stored days.
  const text = await readFile(path.join(out, `emails/dt=${last}/daily.txt`), 'utf8')
  const [yesterday, today] = csvs.slice(-2) as [Row[], Row[]]
  let checked = 0
  for (const row of today.filter((candidate) => candidate.status === 'ok')) {
    const before = yesterday.find((candidate) => candidate.pool_id === row.pool_id)!
    const sign = (value: number, digits: number) => {
      const text = value.toFixed(digits)
      return `${value > 0 && Number(text) !== 0 ? '+' : ''}${Number(text) === 0 ? (0).toFixed(digits) : text}`
    }
    const imbalance = sign(Number(row.imbalance_pp_end) - Number(before.imbalance_pp_end), 2)
    const tvl = sign((Number(row.tvl_usd_end) / Number(before.tvl_usd_end) - 1) * 100, 1)
    const deviation = sign(
      Number(row.price_deviation_pct_end) - Number(before.price_deviation_pct_end),
      2,
    )
    const block = text.slice(text.indexOf(`- ${row.pool_id} [`))
    expect(block).toMatch(
      new RegExp(
        `^- ${row.pool_id} .*\\n    TVL \\S+ \\(${regexSafe(tvl)}%\\) \\| imbalance [\\d.]+ pp \\(${regexSafe(imbalance)} pp\\) \\| price vs market \\S+ \\(${regexSafe(deviation)} pp\\)`,
      ),
    )
    checked++
  }
  expect(checked).toBe(OK_POOLS)
  // The day after the gap has no change to show for any pool.
  const afterGap = await readFile(path.join(out, `emails/dt=${addDays(GAP, 1)}/daily.txt`), 'utf8')
  expect(
    afterGap.match(/TVL \S+ \(—\) \| imbalance [\d.]+ pp \(—\) \| price vs market \S+ \(—\)/g),
  ).toHaveLength(OK_POOLS)
  expect(text).toMatch(/7 days: imbalance [-\d.]+ → [-\d.]+ pp, TVL .* \(6 of 7 days\)/)

  // Charts: a PNG part per pool row and per stable pool, each referred to by the HTML.
  const eml = await readFile(path.join(out, `emails/dt=${last}/daily.eml`), 'utf8')
  const html = await readFile(path.join(out, `emails/dt=${last}/daily.html`), 'utf8')
  const ids = [...eml.matchAll(/^Content-ID: <([^>]+)>$/gm)].map((match) => match[1]!)
  expect(ids.filter((id) => id.startsWith('trend-'))).toHaveLength(OK_POOLS)
  // Stable pools: five Curve pools and four Balancer stable pools.
  expect(ids.filter((id) => id.startsWith('mix-'))).toHaveLength(9)
  for (const id of ids) expect(html).toContain(`src="cid:${id}"`)
  expect(eml.match(/^Content-Type: image\/png/gm)).toHaveLength(ids.length)
  expect(eml).toContain('Content-Type: multipart/related')
  const png = Buffer.from(
    eml
      .split('Content-ID: <trend-0@pool-report>')[1]!
      .split(/\r?\n\r?\n/)[1]!
      .split('--')[0]!
      .replace(/\s/g, ''),
    'base64',
  )
  expect(png.subarray(1, 4).toString()).toBe('PNG')

  // Webhook: the email dates that had new, escalated or cleared alerts, one post each.
  const expected = expectedLifecycle(csvs).slice(-EMAIL_DATES.length)
  const notifying = EMAIL_DATES.filter((_, i) =>
    Object.values(expected[i]!).some((status) => status !== 'ongoing'),
  )
  expect(posts.map((post) => post.date)).toEqual(notifying)
  for (const post of posts) {
    expect(post.body.text).toMatch(
      /^Pool report \d{4}-\d\d-\d\d \(daily\): \d+ new, \d+ escalated, \d+ cleared$/,
    )
    expect(post.body.blocks[0]!.text.text).toMatch(/^\*(NEW|ESCALATED|CLEARED|REMINDER)\* `/)
  }
  // A re-run of a date posts nothing again.
  await run(last)
  expect(posts.map((post) => post.date)).toEqual(notifying)
})

function regexSafe(text: string): string {
  return text.replace(/[.+]/g, '\\$&')
}
