import type { DigestView } from './digestView.ts'

/** Slack's limit for one section's text, with room to spare. */
const MAX_TEXT = 2800
const TIMEOUT_MS = 10_000

/** A Slack-compatible message (`text` for notifications, `blocks` for the body). */
export interface WebhookMessage {
  readonly text: string
  readonly blocks: readonly {
    readonly type: 'section'
    readonly text: { readonly type: 'mrkdwn'; readonly text: string }
  }[]
}

/**
 * The webhook message of a digest: its new, escalated and cleared alerts, as
 * Slack mrkdwn. Text from the chain is escaped as Slack asks (`&`, `<`, `>`), so a symbol cannot
 * make a link or a mention.
 *
 * @param view - the digest's view
 * @returns the message, or `undefined` when the digest has no such alert
 */
export function webhookMessage(view: DigestView): WebhookMessage | undefined {
  // Reminders of ongoing alerts stay in the email.
  const notices = view.notices.filter((notice) => notice.status !== 'ongoing')
  if (notices.length === 0) return undefined
  const { counts } = view
  const text = `Pool report ${view.date} (${view.digest}): ${counts.new} new, ${counts.escalated} escalated, ${counts.cleared} cleared`
  const lines: string[] = []
  let length = 0
  for (const [index, notice] of notices.entries()) {
    const line = `*${notice.label}* \`${slack(notice.poolId)}\` (${slack(notice.tokens)}): ${slack(notice.message)}`
    const left = notices.length - index + view.more.notices
    if (length + line.length > MAX_TEXT) {
      lines.push(`… and ${left} more`)
      break
    }
    lines.push(line)
    length += line.length + 1
  }
  if (lines.length === notices.length && view.more.notices > 0)
    lines.push(`… and ${view.more.notices} more`)
  return {
    text: slack(text),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
  }
}

/**
 * POSTs a message as JSON to a webhook URL.
 *
 * @param url - the webhook URL (a secret: it is not put into errors)
 * @param message - the message
 * @returns an id for the delivery record
 * @throws Error naming the HTTP status when the endpoint refuses it, or on timeout
 */
export async function postWebhook(url: string, message: WebhookMessage): Promise<{ id: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch((error: unknown) => {
    // fetch's errors quote the URL, which carries the webhook's secret path.
    throw new Error(`the webhook could not be reached (${(error as Error).name})`)
  })
  await response.body?.cancel()
  if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`)
  return { id: `webhook HTTP ${response.status}` }
}

function slack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
