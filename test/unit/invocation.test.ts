import { expect, test } from 'vitest'
import { parseInvocation } from '../../lambda/invocation/parseInvocation.ts'

const now = new Date('2026-11-24T01:30:00Z')
const options = { now, maxBackfillDays: 31 }
const flags = { dryRun: false, noEmail: false, force: false }

test('the stack’s Scheduler input reports on the day before its scheduled time', () => {
  // A retry at 23:00 still reports the day the schedule fired for.
  const event = { source: 'pool-report.schedule', scheduledTime: '2026-11-24T01:30:00Z' }
  expect(parseInvocation(event, { ...options, now: new Date('2026-11-24T23:00:00Z') })).toEqual({
    trigger: 'schedule',
    dates: ['2026-11-23'],
    ...flags,
  })
})

test('an EventBridge rule’s Scheduled Event reports on yesterday (UTC) of its time', () => {
  const event = {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2026-11-24T00:05:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/pool-report'],
    detail: {},
  }
  expect(parseInvocation(event, options).dates).toEqual(['2026-11-23'])
})

test('a manual payload names a date, pools and flags; without a date it means yesterday', () => {
  expect(
    parseInvocation(
      { date: '2026-11-20', pools: ['a'], dryRun: true, recipients: ['ops@example.com'] },
      options,
    ),
  ).toEqual({
    trigger: 'manual',
    dates: ['2026-11-20'],
    pools: ['a'],
    dryRun: true,
    noEmail: false,
    force: false,
    recipients: ['ops@example.com'],
  })
  expect(parseInvocation({}, options).dates).toEqual(['2026-11-23'])
  expect(parseInvocation(null, options).dates).toEqual(['2026-11-23'])
})

test('a backfill lists every day from `from` to `to`, both included', () => {
  expect(parseInvocation({ from: '2026-10-30', to: '2026-11-02' }, options).dates).toEqual([
    '2026-10-30',
    '2026-10-31',
    '2026-11-01',
    '2026-11-02',
  ])
})

test.each([
  [{ date: '2026-11-24' }, 'date: 2026-11-24 is not over yet'],
  [{ date: '20261120' }, 'date: expected a date YYYY-MM-DD'],
  [{ date: '2026-11-20', from: '2026-11-19', to: '2026-11-20' }, 'date: give date, or from and to'],
  [{ to: '2026-11-20' }, 'from: a backfill needs both from and to'],
  [{ from: '2026-11-20', to: '2026-11-19' }, 'to: 2026-11-19 is before from (2026-11-20)'],
  [{ from: '2026-09-01', to: '2026-11-20' }, 'to: a backfill covers at most 31 days'],
  [{ pools: [] }, 'pools: Too small: expected array to have >=1 items'],
  [{ force: 1 }, 'force: Invalid input: expected boolean, received number'],
  [{ recipients: ['x@'] }, 'recipients[0]: Invalid email address'],
  [{ Date: '2026-11-20' }, 'Unrecognized key: "Date"'],
  [['2026-11-20'], '(top level): Invalid input: expected object, received array'],
  [
    { source: 'pool-report.schedule', scheduledTime: 'yesterday' },
    'scheduledTime: Invalid ISO datetime',
  ],
  [{ source: 'aws.events', 'detail-type': 'Scheduled Event' }, 'time: Invalid input'],
])('%j is rejected: %s', (event, message) => {
  expect(() => parseInvocation(event, options)).toThrow(message)
})
