import * as z from 'zod'
import { ReportError } from '../errors.ts'
import { objectKeys } from '../output/objectKeys.ts'
import { CONTENT_TYPES, type ObjectStore } from '../output/objectStore.ts'
import { type AlertDay, type AlertObservation, advanceAlerts } from './alertLifecycle.ts'

/** Dates a state file keeps: enough for any reminder and for backfills of a quarter. */
const KEPT_DATES = 120
/** Conditional writes tried before giving up to a busy writer. */
const ATTEMPTS = 8

const entrySchema = z.object({
  status: z.enum(['new', 'ongoing', 'escalated', 'cleared']),
  value: z.number(),
  notifiedValue: z.number(),
  notifiedOn: z.string(),
  since: z.string(),
  reminder: z.boolean().optional(),
  escalatedFrom: z.object({ value: z.number(), on: z.string() }).optional(),
})
const stateSchema = z.object({
  digest: z.string(),
  /** The alerts after each reported date. */
  dates: z.record(
    z.string(),
    z.record(
      z.string(),
      z.partialRecord(z.enum(['imbalance', 'price_deviation', 'il']), entrySchema),
    ),
  ),
})
interface AlertStateFile {
  readonly digest: string
  readonly dates: Readonly<Record<string, AlertDay>>
}

/** The lifecycle of a digest's alerts on a date, and the previous reported date it follows. */
export interface DigestAlerts {
  readonly day: AlertDay
  /** The latest reported date before this one, if any. */
  readonly previousDate?: string
}

/**
 * Records a digest's alerts of a date in `state/alerts/<digest>.json` and returns them. The
 * date's entry follows from the latest stored date before it, never from a later one: re-running
 * a date gives the same entry, and a backfill of an old date leaves the later dates as they are.
 * The file is replaced with a conditional write (`If-Match` on the version read, `If-None-Match: *`
 * for the first), retried when another run changed it in between.
 *
 * @param store - the output store
 * @param digest - the digest's name
 * @param date - the reported date
 * @param observations - the digest's pools on the date
 * @returns the date's alerts
 * @throws ReportError if the file cannot be read, or stays contended
 */
export async function recordDigestAlerts(
  store: ObjectStore,
  digest: string,
  date: string,
  observations: readonly AlertObservation[],
): Promise<DigestAlerts> {
  const key = objectKeys.alertState(digest)
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await store.getVersioned(key)
    const state = current ? parseState(key, current.text) : { digest, dates: {} }
    const previousDate = Object.keys(state.dates)
      .filter((stored) => stored < date)
      .sort()
      .at(-1)
    const day = advanceAlerts(
      previousDate ? state.dates[previousDate] : undefined,
      date,
      observations,
    )
    const dates = Object.fromEntries(
      Object.entries({ ...state.dates, [date]: day })
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(-KEPT_DATES),
    )
    const body = `${JSON.stringify({ digest, dates } satisfies AlertStateFile)}\n`
    const result = { day, ...(previousDate && { previousDate }) }
    if (current?.text === body) return result
    const written = current
      ? await store.putIfMatch(key, body, CONTENT_TYPES.json, current.etag)
      : await store.putIfAbsent(key, body, CONTENT_TYPES.json)
    if (written) return result
    await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt * Math.random()))
  }
  throw new ReportError(`${key} kept changing under this run; try again`)
}

function parseState(key: string, text: string): AlertStateFile {
  try {
    return stateSchema.parse(JSON.parse(text)) as AlertStateFile
  } catch (error) {
    throw new ReportError(`the alert state ${key} cannot be read: ${String(error)}`, {
      cause: error,
    })
  }
}
