/** Where a run's files go: a local folder, or the S3 bucket under a prefix. */
export interface ObjectStore {
  /** Stores an object under `key` (a path of the output layout), replacing any object there. */
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>
  /**
   * Stores an object only if none exists under `key` (S3: `If-None-Match: *`), atomically, so
   * that of two concurrent writers exactly one wins.
   *
   * @returns `true` if this call created the object, `false` if one was already there
   */
  putIfAbsent(key: string, body: string | Uint8Array, contentType: string): Promise<boolean>
  /**
   * Replaces an object only if it is still the version read (S3: `If-Match` on its ETag),
   * atomically, so that of two read-modify-write cycles exactly one lands.
   *
   * @param etag - the version from `getVersioned`
   * @returns `true` if this call replaced it, `false` if the object changed or vanished since
   */
  putIfMatch(key: string, body: string, contentType: string, etag: string): Promise<boolean>
  /** Reads an object as UTF-8 text with its version (ETag); `undefined` if there is none. */
  getVersioned(key: string): Promise<{ readonly text: string; readonly etag: string } | undefined>
  /** Reads an object as UTF-8 text; `undefined` if there is none. */
  getText(key: string): Promise<string | undefined>
  /**
   * Puts the object at `from` in the place of the object at `to` and removes `from`: the
   * last step of replacing a date's files, whose bodies were uploaded beforehand.
   */
  move(from: string, to: string): Promise<void>
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>
  /** A link a reader can download the object from (a file URL locally, a signed URL in AWS). */
  linkFor(key: string): Promise<string>
}

/** Content types of the layout's files. */
export const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  eml: 'message/rfc822',
} as const
