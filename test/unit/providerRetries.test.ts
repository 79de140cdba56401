import { expect, test } from 'vitest'
import { isBatchTooLarge } from '../../lambda/chain/isBatchTooLarge.ts'
import { backoffDelayMs, MAX_BACKOFF_MS, retryAfterMs } from '../../lambda/chain/retryTiming.ts'
import { lambdaRunTimeoutMs, startRunDeadline } from '../../lambda/chain/runDeadline.ts'
import { createSemaphore } from '../../lambda/chain/semaphore.ts'
import { RunTimeoutError } from '../../lambda/errors.ts'

test('backoff doubles per attempt, with jitter in the upper half, and is capped', () => {
  expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, 500, 0))).toEqual([
    250, 500, 1000, 2000,
  ])
  expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, 500, 0.999_999))).toEqual([
    500, 1000, 2000, 4000,
  ])
  expect(backoffDelayMs(40, 500, 1)).toBe(MAX_BACKOFF_MS)
})

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-12-01T10:00:00Z')
  expect(retryAfterMs('2', now)).toBe(2000)
  expect(retryAfterMs(' 0 ', now)).toBe(0)
  expect(retryAfterMs('Tue, 01 Dec 2026 10:00:07 GMT', now)).toBe(7000)
  // A date in the past means "now"; garbage and absence mean "no hint".
  expect(retryAfterMs('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0)
  expect(retryAfterMs('soon', now)).toBeUndefined()
  expect(retryAfterMs(null, now)).toBeUndefined()
})

test('refusals for size are told apart from other RPC failures', () => {
  for (const message of [
    'gas required exceeds allowance (550000000)',
    'out of gas',
    'execution aborted (timeout = 5s)',
    'response size exceeded',
    'Request entity too large',
    'exceeds block gas limit',
  ])
    expect(isBatchTooLarge(new Error('outer', { cause: { details: message } })), message).toBe(true)
  expect(isBatchTooLarge({ status: 413 })).toBe(true)
  // anvil's answer to a request body over its limit.
  expect(
    isBatchTooLarge(new Error('outer', { cause: { code: -32600, message: 'Invalid request' } })),
  ).toBe(true)
  for (const message of ['execution reverted', 'missing trie node abc', 'HTTP request failed.'])
    expect(isBatchTooLarge(new Error(message)), message).toBe(false)
})

test('the semaphore hands out its slots in order and no more at once', async () => {
  const slots = createSemaphore(2)
  const order: number[] = []
  let inFlight = 0
  let most = 0
  await Promise.all(
    [0, 1, 2, 3, 4].map(async (i) => {
      const release = await slots.acquire()
      order.push(i)
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
      release()
      release() // a second release gives nothing back
    }),
  )
  expect(order).toEqual([0, 1, 2, 3, 4])
  expect(most).toBe(2)
})

test('a waiter gives up when its signal aborts', async () => {
  const slots = createSemaphore(1)
  const held = await slots.acquire()
  const controller = new AbortController()
  const waiting = slots.acquire(controller.signal)
  controller.abort(new Error('deadline'))
  await expect(waiting).rejects.toThrow('deadline')
  held()
  // The slot is free again: the aborted waiter did not keep it.
  const next = await slots.acquire()
  next()
})

test('the run deadline aborts its signal and names the limit', async () => {
  const deadline = startRunDeadline(20)
  expect(deadline.signal.aborted).toBe(false)
  await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve))
  expect(deadline.error()).toBeInstanceOf(RunTimeoutError)
  expect(startRunDeadline(300_000).error().message).toBe('the run reached its time limit of 300 s')
})

test('in Lambda the run ends a minute before the function, or at the config limit if sooner', () => {
  expect(lambdaRunTimeoutMs(900_000, undefined)).toBe(840_000)
  expect(lambdaRunTimeoutMs(900_000, 120_000)).toBe(120_000)
  expect(lambdaRunTimeoutMs(undefined, undefined)).toBe(300_000)
  expect(lambdaRunTimeoutMs(30_000, undefined)).toBe(1_000)
})
