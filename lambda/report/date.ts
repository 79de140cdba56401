import { InvalidInputError } from '../errors.ts'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * Checks a `YYYY-MM-DD` date: the format, that the day exists, and (with `now`) that it is over.
 *
 * @param date - the date string
 * @param now - the current time, to reject days that have not ended
 * @returns the date, unchanged
 * @throws InvalidInputError naming the problem
 */
export function parseReportDate(date: string, now?: Date): string {
  const match = DATE.exec(date)
  const parsed = match
    ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
    : undefined
  if (!parsed || parsed.toISOString().slice(0, 10) !== date) {
    throw new InvalidInputError('Invalid date', [
      `"${date}" is not a calendar date in the form YYYY-MM-DD`,
    ])
  }
  if (now && parsed.getTime() + 86_400_000 > now.getTime()) {
    throw new InvalidInputError('Invalid date', [
      `${date} is not over yet: a day can be reported from ${addDays(date, 1)}T00:00:00Z (now ${now.toISOString()})`,
    ])
  }
  return date
}

/** Start and end (exclusive) of a UTC day, in seconds. */
export function dayBounds(date: string): { start: bigint; end: bigint } {
  const start = BigInt(Date.parse(`${date}T00:00:00Z`) / 1000)
  return { start, end: start + 86_400n }
}

/** The date `days` after `date` (negative for before). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** Yesterday in UTC: the day a scheduled run reports on. */
export function yesterdayUtc(now: Date): string {
  return addDays(now.toISOString().slice(0, 10), -1)
}

/** Whole days from `from` to `to` (negative if `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}
