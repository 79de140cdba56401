import { createHash } from 'node:crypto'
import * as z from 'zod'
import { objectKeys } from '../output/objectKeys.ts'
import { CONTENT_TYPES, type ObjectStore } from '../output/objectStore.ts'

/**
 * What the store records about one digest of one date, at `runs/dt=D/deliveries/NAME.json`.
 * `sending` is a claim taken before the send; `sent` replaces it once the sender answered.
 */
const deliveryRecordSchema = z.object({
  digest: z.string(),
  date: z.string(),
  status: z.enum(['sending', 'sent']),
  to: z.array(z.string()),
  /** SES message id (or the local `.eml` key) once sent. */
  id: z.string().optional(),
  /** When the claim was taken, or the message sent (ISO). */
  at: z.string(),
})
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>

/** What happened to one digest in a run. */
export type DeliveryOutcome =
  | {
      /** `sent` by this run, or `already-sent` by an earlier one (no second email). */
      readonly status: 'sent' | 'already-sent'
      readonly digest: string
      readonly to: readonly string[]
      readonly id: string
    }
  | {
      /**
       * Another run claimed this digest and has not confirmed the send: it is running now, or
       * it stopped between claiming and confirming. Nothing is sent (at most one email);
       * `force` sends anyway.
       */
      readonly status: 'unconfirmed'
      readonly digest: string
      readonly to: readonly string[]
      readonly claimedAt: string
    }

export interface DeliverOnceParameters {
  readonly store: ObjectStore
  readonly date: string
  readonly digest: string
  readonly to: readonly string[]
  /**
   * `to` replaces the digest's own recipients: the send is recorded apart (once per date and
   * recipient list), so that a copy sent elsewhere neither counts as the digest's delivery nor
   * is held back by it.
   */
  readonly recipientsOverridden?: boolean
  /** A channel other than email (the digest's webhook), recorded apart from the email. */
  readonly channel?: 'webhook'
  /** Send even if the digest was sent before for this date. */
  readonly force: boolean
  readonly now: () => Date
  /** Delivers the message; called at most once. */
  readonly send: () => Promise<{ readonly id: string }>
}

/**
 * Sends a digest of a date once: a retried or repeated run finds the record and sends
 * nothing. Before sending it claims the record with a create-only write (S3
 * `If-None-Match: *`), so that of two concurrent runs only one sends; if sending fails the
 * claim is released, so a re-run sends what is missing.
 *
 * @param parameters - store, date, digest, recipients, force, clock and the send itself
 * @returns what happened
 * @throws the sender's error, after releasing the claim
 */
export async function deliverOnce({
  store,
  date,
  digest,
  to,
  recipientsOverridden = false,
  channel,
  force,
  now,
  send,
}: DeliverOnceParameters): Promise<DeliveryOutcome> {
  const key = objectKeys.delivery(
    date,
    digest,
    recipientsOverridden ? recipientsTag(to) : undefined,
    channel,
  )
  const record = (fields: Pick<DeliveryRecord, 'status' | 'id'>) =>
    `${JSON.stringify({ digest, date, to: [...to], ...fields, at: now().toISOString() } satisfies DeliveryRecord, null, 2)}\n`
  // A record that is still being written (a local file, or s3rver) reads as empty or cut
  // off: someone holds it, so it counts as an unconfirmed claim, never as a reason to send.
  const unconfirmed = (): DeliveryOutcome => ({
    status: 'unconfirmed',
    digest,
    to,
    claimedAt: now().toISOString(),
  })
  const readOutcome = async (): Promise<DeliveryOutcome | undefined> => {
    try {
      const existing = await readRecord(store, key)
      return existing && outcomeOf(existing)
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof z.ZodError) return unconfirmed()
      throw error
    }
  }
  let claimed = false
  if (!force) {
    // Reading first answers a plain re-run without a write; the create-only claim settles races.
    const existing = await readOutcome()
    if (existing) return existing
    claimed = await store.putIfAbsent(key, record({ status: 'sending' }), CONTENT_TYPES.json)
    // Lost the claim: report the holder's record. If it vanished in between, the holder's
    // send failed and released it; a re-run sends.
    if (!claimed) return (await readOutcome()) ?? unconfirmed()
  }
  let id: string
  try {
    ;({ id } = await send())
  } catch (error) {
    if (claimed) await store.delete(key)
    throw error
  }
  await store.put(key, record({ status: 'sent', id }), CONTENT_TYPES.json)
  return { status: 'sent', digest, to, id }
}

/**
 * Reads the delivery record of a digest of a date.
 *
 * @returns the record, or `undefined` if the digest was never claimed or sent
 */
export function readDeliveryRecord(
  store: ObjectStore,
  date: string,
  digest: string,
): Promise<DeliveryRecord | undefined> {
  return readRecord(store, objectKeys.delivery(date, digest))
}

async function readRecord(store: ObjectStore, key: string): Promise<DeliveryRecord | undefined> {
  const text = await store.getText(key)
  return text === undefined ? undefined : deliveryRecordSchema.parse(JSON.parse(text))
}

/** A short name for a recipient list, whatever its order and case. */
function recipientsTag(to: readonly string[]): string {
  const canonical = [...new Set(to.map((address) => address.toLowerCase()))].sort().join(',')
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

function outcomeOf(record: DeliveryRecord): DeliveryOutcome {
  return record.status === 'sent' && record.id !== undefined
    ? { status: 'already-sent', digest: record.digest, to: record.to, id: record.id }
    : { status: 'unconfirmed', digest: record.digest, to: record.to, claimedAt: record.at }
}
