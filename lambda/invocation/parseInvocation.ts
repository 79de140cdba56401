import * as z from 'zod'
import { formatIssues } from '../config/loadConfig.ts'
import { InvalidInputError } from '../errors.ts'
import { addDays, parseReportDate, yesterdayUtc } from '../report/date.ts'

/** What one invocation of the report asks for, validated. */
export interface Invocation {
  readonly trigger: 'schedule' | 'manual'
  /** UTC days to report, in order; one unless a backfill. */
  readonly dates: readonly string[]
  /** Pool ids to report; all when absent. */
  readonly pools?: readonly string[]
  readonly dryRun: boolean
  readonly noEmail: boolean
  readonly force: boolean
  readonly recipients?: readonly string[]
}

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')

/**
 * The payload of a manual invocation, e.g.
 * `{"date":"2026-11-20","pools":["uni-v2-usdc-weth"],"dryRun":true}` or a backfill
 * `{"from":"2026-11-01","to":"2026-11-20"}`. Without a date it reports on yesterday (UTC).
 */
export const manualPayloadSchema = z
  .strictObject({
    date: DATE.optional(),
    from: DATE.optional(),
    to: DATE.optional(),
    pools: z.array(z.string().min(1)).min(1).optional(),
    /** Compute and return the report; write nothing, send nothing. */
    dryRun: z.boolean().default(false),
    /** Write the files; send no digest. */
    noEmail: z.boolean().default(false),
    /** Send digests again that were already sent for the date. */
    force: z.boolean().default(false),
    /** Replace every digest's recipients. */
    recipients: z.array(z.email()).min(1).optional(),
  })
  .superRefine((payload, context) => {
    if (payload.date !== undefined && (payload.from !== undefined || payload.to !== undefined))
      context.addIssue({ code: 'custom', path: ['date'], message: 'give date, or from and to' })
    if ((payload.from === undefined) !== (payload.to === undefined))
      context.addIssue({
        code: 'custom',
        path: [payload.from === undefined ? 'from' : 'to'],
        message: 'a backfill needs both from and to',
      })
  })
export type ManualPayload = z.input<typeof manualPayloadSchema>

/** The input the EventBridge Scheduler schedule of the stack sends. */
const schedulerEventSchema = z.strictObject({
  source: z.literal('pool-report.schedule'),
  /** `<aws.scheduler.scheduled-time>`: a retry hours later still reports the scheduled day. */
  scheduledTime: z.iso.datetime({ offset: true }),
})

/** An EventBridge rule's scheduled event. */
const scheduledRuleEventSchema = z.looseObject({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
  time: z.iso.datetime({ offset: true }),
})

export interface ParseInvocationOptions {
  readonly now: Date
  /** Most days one backfill may cover. */
  readonly maxBackfillDays: number
}

/**
 * Validates a Lambda event before anything is read: a scheduled event (the stack's
 * Scheduler input, or an EventBridge rule's "Scheduled Event") reports on the UTC day
 * before its scheduled time; anything else must be a manual payload.
 *
 * @param event - the Lambda event
 * @param options - the clock and the backfill limit
 * @returns the invocation
 * @throws InvalidInputError naming each bad field
 */
export function parseInvocation(event: unknown, options: ParseInvocationOptions): Invocation {
  const defaults = { dryRun: false, noEmail: false, force: false }
  if (isObject(event) && 'source' in event) {
    const scheduled =
      event.source === 'aws.events'
        ? scheduledRuleEventSchema.safeParse(event)
        : schedulerEventSchema.safeParse(event)
    if (!scheduled.success)
      throw new InvalidInputError('Invalid scheduled event', formatIssues(scheduled.error.issues))
    const time = 'time' in scheduled.data ? scheduled.data.time : scheduled.data.scheduledTime
    return { trigger: 'schedule', dates: [yesterdayUtc(new Date(time))], ...defaults }
  }
  const parsed = manualPayloadSchema.safeParse(event ?? {})
  if (!parsed.success)
    throw new InvalidInputError('Invalid payload', formatIssues(parsed.error.issues))
  const payload = parsed.data
  return {
    trigger: 'manual',
    dates: payloadDates(payload, options),
    dryRun: payload.dryRun,
    noEmail: payload.noEmail,
    force: payload.force,
    ...(payload.pools && { pools: payload.pools }),
    ...(payload.recipients && { recipients: payload.recipients }),
  }
}

function payloadDates(
  payload: z.output<typeof manualPayloadSchema>,
  { now, maxBackfillDays }: ParseInvocationOptions,
): string[] {
  const check = (field: string, date: string) => {
    try {
      return parseReportDate(date, now)
    } catch (error) {
      const issues = error instanceof InvalidInputError ? error.issues : [String(error)]
      throw new InvalidInputError(
        'Invalid payload',
        issues.map((issue) => `${field}: ${issue}`),
      )
    }
  }
  if (payload.from === undefined || payload.to === undefined)
    return [check('date', payload.date ?? yesterdayUtc(now))]
  const from = check('from', payload.from)
  const to = check('to', payload.to)
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1
  if (days < 1)
    throw new InvalidInputError('Invalid payload', [`to: ${to} is before from (${from})`])
  if (days > maxBackfillDays)
    throw new InvalidInputError('Invalid payload', [
      `to: a backfill covers at most ${maxBackfillDays} days; ${from}..${to} is ${days}`,
    ])
  return Array.from({ length: days }, (_, i) => addDays(from, i))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
