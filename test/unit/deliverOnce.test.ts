import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { deliverOnce, readDeliveryRecord } from '../../lambda/email/deliverOnce.ts'
import { createLocalStore } from '../../lambda/output/localStore.ts'
import type { ObjectStore } from '../../lambda/output/objectStore.ts'

let dir: string
let store: ObjectStore
const date = '2026-11-23'
const now = () => new Date('2026-11-24T01:30:00Z')

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'deliver-once-'))
  store = createLocalStore(dir)
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A sender that counts its calls and answers with numbered ids. */
function countingSender(options: { fail?: boolean; delayMs?: number } = {}) {
  const sender = {
    calls: 0,
    send: async () => {
      sender.calls++
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0))
      if (options.fail) throw new Error('SES is down')
      return { id: `message-${sender.calls}` }
    },
  }
  return sender
}

const parameters = (send: () => Promise<{ id: string }>, force = false) => ({
  store,
  date,
  digest: 'daily',
  to: ['risk@example.com'],
  force,
  now,
  send,
})

test('a digest is sent once per date; a repeated run finds the record and sends nothing', async () => {
  // Prepare
  const sender = countingSender()
  // Act
  const first = await deliverOnce(parameters(sender.send))
  const second = await deliverOnce(parameters(sender.send))
  // Assess
  expect(first).toEqual({
    status: 'sent',
    digest: 'daily',
    to: ['risk@example.com'],
    id: 'message-1',
  })
  expect(second).toEqual({ ...first, status: 'already-sent' })
  expect(sender.calls).toBe(1)
  expect(await readDeliveryRecord(store, date, 'daily')).toEqual({
    digest: 'daily',
    date,
    status: 'sent',
    to: ['risk@example.com'],
    id: 'message-1',
    at: '2026-11-24T01:30:00.000Z',
  })
})

test('of two runs at the same time, only the one that takes the claim sends', async () => {
  const sender = countingSender({ delayMs: 20 })
  const outcomes = await Promise.all([
    deliverOnce(parameters(sender.send)),
    deliverOnce(parameters(sender.send)),
  ])
  expect(sender.calls).toBe(1)
  expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['sent', 'unconfirmed'])
})

test('a failed send releases the claim, so a re-run sends', async () => {
  await expect(deliverOnce(parameters(countingSender({ fail: true }).send))).rejects.toThrow(
    'SES is down',
  )
  expect(await readDeliveryRecord(store, date, 'daily')).toBeUndefined()
  const retry = countingSender()
  expect((await deliverOnce(parameters(retry.send))).status).toBe('sent')
  expect(retry.calls).toBe(1)
})

test('force sends again and records the new message', async () => {
  const sender = countingSender()
  await deliverOnce(parameters(sender.send))
  const forced = await deliverOnce(parameters(sender.send, true))
  expect(forced).toMatchObject({ status: 'sent', id: 'message-2' })
  expect((await readDeliveryRecord(store, date, 'daily'))?.id).toBe('message-2')
})

test('a claim left by a run that stopped before confirming is not sent again without force', async () => {
  await store.putIfAbsent(
    'runs/dt=2026-11-23/deliveries/daily.json',
    JSON.stringify({
      digest: 'daily',
      date,
      status: 'sending',
      to: [],
      at: '2026-11-24T01:00:00Z',
    }),
    'application/json',
  )
  const sender = countingSender()
  expect(await deliverOnce(parameters(sender.send))).toEqual({
    status: 'unconfirmed',
    digest: 'daily',
    to: [],
    claimedAt: '2026-11-24T01:00:00Z',
  })
  expect(sender.calls).toBe(0)
})

test('a record still being written (read back empty) is a claim, not a reason to send', async () => {
  await store.put('runs/dt=2026-11-23/deliveries/daily.json', '', 'application/json')
  const sender = countingSender()
  expect((await deliverOnce(parameters(sender.send))).status).toBe('unconfirmed')
  expect(sender.calls).toBe(0)
})

test('a copy to other recipients is recorded apart: it neither counts as the delivery nor is blocked by it', async () => {
  const sender = countingSender()
  const copy = (to: string[]) => ({ ...parameters(sender.send), to, recipientsOverridden: true })
  const first = await deliverOnce(copy(['ops@example.com', 'me@example.com']))
  expect(first.status).toBe('sent')
  // The same list again (in another order and case) is a repeat; the digest's own send is not.
  expect((await deliverOnce(copy(['ME@example.com', 'ops@example.com']))).status).toBe(
    'already-sent',
  )
  expect(await readDeliveryRecord(store, date, 'daily')).toBeUndefined()
  expect((await deliverOnce(parameters(sender.send))).status).toBe('sent')
  expect((await deliverOnce(copy(['other@example.com']))).status).toBe('sent')
  expect(sender.calls).toBe(3)
})
