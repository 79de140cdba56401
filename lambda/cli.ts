import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { backfillCommand } from './backfill/backfillCommand.ts'
import { createChainClient } from './chain/createChainClient.ts'
import { DEFAULT_RUN_TIMEOUT_MS } from './chain/runDeadline.ts'
import { formatIssues, loadConfigFile } from './config/loadConfig.ts'
import { resolveRpcUrls } from './config/resolveRpcUrls.ts'
import { selectPools } from './config/selectPools.ts'
import { formatChecks } from './doctor/check.ts'
import { runDoctor } from './doctor/runDoctor.ts'
import { DayNotAvailableError, errorMessage, InvalidInputError, ReportError } from './errors.ts'
import { type ManualPayload, manualPayloadSchema } from './invocation/parseInvocation.ts'
import { localRunDeps } from './localRunDeps.ts'
import { objectKeys } from './output/objectKeys.ts'
import { renderSummaryTable } from './output/summaryTable.ts'
import { parseReportDate, yesterdayUtc } from './report/date.ts'
import { runReport } from './runReport.ts'
import { tuneGarbageCollector } from './runtime/tuneGarbageCollector.ts'

export const HELP = `pool-report: daily imbalance, price deviation, divergence loss and fees of AMM pools

Usage:
  pool-report run --config FILE [--date YYYY-MM-DD] [--out DIR] [--pools ID,ID] [--no-email] [--force]
                  [--timeout SECONDS]
  pool-report invoke --function NAME [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD]
                     [--pools ID,ID] [--dry-run] [--no-email] [--force] [--recipients A,B] [--region R]
  pool-report doctor --config FILE
  pool-report backfill --from YYYY-MM-DD --to YYYY-MM-DD [--concurrency N]
                     (--state-machine ARN [--region R] | --local --config FILE [--out DIR])
                     [--pools ID,ID] [--no-email] [--force]
  pool-report --help

Commands:
  run             Report on one UTC day: read every pool at the day's first and last block,
                  write metrics.csv, balances.csv and manifest.json under --out (the S3 layout),
                  and render the config's email digests there (.html, .txt, .eml).

  doctor          Check that every chain of the config can be reported on, one line per check:
                  per RPC URL the chain id, state at the start of yesterday and of 30 days ago
                  (archive depth), Multicall3, and the gas one eth_call gets against what the
                  largest batch needs; the age of each price feed; each pool read as its protocol.

  invoke          Run the deployed report function (AWS Lambda) for a date or a backfill and print
                  the JSON summary it returns. Uses the AWS credentials and region of the
                  environment (AWS_PROFILE, AWS_REGION, ...).

Options for run:
  --config FILE   The pool config (JSON; see README). Required.
  --date DATE     The UTC day to report, YYYY-MM-DD. Default: yesterday (UTC).
                  The day must be over, and the chain must have blocks before and after it.
  --out DIR       Output folder. Default: ./out
  --pools IDS     Comma-separated pool ids to report (default: every pool in the config).
  --no-email      Do not render the email digests.
  --force         Render digests again that were already rendered for the date (each digest is
                  delivered once per date; runs/dt=DATE/deliveries/ records it).
  --timeout SECONDS
                  Time limit of the run: when it passes, every RPC request stops and the run
                  fails. Default: the config's runTimeoutMs, else 300 (5 minutes).
  -h, --help      Show this help.

Options for doctor:
  --config FILE   The pool config to check. Required.

Options for invoke:
  --function NAME The function's name or ARN (the stack output ReportFunctionName). Required.
  --date DATE     The UTC day to report. Default: yesterday (UTC), decided by the function.
  --from DATE, --to DATE
                  A backfill: every day from --from to --to, both included (up to the stack's
                  maxBackfillDays).
  --pools IDS     Comma-separated pool ids to report (default: every pool in the deployed config).
  --dry-run       Compute and print the report; write nothing, send nothing.
  --no-email      Write the files; send no digest.
  --force         Send digests again that were already sent for the date.
  --recipients A,B
                  Send the digests to these addresses instead of their configured recipients
                  (a copy: once per date and list, apart from the digests' own delivery).
  --region R      AWS region of the function. Default: the environment's.

Options for backfill:
  --from DATE, --to DATE
                  The first and last UTC day, both included. Required.
  --concurrency N Dates run at once (1 to 40). Default: 4 (on AWS: the stack's backfillConcurrency).
  --state-machine ARN
                  The stack output BackfillStateMachineArn (or BACKFILL_STATE_MACHINE_ARN).
  --local         Run the dates on this machine instead, with --config FILE and --out DIR
                  as for run; each date has the config's runTimeoutMs (default 300 s).
  --pools, --no-email, --force, --region
                  As for run and invoke.

Environment:
  A chain's "rpcUrlEnv" names a variable holding its RPC URL, or several separated by commas
  (tried in order); it wins over "rpcUrl" and "rpcUrls".
  A digest's "webhookUrlEnv" names a variable holding its webhook URL.
  REPORT_SENDER   From address of digests that do not set one.

Exit status: 0 when the report was written, status ok or partial (pools that could not be
read are error rows, or keep the ok row of an earlier run); 1 when the run failed and wrote
nothing for the date (a chain that cannot be read, the run time limit, another run of the date
holding its lock, the output folder failing); 2 for a bad command line, config or date.
For doctor: 0 when every check passed, 1 when one failed, 2 for a bad command line or config.
For invoke: 0 when the function succeeded, 1 when it failed (its error is printed).
For backfill: 0 when every date was reported, 1 when some date failed (each is listed).
`

/** Where the CLI writes: injectable so tests can capture it. */
export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Record<string, string | undefined>
  readonly now: () => Date
  /** Whether stdout is a terminal (backfill's progress bar). @default false */
  readonly isTTY?: boolean
}

const defaultIo: CliIo = {
  isTTY: process.stdout.isTTY === true,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  now: () => new Date(),
}

/**
 * Runs the command line.
 *
 * @param argv - arguments after the program name
 * @param io - output streams, environment and clock
 * @returns the exit status
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  try {
    const [command, ...rest] = argv
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(HELP)
      return command === undefined ? 2 : 0
    }
    if (command === 'run') return await runCommand(rest, io)
    if (command === 'invoke') return await invokeCommand(rest, io)
    if (command === 'doctor') return await doctorCommand(rest, io)
    if (command === 'backfill') {
      if (rest.includes('--help') || rest.includes('-h')) {
        io.stdout(HELP)
        return 0
      }
      return await backfillCommand(rest, { ...io, isTTY: io.isTTY ?? false })
    }
    throw new InvalidInputError('Bad command line', [
      `unknown command "${command}"; see pool-report --help`,
    ])
  } catch (error) {
    // A date the chain cannot cover is the user's input too.
    if (error instanceof InvalidInputError || error instanceof DayNotAvailableError) {
      io.stderr(`error: ${error.message}\n`)
      return 2
    }
    io.stderr(`error: ${error instanceof ReportError ? error.message : errorMessage(error)}\n`)
    return 1
  }
}

async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseFlags(argv)
  if (options.help) {
    io.stdout(HELP)
    return 0
  }
  if (!options.config)
    throw new InvalidInputError('Bad command line', ['--config FILE is required'])
  const now = io.now()
  // Everything is checked before the first chain read.
  const date = parseReportDate(options.date ?? yesterdayUtc(now), now)
  const timeoutFlagMs =
    options.timeout === undefined ? undefined : parseTimeoutSeconds(options.timeout)
  const { config, configHash } = await loadConfigFile(options.config)
  const poolIds = options.pools
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean)
  const pools = selectPools(config, poolIds)
  const timeoutMs = timeoutFlagMs ?? config.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS
  const out = options.out ?? 'out'
  const result = await runReport(
    await localRunDeps({ config, configHash, pools, out, env: io.env, timeoutMs }),
    { date, pools, noEmail: options['no-email'] ?? false, force: options.force ?? false },
  )

  const blocks = result.report.chains
    .map((chain) => `${chain.name} blocks ${chain.start.number}..${chain.end.number}`)
    .join(', ')
  io.stdout(`\nPool report for ${date} (UTC)${blocks ? `, ${blocks}` : ''}\n\n`)
  io.stdout(`${renderSummaryTable(result.report)}\n\n`)
  io.stdout(
    `Status: ${result.status}: ${result.poolsOk} pools reported, ${result.poolsFailed} could not be read.\n`,
  )
  for (const { poolId } of result.failedRereads)
    io.stdout(
      `${poolId}: kept the ok row of an earlier run of ${date} (see the manifest's notes).\n`,
    )
  io.stdout(`Files under ${path.resolve(out)}:\n`)
  for (const key of [
    ...result.keys,
    ...result.emails.flatMap((email) =>
      email.status === 'sent' ? emailFiles(date, email.digest) : [],
    ),
  ]) {
    io.stdout(`  ${key}\n`)
  }
  for (const email of result.emails) {
    const why = {
      sent: undefined,
      'already-sent': 'was already rendered',
      unconfirmed: 'was claimed by another run that has not finished (or stopped)',
      incomplete: `waits until the date's files cover all its pools (run them without --pools)`,
    }[email.status]
    if (why) io.stdout(`Digest ${email.digest} of ${date} ${why}; --force renders it now.\n`)
  }
  for (const webhook of result.webhooks ?? []) {
    io.stdout(`Webhook of digest ${webhook.digest}: ${webhook.status}\n`)
  }
  return 0
}

async function doctorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseCommandFlags(argv, {
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (options.help) {
    io.stdout(HELP)
    return 0
  }
  if (!options.config)
    throw new InvalidInputError('Bad command line', ['--config FILE is required'])
  const { config } = await loadConfigFile(options.config)
  const rpcUrls = resolveRpcUrls(config, Object.keys(config.chains), io.env)
  const checks = await runDoctor({
    config,
    rpcUrls,
    // One client per URL, so that each URL answers for itself: no fail-over here.
    clientFor: (name, rpcUrl) => {
      const { chainId, timeoutMs, retryCount, retryDelayMs } = config.chains[name]!
      return createChainClient({
        name,
        chainId,
        checkChainId: false,
        rpcUrl,
        timeoutMs,
        retryCount,
        retryDelayMs,
      })
    },
    now: io.now(),
  })
  io.stdout(formatChecks(checks))
  return checks.every((check) => check.passed) ? 0 : 1
}

async function invokeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseInvokeFlags(argv)
  if (options.help) {
    io.stdout(HELP)
    return 0
  }
  if (!options.function)
    throw new InvalidInputError('Bad command line', ['--function NAME is required'])
  const list = (text: string | undefined) =>
    text
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean)
  const payload: ManualPayload = {
    ...(options.date && { date: options.date }),
    ...(options.from && { from: options.from }),
    ...(options.to && { to: options.to }),
    ...(options.pools && { pools: list(options.pools) }),
    ...(options['dry-run'] && { dryRun: true }),
    ...(options['no-email'] && { noEmail: true }),
    ...(options.force && { force: true }),
    ...(options.recipients && { recipients: list(options.recipients) }),
  }
  // The function validates again (with its config and clock); this catches typos offline.
  const checked = manualPayloadSchema.safeParse(payload)
  if (!checked.success)
    throw new InvalidInputError('Bad command line', formatIssues(checked.error.issues))
  // Loaded here: `run` does not pay for the Lambda client.
  const [{ LambdaClient }, { invokeFunction }] = await Promise.all([
    import('@aws-sdk/client-lambda'),
    import('./invocation/invokeFunction.ts'),
  ])
  const client = new LambdaClient(options.region ? { region: options.region } : {})
  const result = await invokeFunction(client, options.function, payload)
  if (!result.ok) {
    io.stderr(
      `error: function ${options.function} failed: ${result.errorType}: ${result.errorMessage}\n`,
    )
    return 1
  }
  io.stdout(`${JSON.stringify(result.summary, null, 2)}\n`)
  return 0
}

function parseInvokeFlags(argv: readonly string[]) {
  return parseCommandFlags(argv, {
    function: { type: 'string' },
    date: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    pools: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'no-email': { type: 'boolean' },
    force: { type: 'boolean' },
    recipients: { type: 'string' },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
}

function emailFiles(date: string, digest: string): string[] {
  return (['html', 'txt', 'eml'] as const).map((extension) =>
    objectKeys.email(date, digest, extension),
  )
}

function parseFlags(argv: readonly string[]) {
  return parseCommandFlags(argv, {
    config: { type: 'string' },
    date: { type: 'string' },
    out: { type: 'string' },
    pools: { type: 'string' },
    'no-email': { type: 'boolean' },
    force: { type: 'boolean' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
}

/** Parses a command's flags; an unknown flag or a missing value is a bad command line. */
function parseCommandFlags<const Options extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: Options,
) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values
  } catch (error) {
    throw new InvalidInputError('Bad command line', [
      `${(error as Error).message}; see pool-report --help`,
    ])
  }
}

/** `--timeout SECONDS`: a positive number of seconds, in milliseconds. */
function parseTimeoutSeconds(text: string): number {
  const seconds = Number(text)
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(seconds >= 1) || seconds > 86_400)
    throw new InvalidInputError('Bad command line', [
      `--timeout "${text}" is not a number of seconds from 1 to 86400`,
    ])
  return Math.round(seconds * 1000)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  tuneGarbageCollector()
  process.exitCode = await main(process.argv.slice(2))
}
