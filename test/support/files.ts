import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

/**
 * Every file under a folder with its bytes, by path relative to it (empty if there is no
 * folder): compare two of these to check that a run left a folder byte-identical.
 *
 * @param root - the folder
 * @returns path to content, sorted by path
 */
export async function filesUnder(root: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort()
  return new Map(
    await Promise.all(
      files.map(async (file) => [file, await readFile(path.join(root, file))] as const),
    ),
  )
}
