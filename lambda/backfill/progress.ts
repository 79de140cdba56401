/** One finished date of a backfill, as the command prints it. */
export interface DateOutcome {
  readonly date: string
  readonly ok: boolean
  /** `14 pools reported, 1 could not be read`, or the reason the date failed. */
  readonly detail: string
}

export interface BackfillProgress {
  /** Prints a finished date (and, on a terminal, redraws the bar under it). */
  finished(outcome: DateOutcome): void
  /** Clears the bar (a terminal only). */
  end(): void
}

export interface CreateProgressParameters {
  readonly total: number
  readonly write: (text: string) => void
  /** On a terminal a bar stays on the last line; elsewhere each line carries `[k/n]`. */
  readonly isTTY: boolean
  /** Width of the bar in characters. @default 30 */
  readonly width?: number
}

/**
 * The progress of a backfill: a line per finished date, and on a terminal a bar
 * (`[#########.....] 6/10 dates, 1 failed`) kept below the lines. Output that is not a
 * terminal (a log, a pipe) gets plain lines only, each with its position, so it reads well.
 *
 * @param parameters - date count, writer, whether the writer is a terminal
 * @returns the progress printer
 */
export function createProgress({
  total,
  write,
  isTTY,
  width = 30,
}: CreateProgressParameters): BackfillProgress {
  let done = 0
  let failed = 0
  const bar = () => {
    const filled = total === 0 ? width : Math.round((done / total) * width)
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} dates${failed > 0 ? `, ${failed} failed` : ''}`
  }
  if (isTTY) write(bar())
  return {
    finished({ date, ok, detail }) {
      done++
      if (!ok) failed++
      const line = `${date} ${ok ? 'ok' : 'FAILED'}: ${detail}`
      // \r and "erase line" replace the bar; the bar comes back under the new line.
      if (isTTY) write(`\r\x1b[2K${line}\n${bar()}`)
      else write(`[${done}/${total}] ${line}\n`)
    },
    end() {
      if (isTTY) write('\r\x1b[2K')
    },
  }
}
