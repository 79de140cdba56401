import type { DigestConfig } from '../config/schema.ts'
import type { DigestEmail } from './composeMime.ts'

/** Delivers one digest of one date. */
export interface DigestSender {
  /** @returns an id of what was delivered (SES message id, or the key of a local `.eml`) */
  send(input: {
    readonly date: string
    readonly digest: DigestConfig
    readonly email: DigestEmail
  }): Promise<{ readonly id: string }>
}
