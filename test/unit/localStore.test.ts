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
test('writes into a folder that a concurrent delete is emptying all land', async () => {
  const store = createLocalStore(folder)
  for (let round = 0; round < 300; round++) {
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
  for (let round = 0; round < 300; round++) {
    await store.put('runs/dt=D/old.json', 'old', JSON_TYPE)
    await Promise.all([
      store.put('runs/dt=D/put.json', 'put', JSON_TYPE),
      store.delete('runs/dt=D/old.json'),
    ])
    expect(await store.getText('runs/dt=D/put.json')).toBe('put')
    await store.delete('runs/dt=D/put.json')
  }
  for (let round = 0; round < 300; round++) {
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
})
