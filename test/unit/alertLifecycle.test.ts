import { expect, test } from 'vitest'
import {
  type AlertDay,
  type AlertObservation,
  advanceAlerts,
  lifecycleSettings,
} from '../../lambda/report/alertLifecycle.ts'
import { addDays } from '../../lambda/report/date.ts'

const thresholds = { imbalancePp: 5, priceDeviationPct: 0.5, ilPct: -1 }
const settings = lifecycleSettings()

/** Runs a pool through days of values and returns each day's statuses per alert code. */
function walk(
  days: readonly (Partial<Record<'imbalance' | 'price_deviation' | 'il', number>> | 'error')[],
  observationSettings = settings,
) {
  let previous: AlertDay | undefined
  return days.map((values, index) => {
    const date = addDays('2026-11-01', index)
    const observation: AlertObservation =
      values === 'error'
        ? { poolId: 'p' }
        : {
            poolId: 'p',
            values: { imbalance: 0, price_deviation: 0, il: 0, ...values },
            thresholds,
            settings: observationSettings,
          }
    previous = advanceAlerts(previous, date, [observation])
    return Object.fromEntries(
      Object.entries(previous.p ?? {}).map(([code, entry]) => [
        code,
        `${entry.status}${entry.reminder ? '+reminder' : ''}`,
      ]),
    )
  })
}

test('defaults: escalate by 5 pp / 0.5 points, hysteresis 20%, remind after 7 days', () => {
  expect(lifecycleSettings()).toEqual({
    escalateBy: { imbalance: 5, price_deviation: 0.5, il: 0.5 },
    hysteresisPct: 20,
    remindDays: 7,
  })
})

test('an imbalance alert is new, ongoing, held by the hysteresis, escalated, cleared, new again', () => {
  const statuses = walk([
    { imbalance: 3 }, // under 5: nothing
    { imbalance: 6 }, // over: new (notified at 6)
    { imbalance: 7 }, // ongoing
    { imbalance: 4.5 }, // under 5 but above 4 (5 - 20%): still ongoing
    { imbalance: 11 }, // 11 - 6 >= 5: escalated (notified at 11)
    { imbalance: 15.9 }, // 15.9 - 11 < 5: ongoing
    { imbalance: 4 }, // at 4: cleared
    { imbalance: 4.5 }, // closed and under the threshold: nothing
    { imbalance: 5.5 }, // over again: new
  ])
  expect(statuses).toEqual([
    {},
    { imbalance: 'new' },
    { imbalance: 'ongoing' },
    { imbalance: 'ongoing' },
    { imbalance: 'escalated' },
    { imbalance: 'ongoing' },
    { imbalance: 'cleared' },
    {},
    { imbalance: 'new' },
  ])
})

test('deviation counts either way and IL downwards, each on its own scale', () => {
  const statuses = walk([
    { price_deviation: -0.6, il: -1.2 }, // both new
    { price_deviation: 0.55, il: -1.69 }, // both ongoing (0.55 < 0.6 + 0.5; 1.69 < 1.2 + 0.5)
    { price_deviation: -1.1, il: -1.7 }, // both escalated
    { price_deviation: 0.41, il: -0.81 }, // above 0.4 and 0.8: ongoing
    { price_deviation: -0.4, il: -0.8 }, // cleared
  ])
  expect(statuses).toEqual([
    { price_deviation: 'new', il: 'new' },
    { price_deviation: 'ongoing', il: 'ongoing' },
    { price_deviation: 'escalated', il: 'escalated' },
    { price_deviation: 'ongoing', il: 'ongoing' },
    { price_deviation: 'cleared', il: 'cleared' },
  ])
})

test('an ongoing alert is notified again after remindDays, then counts from the reminder', () => {
  const statuses = walk(
    Array.from({ length: 8 }, () => ({ imbalance: 6 })),
    lifecycleSettings({ remindDays: 3 }),
  )
  expect(statuses.map((day) => day.imbalance)).toEqual([
    'new',
    'ongoing',
    'ongoing',
    'ongoing+reminder',
    'ongoing',
    'ongoing',
    'ongoing+reminder',
    'ongoing',
  ])
})

test('a pool that could not be read keeps its open alerts as they were', () => {
  expect(walk([{ imbalance: 6 }, 'error', { imbalance: 6.5 }])).toEqual([
    { imbalance: 'new' },
    { imbalance: 'new' },
    { imbalance: 'ongoing' },
  ])
})

test("a pool's own settings win over its digest's, field by field", () => {
  const merged = lifecycleSettings(
    { escalateBy: { imbalancePp: 2 } },
    { escalateBy: { imbalancePp: 9, ilPct: 1 }, hysteresisPct: 50 },
  )
  expect(merged).toEqual({
    escalateBy: { imbalance: 2, price_deviation: 0.5, il: 1 },
    hysteresisPct: 50,
    remindDays: 7,
  })
  // With a 50% hysteresis, 3 pp keeps a 5 pp alert open; 2.5 clears it.
  expect(walk([{ imbalance: 6 }, { imbalance: 3 }, { imbalance: 2.5 }], merged)).toEqual([
    { imbalance: 'new' },
    { imbalance: 'ongoing' },
    { imbalance: 'cleared' },
  ])
})
