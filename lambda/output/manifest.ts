import type { DailyReport } from '../report/types.ts'
import { VERSION } from '../version.ts'
import { isoTime } from './metricsCsv.ts'

/** A digest as the manifest records it. */
export interface ManifestEmail {
  readonly digest: string
  readonly to: readonly string[]
  /** SES message id, or the key of the rendered `.eml` in a local run. */
  readonly id: string
}

export interface ManifestInput {
  readonly report: DailyReport
  readonly configHash: string
  /** Keys of the data files written before the manifest. */
  readonly files: readonly string[]
  readonly rows: { readonly metrics: number; readonly balances: number }
  readonly emails: readonly ManifestEmail[]
}

/**
 * `partial` when some pool of the date could not be read (an error row, or a failed re-read
 * whose earlier ok row was kept), else `ok`. A chain that cannot be read fails the run
 * instead, so a written date is never worse than `partial`.
 *
 * @param report - the date's report as written
 * @returns the status
 */
export function reportStatus(report: DailyReport): 'ok' | 'partial' {
  const failed =
    report.pools.some((day) => day.status === 'error') || (report.failedRereads?.length ?? 0) > 0
  return failed ? 'partial' : 'ok'
}

/**
 * Renders `manifest.json`: what ran (config hash, code version), at which blocks, how many
 * rows, which pools failed and why, and which emails went out. Deterministic: no wall-clock
 * time, so re-running a date rewrites the same bytes.
 *
 * @param input - the run's facts
 * @returns pretty-printed JSON with a final newline
 */
export function renderManifest({ report, configHash, files, rows, emails }: ManifestInput): string {
  const manifest = {
    date: report.date,
    status: reportStatus(report),
    configHash,
    version: VERSION,
    chains: Object.fromEntries(
      report.chains.map((chain) => [
        chain.name,
        {
          chainId: chain.chainId,
          startBlock: Number(chain.start.number),
          startTime: isoTime(chain.start.timestamp),
          endBlock: Number(chain.end.number),
          endTime: isoTime(chain.end.timestamp),
          // The intraday sample blocks k = 0..n, when the day is sampled.
          ...(chain.samples && {
            sampleBlocks: chain.samples.map((block) => Number(block.number)),
          }),
        },
      ]),
    ),
    pools: {
      total: report.pools.length,
      ok: report.pools.filter((day) => day.status === 'ok').length,
      error: report.pools.filter((day) => day.status === 'error').length,
    },
    rows,
    errors: report.pools.flatMap((day) =>
      day.status === 'error' ? [{ poolId: day.pool.id, error: day.error }] : [],
    ),
    notes: [
      ...report.pools.flatMap((day) =>
        day.status === 'ok' && day.note ? [{ poolId: day.pool.id, note: day.note }] : [],
      ),
      ...(report.failedRereads ?? []).map(({ poolId, error }) => ({
        poolId,
        note: `this run could not read the pool (${error}); the ok row of an earlier run of the date is kept`,
      })),
    ],
    files,
    emails,
  }
  return `${JSON.stringify(manifest, null, 2)}\n`
}
