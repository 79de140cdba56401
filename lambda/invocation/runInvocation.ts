import type { Config, PoolConfig } from '../config/schema.ts'
import { selectPools } from '../config/selectPools.ts'
import { InvalidInputError } from '../errors.ts'
import { type MetricsRow, metricsRows } from '../output/metricsCsv.ts'
import {
  type RunEmailOutcome,
  type RunReportDeps,
  type RunReportResult,
  runReport,
} from '../runReport.ts'
import type { Invocation } from './parseInvocation.ts'

/** The JSON an invocation returns (and logs). */
export interface InvocationSummary {
  readonly trigger: Invocation['trigger']
  readonly dates: readonly string[]
  readonly dryRun: boolean
  /** `partial` when some date is partial (see `DateSummary.status`), else `ok`. */
  readonly status: 'ok' | 'partial'
  readonly poolsOk: number
  readonly poolsFailed: number
  readonly emailsSent: number
  readonly runs: readonly DateSummary[]
  readonly durationMs: number
}

/** One date of an invocation. */
export interface DateSummary {
  readonly date: string
  /** `partial` when every chain answered but some pools did not (a failed chain throws). */
  readonly status: 'ok' | 'partial'
  readonly poolsOk: number
  readonly poolsFailed: number
  readonly failedPools: readonly { readonly poolId: string; readonly error: string }[]
  /** Pools whose re-read failed and whose ok row of an earlier run was kept. */
  readonly keptRows: readonly { readonly poolId: string; readonly error: string }[]
  /** Where the files went (`s3://…`), manifest last; none in a dry run. */
  readonly written: readonly string[]
  readonly emails: readonly RunEmailOutcome[]
  /** The `metrics.csv` rows, in a dry run only (nothing was written to read them from). */
  readonly metrics?: readonly MetricsRow[]
}

export interface RunInvocationOptions {
  /** Where a layout key is stored, for the summary (e.g. `s3://bucket/prefix/KEY`). */
  readonly locate: (key: string) => string
  /** Called after each date, e.g. to record metrics. */
  readonly onDate?: (summary: DateSummary) => void
  readonly clock?: () => number
}

/**
 * Checks an invocation's pools against the config: called before any chain read, so a bad
 * payload is rejected whole.
 *
 * @param config - the validated config
 * @param invocation - the parsed invocation
 * @returns the selected pools, in config order
 * @throws InvalidInputError naming the `pools` field
 */
export function selectInvocationPools(config: Config, invocation: Invocation): PoolConfig[] {
  try {
    return selectPools(config, invocation.pools)
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    throw new InvalidInputError(
      'Invalid payload',
      error.issues.map((issue) => `pools: ${issue}`),
    )
  }
}

/**
 * Runs the report for each date of an invocation, in order (a backfill is a loop over
 * `runReport`). A date that fails stops the loop and the error propagates: re-running is
 * safe, since files are rewritten with the same bytes and digests are sent once.
 *
 * @param deps - what `runReport` needs
 * @param invocation - dates and flags, validated
 * @param pools - the pools, from `selectInvocationPools`
 * @param options - where keys are stored, a per-date callback, a clock
 * @returns the summary
 */
export async function runInvocation(
  deps: RunReportDeps,
  invocation: Invocation,
  pools: readonly PoolConfig[],
  { locate, onDate, clock = Date.now }: RunInvocationOptions,
): Promise<InvocationSummary> {
  const started = clock()
  const runs: DateSummary[] = []
  for (const date of invocation.dates) {
    const result = await runReport(deps, {
      date,
      pools,
      dryRun: invocation.dryRun,
      noEmail: invocation.noEmail,
      force: invocation.force,
      ...(invocation.recipients && { recipients: invocation.recipients }),
    })
    const summary = summarizeDate(result, locate, invocation.dryRun)
    onDate?.(summary)
    runs.push(summary)
  }
  const total = (count: (run: DateSummary) => number) =>
    runs.reduce((sum, run) => sum + count(run), 0)
  return {
    trigger: invocation.trigger,
    dates: invocation.dates,
    dryRun: invocation.dryRun,
    status: runs.some((run) => run.status === 'partial') ? 'partial' : 'ok',
    poolsOk: total((run) => run.poolsOk),
    poolsFailed: total((run) => run.poolsFailed),
    emailsSent: total(emailsSent),
    runs,
    durationMs: clock() - started,
  }
}

/** Digests this date's run actually sent (not those found already sent). */
export function emailsSent(run: DateSummary): number {
  return run.emails.filter((email) => email.status === 'sent').length
}

function summarizeDate(
  result: RunReportResult,
  locate: (key: string) => string,
  dryRun: boolean,
): DateSummary {
  return {
    date: result.date,
    status: result.status,
    poolsOk: result.poolsOk,
    poolsFailed: result.poolsFailed,
    failedPools: result.report.pools.flatMap((day) =>
      day.status === 'error' ? [{ poolId: day.pool.id, error: day.error }] : [],
    ),
    keptRows: result.failedRereads,
    written: result.keys.map(locate),
    emails: result.emails,
    ...(dryRun && { metrics: metricsRows(result.report) }),
  }
}
