import { expect, test } from 'vitest'
import { backfillDates } from '../../lambda/backfill/backfillCommand.ts'
import { createProgress } from '../../lambda/backfill/progress.ts'
import {
  backfillExecutionInput,
  childOutcome,
} from '../../lambda/backfill/stepFunctionsBackfill.ts'

test('on a terminal the bar stays under the finished dates; in a log each line has its place', () => {
  // Prepare
  let tty = ''
  let log = ''
  const onTerminal = createProgress({ total: 2, width: 4, isTTY: true, write: (t) => (tty += t) })
  const inLog = createProgress({ total: 2, width: 4, isTTY: false, write: (t) => (log += t) })
  // Act
  for (const progress of [onTerminal, inLog]) {
    progress.finished({ date: '2026-11-02', ok: true, detail: '3 pools reported' })
    progress.finished({ date: '2026-11-01', ok: false, detail: 'RPC down' })
    progress.end()
  }
  // Assess
  expect(tty).toBe(
    '[....] 0/2 dates' +
      '\r\x1b[2K2026-11-02 ok: 3 pools reported\n[##..] 1/2 dates' +
      '\r\x1b[2K2026-11-01 FAILED: RPC down\n[####] 2/2 dates, 1 failed' +
      '\r\x1b[2K',
  )
  expect(log).toBe('[1/2] 2026-11-02 ok: 3 pools reported\n[2/2] 2026-11-01 FAILED: RPC down\n')
})

test('a backfill covers both ends, and only days that are over', () => {
  const now = new Date('2026-11-24T01:00:00Z')
  expect(backfillDates('2026-11-29', '2026-12-02', new Date('2026-12-03T00:00:00Z'))).toEqual([
    '2026-11-29',
    '2026-11-30',
    '2026-12-01',
    '2026-12-02',
  ])
  expect(() => backfillDates('2026-11-20', '2026-11-24', now)).toThrow(/--to: /)
  expect(() => backfillDates('2026-11-20', undefined, now)).toThrow('--from DATE and --to DATE')
})

test('the state machine gets one payload per date with the shared flags', () => {
  expect(
    backfillExecutionInput(['2026-11-01', '2026-11-02'], {
      pools: ['a'],
      noEmail: true,
      concurrency: 2,
    }),
  ).toEqual({
    items: [
      { date: '2026-11-01', pools: ['a'], noEmail: true },
      { date: '2026-11-02', pools: ['a'], noEmail: true },
    ],
    concurrency: 2,
  })
  // Without --concurrency the stack's default applies.
  expect(backfillExecutionInput(['2026-11-01'], {})).toEqual({ items: [{ date: '2026-11-01' }] })
})

test('a finished child execution reads as the date’s outcome, with the function’s message', () => {
  const input = JSON.stringify({ date: '2026-11-01' })
  expect(childOutcome({ status: 'RUNNING', input })).toBeUndefined()
  expect(
    childOutcome({
      status: 'SUCCEEDED',
      input,
      output: JSON.stringify({ date: '2026-11-01', status: 'ok', poolsOk: 14, poolsFailed: 1 }),
    }),
  ).toEqual({ date: '2026-11-01', ok: true, detail: '14 pools reported, 1 could not be read' })
  expect(
    childOutcome({
      status: 'SUCCEEDED',
      input,
      output: JSON.stringify({
        date: '2026-11-01',
        status: 'failed',
        error: 'ChainUnavailableError',
        cause: JSON.stringify({ errorType: 'ChainUnavailableError', errorMessage: 'chain down' }),
      }),
    }),
  ).toEqual({ date: '2026-11-01', ok: false, detail: 'ChainUnavailableError: chain down' })
  expect(childOutcome({ status: 'ABORTED', input })).toEqual({
    date: '2026-11-01',
    ok: false,
    detail: 'ABORTED',
  })
})
