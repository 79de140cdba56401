import { setMaxListeners } from 'node:events'
import { RunTimeoutError } from '../errors.ts'

/** The CLI's run time limit when neither `--timeout` nor the config's `runTimeoutMs` sets one. */
export const DEFAULT_RUN_TIMEOUT_MS = 300_000

/**
 * The moment a run must end by. Its signal aborts at that moment, so that every request of
 * the run (waiting, sleeping before a retry, or in flight) rejects at once.
 */
export interface RunDeadline {
  /** Epoch milliseconds. */
  readonly at: number
  /** The limit the run was given, in milliseconds (for messages). */
  readonly limitMs: number
  readonly signal: AbortSignal
  /** The error every request rejects with once the deadline has passed. */
  error(): RunTimeoutError
}

/**
 * Starts the clock of a run. The timer does not keep the process alive.
 *
 * @param limitMs - the run's time limit in milliseconds
 * @param now - the clock, for the deadline's `at`
 * @returns the deadline
 * @example
 * const deadline = startRunDeadline(300_000)
 */
export function startRunDeadline(limitMs: number, now: () => number = Date.now): RunDeadline {
  const limit = Math.max(0, Math.floor(limitMs))
  const signal = AbortSignal.timeout(limit)
  // Every waiting request listens to it (and stops listening when it ends): no fixed bound.
  setMaxListeners(0, signal)
  return {
    at: now() + limit,
    limitMs: limit,
    signal,
    error: () => new RunTimeoutError(`the run reached its time limit of ${formatSeconds(limit)} s`),
  }
}

/**
 * The time limit of a Lambda invocation: one minute before the function's own timeout, or
 * the config's `runTimeoutMs` when that is shorter.
 *
 * @param remainingMs - `context.getRemainingTimeInMillis()`, if there is a context
 * @param configuredMs - the config's `runTimeoutMs`
 * @returns the limit in milliseconds (at least one second); without either, the CLI's default
 */
export function lambdaRunTimeoutMs(
  remainingMs: number | undefined,
  configuredMs: number | undefined,
): number {
  const limits = [configuredMs, remainingMs === undefined ? undefined : remainingMs - 60_000]
  const known = limits.filter((limit): limit is number => limit !== undefined)
  return Math.max(1_000, known.length > 0 ? Math.min(...known) : DEFAULT_RUN_TIMEOUT_MS)
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10)
}
