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
  const create = (key: string, body: string | Uint8Array) => {
    const file = resolve(key)
    return intoFolderOf(file, () => writeFile(file, body, { flag: 'wx' }))
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
      const temporary = `${file}.${randomUUID()}.tmp`
      // The folder cannot be emptied away once the temporary file is in it.
      await intoFolderOf(temporary, () => writeFile(temporary, body))
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
      await intoFolderOf(target, () => rename(resolve(from), target))
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

/**
 * Runs a write of `file` after creating its folder. A concurrent `delete` removes the folders
 * it empties, and may do so between the two steps: the write then fails with ENOENT and is
 * retried into a folder made again.
 */
async function intoFolderOf(file: string, write: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // mkdir -p itself fails with ENOENT if a parent it made is removed before the child.
      await mkdir(path.dirname(file), { recursive: true })
      return await write()
    } catch (error) {
      // Past a few tries the ENOENT is not the race (a move's source is missing).
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 5) throw error
    }
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
    const code = (error as NodeJS.ErrnoException).code
    // No folder: the object was deleted meanwhile, so there is nothing to compare against.
    if (code === 'ENOENT') return false
    if (code !== 'EEXIST') throw error
    const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: 0 }))).mtimeMs
    if (age > LOCK_TTL_MS) await rm(lock, { force: true })
    return false
  }
}
