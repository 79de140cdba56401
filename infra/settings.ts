import * as z from 'zod'

/**
 * The deployment's parameters, from CDK context (`cdk.json`, or `-c key=value`): what
 * differs between deployments without a code change.
 */
export const settingsSchema = z.strictObject({
  /** The pool config (JSON) to deploy, relative to the repository. */
  configFile: z.string().min(1),
  /** From address of the digests: an SES verified identity (the address or its domain). */
  sender: z.email(),
  /** Comma-separated recipients replacing every digest's `to`; the config's when empty. */
  recipients: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.email())),
  /** Prefix of the report layout in the bucket. */
  prefix: z
    .string()
    .default('reports/')
    .transform((prefix) => prefix.replace(/^\/+|\/+$/g, ''))
    .refine((prefix) => /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/.test(prefix), 'letters, digits, . _ - /')
    .transform((prefix) => `${prefix}/`),
  /** When the daily run starts: an EventBridge Scheduler expression. */
  schedule: z.string().default('cron(30 1 * * ? *)'),
  /** Time zone of the schedule expression. */
  scheduleTimeZone: z.string().default('UTC'),
  /** Most days one manual backfill may cover. */
  maxBackfillDays: z.coerce.number().int().min(1).max(366).default(31),
  /** Dates a Step Functions backfill runs at once unless the command asks otherwise. */
  backfillConcurrency: z.coerce.number().int().min(1).max(40).default(4),
  /** How long the download links in emails work. */
  linkTtlDays: z.coerce.number().int().min(7).max(365).default(30),
  /** Days the function logs are kept. */
  logRetentionDays: z.coerce.number().int().positive().default(90),
  /** Days an overwritten or deleted object version is kept. */
  noncurrentVersionDays: z.coerce.number().int().positive().default(90),
  /** An address subscribed to the alarm topic (confirm the subscription email). */
  alarmEmail: z.email().optional(),
  /** Name of the Glue database over the CSVs. */
  glueDatabase: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'lower case letters, digits and _')
    .default('pool_report'),
})

/** Validated deployment parameters. */
export type DeploymentSettings = z.output<typeof settingsSchema>

/** The context keys of `settingsSchema`. */
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as (keyof DeploymentSettings)[]

/**
 * Validates the deployment parameters read from CDK context.
 *
 * @param context - context values by key (unset keys may be `undefined`)
 * @returns the settings
 * @throws Error naming each bad parameter
 */
export function parseSettings(context: Record<string, unknown>): DeploymentSettings {
  const defined = Object.fromEntries(
    Object.entries(context).filter(([, value]) => value !== undefined && value !== ''),
  )
  const parsed = settingsSchema.safeParse(defined)
  if (!parsed.success)
    throw new Error(
      `Bad deployment parameters (cdk.json context or -c key=value):\n${parsed.error.issues
        .map((issue) => `  - ${issue.path.join('.') || '(top level)'}: ${issue.message}`)
        .join('\n')}`,
    )
  return parsed.data
}
