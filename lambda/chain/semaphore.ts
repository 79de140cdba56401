/** Hands out at most `limit` slots at a time; the others wait in arrival order. */
export interface Semaphore {
  /**
   * Waits for a slot.
   *
   * @param signal - gives up waiting when it aborts (rejecting with its reason)
   * @returns a function that gives the slot back (calling it twice is harmless)
   */
  acquire(signal?: AbortSignal): Promise<() => void>
}

/**
 * Creates a semaphore: how many JSON-RPC requests of one chain are in flight at once.
 *
 * @param limit - slots, at least 1
 * @returns the semaphore
 * @example
 * const slots = createSemaphore(4)
 * const release = await slots.acquire()
 * try { await send() } finally { release() }
 */
export function createSemaphore(limit: number): Semaphore {
  let free = limit
  const waiting: (() => void)[] = []

  const releaser = () => {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = waiting.shift()
      if (next) next()
      else free++
    }
  }

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason)
      if (free > 0) {
        free--
        return Promise.resolve(releaser())
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', abort)
          resolve(releaser())
        }
        const abort = () => {
          const at = waiting.indexOf(grant)
          if (at >= 0) waiting.splice(at, 1)
          reject(signal?.reason)
        }
        waiting.push(grant)
        signal?.addEventListener('abort', abort, { once: true })
      })
    },
  }
}
