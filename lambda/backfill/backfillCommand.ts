import { parseArgs } from 'node:util'
import { DEFAULT_RUN_TIMEOUT_MS } from '../chain/runDeadline.ts'
import { loadConfigFile } from '../config/loadConfig.ts'
import { selectPools } from '../config/selectPools.ts'
import { InvalidInputError } from '../errors.ts'
import { localRunDeps } from '../localRunDeps.ts'
import { addDays, parseReportDate } from '../report/date.ts'
import { runReport } from '../runReport.ts'
import { createProgress, type DateOutcome } from './progress.ts'
import { runLocalBackfill } from './runLocalBackfill.ts'

/** Dates run at once unless `--concurrency` says otherwise (the stack's default too). */
export const DEFAULT_BACKFILL_CONCURRENCY = 4

/** What the backfill command writes to and reads from. */
export interface BackfillIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Record<string, string | undefined>
  readonly now: () => Date
  /** Whether stdout is a terminal (a progress bar), or a log or pipe (plain lines). */
  readonly isTTY: boolean
}

/**
 * `pool-report backfill --from D1 --to D2 [--concurrency N]`: every date from D1 to D2 on
 * the stack's Step Functions state machine (`--state-machine ARN`), or on this machine
 * (`--local --config FILE`), a line per finished date. A date that fails is listed with its
 * reason at the end; the others stand, and the failed one can be run again alone.
 *
 * @param argv - the arguments after `backfill`
 * @param io - output, environment, clock
 * @returns the exit status: 0 when every date was reported, 1 when some failed
 * @throws InvalidInputError for a bad flag or date, before anything runs
 */
export async function backfillCommand(argv: readonly string[], io: BackfillIo): Promise<number> {
  const options = parseBackfillFlags(argv)
  const dates = backfillDates(options.from, options.to, io.now())
  const concurrency = parseConcurrency(options.concurrency)
  const list = options.pools
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean)
  const progress = () => createProgress({ total: dates.length, write: io.stdout, isTTY: io.isTTY })
  let outcomes: DateOutcome[]
  if (options.local) {
    if (!options.config)
      throw new InvalidInputError('Bad command line', ['--local needs --config FILE'])
    const { config, configHash } = await loadConfigFile(options.config)
    const pools = selectPools(config, list)
    const out = options.out ?? 'out'
    const timeoutMs = config.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS
    // Checks the RPC URLs before the first date; each date then gets its own deadline.
    await localRunDeps({ config, configHash, pools, out, env: io.env, timeoutMs })
    const atOnce = concurrency ?? DEFAULT_BACKFILL_CONCURRENCY
    io.stdout(`Backfill of ${dates.length} dates, ${atOnce} at a time, into ${out}\n`)
    const shown = progress()
    outcomes = await runLocalBackfill({
      dates,
      concurrency: atOnce,
      run: async (date) =>
        runReport(await localRunDeps({ config, configHash, pools, out, env: io.env, timeoutMs }), {
          date,
          pools,
          noEmail: options['no-email'] ?? false,
          force: options.force ?? false,
        }),
      onDate: shown.finished,
    })
    shown.end()
  } else {
    const stateMachineArn = options['state-machine'] ?? io.env.BACKFILL_STATE_MACHINE_ARN
    if (!stateMachineArn)
      throw new InvalidInputError('Bad command line', [
        '--state-machine ARN is required (the stack output BackfillStateMachineArn), or --local --config FILE',
      ])
    // Loaded here: `run` and `--local` do not pay for the Step Functions client.
    const [{ SFNClient }, { backfillExecutionInput, runStepFunctionsBackfill }] = await Promise.all(
      [import('@aws-sdk/client-sfn'), import('./stepFunctionsBackfill.ts')],
    )
    const input = backfillExecutionInput(dates, {
      ...(list && { pools: list }),
      ...(options['no-email'] && { noEmail: true }),
      ...(options.force && { force: true }),
      ...(concurrency !== undefined && { concurrency }),
    })
    const shown = progress()
    const execution = await runStepFunctionsBackfill({
      client: new SFNClient(options.region ? { region: options.region } : {}),
      stateMachineArn,
      input,
      onDate: shown.finished,
    })
    shown.end()
    io.stdout(`Execution ${execution.executionArn}: ${execution.status}\n`)
    outcomes = execution.outcomes
    if (execution.status !== 'SUCCEEDED')
      io.stderr(
        `error: the backfill execution ended ${execution.status}: ${execution.error ?? ''}\n`,
      )
  }
  return summarize(dates, outcomes, io)
}

function summarize(dates: readonly string[], outcomes: readonly DateOutcome[], io: BackfillIo) {
  const failed = outcomes.filter((outcome) => !outcome.ok)
  const missing = dates.filter((date) => !outcomes.some((outcome) => outcome.date === date))
  const ok = outcomes.length - failed.length
  io.stdout(`${ok} of ${dates.length} dates reported.\n`)
  if (failed.length === 0 && missing.length === 0) return 0
  for (const { date, detail } of failed) io.stdout(`  ${date} failed: ${detail}\n`)
  for (const date of missing) io.stdout(`  ${date} has no result\n`)
  io.stdout('Run a failed date again alone with --from DATE --to DATE (the other dates stand).\n')
  return 1
}

/**
 * Every date from `from` to `to`, both included, each a day that is over.
 *
 * @throws InvalidInputError naming the bad flag
 */
export function backfillDates(
  from: string | undefined,
  to: string | undefined,
  now: Date,
): string[] {
  if (!from || !to)
    throw new InvalidInputError('Bad command line', ['backfill needs --from DATE and --to DATE'])
  const check = (flag: string, date: string) => {
    try {
      return parseReportDate(date, now)
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      throw new InvalidInputError(
        'Bad command line',
        error.issues.map((issue) => `${flag}: ${issue}`),
      )
    }
  }
  const first = check('--from', from)
  const last = check('--to', to)
  const days = Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000) + 1
  if (days < 1)
    throw new InvalidInputError('Bad command line', [`--to: ${last} is before --from (${first})`])
  return Array.from({ length: days }, (_, i) => addDays(first, i))
}

function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1 || value > 40)
    throw new InvalidInputError('Bad command line', [
      `--concurrency: "${text}" is not a whole number from 1 to 40`,
    ])
  return value
}

function parseBackfillFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        concurrency: { type: 'string' },
        local: { type: 'boolean' },
        config: { type: 'string' },
        out: { type: 'string' },
        pools: { type: 'string' },
        'no-email': { type: 'boolean' },
        force: { type: 'boolean' },
        'state-machine': { type: 'string' },
        region: { type: 'string' },
      },
    }).values
  } catch (error) {
    throw new InvalidInputError('Bad command line', [
      `${(error as Error).message}; see pool-report --help`,
    ])
  }
}
