import { randomUUID } from 'node:crypto'
import type { ChainClient } from './chain/createChainClient.ts'
import type { Config, DigestConfig, PoolConfig } from './config/schema.ts'
import type { DigestEmail } from './email/composeMime.ts'
import { type DeliveryOutcome, deliverOnce, readDeliveryRecord } from './email/deliverOnce.ts'
import type { DigestSender } from './email/digestSender.ts'
import {
  buildDigestView,
  type DigestLinks,
  type DigestView,
  digestCovers,
  digestObservations,
} from './email/digestView.ts'
import { loadDrawCharts } from './email/loadDrawCharts.ts'
import { postWebhook, webhookMessage } from './email/postWebhook.ts'
import type { DigestRenderer } from './email/renderDigest.ts'
import {
  ChainUnavailableError,
  DeliveryError,
  errorMessage,
  InvalidInputError,
  RunTimeoutError,
} from './errors.ts'
import { renderBalancesCsv } from './output/balancesCsv.ts'
import { acquireDateLock, type DateLock } from './output/dateLock.ts'
import { type ManifestEmail, renderManifest, reportStatus } from './output/manifest.ts'
import { renderMetricsCsv } from './output/metricsCsv.ts'
import { objectKeys } from './output/objectKeys.ts'
import { CONTENT_TYPES, type ObjectStore } from './output/objectStore.ts'
import { replaceDaySet } from './output/replaceDaySet.ts'
import type { AlertDay } from './report/alertLifecycle.ts'
import { recordDigestAlerts } from './report/alertState.ts'
import { buildDailyReport } from './report/buildDailyReport.ts'
import { addDays } from './report/date.ts'
import { HISTORY_DAYS } from './report/history.ts'
import { readDaysBefore, readStoredDay } from './report/readStoredDay.ts'
import { renderStoredDay, withStoredPools } from './report/storedDay.ts'
import type { DailyReport, FailedReread } from './report/types.ts'

/** How long a date's lock holds if its run dies without releasing it: the longest Lambda run. */
const DEFAULT_LOCK_TTL_MS = 15 * 60_000
/** How long a run waits for another run of the same date to finish before failing. */
const DEFAULT_LOCK_WAIT_MS = 60_000

/** Largest `metrics.csv` part a digest carries (some 800 pools); SES takes up to 10 MB. */
const MAX_ATTACHMENT_BYTES = 256 * 1024

/** What a run needs from its environment: the same code runs from the CLI and in Lambda. */
export interface RunReportDeps {
  readonly config: Config
  readonly configHash: string
  readonly clientFor: (chain: string) => ChainClient
  readonly store: ObjectStore
  readonly renderDigest: DigestRenderer
  readonly sender: DigestSender
  /** Sender address for digests that do not name one. */
  readonly defaultFrom: string
  /** Clock of the delivery records and the date lock. @default the system clock */
  readonly now?: () => Date
  /**
   * The per-date lock: how long it holds if the run dies (`ttlMs`, default 15 minutes: it must
   * outlast the run time limit) and how long a run waits for another run of the date
   * (`waitMs`, default 60 s).
   */
  readonly lock?: { readonly ttlMs?: number; readonly waitMs?: number }
  /**
   * The URL a digest's `webhookUrlEnv` names: from the secret in AWS, the environment locally.
   * @default none: a digest with a webhook fails the run before any read
   */
  readonly webhookUrl?: (name: string) => string | undefined
}

export interface RunReportRequest {
  /** `YYYY-MM-DD`, already validated. */
  readonly date: string
  /** Selected pools, in config order (all by default). */
  readonly pools?: readonly PoolConfig[]
  /** Compute and return the report: write nothing, send nothing. */
  readonly dryRun?: boolean
  /** Write the files, send no digest. */
  readonly noEmail?: boolean
  /** Send digests that were already sent for this date again. */
  readonly force?: boolean
  /**
   * Recipients that replace every digest's `to`: such a copy is sent once per date and
   * recipient list, apart from the digest's own delivery (which it neither makes nor blocks).
   */
  readonly recipients?: readonly string[]
}

export interface RunReportResult {
  readonly date: string
  /** The pools this run read (the files also hold the stored days of the others). */
  readonly report: DailyReport
  readonly poolsOk: number
  readonly poolsFailed: number
  /** `partial` when some pool of the date's files could not be read (see `reportStatus`). */
  readonly status: 'ok' | 'partial'
  /** Pools this run could not read whose ok row of an earlier run was kept. */
  readonly failedRereads: readonly FailedReread[]
  /** Keys written, manifest last (none in a dry run). */
  readonly keys: readonly string[]
  /** One entry per digest that covers the run's pools, unless `noEmail` or `dryRun`. */
  readonly emails: readonly RunEmailOutcome[]
  /** One entry per digest webhook that had new, escalated or cleared alerts to post. */
  readonly webhooks?: readonly DeliveryOutcome[]
}

/**
 * What happened to a digest: delivered (or not) once per date, or held back because the
 * date's files do not cover all of its pools yet (a run of some pools on a date that was
 * never run in full); `force` sends it anyway.
 */
export type RunEmailOutcome =
  | DeliveryOutcome
  | {
      readonly status: 'incomplete'
      readonly digest: string
      readonly to: readonly string[]
      /** Ids of the digest's pools that the date's files lack. */
      readonly missing: readonly string[]
    }

/**
 * Runs the daily report for one date, holding the date's lock (`runs/dt=D/lock.json`) so that
 * two runs of a date never interleave: reads the pools, replaces `metrics.csv`, `balances.csv`
 * and the stored day as a set with the manifest last, and only then renders and delivers the
 * digests (a failed upload never leads to an email with dead links). Each digest is sent once
 * per date (see `deliverOnce`); the manifest is written again with the delivered emails. A run
 * of some pools rewrites their rows and keeps the other pools' stored rows, so the files always
 * hold one row per configured pool that was ever reported for the date; a pool that fails
 * where an earlier run of the date read it keeps that ok row.
 *
 * @param deps - config, chain clients, output store, renderer, sender
 * @param request - date, pools and what to write and send
 * @returns a summary of the run
 * @throws ChainUnavailableError (or `RunTimeoutError`) when a chain did not answer: nothing
 *   is written and nothing sent
 * @throws DateLockedError when another run of the date holds the lock for longer than the wait
 * @throws DeliveryError when a digest could not be sent (the files are stored by then)
 */
export async function runReport(
  deps: RunReportDeps,
  request: RunReportRequest,
): Promise<RunReportResult> {
  const { config } = deps
  const delivers = !request.dryRun && !request.noEmail
  const missingWebhooks = config.digests.filter(
    (digest) => delivers && digest.webhookUrlEnv && !deps.webhookUrl?.(digest.webhookUrlEnv),
  )
  if (missingWebhooks.length > 0) {
    throw new InvalidInputError(
      'Webhook URL missing',
      missingWebhooks.map(
        (digest) => `digest ${digest.name}: ${digest.webhookUrlEnv} is not set (its webhook URL)`,
      ),
    )
  }
  if (request.dryRun) {
    const fresh = await readDay(deps, request.date, request.pools)
    const status = reportStatus(fresh)
    return { ...freshCounts(request.date, fresh), status, failedRereads: [], keys: [], emails: [] }
  }
  const lock = await acquireDateLock(deps.store, request.date, {
    ttlMs: deps.lock?.ttlMs ?? DEFAULT_LOCK_TTL_MS,
    waitMs: deps.lock?.waitMs ?? DEFAULT_LOCK_WAIT_MS,
    ...(deps.now && { now: deps.now }),
  })
  try {
    return await runLocked(deps, request, lock)
  } finally {
    // A lock that cannot be released (the store failing) ends at its expiry.
    await lock.release().catch(() => {})
  }
}

async function runLocked(
  deps: RunReportDeps,
  request: RunReportRequest,
  lock: DateLock,
): Promise<RunReportResult> {
  const { config, store } = deps
  const { date } = request
  const fresh = await readDay(deps, date, request.pools)
  const result = freshCounts(date, fresh)
  // The date's stored day is needed to complete a run of some pools, and to keep the ok rows
  // of earlier runs where this run failed; a full run that read every pool needs neither.
  const someOnly = fresh.pools.length < config.pools.length
  const report =
    someOnly || fresh.pools.some((day) => day.status === 'error')
      ? withStoredPools(fresh, await readStoredDay(store, date), config)
      : fresh
  const status = reportStatus(report)
  const failedRereads = report.failedRereads ?? []
  const files = [
    objectKeys.metrics(date),
    objectKeys.balances(date),
    objectKeys.poolDays(date),
  ] as const
  const manifestKey = objectKeys.manifest(date)
  const manifest = (emails: readonly ManifestEmail[]) => ({
    key: manifestKey,
    body: renderManifest({
      report,
      configHash: deps.configHash,
      files,
      rows: { metrics: report.pools.length, balances: countBalanceRows(report) },
      emails,
    }),
    contentType: CONTENT_TYPES.json,
  })
  // The manifest keeps listing digests that earlier runs of the date sent.
  const sentBefore = await readSentDigests(store, date, config.digests)
  await replaceDaySet(store, {
    date,
    runId: randomUUID(),
    parts: [
      { key: files[0], body: renderMetricsCsv(report), contentType: CONTENT_TYPES.csv },
      { key: files[1], body: renderBalancesCsv(report), contentType: CONTENT_TYPES.csv },
      { key: files[2], body: renderStoredDay(report), contentType: CONTENT_TYPES.json },
    ],
    manifest: manifest(sentBefore),
    beforeReplace: () => lock.confirm(),
  })
  const keys = [...files, manifestKey]
  // The alert lifecycle follows the data, sent or not: a run without email still records it.
  const alertDays = new Map<string, AlertDay>()
  for (const digest of config.digests) {
    const observations = digestObservations(report, digest, config)
    if (observations.length === 0) continue
    const { day } = await recordDigestAlerts(store, digest.name, date, observations)
    alertDays.set(digest.name, day)
  }
  if (request.noEmail) return { ...result, status, failedRereads, keys, emails: [] }

  const links: DigestLinks = {
    metrics: await store.linkFor(files[0]),
    balances: await store.linkFor(files[1]),
  }
  const emails: RunEmailOutcome[] = []
  const webhooks: DeliveryOutcome[] = []
  const failed: { digest: string; error: string }[] = []
  const reported = new Set(report.pools.map((day) => day.pool.id))
  const history = await readDaysBefore(store, date, HISTORY_DAYS - 1)
  const now = deps.now ?? (() => new Date())
  for (const digest of config.digests) {
    const alerts = alertDays.get(digest.name)
    const view = alerts && buildDigestView(report, digest, config, links, { history, alerts })
    if (!view) continue
    const to = request.recipients ?? digest.to
    const missing = digestPoolIds(digest, config).filter((id) => !reported.has(id))
    if (missing.length > 0 && !request.force) {
      emails.push({ status: 'incomplete', digest: digest.name, to, missing })
      continue
    }
    // Charts are drawn only when the digest is sent: a re-run that finds it sent skips them.
    // ECharts and the wasm rasteriser load on first use, outside the cold start.
    const email = async (): Promise<DigestEmail> => {
      const drawCharts = await loadDrawCharts()
      return {
        from: digest.from ?? deps.defaultFrom,
        to,
        ...deps.renderDigest(view),
        attachments: [...(await drawCharts(view.charts)), ...metricsAttachment(report, digest)],
      }
    }
    try {
      emails.push(
        await deliverOnce({
          store,
          date,
          digest: digest.name,
          to,
          recipientsOverridden: request.recipients !== undefined,
          force: request.force ?? false,
          now,
          send: async () => deps.sender.send({ date, digest, email: await email() }),
        }),
      )
    } catch (error) {
      // The other digests still go out; the run fails at the end.
      failed.push({ digest: digest.name, error: errorMessage(error) })
    }
    const webhook = digestWebhook(digest, view, deps)
    if (!webhook || request.recipients) continue
    try {
      webhooks.push(
        await deliverOnce({
          store,
          date,
          digest: digest.name,
          to: [],
          channel: 'webhook',
          force: request.force ?? false,
          now,
          send: () => postWebhook(webhook.url, webhook.message),
        }),
      )
    } catch (error) {
      failed.push({ digest: `${digest.name} (webhook)`, error: errorMessage(error) })
    }
  }
  // The manifest lists the digests' own deliveries; copies to other recipients are in the summary.
  const sentNow = request.recipients
    ? []
    : emails.flatMap((outcome) => ('id' in outcome ? [manifestEmail(outcome)] : []))
  const delivered = mergeByDigest(sentBefore, sentNow)
  if (JSON.stringify(delivered) !== JSON.stringify(sentBefore)) {
    const { key, body, contentType } = manifest(delivered)
    await store.put(key, body, contentType)
  }
  if (failed.length > 0) throw new DeliveryError(date, failed)
  return {
    ...result,
    status,
    failedRereads,
    keys,
    emails,
    ...(webhooks.length > 0 && { webhooks }),
  }
}

/**
 * Reads the selected pools of a date from the chain.
 *
 * @throws ChainUnavailableError when a chain did not answer, saying that nothing was written
 */
async function readDay(
  deps: RunReportDeps,
  date: string,
  pools: readonly PoolConfig[] | undefined,
): Promise<DailyReport> {
  try {
    return await buildDailyReport({
      config: deps.config,
      date,
      clientFor: deps.clientFor,
      ...(pools && { pools }),
      storedStart: () => readStoredDay(deps.store, addDays(date, -1)),
    })
  } catch (error) {
    if (!(error instanceof ChainUnavailableError)) throw error
    const Failure = error instanceof RunTimeoutError ? RunTimeoutError : ChainUnavailableError
    throw new Failure(
      `${error.shortMessage}; nothing was written for ${date} and no digest was sent`,
      { cause: error },
    )
  }
}

function freshCounts(date: string, fresh: DailyReport) {
  const poolsFailed = fresh.pools.filter((day) => day.status === 'error').length
  return { date, report: fresh, poolsOk: fresh.pools.length - poolsFailed, poolsFailed }
}

/** A digest's webhook post of the day: only when it has a URL and something to say. */
function digestWebhook(digest: DigestConfig, view: DigestView, deps: RunReportDeps) {
  const url = digest.webhookUrlEnv && deps.webhookUrl?.(digest.webhookUrlEnv)
  const message = url ? webhookMessage(view) : undefined
  return url && message ? { url, message } : undefined
}

function digestPoolIds(digest: DigestConfig, config: Pick<Config, 'pools'>): string[] {
  return config.pools.map((pool) => pool.id).filter((id) => digestCovers(digest, id))
}

/** A digest's own rows of `metrics.csv`, attached when small; a larger day is linked only. */
function metricsAttachment(
  report: DailyReport,
  digest: DigestConfig,
): NonNullable<DigestEmail['attachments']> {
  const pools = report.pools.filter((day) => digestCovers(digest, day.pool.id))
  const content = renderMetricsCsv({ ...report, pools })
  return Buffer.byteLength(content) > MAX_ATTACHMENT_BYTES
    ? []
    : [{ filename: `metrics-${report.date}.csv`, content, contentType: CONTENT_TYPES.csv }]
}

async function readSentDigests(
  store: ObjectStore,
  date: string,
  digests: readonly DigestConfig[],
): Promise<ManifestEmail[]> {
  const records = await Promise.all(
    digests.map((digest) => readDeliveryRecord(store, date, digest.name)),
  )
  return records.flatMap((record) =>
    record?.status === 'sent' && record.id !== undefined
      ? [{ digest: record.digest, to: record.to, id: record.id }]
      : [],
  )
}

function manifestEmail(outcome: { digest: string; to: readonly string[]; id: string }) {
  return { digest: outcome.digest, to: outcome.to, id: outcome.id }
}

/** Earlier entries, each replaced by this run's entry for the same digest; new digests last. */
function mergeByDigest(
  before: readonly ManifestEmail[],
  now: readonly ManifestEmail[],
): ManifestEmail[] {
  const merged = new Map(before.map((email) => [email.digest, email]))
  for (const email of now) merged.set(email.digest, email)
  return [...merged.values()]
}

function countBalanceRows(report: DailyReport): number {
  return report.pools.reduce(
    (count, day) => count + (day.status === 'ok' ? day.tokens.length : 0),
    0,
  )
}
