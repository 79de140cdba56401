import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { DEVNET_RPC_ENV } from '../../devnet/devnetConfig.ts'
import { type CliIo, main } from '../../lambda/cli.ts'
import type { InvocationSummary } from '../../lambda/invocation/runInvocation.ts'
import { addDays } from '../../lambda/report/date.ts'
import { lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'
import {
  LOCAL_CREDENTIALS,
  type LocalService,
  type ReceivedEmail,
  removeFolder,
  type S3Request,
  serveFunctionUrl,
  serveLambdaApi,
  startS3rver,
  startSecretsManagerLocal,
  startSesLocal,
} from '../support/localAws.ts'
import { startRpcProxy } from '../support/rpcProxy.ts'

const devnet = sharedDevnet()
const date = lastSimulatedDay()
const BUCKET = 'pool-report-test'
const PREFIX = 'reports/'
const CONFIG_FILE = path.join(import.meta.dirname, '..', '..', 'config', 'devnet.json')
const config = JSON.parse(await readFile(CONFIG_FILE, 'utf8')) as { pools: { id: string }[] }

let s3rver: Awaited<ReturnType<typeof startS3rver>>
let ses: Awaited<ReturnType<typeof startSesLocal>>
let secrets: Awaited<ReturnType<typeof startSecretsManagerLocal>>
let rpc: Awaited<ReturnType<typeof startRpcProxy>>
let links: LocalService & { url: string }
let lambdaApi: LocalService
let s3: S3Client
let handler: (event: unknown) => Promise<InvocationSummary>
let localOut: string
const logLines: string[] = []

beforeAll(async () => {
  rpc = await startRpcProxy(devnet.rpcUrl)
  s3rver = await startS3rver([BUCKET])
  ses = await startSesLocal()
  secrets = await startSecretsManagerLocal({
    'pool-report/rpc-urls': JSON.stringify({ [DEVNET_RPC_ENV]: rpc.url }),
    'pool-report/link-key': randomBytes(32).toString('hex'),
  })
  const env = {
    ...LOCAL_CREDENTIALS,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: s3rver.endpoint,
    AWS_ENDPOINT_URL_SES: ses.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    REPORT_BUCKET: BUCKET,
    REPORT_PREFIX: PREFIX,
    CONFIG_URI: `s3://${BUCKET}/deploy/pools.json`,
    RPC_SECRET_ID: 'pool-report/rpc-urls',
    LINK_SECRET_ID: 'pool-report/link-key',
    REPORT_SENDER: 'pool-report@example.com',
    MAX_BACKFILL_DAYS: '3',
  }
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value)
  s3 = new S3Client({})
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'deploy/pools.json',
      Body: await readFile(CONFIG_FILE),
      ContentType: 'application/json',
    }),
  )
  // The link function first: the report function needs its URL.
  links = await serveFunctionUrl((await import('../../lambda/links/handler.ts')).handler)
  vi.stubEnv('LINK_BASE_URL', links.url)
  // Powertools writes structured logs (WARN and ERROR to stderr) and EMF metrics to stdout:
  // keep them for the checks, and out of the test report.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      logLines.push(...String(chunk).split('\n').filter(Boolean))
      return true
    })
  }
  handler = (await import('../../lambda/handler.ts')).handler
  lambdaApi = await serveLambdaApi({ 'pool-report-ReportFunction': (event) => handler(event) })
  vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', lambdaApi.endpoint)
  localOut = await mkdtemp(path.join(tmpdir(), 'pool-report-local-'))
})

afterAll(async () => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  await Promise.all([
    s3rver.stop(),
    ses.stop(),
    secrets.stop(),
    links.stop(),
    rpc.stop(),
    lambdaApi.stop(),
  ])
  await Promise.all([
    removeFolder(s3rver.directory),
    rm(localOut, { recursive: true, force: true }),
  ])
})

async function getObject(key: string) {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: PREFIX + key }))
  return { contentType: object.ContentType, body: await object.Body!.transformToString('utf-8') }
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: PREFIX + key }))
    return true
  } catch {
    return false
  }
}

/** The CLI's local run of the same date: the same `runReport`, so the same bytes. */
async function localCsv(day: string, file: 'metrics' | 'balances'): Promise<string> {
  const out = path.join(localOut, day)
  const status = await main(
    ['run', '--config', CONFIG_FILE, '--date', day, '--out', out, '--no-email'],
    {
      stdout: () => {},
      stderr: () => {},
      env: { [DEVNET_RPC_ENV]: devnet.rpcUrl },
      now: () => new Date(),
    },
  )
  expect(status).toBe(0)
  return readFile(path.join(out, `${file}/dt=${day}/${file}.csv`), 'utf8')
}

function linkIn(text: string, file: string): string {
  const match = new RegExp(`${file}:\\s+(\\S+)`).exec(text)
  if (!match) throw new Error(`no ${file} link in:\n${text}`)
  return match[1]!
}

// aws-ses-v2-local keeps a raw message's To header as one entry: "a@x, b@x".
const emailsTo = (received: readonly ReceivedEmail[], address: string) =>
  received.filter((email) =>
    email.destination.to.flatMap((to) => to.split(',').map((one) => one.trim())).includes(address),
  )

test('a bad payload is rejected with the field named, before any chain read', async () => {
  const before = rpc.requests
  const cases: [unknown, RegExp][] = [
    [{ date: '2026-02-30' }, /date: "2026-02-30" is not a calendar date/],
    [{ date: addDays(date, 1) }, /date: .* is not over yet/],
    [{ dat: date }, /Unrecognized key: "dat"/],
    [{ from: addDays(date, -5), to: date }, /to: a backfill covers at most 3 days/],
    [{ from: date }, /to: a backfill needs both from and to/],
    [{ date, dryRun: 'yes' }, /dryRun: Invalid input: expected boolean/],
    [{ date, recipients: ['not-an-address'] }, /recipients\[0\]: Invalid email/],
    [{ date, pools: ['nope'] }, /pools: "nope" not in the config/],
    [{ source: 'pool-report.schedule' }, /scheduledTime: Invalid input/],
  ]
  for (const [payload, message] of cases) {
    await expect(handler(payload), JSON.stringify(payload)).rejects.toThrow(message)
  }
  expect(rpc.requests).toBe(before)
})

test('a scheduled run writes the day to the bucket and emails the digest with working links', async () => {
  const summary = await handler({
    source: 'pool-report.schedule',
    scheduledTime: `${addDays(date, 1)}T01:30:00Z`,
  })
  expect(summary).toMatchObject({
    trigger: 'schedule',
    dates: [date],
    dryRun: false,
    emailsSent: 1,
    // The devnet's misconfigured pool is an error row: every chain answered, one pool did not.
    status: 'partial',
    runs: [{ status: 'partial', keptRows: [] }],
  })
  expect(summary.poolsOk + summary.poolsFailed).toBe(config.pools.length)
  const [run] = summary.runs
  expect(run!.failedPools.map((pool) => pool.poolId)).toContain('misconfigured-not-a-pair')
  expect(run!.written).toEqual([
    `s3://${BUCKET}/${PREFIX}metrics/dt=${date}/metrics.csv`,
    `s3://${BUCKET}/${PREFIX}balances/dt=${date}/balances.csv`,
    `s3://${BUCKET}/${PREFIX}runs/dt=${date}/pool-days.json`,
    `s3://${BUCKET}/${PREFIX}runs/dt=${date}/manifest.json`,
  ])

  const metrics = await getObject(`metrics/dt=${date}/metrics.csv`)
  const balances = await getObject(`balances/dt=${date}/balances.csv`)
  const manifest = await getObject(`runs/dt=${date}/manifest.json`)
  expect(metrics).toEqual({
    contentType: 'text/csv; charset=utf-8',
    body: await localCsv(date, 'metrics'),
  })
  expect(balances).toEqual({
    contentType: 'text/csv; charset=utf-8',
    body: await localCsv(date, 'balances'),
  })
  expect(manifest.contentType).toBe('application/json')
  const [email] = run!.emails
  expect(email).toMatchObject({ status: 'sent', digest: 'daily', to: ['risk@example.com'] })
  expect(JSON.parse(manifest.body)).toMatchObject({
    date,
    emails: [{ digest: 'daily', to: ['risk@example.com'], id: (email as { id: string }).id }],
  })

  const received = await ses.received()
  expect(received).toHaveLength(1)
  const [message] = received
  expect(message).toMatchObject({
    messageId: (email as { id: string }).id,
    from: 'pool-report@example.com',
    destination: { to: ['risk@example.com'] },
    subject: expect.stringContaining(`Pool report ${date}`),
  })
  expect(message!.body.text).toContain(`Pool report for ${date} (UTC)`)
  expect(message!.body.html).toContain('<h2')
  // The digest covers every pool: its attachment is the day's metrics.csv; its charts are
  // inline images of the HTML.
  const [attached, ...others] = message!.attachments.filter((part) => !part.related)
  expect(others).toEqual([])
  expect(attached).toEqual(
    expect.objectContaining({ filename: `metrics-${date}.csv`, contentType: 'text/csv' }),
  )
  expect(Buffer.from(attached!.content, 'base64').toString('utf8')).toBe(metrics.body)
  const images = message!.attachments.filter((part) => part.related)
  expect(images.length).toBeGreaterThan(0)
  for (const image of images) {
    expect(image.contentType).toBe('image/png')
    // The HTML shows it: mailparser turns each cid: reference into the part's data URI.
    expect(message!.body.html).toContain(`src="data:image/png;base64,${image.content}"`)
  }
  for (const [file, expected] of [
    ['metrics.csv', metrics.body],
    ['balances.csv', balances.body],
  ] as const) {
    const link = linkIn(message!.body.text!, file)
    expect(link.startsWith(links.url), link).toBe(true)
    expect(message!.body.html).toContain(
      `href="${link.replaceAll('&', '&amp;').replaceAll('=', '&#x3D;')}"`,
    )
    // The link function redirects to a fresh presigned URL; s3rver checks its signature.
    const response = await fetch(link)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="/)
    expect(await response.text()).toBe(expected)
  }
  const tampered = linkIn(message!.body.text!, 'metrics.csv').replace(
    `dt=${date}`,
    `dt=${addDays(date, -1)}`,
  )
  expect((await fetch(tampered, { redirect: 'manual' })).status).toBe(403)
})

test('a second invocation for the same date sends nothing; force sends again', async () => {
  const again = await handler({ date })
  expect(again.runs[0]!.emails).toEqual([expect.objectContaining({ status: 'already-sent' })])
  expect(again.emailsSent).toBe(0)
  expect(emailsTo(await ses.received(), 'risk@example.com')).toHaveLength(1)

  const forced = await handler({ date, force: true })
  expect(forced.runs[0]!.emails).toEqual([expect.objectContaining({ status: 'sent' })])
  const received = emailsTo(await ses.received(), 'risk@example.com')
  expect(received).toHaveLength(2)
  const manifest = JSON.parse((await getObject(`runs/dt=${date}/manifest.json`)).body)
  expect(manifest.emails).toEqual([
    expect.objectContaining({ id: (forced.runs[0]!.emails[0] as { id: string }).id }),
  ])
})

// Run after the date was written and emailed: a bad payload changes none of it.
test.each<[string, (day: string) => unknown, RegExp]>([
  [
    'a date not in the calendar',
    () => ({ date: '2026-02-30' }),
    /date: "2026-02-30" is not a calendar date/,
  ],
  ['a day not over', (day) => ({ date: addDays(day, 2) }), /date: .* is not over yet/],
  ['a date as a number', () => ({ date: 20261120 }), /date: .*expected string/],
  ['a misspelled field', (day) => ({ dat: day }), /Unrecognized key: "dat"/],
  [
    'a date and a backfill at once',
    (day) => ({ date: day, from: day, to: day }),
    /date: give date, or from and to/,
  ],
  [
    'a backfill longer than the stack allows',
    (day) => ({ from: addDays(day, -5), to: day }),
    /to: a backfill covers at most 3 days/,
  ],
  ['a backfill without its end', (day) => ({ from: day }), /to: a backfill needs both from and to/],
  [
    'a backfill that ends before it starts',
    (day) => ({ from: day, to: addDays(day, -1) }),
    /to: .* is before from/,
  ],
  [
    'a flag that is not a boolean',
    (day) => ({ date: day, dryRun: 'yes' }),
    /dryRun: Invalid input: expected boolean/,
  ],
  [
    'a recipient that is not an address',
    (day) => ({ date: day, recipients: ['not-an-address'] }),
    /recipients\[0\]: Invalid email/,
  ],
  ['an unknown pool', (day) => ({ date: day, pools: ['nope'] }), /pools: "nope" not in the config/],
  ['an empty pool list', (day) => ({ date: day, pools: [] }), /pools: Too small/],
  [
    'a schedule event without its time',
    () => ({ source: 'pool-report.schedule' }),
    /scheduledTime: Invalid input/,
  ],
  [
    'a payload that is a string',
    () => 'report yesterday please',
    /\(top level\): Invalid input: expected object/,
  ],
])(
  'a bad payload on a written date is refused and changes nothing: %s',
  async (_, payload, message) => {
    const [objects, emails, requests] = [
      await objectsOf(date),
      (await ses.received()).length,
      rpc.requests,
    ]
    await expect(handler(payload(date))).rejects.toThrow(message)
    expect(rpc.requests).toBe(requests)
    expect((await ses.received()).length).toBe(emails)
    expect(await objectsOf(date)).toEqual(objects)
  },
)

test('a dry run computes the day and returns its rows, and writes and sends nothing', async () => {
  const day = addDays(date, -1)
  const sent = (await ses.received()).length
  const summary = await handler({ date: day, dryRun: true, pools: ['uni-v2-dai-usdc'] })
  expect(summary.runs[0]).toMatchObject({ date: day, poolsOk: 1, written: [], emails: [] })
  expect(summary.runs[0]!.metrics).toEqual([
    expect.objectContaining({ pool_id: 'uni-v2-dai-usdc', status: 'ok', date: day }),
  ])
  expect(await exists(`metrics/dt=${day}/metrics.csv`)).toBe(false)
  expect((await ses.received()).length).toBe(sent)
})

test('a backfill runs each day in order; recipients replace the digest’s', async () => {
  const from = addDays(date, -3)
  const to = addDays(date, -2)
  const summary = await handler({ from, to, recipients: ['ops@example.com'] })
  expect(summary.dates).toEqual([from, to])
  expect(summary.runs.map((run) => run.written.length)).toEqual([4, 4])
  expect(await exists(`metrics/dt=${from}/metrics.csv`)).toBe(true)
  const received = emailsTo(await ses.received(), 'ops@example.com')
  expect(received.map((email) => email.subject)).toEqual([
    expect.stringContaining(from),
    expect.stringContaining(to),
  ])
  // Those copies were not the digest's delivery: its own recipients still get theirs, once.
  const toRisk = async () =>
    emailsTo(await ses.received(), 'risk@example.com').filter((email) =>
      email.subject.includes(from),
    )
  expect(await toRisk()).toHaveLength(0)
  expect((await handler({ date: from })).runs[0]!.emails).toEqual([
    expect.objectContaining({ status: 'sent', to: ['risk@example.com'] }),
  ])
  expect((await handler({ date: from, recipients: ['ops@example.com'] })).runs[0]!.emails).toEqual([
    expect.objectContaining({ status: 'already-sent', to: ['ops@example.com'] }),
  ])
  expect(await toRisk()).toHaveLength(1)
})

test('two invocations at once for one date send one email', async () => {
  const day = addDays(date, -4)
  const summaries = await Promise.all([handler({ date: day }), handler({ date: day })])
  const statuses = summaries.map((summary) => summary.runs[0]!.emails[0]!.status).sort()
  // The loser finds the winner's claim, or its record if the winner has finished by then.
  expect(statuses).toContain('sent')
  expect(statuses.filter((status) => status !== 'sent')).toEqual([
    expect.stringMatching(/^(unconfirmed|already-sent)$/),
  ])
  const received = (await ses.received()).filter((email) => email.subject.includes(day))
  expect(received).toHaveLength(1)
})

test('when S3 fails nothing is sent and the run fails', async () => {
  const day = addDays(date, -5)
  const sent = (await ses.received()).length
  await s3rver.stop()
  try {
    await expect(handler({ date: day })).rejects.toThrow()
  } finally {
    s3rver = await startS3rver([BUCKET], s3rver.directory, s3rver.port)
  }
  expect((await ses.received()).length).toBe(sent)
  expect(await exists(`runs/dt=${day}/manifest.json`)).toBe(false)
})

test('when SES fails the files stay, and a re-run sends only what is missing', async () => {
  const day = addDays(date, -6)
  const received = await ses.received()
  await ses.stop()
  try {
    await expect(handler({ date: day })).rejects.toThrow(
      /digest\(s\) of .* could not be sent: daily/,
    )
  } finally {
    ses = await startSesLocal(ses.port)
  }
  expect(await exists(`metrics/dt=${day}/metrics.csv`)).toBe(true)
  expect(await exists(`runs/dt=${day}/deliveries/daily.json`)).toBe(false)
  const rerun = await handler({ date: day })
  expect(rerun.emailsSent).toBe(1)
  expect((await ses.received()).length).toBe(received.length + 1)
})

/** Every object of a date under the prefix, by key (data files, manifest, lock, deliveries). */
async function objectsOf(day: string): Promise<Map<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }))
  const keys = (listed.Contents ?? [])
    .map((object) => object.Key!.slice(PREFIX.length))
    .filter((key) => key.includes(`/dt=${day}/`))
    .sort()
  return new Map(
    await Promise.all(keys.map(async (key) => [key, (await getObject(key)).body] as const)),
  )
}

/** Emails that went to an address about a date. */
const emailsAbout = async (day: string, address: string) =>
  emailsTo(await ses.received(), address).filter((email) => email.subject.includes(day))

// The staged manifest is the last upload of the set; the moves into place come after it.
const stagedManifest = ({ method, key }: S3Request) =>
  method === 'PUT' && key.includes('/staging/') && key.endsWith('/manifest.json')

test('S3 failing after the CSV uploads, before the manifest: the date keeps its files, no email; the retry sends one', async () => {
  const day = addDays(date, -2) // written by the backfill, its digest not yet delivered
  const before = await objectsOf(day)
  expect(before.has(`metrics/dt=${day}/metrics.csv`)).toBe(true)
  s3rver.failWhen(stagedManifest)
  try {
    await expect(handler({ date: day })).rejects.toThrow(/internal error/i)
  } finally {
    s3rver.failWhen(undefined)
  }
  // Byte for byte: no part replaced, nothing staged left over, the lock released.
  expect(await objectsOf(day)).toEqual(before)
  expect(await emailsAbout(day, 'risk@example.com')).toHaveLength(0)
  const retry = await handler({ date: day })
  expect(retry.runs[0]!.emails).toEqual([expect.objectContaining({ status: 'sent' })])
  expect(await emailsAbout(day, 'risk@example.com')).toHaveLength(1)
})

test('S3 going down mid-run: the date keeps its files and its lock until expiry; the retry sends no second email', async () => {
  const day = addDays(date, -3) // complete, its digest delivered by the backfill test
  const before = await objectsOf(day)
  const sent = (await emailsAbout(day, 'risk@example.com')).length
  expect(sent).toBe(1)
  let stopping: Promise<void> | undefined
  s3rver.failWhen((request) => {
    if (stagedManifest(request)) stopping ??= s3rver.stop()
    return stopping !== undefined
  })
  try {
    await expect(handler({ date: day })).rejects.toThrow()
  } finally {
    await stopping
    s3rver = await startS3rver([BUCKET], s3rver.directory, s3rver.port)
  }
  // The run could not release its lock: it stays until its expiry. Nor could it remove what
  // it had staged (outside the tables, under runs/dt=D/staging/). Every earlier file is as it was.
  const after = await objectsOf(day)
  const lockKey = `runs/dt=${day}/lock.json`
  const lock = JSON.parse(after.get(lockKey)!) as { expiresAt: string }
  after.delete(lockKey)
  for (const key of after.keys()) if (key.startsWith(`runs/dt=${day}/staging/`)) after.delete(key)
  expect(after).toEqual(before)
  expect(Date.parse(lock.expiresAt)).toBeGreaterThan(Date.now())
  // As the lock looks once its time-to-live has passed (a test cannot wait 15 minutes).
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: PREFIX + lockKey,
      Body: JSON.stringify({ ...lock, expiresAt: new Date(Date.now() - 1000).toISOString() }),
    }),
  )
  const retry = await handler({ date: day })
  expect(retry.runs[0]!.emails).toEqual([expect.objectContaining({ status: 'already-sent' })])
  expect(await emailsAbout(day, 'risk@example.com')).toHaveLength(sent)
  expect((await objectsOf(day)).has(lockKey)).toBe(false)
})

test('S3 failing the delivery claim: the files are complete, nothing is sent; the retry sends one', async () => {
  const day = addDays(date, -5) // nothing written yet: the S3 outage test above wrote nothing
  const claim = `runs/dt=${day}/deliveries/daily.json`
  s3rver.failWhen(({ method, key }) => method === 'PUT' && key === PREFIX + claim)
  try {
    await expect(handler({ date: day })).rejects.toThrow(
      /digest\(s\) of .* could not be sent: daily/,
    )
  } finally {
    s3rver.failWhen(undefined)
  }
  const files = await objectsOf(day)
  expect([...files.keys()]).toEqual([
    `balances/dt=${day}/balances.csv`,
    `metrics/dt=${day}/metrics.csv`,
    `runs/dt=${day}/manifest.json`,
    `runs/dt=${day}/pool-days.json`,
  ])
  expect(await emailsAbout(day, 'risk@example.com')).toHaveLength(0)
  expect((await handler({ date: day })).emailsSent).toBe(1)
  expect(await emailsAbout(day, 'risk@example.com')).toHaveLength(1)
})

test('S3 failing to confirm a digest SES accepted: the retry finds the claim and sends no second email', async () => {
  const day = addDays(date, -4)
  const to = ['confirm@example.com']
  // A copy to other recipients has its own delivery record, so this date can take it.
  s3rver.failWhen(
    ({ method, key, conditional }) =>
      method === 'PUT' &&
      key.startsWith(`${PREFIX}runs/dt=${day}/deliveries/daily.to-`) &&
      !conditional,
  )
  try {
    await expect(handler({ date: day, recipients: to })).rejects.toThrow(/could not be sent/)
  } finally {
    s3rver.failWhen(undefined)
  }
  expect(await emailsAbout(day, to[0]!)).toHaveLength(1)
  const retry = await handler({ date: day, recipients: to })
  expect(retry.runs[0]!.emails).toEqual([expect.objectContaining({ status: 'unconfirmed' })])
  expect(await emailsAbout(day, to[0]!)).toHaveLength(1)
})

test('SES answering 500: the files stay, the claim is released; the retry sends exactly one', async () => {
  const day = addDays(date, -6)
  const to = ['ses-outage@example.com']
  const port = ses.port
  await ses.stop()
  // A server on SES's port that answers every request as SES does in an outage.
  const outage = createServer((_request, response) => {
    response.writeHead(500, { 'Content-Type': 'text/xml' })
    response.end(
      '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>Internal failure</Message></Error><RequestId>1</RequestId></ErrorResponse>',
    )
  })
  await new Promise<void>((resolve) => outage.listen(port, '127.0.0.1', resolve))
  try {
    await expect(handler({ date: day, recipients: to })).rejects.toThrow(
      /digest\(s\) of .* could not be sent: daily \(.*Internal failure/,
    )
  } finally {
    outage.closeAllConnections()
    await new Promise((resolve) => outage.close(resolve))
    ses = await startSesLocal(port)
  }
  expect((await objectsOf(day)).has(`metrics/dt=${day}/metrics.csv`)).toBe(true)
  const retry = await handler({ date: day, recipients: to })
  expect(retry.runs[0]!.emails).toEqual([expect.objectContaining({ status: 'sent' })])
  expect(await emailsAbout(day, to[0]!)).toHaveLength(1)
})

async function cli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    env: {},
    now: () => new Date(),
  }
  return { status: await main(args, io), stdout, stderr }
}

test('pool-report invoke runs the function through the Lambda API and prints its summary', async () => {
  const day = addDays(date, -1)
  const { status, stdout, stderr } = await cli([
    'invoke',
    '--function',
    'pool-report-ReportFunction',
    '--date',
    day,
    '--pools',
    'uni-v2-weth-usdc,uni-v2-dai-usdc',
    '--dry-run',
  ])
  expect(stderr).toBe('')
  expect(status).toBe(0)
  const summary = JSON.parse(stdout) as InvocationSummary
  expect(summary).toMatchObject({ trigger: 'manual', dates: [day], dryRun: true, poolsOk: 2 })
  expect(summary.runs[0]!.metrics!.map((row) => row.pool_id)).toEqual([
    'uni-v2-weth-usdc',
    'uni-v2-dai-usdc',
  ])
})

test('pool-report invoke prints the function’s error, and checks flags before calling', async () => {
  const failed = await cli([
    'invoke',
    '--function',
    'pool-report-ReportFunction',
    '--date',
    addDays(date, 1),
  ])
  expect(failed.status).toBe(1)
  expect(failed.stderr).toMatch(
    /failed: InvalidInputError: Invalid payload:\n {2}- date: .* is not over yet/,
  )
  const offline = await cli(['invoke', '--function', 'x', '--from', date])
  expect(offline.status).toBe(2)
  expect(offline.stderr).toContain('to: a backfill needs both from and to')
  expect((await cli(['invoke', '--date', date])).stderr).toContain('--function NAME is required')
})

test('secrets are read once per cold start', () => {
  expect(secrets.requested.filter((id) => id === 'pool-report/rpc-urls')).toHaveLength(1)
  // Once by the report function, once by the link function: two cold starts in this process.
  expect(secrets.requested.filter((id) => id === 'pool-report/link-key')).toHaveLength(2)
})

test('logs are JSON with the run summary and the metrics, and never show the RPC URL', () => {
  const entries = logLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
  expect(entries.find((entry) => entry.message === 'Run summary')).toMatchObject({
    level: 'INFO',
    service: 'pool-report',
    summary: { trigger: 'schedule', dates: [date] },
  })
  const emf = entries.find((entry) => entry._aws?.CloudWatchMetrics)
  expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
    Namespace: 'PoolImbalanceReport',
    // The FailedPools alarm watches this namespace, name and dimension.
    Dimensions: [['service']],
    Metrics: expect.arrayContaining([{ Name: 'PoolsFailed', Unit: 'Count' }]),
  })
  expect(emf.service).toBe('pool-report')
  expect(entries.find((entry) => entry.message === 'Invocation rejected')).toMatchObject({
    level: 'WARN',
    error: { name: 'InvalidInputError' },
  })
  expect(logLines.join('\n')).not.toContain(rpc.apiKey)
})

// Last: it starts a second copy of the function (module state, cold start) in this process.
test('the deployment’s recipients are the digests’ own: that send is the date’s delivery', async () => {
  // A second deployment of the function (its own module state) with the stack's recipients.
  vi.stubEnv('REPORT_RECIPIENTS', 'team@example.com, desk@example.com')
  vi.stubEnv('REPORT_PREFIX', 'team/')
  vi.resetModules()
  const deployed = (await import('../../lambda/handler.ts')).handler
  const team = ['team@example.com', 'desk@example.com']
  const day = addDays(date, -6)
  const first = await deployed({ date: day, pools: ['uni-v2-dai-usdc'], force: true })
  expect(first.runs[0]!.emails).toEqual([expect.objectContaining({ status: 'sent', to: team })])
  const manifest = await s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: `team/runs/dt=${day}/manifest.json` }),
  )
  expect(JSON.parse(await manifest.Body!.transformToString()).emails).toEqual([
    expect.objectContaining({ digest: 'daily', to: team }),
  ])
  expect((await deployed({ date: day })).runs[0]!.emails).toEqual([
    expect.objectContaining({ status: 'already-sent', to: team }),
  ])
  expect(emailsTo(await ses.received(), 'desk@example.com')).toHaveLength(1)
})
