import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ObjectStore } from './objectStore.ts'

/**
 * An `ObjectStore` on a local folder, with the same layout as the bucket.
 *
 * @param root - the output folder
 * @returns the store; links are `file://` URLs
 */
export function createLocalStore(root: string): ObjectStore {
  const resolve = (key: string) => path.join(path.resolve(root), ...key.split('/'))
  const write = async (key: string, body: string | Uint8Array, flag: 'w' | 'wx') => {
    const file = resolve(key)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, body, { flag })
  }
  const getText = async (key: string) => {
    try {
      return await readFile(resolve(key), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }
  return {
    async put(key, body) {
      await write(key, body, 'w')
    },
    async putIfAbsent(key, body) {
      try {
        // O_EXCL: the create fails if the file exists, atomically, like S3's If-None-Match: *.
        await write(key, body, 'wx')
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
        throw error
      }
    },
    async putIfMatch(key, body, _contentType, etag) {
      const file = resolve(key)
      const lock = `${file}.lock`
      // A lock file taken with O_EXCL makes compare-and-replace atomic between processes; a
      // lock left behind by a crashed writer expires.
      if (!(await takeLock(lock))) return false
      try {
        const current = await getText(key)
        if (current === undefined || etagOf(current) !== etag) return false
        const temporary = `${file}.${process.pid}.tmp`
        await writeFile(temporary, body)
        await rename(temporary, file)
        return true
      } finally {
        await rm(lock, { force: true })
      }
    },
    async getVersioned(key) {
      const text = await getText(key)
      return text === undefined ? undefined : { text, etag: etagOf(text) }
    },
    getText,
    async delete(key) {
      await rm(resolve(key), { force: true })
    },
    async linkFor(key) {
      return pathToFileURL(resolve(key)).href
    },
  }
}

/** Milliseconds after which a lock file counts as abandoned. */
const LOCK_TTL_MS = 30_000

/** A local object's version: a hash of its content, as S3's ETag of a simple upload is. */
function etagOf(text: string): string {
  return `"${createHash('md5').update(text).digest('hex')}"`
}

async function takeLock(lock: string): Promise<boolean> {
  try {
    await writeFile(lock, String(process.pid), { flag: 'wx' })
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: 0 }))).mtimeMs
    if (age > LOCK_TTL_MS) await rm(lock, { force: true })
    return false
  }
}
