import type { ChainClient } from './chain/createChainClient.ts'
import type { Config, PoolConfig } from './config/schema.ts'
import type { DigestSender } from './email/digestSender.ts'
import { buildDigestView } from './email/digestView.ts'
import type { DigestRenderer } from './email/renderDigest.ts'
import { renderBalancesCsv } from './output/balancesCsv.ts'
import { type ManifestEmail, renderManifest } from './output/manifest.ts'
import { renderMetricsCsv } from './output/metricsCsv.ts'
import { objectKeys } from './output/objectKeys.ts'
import { CONTENT_TYPES, type ObjectStore } from './output/objectStore.ts'
import { buildDailyReport } from './report/buildDailyReport.ts'
import type { DailyReport } from './report/types.ts'

/** What a run needs from its environment: the same code runs from the CLI and in Lambda. */
export interface RunReportDeps {
  readonly config: Config
  readonly configHash: string
  readonly clientFor: (chain: string) => ChainClient
  readonly store: ObjectStore
  readonly renderDigest: DigestRenderer
  /** Omitted when no email is wanted. */
  readonly sender?: DigestSender
  /** Sender address for digests that do not name one. */
  readonly defaultFrom: string
}

export interface RunReportRequest {
  /** `YYYY-MM-DD`, already validated. */
  readonly date: string
  /** Selected pools, in config order (all by default). */
  readonly pools?: readonly PoolConfig[]
}

export interface RunReportResult {
  readonly date: string
  readonly report: DailyReport
  readonly poolsOk: number
  readonly poolsFailed: number
  /** Keys written, manifest last. */
  readonly keys: readonly string[]
  readonly emails: readonly ManifestEmail[]
}

/**
 * Runs the daily report for one date: reads the pools, writes `metrics.csv` and
 * `balances.csv`, then the manifest, and only then renders and delivers the digests (a
 * failed upload never leads to an email with dead links). The manifest is written again
 * with the delivered emails.
 *
 * @param deps - config, chain clients, output store, renderer, sender
 * @param request - date and pools
 * @returns a summary of the run
 */
export async function runReport(
  deps: RunReportDeps,
  request: RunReportRequest,
): Promise<RunReportResult> {
  const { config, configHash, store } = deps
  const { date } = request
  const report = await buildDailyReport({
    config,
    date,
    clientFor: deps.clientFor,
    ...(request.pools && { pools: request.pools }),
  })
  const metricsCsv = renderMetricsCsv(report)
  const balancesCsv = renderBalancesCsv(report)
  const files = [objectKeys.metrics(date), objectKeys.balances(date)]
  await Promise.all([
    store.put(files[0]!, metricsCsv, CONTENT_TYPES.csv),
    store.put(files[1]!, balancesCsv, CONTENT_TYPES.csv),
  ])
  const rows = { metrics: report.pools.length, balances: countBalanceRows(report) }
  const manifestKey = objectKeys.manifest(date)
  const writeManifest = (emails: readonly ManifestEmail[]) =>
    store.put(
      manifestKey,
      renderManifest({ report, configHash, files, rows, emails }),
      CONTENT_TYPES.json,
    )
  await writeManifest([])

  const emails: ManifestEmail[] = []
  if (deps.sender) {
    const links = {
      metrics: await store.linkFor(files[0]!),
      balances: await store.linkFor(files[1]!),
    }
    for (const digest of config.digests) {
      const view = buildDigestView(report, digest, config, links)
      if (!view) continue
      const rendered = deps.renderDigest(view)
      const email = { from: digest.from ?? deps.defaultFrom, to: digest.to, ...rendered }
      const { id } = await deps.sender.send({ date, digest, email })
      emails.push({ digest: digest.name, to: digest.to, id })
    }
    if (emails.length > 0) await writeManifest(emails)
  }
  const poolsFailed = report.pools.filter((day) => day.status === 'error').length
  return {
    date,
    report,
    poolsOk: report.pools.length - poolsFailed,
    poolsFailed,
    keys: [...files, manifestKey],
    emails,
  }
}

function countBalanceRows(report: DailyReport): number {
  return report.pools.reduce(
    (count, day) => count + (day.status === 'ok' ? day.tokens.length : 0),
    0,
  )
}
