/**
 * Base error of the report: a short message for the reader, optional details, and the
 * low-level cause, wrapped once where it crosses a boundary.
 */
export class ReportError extends Error {
  override name = 'ReportError'
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    })
    this.shortMessage = shortMessage
    this.details = options.details
  }
}

/** A config file or an invocation that cannot run; raised before any chain read. */
export class InvalidInputError extends ReportError {
  override name = 'InvalidInputError'
  readonly issues: readonly string[]

  constructor(what: string, issues: readonly string[]) {
    super(`${what}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`)
    this.issues = issues
  }
}

/** A contract call that reverted or returned something that does not decode. */
export class ContractReadError extends ReportError {
  override name = 'ContractReadError'
}

/** The chain cannot answer for a requested time: before its genesis, or after its latest block. */
export class DayNotAvailableError extends ReportError {
  override name = 'DayNotAvailableError'
  readonly reason: 'before-genesis' | 'not-yet'

  constructor(reason: 'before-genesis' | 'not-yet', shortMessage: string) {
    super(shortMessage)
    this.reason = reason
  }
}

/** The message of any thrown value, for error rows and logs. */
export function errorMessage(error: unknown): string {
  // viem wraps what the transport throws (a chain failure) in its own generic RPC error.
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof ReportError) return current.shortMessage
    current = current.cause
  }
  if (error instanceof Error)
    return (error as { shortMessage?: string }).shortMessage ?? error.message
  return String(error)
}

/** Some digests could not be delivered; the files of the run are stored, and a re-run sends only these. */
export class DeliveryError extends ReportError {
  override name = 'DeliveryError'
  readonly failed: readonly { readonly digest: string; readonly error: string }[]

  constructor(date: string, failed: readonly { digest: string; error: string }[]) {
    super(
      `${failed.length} digest(s) of ${date} could not be sent: ${failed
        .map(({ digest, error }) => `${digest} (${error})`)
        .join('; ')}; the files are stored, a re-run sends only these`,
    )
    this.failed = failed
  }
}

/**
 * The chain's RPC did not answer a request (after retries and fail-over): a failure of the
 * chain, not of a pool. A run that meets it for a chain writes nothing and fails.
 */
export class ChainUnavailableError extends ReportError {
  override name = 'ChainUnavailableError'
}

/** The run reached its time limit (`runTimeoutMs`, `--timeout`, the Lambda deadline). */
export class RunTimeoutError extends ChainUnavailableError {
  override name = 'RunTimeoutError'
}
