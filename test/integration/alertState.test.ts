import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createLocalStore } from '../../lambda/output/localStore.ts'
import type { ObjectStore } from '../../lambda/output/objectStore.ts'
import { createS3Store } from '../../lambda/output/s3Store.ts'
import { type AlertObservation, lifecycleSettings } from '../../lambda/report/alertLifecycle.ts'
import { recordDigestAlerts } from '../../lambda/report/alertState.ts'
import { LOCAL_CREDENTIALS, startS3rver } from '../support/localAws.ts'

const BUCKET = 'alert-state'
let dir: string
let s3rver: Awaited<ReturnType<typeof startS3rver>>
const stores: Record<string, ObjectStore> = {}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alert-state-'))
  s3rver = await startS3rver([BUCKET])
  stores.local = createLocalStore(dir)
  stores.s3 = createS3Store({
    client: new S3Client({
      region: 'us-east-1',
      endpoint: s3rver.endpoint,
      forcePathStyle: true,
      credentials: {
        accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
        secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
      },
    }),
    bucket: BUCKET,
    prefix: 'reports/',
    linkFor: (key) => key,
  })
})
afterAll(async () => {
  await s3rver.stop()
  await rm(dir, { recursive: true, force: true })
})

const observe = (imbalance: number): AlertObservation[] => [
  {
    poolId: 'p',
    values: { imbalance, price_deviation: 0, il: 0 },
    thresholds: { imbalancePp: 5 },
    settings: lifecycleSettings(),
  },
]
const statusOf = async (store: ObjectStore, digest: string, date: string, imbalance: number) =>
  (await recordDigestAlerts(store, digest, date, observe(imbalance))).day.p?.imbalance?.status

describe.each(['local', 's3'])('%s store', (name) => {
  test('putIfMatch replaces only the version read; putIfAbsent only creates', async () => {
    const store = stores[name]!
    const key = 'state/alerts/cas-test.json'
    expect(await store.putIfAbsent(key, 'one', 'application/json')).toBe(true)
    const first = (await store.getVersioned(key))!
    expect(first.text).toBe('one')
    expect(await store.putIfMatch(key, 'two', 'application/json', first.etag)).toBe(true)
    // The version read is gone: a second writer holding it loses.
    expect(await store.putIfMatch(key, 'three', 'application/json', first.etag)).toBe(false)
    expect(await store.getText(key)).toBe('two')
    expect(
      await store.putIfMatch('state/alerts/none.json', 'x', 'application/json', first.etag),
    ).toBe(false)
  })

  test('a re-run and a backfill recompute their date and leave the later dates alone', async () => {
    const store = stores[name]!
    const digest = `daily-${name}`
    expect(await statusOf(store, digest, '2026-11-20', 6)).toBe('new')
    expect(await statusOf(store, digest, '2026-11-21', 7)).toBe('ongoing')
    expect(await statusOf(store, digest, '2026-11-22', 3)).toBe('cleared')
    const after = await store.getText(`state/alerts/${digest}.json`)
    // The same date again, from the same previous day: the same entry, the file unchanged.
    expect(await statusOf(store, digest, '2026-11-21', 7)).toBe('ongoing')
    expect(await store.getText(`state/alerts/${digest}.json`)).toBe(after)
    // A backfill of an older date follows only what came before it.
    expect(await statusOf(store, digest, '2026-11-19', 8)).toBe('new')
    const state = JSON.parse((await store.getText(`state/alerts/${digest}.json`))!)
    expect(Object.keys(state.dates)).toEqual([
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
    ])
    expect(state.dates['2026-11-22']).toEqual(JSON.parse(after!).dates['2026-11-22'])
    // A date after a cleared alert starts over.
    expect(await statusOf(store, digest, '2026-11-23', 6)).toBe('new')
  })

  test('concurrent runs of different dates both land (conditional write and retry)', async () => {
    const store = stores[name]!
    const digest = `race-${name}`
    await Promise.all(
      ['2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13'].map((date) =>
        recordDigestAlerts(store, digest, date, observe(6)),
      ),
    )
    const state = JSON.parse((await store.getText(`state/alerts/${digest}.json`))!)
    expect(Object.keys(state.dates).sort()).toEqual([
      '2026-11-10',
      '2026-11-11',
      '2026-11-12',
      '2026-11-13',
    ])
  })
})
