import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import * as z from 'zod'
import { ReportError } from '../errors.ts'
import { objectKeys } from './objectKeys.ts'
import { CONTENT_TYPES, type ObjectStore } from './objectStore.ts'

/** The lock object of a date, `runs/dt=D/lock.json`. */
const lockSchema = z.object({
  owner: z.string(),
  date: z.string(),
  acquiredAt: z.string(),
  expiresAt: z.string(),
})
type LockRecord = z.infer<typeof lockSchema>

/** Another run holds the date's lock, and it did not come free in the time a run waits. */
export class DateLockedError extends ReportError {
  override name = 'DateLockedError'
}

/** A held date lock. */
export interface DateLock {
  readonly key: string
  readonly owner: string
  readonly expiresAt: Date
  /** Throws `DateLockedError` unless this run still holds the lock (it may have expired and been taken). */
  confirm(): Promise<void>
  /** Removes the lock if this run still holds it. */
  release(): Promise<void>
}

export interface AcquireDateLockOptions {
  /** Who takes it: shown to a run that finds the date locked. @default host, process and a random id */
  readonly owner?: string
  /** How long the lock holds if its run never releases it (a run killed mid-way). */
  readonly ttlMs: number
  /** How long to wait for a lock held by another run before failing. */
  readonly waitMs: number
  /** @default the system clock */
  readonly now?: () => Date
  /** Time between looks at a held lock. @default 500 ms */
  readonly pollMs?: number
}

/**
 * Takes the per-date lock, so that two runs of one date (a retry overlapping a manual run)
 * never interleave their files. It is created with a create-only write (S3 `If-None-Match:
 * *`); a lock past its expiry (its run died) is taken over with a write conditional on the
 * ETag that was read, so of two runs taking it over one wins. A lock held by a live run is
 * waited for, up to `waitMs`.
 *
 * @param store - where the date's files are
 * @param date - `YYYY-MM-DD`
 * @param options - owner, time-to-live, wait, clock
 * @returns the held lock
 * @throws DateLockedError naming the lock, its owner and its expiry, when it stays held
 */
export async function acquireDateLock(
  store: ObjectStore,
  date: string,
  {
    owner = `${hostname()}:${process.pid}:${crypto.randomUUID()}`,
    ttlMs,
    waitMs,
    now = () => new Date(),
    pollMs = 500,
  }: AcquireDateLockOptions,
): Promise<DateLock> {
  const key = objectKeys.lock(date)
  const waitUntil = now().getTime() + waitMs
  for (;;) {
    const at = now()
    const record: LockRecord = {
      owner,
      date,
      acquiredAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + ttlMs).toISOString(),
    }
    const body = `${JSON.stringify(record, null, 2)}\n`
    if (await store.putIfAbsent(key, body, CONTENT_TYPES.json)) return held(store, key, record)
    const current = await store.getVersioned(key)
    if (current === undefined) continue // released meanwhile
    const holder = parseLock(current.text)
    if (!holder || Date.parse(holder.expiresAt) <= at.getTime()) {
      // Expired (or unreadable): take it over, unless another run just did.
      if (await store.putIfMatch(key, body, CONTENT_TYPES.json, current.etag))
        return held(store, key, record)
      continue
    }
    const left = waitUntil - at.getTime()
    if (left <= 0) {
      throw new DateLockedError(
        `another run is writing ${date}: the lock ${key} is held by ${holder.owner} since ${holder.acquiredAt} and expires at ${holder.expiresAt}; run again once it has finished (or after that time, if it died)`,
      )
    }
    await sleep(Math.min(pollMs, left))
  }
}

function held(store: ObjectStore, key: string, record: LockRecord): DateLock {
  const stillHeld = async () => {
    const current = await store.getText(key)
    return current !== undefined && parseLock(current)?.owner === record.owner
  }
  return {
    key,
    owner: record.owner,
    expiresAt: new Date(record.expiresAt),
    async confirm() {
      if (!(await stillHeld()))
        throw new DateLockedError(
          `the lock ${key} expired at ${record.expiresAt} and another run took it; this run wrote nothing`,
        )
    },
    async release() {
      // Read, then delete: between the two only an expired lock can change hands.
      if (await stillHeld()) await store.delete(key)
    },
  }
}

function parseLock(text: string): LockRecord | undefined {
  try {
    return lockSchema.parse(JSON.parse(text))
  } catch {
    return undefined
  }
}
