import { errorMessage } from '../errors.ts'
import type { RunReportResult } from '../runReport.ts'
import type { DateOutcome } from './progress.ts'

export interface RunLocalBackfillParameters {
  readonly dates: readonly string[]
  /** Dates run at once. */
  readonly concurrency: number
  /** Runs the report for one date. */
  readonly run: (date: string) => Promise<Pick<RunReportResult, 'poolsOk' | 'poolsFailed'>>
  /** Called as each date finishes, in the order they finish. */
  readonly onDate: (outcome: DateOutcome) => void
}

/**
 * Runs the report for each date on this machine, `concurrency` dates at a time, in date
 * order. A date that fails is an outcome with its reason; the other dates go on (each date's
 * files are its own, so a failed date can be re-run alone).
 *
 * @param parameters - dates, concurrency, the run, a callback per finished date
 * @returns the outcomes, in date order
 */
export async function runLocalBackfill({
  dates,
  concurrency,
  run,
  onDate,
}: RunLocalBackfillParameters): Promise<DateOutcome[]> {
  const outcomes = new Map<string, DateOutcome>()
  let next = 0
  const worker = async () => {
    while (next < dates.length) {
      const date = dates[next++]!
      let outcome: DateOutcome
      try {
        const result = await run(date)
        outcome = { date, ok: true, detail: poolsDetail(result.poolsOk, result.poolsFailed) }
      } catch (error) {
        outcome = { date, ok: false, detail: errorMessage(error) }
      }
      outcomes.set(date, outcome)
      onDate(outcome)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, dates.length) }, worker))
  return dates.map((date) => outcomes.get(date)!)
}

/**
 * How a date's pools went, in words.
 *
 * @param ok - pools reported
 * @param failed - pools that could not be read (error rows)
 * @returns e.g. `14 pools reported, 1 could not be read`
 */
export function poolsDetail(ok: number, failed: number): string {
  return `${ok} pools reported${failed > 0 ? `, ${failed} could not be read` : ''}`
}
