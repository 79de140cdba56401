import { oneLine } from '../output/untrustedText.ts'

/** The outcome of one doctor check: one line of output. */
export interface Check {
  readonly passed: boolean
  /** What was checked: `chain devnet`, `chain devnet rpc 2/3`, `feed devnet:0x…`, `pool ID`. */
  readonly subject: string
  /** What was found, and on failure what to do about it. */
  readonly message: string
}

/** A check that passed. */
export function pass(subject: string, message: string): Check {
  return { passed: true, subject, message }
}

/** A check that failed. */
export function fail(subject: string, message: string): Check {
  return { passed: false, subject, message }
}

// Messages can quote chain data (revert reasons): no escape sequences reach the terminal.
const CONTROL = /\p{Cc}/gu

/**
 * Formats the checks one per line, `ok` or `FAIL`, the subject, the message, with the
 * subjects in one column, and a closing count.
 *
 * @param checks - the checks, in the order to print
 * @returns the text to print
 * @example
 * formatChecks([pass('chain devnet', 'chain id 31337 matches')])
 * // "ok    chain devnet  chain id 31337 matches\n\n1 check, all passed.\n"
 */
export function formatChecks(checks: readonly Check[]): string {
  const width = Math.max(0, ...checks.map((check) => check.subject.length))
  const lines = checks.map(
    (check) =>
      `${(check.passed ? 'ok' : 'FAIL').padEnd(4)}  ${check.subject.padEnd(width)}  ${oneLine(check.message).replace(CONTROL, '?')}`,
  )
  const failed = checks.filter((check) => !check.passed).length
  const count = `${checks.length} check${checks.length === 1 ? '' : 's'}`
  const summary = failed === 0 ? `${count}, all passed.` : `${count}, ${failed} failed.`
  return `${lines.join('\n')}\n\n${summary}\n`
}
