import * as z from 'zod'
import { formatIssues } from '../config/loadConfig.ts'
import { ReportError } from '../errors.ts'
import { normalizePrefix } from './normalizePrefix.ts'

const reportEnvironmentSchema = z
  .looseObject({
    /** The report bucket. */
    REPORT_BUCKET: z.string().min(3),
    /** Prefix of the layout in the bucket. */
    REPORT_PREFIX: z.string().default('').transform(normalizePrefix),
    /** Secrets Manager id of the download links' HMAC key. */
    LINK_SECRET_ID: z.string().min(1),
    /** `s3://bucket/key` of the pool config (JSON) deployed with the stack. */
    CONFIG_URI: z.string().regex(/^s3:\/\/[^/]+\/.+/, 'expected s3://bucket/key'),
    /** Secrets Manager id of a JSON object: `{"RPC_URL_ETHEREUM": "https://…"}`. */
    RPC_SECRET_ID: z.string().min(1),
    /** The link function's URL. */
    LINK_BASE_URL: z.url({ protocol: /^https?$/ }),
    /** How long email links work. */
    LINK_TTL_DAYS: z.coerce.number().int().min(7).max(365).default(30),
    /** From address of digests that do not set one (an SES verified identity). */
    REPORT_SENDER: z.email(),
    /** Comma-separated recipients that replace the config's, if set. */
    REPORT_RECIPIENTS: z
      .string()
      .optional()
      .transform((list) =>
        list
          ?.split(',')
          .map((address) => address.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.email()).optional()),
    /** Most days a manual backfill may cover. */
    MAX_BACKFILL_DAYS: z.coerce.number().int().min(1).max(366).default(31),
  })
  .transform((env) => ({
    bucket: env.REPORT_BUCKET,
    prefix: env.REPORT_PREFIX,
    linkSecretId: env.LINK_SECRET_ID,
    configUri: env.CONFIG_URI,
    rpcSecretId: env.RPC_SECRET_ID,
    linkBaseUrl: env.LINK_BASE_URL,
    linkTtlSeconds: env.LINK_TTL_DAYS * 86_400,
    sender: env.REPORT_SENDER,
    recipients: env.REPORT_RECIPIENTS?.length ? env.REPORT_RECIPIENTS : undefined,
    maxBackfillDays: env.MAX_BACKFILL_DAYS,
  }))

/** The report function's settings, from its environment (set by the stack). */
export type ReportEnvironment = z.output<typeof reportEnvironmentSchema>

/**
 * Reads the report function's settings.
 *
 * @param env - the process environment
 * @returns the settings
 * @throws ReportError naming each missing or bad variable
 */
export function parseReportEnvironment(env: Record<string, string | undefined>): ReportEnvironment {
  const parsed = reportEnvironmentSchema.safeParse(env)
  // A deployment problem, not the caller's input: a ReportError, so it logs as a failed run.
  if (!parsed.success)
    throw new ReportError('Invalid function environment', {
      details: formatIssues(parsed.error.issues).join('; '),
    })
  return parsed.data
}
