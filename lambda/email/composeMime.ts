import MailComposer from 'nodemailer/lib/mail-composer'

/** A digest as an email. */
export interface DigestEmail {
  readonly from: string
  readonly to: readonly string[]
  readonly subject: string
  readonly html: string
  readonly text: string
  readonly attachments?: readonly {
    readonly filename: string
    readonly content: string | Uint8Array
    readonly contentType: string
    /** Set for an inline image that the HTML shows as `cid:...`. */
    readonly cid?: string
  }[]
}

export interface ComposeMimeOptions {
  /** Fixes `Message-ID`, `Date` and the part boundaries, so the same digest gives the same bytes. */
  readonly messageId: string
  readonly date: Date
}

/**
 * Builds the RFC 5322 message of a digest (multipart/alternative text + HTML, the HTML's
 * images as `cid:` parts, and any attachments): the `.eml` file of a local run, or the raw message SES sends.
 *
 * @param email - the digest email
 * @param options - message id and date
 * @returns the raw message
 */
export function composeMime(
  email: DigestEmail,
  { messageId, date }: ComposeMimeOptions,
): Promise<Buffer> {
  const composer = new MailComposer({
    from: email.from,
    to: [...email.to],
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: email.attachments?.map(({ content, ...attachment }) => ({
      ...attachment,
      content: typeof content === 'string' ? content : Buffer.from(content),
    })),
    messageId,
    date,
    baseBoundary: messageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24),
  })
  return composer.compile().build()
}
