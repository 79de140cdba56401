import { SFNClient } from '@aws-sdk/client-sfn'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DateOutcome } from '../../lambda/backfill/progress.ts'
import {
  backfillExecutionInput,
  runStepFunctionsBackfill,
} from '../../lambda/backfill/stepFunctionsBackfill.ts'
import { type LocalService, startStepFunctionsLocal } from '../support/localAws.ts'

const ok = (poolsOk: number) => ({ status: 'ok', poolsOk, poolsFailed: 0 })
const script = {
  '2026-11-01': { finishesAtPoll: 3, result: ok(21) },
  '2026-11-02': { finishesAtPoll: 2, result: ok(21) },
  '2026-11-03': {
    finishesAtPoll: 4,
    result: {
      status: 'failed',
      error: 'ChainUnavailableError',
      cause: JSON.stringify({
        errorType: 'ChainUnavailableError',
        errorMessage: 'chain devnet could not be read',
      }),
    },
  },
  '2026-11-04': { finishesAtPoll: 2, result: ok(20) },
  '2026-11-05': { finishesAtPoll: 5, result: ok(21) },
}
let sfn: LocalService & { readonly started: () => unknown }

beforeAll(async () => {
  sfn = await startStepFunctionsLocal(script)
})
afterAll(() => sfn?.stop())

test('a Step Functions backfill reports each date once, as it finishes, across pages of child executions', async () => {
  const dates = Object.keys(script)
  const seen: DateOutcome[] = []
  const execution = await runStepFunctionsBackfill({
    client: new SFNClient({
      endpoint: sfn.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:backfill',
    input: backfillExecutionInput(dates, { noEmail: true, concurrency: 2 }),
    onDate: (outcome) => seen.push(outcome),
    pollMs: 5,
  })
  expect(sfn.started()).toEqual({
    items: dates.map((date) => ({ date, noEmail: true })),
    concurrency: 2,
  })
  expect(execution.status).toBe('SUCCEEDED')
  // In the order they finished (poll 2, 3, 4, 5), each once, though every poll lists all.
  expect(seen.map(({ date }) => date)).toEqual([
    '2026-11-02',
    '2026-11-04',
    '2026-11-01',
    '2026-11-03',
    '2026-11-05',
  ])
  expect(execution.outcomes).toEqual(seen)
  expect(seen.find(({ date }) => date === '2026-11-04')).toEqual({
    date: '2026-11-04',
    ok: true,
    detail: '20 pools reported',
  })
  expect(seen.find(({ date }) => date === '2026-11-03')).toEqual({
    date: '2026-11-03',
    ok: false,
    detail: 'ChainUnavailableError: chain devnet could not be read',
  })
})
