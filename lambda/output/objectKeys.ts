/**
 * The output layout (DESIGN.md, "Outputs"): Hive-style `dt=` partitions, the same under a
 * local folder and under the S3 prefix.
 */
export const objectKeys = {
  metrics: (date: string) => `metrics/dt=${date}/metrics.csv`,
  balances: (date: string) => `balances/dt=${date}/balances.csv`,
  manifest: (date: string) => `runs/dt=${date}/manifest.json`,
  /**
   * Every pool's day as computed (end states, prices, metrics): the next day's start if the
   * RPC cannot serve it, and the other pools' rows when a run reads only some pools.
   */
  poolDays: (date: string) => `runs/dt=${date}/pool-days.json`,
  /**
   * The record that a digest of a date was sent (or is being sent): it makes sending once-only.
   * A send to recipients other than the digest's has its own record, named by `recipientsTag`.
   */
  delivery: (date: string, digest: string, recipientsTag?: string, channel?: 'webhook') =>
    `runs/dt=${date}/deliveries/${digest}${recipientsTag ? `.to-${recipientsTag}` : ''}${channel ? `.${channel}` : ''}.json`,
  /**
   * A digest's alert lifecycle (`new`, `ongoing`, ...), one entry per reported date, replaced
   * with conditional writes.
   */
  alertState: (digest: string) => `state/alerts/${digest}.json`,
  /** The lock a run holds while it reads and writes a date (see `acquireDateLock`). */
  lock: (date: string) => `runs/dt=${date}/lock.json`,
  /**
   * Where a run uploads a file of the date before it replaces the set: outside the
   * `metrics/` and `balances/` tables, so that Athena never reads a staged part.
   */
  staged: (date: string, runId: string, key: string) => `runs/dt=${date}/staging/${runId}/${key}`,
  /** Rendered digests (`.html`, `.txt`, `.eml`) of local runs. */
  email: (date: string, digest: string, extension: 'html' | 'txt' | 'eml') =>
    `emails/dt=${date}/${digest}.${extension}`,
} as const
