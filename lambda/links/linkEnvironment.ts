import { normalizePrefix } from '../aws/normalizePrefix.ts'
import { ReportError } from '../errors.ts'

/** The link function's settings. */
export interface LinkEnvironment {
  readonly bucket: string
  /** `''` or ending in `/`. */
  readonly prefix: string
  /** Secrets Manager id of the links' HMAC key. */
  readonly linkSecretId: string
}

/**
 * Reads the link function's settings (`REPORT_BUCKET`, `REPORT_PREFIX`, `LINK_SECRET_ID`).
 * Checked by hand, not with zod: this function answers readers' clicks, and zod would
 * double its bundle and its import time.
 *
 * @param env - the process environment
 * @returns the settings
 * @throws ReportError naming each missing variable
 */
export function parseLinkEnvironment(env: Record<string, string | undefined>): LinkEnvironment {
  const missing = ['REPORT_BUCKET', 'LINK_SECRET_ID'].filter((name) => !env[name])
  if (missing.length > 0)
    throw new ReportError('Invalid function environment', {
      details: missing.map((name) => `${name}: not set`).join('; '),
    })
  return {
    bucket: env.REPORT_BUCKET!,
    prefix: normalizePrefix(env.REPORT_PREFIX ?? ''),
    linkSecretId: env.LINK_SECRET_ID!,
  }
}
