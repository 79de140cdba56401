import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn'
import type { ManualPayload } from '../invocation/parseInvocation.ts'
import type { DateOutcome } from './progress.ts'
import { poolsDetail } from './runLocalBackfill.ts'

/** The input of the stack's backfill state machine (see `infra/constructs/backfillStateMachine.ts`). */
export interface BackfillExecutionInput {
  /** One manual payload per date. */
  readonly items: readonly ManualPayload[]
  readonly concurrency?: number
}

/**
 * The state machine's input for some dates: each date a payload of its own with the
 * shared flags.
 *
 * @param dates - the dates, in order
 * @param options - flags of every date (pools, noEmail, force) and the concurrency
 * @returns the execution input
 */
export function backfillExecutionInput(
  dates: readonly string[],
  options: Omit<ManualPayload, 'date' | 'from' | 'to'> & { readonly concurrency?: number },
): BackfillExecutionInput {
  const { concurrency, ...flags } = options
  return {
    items: dates.map((date) => ({ date, ...flags })),
    ...(concurrency !== undefined && { concurrency }),
  }
}

/**
 * A finished child execution of the Distributed Map, as a date outcome: the state machine
 * turns a date that failed into a `failed` result, so a child fails only when Step
 * Functions itself could not run it.
 *
 * @param child - the child's status, input, output and error
 * @returns the outcome, or `undefined` while the child runs
 */
export function childOutcome(child: {
  readonly status?: string | undefined
  readonly input?: string | undefined
  readonly output?: string | undefined
  readonly error?: string | undefined
  readonly cause?: string | undefined
}): DateOutcome | undefined {
  if (
    child.status === undefined ||
    child.status === 'RUNNING' ||
    child.status === 'PENDING_REDRIVE'
  )
    return undefined
  const date = String((JSON.parse(child.input ?? '{}') as { date?: unknown }).date ?? '?')
  if (child.status === 'SUCCEEDED' && child.output) {
    const result = JSON.parse(child.output) as {
      status: 'ok' | 'failed'
      poolsOk?: number
      poolsFailed?: number
      error?: string
      cause?: string
    }
    if (result.status === 'ok')
      return { date, ok: true, detail: poolsDetail(result.poolsOk ?? 0, result.poolsFailed ?? 0) }
    return { date, ok: false, detail: failureText(result.error, result.cause) }
  }
  return { date, ok: false, detail: failureText(child.error ?? child.status, child.cause) }
}

/** A Lambda error's cause is its JSON (`errorType`, `errorMessage`): keep the message. */
function failureText(error: string | undefined, cause: string | undefined): string {
  if (!cause) return error ?? 'failed'
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string }
    if (parsed.errorMessage) return `${error}: ${parsed.errorMessage}`
  } catch {
    // Not JSON: the cause is the text.
  }
  return `${error}: ${cause}`
}

export interface RunStepFunctionsBackfillParameters {
  readonly client: SFNClient
  readonly stateMachineArn: string
  readonly input: BackfillExecutionInput
  readonly onDate: (outcome: DateOutcome) => void
  /** @default 5000 */
  readonly pollMs?: number
}

/**
 * Starts the backfill state machine and follows it: every `pollMs`, the Distributed Map's
 * child executions that finished since the last look become outcomes, in the order they are
 * seen, until the execution ends.
 *
 * @param parameters - client, state machine, input, callback per finished date
 * @returns the execution's ARN, final status and the outcomes
 */
export async function runStepFunctionsBackfill({
  client,
  stateMachineArn,
  input,
  onDate,
  pollMs = 5000,
}: RunStepFunctionsBackfillParameters) {
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
  )
  const seen = new Set<string>()
  const outcomes: DateOutcome[] = []
  let mapRunArn: string | undefined
  const collect = async () => {
    mapRunArn ??= (await client.send(new ListMapRunsCommand({ executionArn }))).mapRuns?.[0]
      ?.mapRunArn
    if (!mapRunArn) return
    let nextToken: string | undefined
    do {
      const page = await client.send(new ListExecutionsCommand({ mapRunArn, nextToken }))
      nextToken = page.nextToken
      for (const child of page.executions ?? []) {
        if (!child.executionArn || seen.has(child.executionArn) || child.status === 'RUNNING')
          continue
        const described = await client.send(
          new DescribeExecutionCommand({ executionArn: child.executionArn }),
        )
        const outcome = childOutcome(described)
        if (!outcome) continue
        seen.add(child.executionArn)
        outcomes.push(outcome)
        onDate(outcome)
      }
    } while (nextToken)
  }
  for (;;) {
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }))
    await collect()
    if (execution.status !== 'RUNNING') {
      return {
        executionArn: executionArn!,
        status: execution.status,
        error: execution.error,
        outcomes,
      }
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}
