import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createChainClient } from '../../lambda/chain/createChainClient.ts'
import { loadDigestRenderer } from '../../lambda/email/renderDigest.ts'
import { acquireDateLock, DateLockedError } from '../../lambda/output/dateLock.ts'
import { createLocalStore } from '../../lambda/output/localStore.ts'
import type { ObjectStore } from '../../lambda/output/objectStore.ts'
import { createS3Store } from '../../lambda/output/s3Store.ts'
import { addDays } from '../../lambda/report/date.ts'
import { runReport } from '../../lambda/runReport.ts'
import { devnetTestConfig, lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'
import { LOCAL_CREDENTIALS, removeFolder, startS3rver } from '../support/localAws.ts'

const devnet = sharedDevnet()
const date = lastSimulatedDay()
const BUCKET = 'lock-test'
let s3rver: Awaited<ReturnType<typeof startS3rver>>
let folder: string

beforeAll(async () => {
  s3rver = await startS3rver([BUCKET])
  folder = await mkdtemp(path.join(tmpdir(), 'pool-report-lock-'))
})
afterAll(async () => {
  await s3rver.stop()
  await Promise.all([removeFolder(s3rver.directory), rm(folder, { recursive: true, force: true })])
})

const stores: [string, (prefix: string) => ObjectStore][] = [
  ['a local folder', (prefix) => createLocalStore(path.join(folder, prefix))],
  [
    's3rver through the AWS SDK',
    (prefix) =>
      createS3Store({
        client: new S3Client({
          endpoint: s3rver.endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: {
            accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
            secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
          },
        }),
        bucket: BUCKET,
        prefix: `${prefix}/`,
        linkFor: (key) => `https://links.example/${key}`,
      }),
  ],
]

/** A store that records, in order, each write that took effect and which run made it. */
function recording(store: ObjectStore, run: string, log: string[]): ObjectStore {
  const note = (what: string) => log.push(`${run} ${what}`)
  return {
    ...store,
    put: async (key, ...rest) => {
      await store.put(key, ...rest)
      note(`put ${key}`)
    },
    putIfAbsent: async (key, ...rest) => {
      const created = await store.putIfAbsent(key, ...rest)
      if (created) note(`create ${key}`)
      return created
    },
    putIfMatch: async (key, ...rest) => {
      const replaced = await store.putIfMatch(key, ...rest)
      if (replaced) note(`replace ${key}`)
      return replaced
    },
    move: async (from, to) => {
      await store.move(from, to)
      note(`move ${to}`)
    },
    delete: async (key) => {
      await store.delete(key)
      note(`delete ${key}`)
    },
  }
}

describe.each(stores)('the date lock on %s', (_, storeAt) => {
  test('of two runs taking a free lock at once, one holds it and the other waits for its release', async () => {
    const store = storeAt('free')
    const attempts = ['a', 'b'].map((owner) =>
      acquireDateLock(store, date, { owner, ttlMs: 60_000, waitMs: 10_000, pollMs: 50 }),
    )
    const first = await Promise.race(attempts)
    const second = attempts[first.owner === 'a' ? 1 : 0]!
    // The other is still waiting while the first holds the lock.
    const pending = Symbol('pending')
    expect(
      await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 300, pending))]),
    ).toBe(pending)
    await first.release()
    const next = await second
    expect(next.owner).not.toBe(first.owner)
    await next.confirm()
    await next.release()
    expect(await store.getText(next.key)).toBeUndefined()
  })

  test('an expired lock is taken over by exactly one of two runs; the old holder learns it before writing', async () => {
    const store = storeAt('expired')
    const dead = await acquireDateLock(store, date, { owner: 'dead', ttlMs: 0, waitMs: 0 })
    const takers = await Promise.allSettled(
      ['a', 'b'].map((owner) => acquireDateLock(store, date, { owner, ttlMs: 60_000, waitMs: 0 })),
    )
    const won = takers.flatMap((taker) => (taker.status === 'fulfilled' ? [taker.value] : []))
    expect(won).toHaveLength(1)
    const lost = takers.find((taker) => taker.status === 'rejected')
    expect(lost?.reason).toBeInstanceOf(DateLockedError)
    expect(String(lost?.reason)).toMatch(
      `the lock runs/dt=${date}/lock.json is held by ${won[0]!.owner}`,
    )
    await expect(dead.confirm()).rejects.toThrow(/expired at .* and another run took it/)
    // The dead run's release leaves the new holder's lock alone.
    await dead.release()
    await won[0]!.confirm()
    await won[0]!.release()
  })

  test('two runs of one date at once never interleave their writes', async () => {
    const store = storeAt('runs')
    const log: string[] = []
    const deps = async (run: string) => ({
      config: devnetTestConfig(),
      configHash: 'test',
      clientFor: (name: string) =>
        createChainClient({ name, chainId: 31337, rpcUrl: devnet.rpcUrl }),
      store: recording(store, run, log),
      renderDigest: await loadDigestRenderer(),
      sender: { send: () => Promise.reject(new Error('no digest in this test')) },
      defaultFrom: 'report@example.com',
    })
    const day = addDays(date, -1)
    const request = { date: day, noEmail: true, pools: devnetTestConfig().pools.slice(0, 3) }
    const [a, b] = await Promise.all([
      runReport(await deps('A'), request),
      runReport(await deps('B'), request),
    ])
    expect(b.keys).toEqual(a.keys)
    // One run's writes, lock to release, then the other's: one switch from one run to the other.
    const runs = log.map((entry) => entry.split(' ')[0])
    const switches = runs.filter((run, i) => i > 0 && run !== runs[i - 1]).length
    expect(switches, log.join('\n')).toBe(1)
    expect(log.filter((entry) => entry.endsWith(`create runs/dt=${day}/lock.json`))).toHaveLength(2)
    expect(log.at(-1)).toMatch(`delete runs/dt=${day}/lock.json`)
    expect(await store.getText(`runs/dt=${day}/lock.json`)).toBeUndefined()
  })
})
