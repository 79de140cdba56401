/** Where a run's files go: a local folder, or the S3 bucket under a prefix. */
export interface ObjectStore {
  /** Stores an object under `key` (a path of the output layout). */
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>
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
