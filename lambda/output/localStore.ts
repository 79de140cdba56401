import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ObjectStore } from './objectStore.ts'

/**
 * An `ObjectStore` on a local folder, with the same layout as the bucket. Every replacement
 * is a rename, so a reader never sees a half-written file; conditional writes have S3's
 * semantics across processes.
 *
 * @param root - the output folder
 * @returns the store; links are `file://` URLs
 */
export function createLocalStore(root: string): ObjectStore {
  const resolve = (key: string) => path.join(path.resolve(root), ...key.split('/'))
  const create = async (key: string, body: string | Uint8Array) => {
    const file = resolve(key)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, body, { flag: 'wx' })
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
      const file = resolve(key)
      await mkdir(path.dirname(file), { recursive: true })
      const temporary = `${file}.${randomUUID()}.tmp`
      await writeFile(temporary, body)
      await rename(temporary, file)
    },
    async putIfAbsent(key, body) {
      try {
        // O_EXCL: the create fails if the file exists, atomically, like S3's If-None-Match: *.
        await create(key, body)
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
    async move(from, to) {
      const target = resolve(to)
      await mkdir(path.dirname(target), { recursive: true })
      await rename(resolve(from), target)
    },
    async delete(key) {
      const file = resolve(key)
      await rm(file, { force: true })
      // Like S3, a folder exists only while something is in it (staging folders go away).
      const top = `${path.resolve(root)}${path.sep}`
      for (let dir = path.dirname(file); dir.startsWith(top); dir = path.dirname(dir)) {
        if (
          !(await rmdir(dir).then(
            () => true,
            () => false,
          ))
        )
          break
      }
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
