import { ChainUnavailableError } from '../errors.ts'

/**
 * The `ChainUnavailableError` (or `RunTimeoutError`) that a viem error wraps, if any: the
 * transport raises it, viem wraps it on the way up, and the readers unwrap it where their
 * callers decide between "the chain is out" and "this pool is broken".
 *
 * @param error - anything a viem action threw
 * @returns the chain failure in its cause chain, or `undefined`
 */
export function chainFailureIn(error: unknown): ChainUnavailableError | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (current instanceof ChainUnavailableError) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
