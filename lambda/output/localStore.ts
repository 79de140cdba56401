import { mkdir, writeFile } from 'node:fs/promises'
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
  return {
    async put(key, body) {
      const file = resolve(key)
      await mkdir(path.dirname(file), { recursive: true })
      await writeFile(file, body)
    },
    async linkFor(key) {
      return pathToFileURL(resolve(key)).href
    },
  }
}
