import { randomUUID } from 'node:crypto'
import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses'
import { composeMime } from './composeMime.ts'
import type { DigestSender } from './digestSender.ts'

/**
 * A `DigestSender` through Amazon SES (`SendRawEmail`): one message per digest, the same
 * MIME (text and HTML parts) as the `.eml` of a local run.
 *
 * @param client - the SES client
 * @param now - clock for the `Date` header
 * @returns the sender; ids are SES message ids
 */
export function createSesDigestSender(
  client: SESClient,
  now: () => Date = () => new Date(),
): DigestSender {
  return {
    async send({ date, digest, email }) {
      // A unique Message-ID: a forced re-send must not be folded into the first by mail clients.
      const raw = await composeMime(email, {
        messageId: `<${date}.${digest.name}.${randomUUID()}@pool-imbalance-report>`,
        date: now(),
      })
      const { MessageId } = await client.send(
        new SendRawEmailCommand({
          Source: email.from,
          Destinations: [...email.to],
          RawMessage: { Data: raw },
        }),
      )
      if (!MessageId) throw new Error('SES accepted the message without a message id')
      return { id: MessageId }
    },
  }
}
