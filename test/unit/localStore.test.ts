import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createLocalStore } from '../../lambda/output/localStore.ts'
import { CONTENT_TYPES } from '../../lambda/output/objectStore.ts'

const JSON_TYPE = CONTENT_TYPES.json

let folder: string
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'pool-report-local-store-'))
})
afterAll(() => rm(folder, { recursive: true, force: true }))

// A delete removes the folders it empties, as S3 has no empty folders. A write into the
// same folder at that moment must still land: the folder it created may be gone before
// its file is opened (this race failed a concurrent date-lock test in CI).
// Many rounds, since each hits the window only by chance; the timeout allows a loaded machine.
const ROUNDS = 200
const TIMEOUT_MS = 60_000

test(
  'a create into a folder that a concurrent delete is emptying lands',
  async () => {
    const store = createLocalStore(path.join(folder, 'create'))
    for (let round = 0; round < ROUNDS; round++) {
      await store.put('runs/dt=D/old.json', 'old', JSON_TYPE)
      const key = `runs/dt=D/new-${round}.json`
      const [created] = await Promise.all([
        store.putIfAbsent(key, 'new', JSON_TYPE),
        store.delete('runs/dt=D/old.json'),
      ])
      expect(created).toBe(true)
      expect(await store.getText(key)).toBe('new')
      await store.delete(key)
    }
  },
  TIMEOUT_MS,
)

test(
  'a replacing put into a folder that a concurrent delete is emptying lands',
  async () => {
    const store = createLocalStore(path.join(folder, 'put'))
    for (let round = 0; round < ROUNDS; round++) {
      await store.put('runs/dt=D/old.json', 'old', JSON_TYPE)
      await Promise.all([
        store.put('runs/dt=D/put.json', 'put', JSON_TYPE),
        store.delete('runs/dt=D/old.json'),
      ])
      expect(await store.getText('runs/dt=D/put.json')).toBe('put')
      await store.delete('runs/dt=D/put.json')
    }
  },
  TIMEOUT_MS,
)

test(
  'a move into a folder that a concurrent delete is emptying lands',
  async () => {
    const store = createLocalStore(path.join(folder, 'move'))
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all([
        store.put('runs/dt=D/old.json', 'old', JSON_TYPE),
        store.put('staging/moved.json', 'm', JSON_TYPE),
      ])
      await Promise.all([
        store.move('staging/moved.json', 'runs/dt=D/moved.json'),
        store.delete('runs/dt=D/old.json'),
      ])
      expect(await store.getText('runs/dt=D/moved.json')).toBe('m')
      await store.delete('runs/dt=D/moved.json')
    }
  },
  TIMEOUT_MS,
)
