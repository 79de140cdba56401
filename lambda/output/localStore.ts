import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
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
    async getText(key) {
      try {
        return await readFile(resolve(key), 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
    },
    async delete(key) {
      await rm(resolve(key), { force: true })
    },
    async linkFor(key) {
      return pathToFileURL(resolve(key)).href
    },
  }
}
