import { objectKeys } from './objectKeys.ts'
import type { ObjectStore } from './objectStore.ts'

/** One file of a date. */
export interface DayFile {
  readonly key: string
  readonly body: string
  readonly contentType: string
}

export interface ReplaceDaySetParameters {
  readonly date: string
  /** Names this run's staging folder. */
  readonly runId: string
  /** The data files, replaced together. */
  readonly parts: readonly DayFile[]
  /** Put in place last, once every part is: it says the set is complete. */
  readonly manifest: DayFile
  /** Runs between the uploads and the first replacement (the lock check): a throw stops it. */
  readonly beforeReplace?: () => Promise<void>
}

/**
 * Replaces a date's files as a set: every file, the manifest included, is first uploaded
 * under a staging key of this run (`runs/dt=D/staging/RUN/…`); then the parts are moved into
 * place (S3: server-side copies of a few milliseconds; locally: renames) and the manifest
 * last. Why staging: the uploads are where a run spends its write time and where a store
 * outage meets it, and a failure there leaves every earlier file of the date as it was. Only
 * a failure between the moves themselves, after every upload succeeded, can leave new parts
 * beside the old manifest; the run then fails and its retry replaces the set whole.
 *
 * @param store - where the date's files are
 * @param parameters - date, run id, parts, manifest, and the check before replacing
 * @throws what the store or the check threw, after removing what was staged
 */
export async function replaceDaySet(
  store: ObjectStore,
  { date, runId, parts, manifest, beforeReplace }: ReplaceDaySetParameters,
): Promise<void> {
  const stage = (file: DayFile) => ({ ...file, from: objectKeys.staged(date, runId, file.key) })
  const stagedParts = parts.map(stage)
  const stagedManifest = stage(manifest)
  const staged = [...stagedParts, stagedManifest]
  try {
    await Promise.all(staged.map((file) => store.put(file.from, file.body, file.contentType)))
    await beforeReplace?.()
    await Promise.all(stagedParts.map((part) => store.move(part.from, part.key)))
    await store.move(stagedManifest.from, stagedManifest.key)
  } catch (error) {
    // Best effort: the store may be what failed.
    await Promise.allSettled(staged.map((file) => store.delete(file.from)))
    throw error
  }
}
