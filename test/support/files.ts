import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

/**
 * Every file under a folder with its content, by path relative to it (empty if there is no
 * folder): compare two of these to check that a run left a folder byte-identical. The report
 * writes text only; strings compare at once where buffers would be walked byte by byte.
 *
 * @param root - the folder
 * @returns path to content (as UTF-8 text), sorted by path
 */
export async function filesUnder(root: string): Promise<Map<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort()
  return new Map(
    await Promise.all(
      files.map(async (file) => [file, await readFile(path.join(root, file), 'utf8')] as const),
    ),
  )
}
