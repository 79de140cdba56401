/**
 * Delay before the `attempt`-th retry (1 for the first): exponential backoff with "equal
 * jitter", a random point in the upper half of `baseMs * 2^(attempt-1)`, capped. The jitter
 * keeps many clients that failed together from retrying together.
 *
 * @param attempt - 1 for the first retry
 * @param baseMs - delay of the first retry before jitter
 * @param random - a number in [0, 1)
 * @returns milliseconds to wait
 */
export function backoffDelayMs(attempt: number, baseMs: number, random: number): number {
  const full = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(full / 2 + (full / 2) * random)
}

/** Longest backoff between two attempts, whatever the attempt count. */
export const MAX_BACKOFF_MS = 30_000

/**
 * Reads an HTTP `Retry-After` header: a number of seconds, or an HTTP date.
 *
 * @param header - the header's value, if any
 * @param now - epoch milliseconds, to turn a date into a delay
 * @returns milliseconds to wait (0 for a date in the past), or `undefined` if absent or unreadable
 * @example
 * retryAfterMs('2', Date.now()) // 2000
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  const text = header?.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
