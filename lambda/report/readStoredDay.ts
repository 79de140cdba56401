import { errorMessage, ReportError } from '../errors.ts'
import { objectKeys } from '../output/objectKeys.ts'
import type { ObjectStore } from '../output/objectStore.ts'
import { addDays } from './date.ts'
import { parseStoredDay, type StoredDay } from './storedDay.ts'

/**
 * The stored day of a date, if a run stored one.
 *
 * @param store - the output store
 * @param date - the date
 * @returns the stored day, or `undefined` when none is stored
 * @throws ReportError if it is stored but cannot be read (so that no run writes over it)
 */
export async function readStoredDay(
  store: ObjectStore,
  date: string,
): Promise<StoredDay | undefined> {
  const key = objectKeys.poolDays(date)
  const text = await store.getText(key)
  if (text === undefined) return undefined
  try {
    const stored = parseStoredDay(text)
    if (stored.date !== date) throw new Error(`it is the day of ${stored.date}`)
    return stored
  } catch (error) {
    throw new ReportError(`the stored day ${key} cannot be read: ${errorMessage(error)}`, {
      cause: error,
    })
  }
}

/**
 * The stored days before a date, oldest first: the history a digest shows. A day that is not
 * stored, or cannot be read, is a gap (`stored` undefined), not an error.
 *
 * @param store - the output store
 * @param date - the reported date (not included)
 * @param count - how many days before it
 * @returns one entry per date from `date - count` to `date - 1`
 */
export function readDaysBefore(
  store: ObjectStore,
  date: string,
  count: number,
): Promise<{ readonly date: string; readonly stored: StoredDay | undefined }[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const day = addDays(date, index - count)
      return { date: day, stored: await readStoredDay(store, day).catch(() => undefined) }
    }),
  )
}
