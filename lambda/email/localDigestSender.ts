import { objectKeys } from '../output/objectKeys.ts'
import { CONTENT_TYPES, type ObjectStore } from '../output/objectStore.ts'
import { composeMime } from './composeMime.ts'
import type { DigestSender } from './digestSender.ts'

/**
 * A `DigestSender` for local runs: writes each digest as `.html`, `.txt` and an `.eml`
 * that a mail client opens, under `emails/dt=YYYY-MM-DD/` in the output folder.
 *
 * @param store - the run's output store
 * @returns the sender
 */
export function createLocalDigestSender(store: ObjectStore): DigestSender {
  return {
    async send({ date, digest, email }) {
      const key = (extension: 'html' | 'txt' | 'eml') =>
        objectKeys.email(date, digest.name, extension)
      const mime = await composeMime(email, digestMessageHeaders(date, digest.name))
      await Promise.all([
        store.put(key('html'), email.html, CONTENT_TYPES.html),
        store.put(key('txt'), email.text, CONTENT_TYPES.txt),
        store.put(key('eml'), mime, CONTENT_TYPES.eml),
      ])
      return { id: key('eml') }
    },
  }
}

/** Message id and date of a digest: fixed by date and digest, so a re-run writes the same bytes. */
export function digestMessageHeaders(
  date: string,
  digest: string,
): { messageId: string; date: Date } {
  return {
    messageId: `<${date}.${digest}@pool-imbalance-report>`,
    date: new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000),
  }
}
