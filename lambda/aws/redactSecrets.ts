/**
 * Returns an error safe to log and to return from the function: every secret value (RPC
 * URLs carry API keys, and viem puts the URL in its error messages) in the message or the
 * stack is replaced by `<redacted>`. The name and the error class's fields other than
 * message and stack are kept.
 *
 * @param error - anything thrown
 * @param secrets - the values to hide
 * @returns the same error if it holds no secret, else an `Error` of the same name without them
 */
export function redactSecrets(error: unknown, secrets: readonly string[]): Error {
  const values = secrets.filter((secret) => secret.length >= 8)
  const redact = (text: string) =>
    values.reduce((result, secret) => result.split(secret).join('<redacted>'), text)
  if (!(error instanceof Error)) return new Error(redact(String(error)))
  const message = redact(error.message)
  const stack = error.stack === undefined ? undefined : redact(error.stack)
  if (message === error.message && stack === error.stack && !hasSecretCause(error, redact))
    return error
  // A fresh error without `cause`: the cause may hold the URL in fields of its own.
  const safe = new Error(message)
  safe.name = error.name
  if (stack !== undefined) safe.stack = stack
  return safe
}

function hasSecretCause(error: Error, redact: (text: string) => string): boolean {
  const cause = error.cause
  if (cause === undefined) return false
  const text = cause instanceof Error ? `${cause.message}\n${cause.stack ?? ''}` : String(cause)
  return redact(text) !== text || (cause instanceof Error && hasSecretCause(cause, redact))
}
