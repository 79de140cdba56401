import { createHmac, timingSafeEqual } from 'node:crypto'

/** Keys a download link may point at: the day's CSVs and nothing else in the bucket. */
const SERVED_KEY = /^(metrics|balances)\/dt=\d{4}-\d{2}-\d{2}\/\1\.csv$/

export interface LinkSignerOptions {
  /** The link function's URL, e.g. `https://abc.lambda-url.eu-west-1.on.aws/`. */
  readonly baseUrl: string
  /** The HMAC key shared with the link function. */
  readonly secret: string
  /** How long a link works. */
  readonly ttlSeconds: number
  readonly now?: () => Date
}

/**
 * Creates long-lived download links: `BASE/KEY?expires=UNIX&signature=HMAC`. The link
 * function checks the HMAC and the expiry and redirects to a fresh presigned S3 URL, so a
 * link keeps working for `ttlSeconds` (days), unlike a presigned URL signed with the
 * function's temporary credentials, which dies with them (hours).
 *
 * @param options - base URL, secret, lifetime, clock
 * @returns a function from a layout key (`metrics/dt=2026-11-23/metrics.csv`) to its link
 * @example createLinkSigner({ baseUrl, secret, ttlSeconds: 30 * 86_400 })('metrics/dt=2026-11-23/metrics.csv')
 */
export function createLinkSigner({
  baseUrl,
  secret,
  ttlSeconds,
  now = () => new Date(),
}: LinkSignerOptions): (key: string) => string {
  return (key) => {
    if (!SERVED_KEY.test(key)) throw new Error(`no download link for "${key}": not a report CSV`)
    const expires = Math.floor(now().getTime() / 1000) + ttlSeconds
    const url = new URL(key, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
    url.searchParams.set('expires', String(expires))
    url.searchParams.set('signature', sign(secret, key, expires))
    return url.href
  }
}

/** Why a link is refused. */
export type LinkRejection = 'not-found' | 'bad-signature' | 'expired'

/**
 * Checks a download link as the link function receives it.
 *
 * @param request - the URL path (`/metrics/dt=…/metrics.csv`) and its query parameters
 * @param secret - the HMAC key
 * @param now - the current time
 * @returns the layout key to serve, or why not
 */
export function verifySignedLink(
  request: { readonly path: string; readonly expires?: string; readonly signature?: string },
  secret: string,
  now: Date,
): { readonly key: string } | { readonly rejected: LinkRejection } {
  const key = request.path.replace(/^\/+/, '')
  if (!SERVED_KEY.test(key)) return { rejected: 'not-found' }
  const expires = Number(request.expires)
  if (!Number.isSafeInteger(expires) || request.signature === undefined)
    return { rejected: 'bad-signature' }
  const expected = Buffer.from(sign(secret, key, expires))
  const given = Buffer.from(request.signature)
  // Constant time: a timing difference must not reveal how much of a guess was right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { rejected: 'bad-signature' }
  if (expires * 1000 < now.getTime()) return { rejected: 'expired' }
  return { key }
}

function sign(secret: string, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`v1\n${key}\n${expires}`).digest('base64url')
}
