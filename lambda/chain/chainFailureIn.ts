import { ChainUnavailableError } from '../errors.ts'

/**
 * The `ChainUnavailableError` (or `RunTimeoutError`) the transport raised, wherever viem
 * wrapped it (`getBlock` and `call` wrap transport errors in their own, with it as the cause).
 *
 * @param error - anything a chain request threw
 * @returns the transport's error, or `undefined` if the failure did not come from it
 */
export function chainFailureIn(error: unknown): ChainUnavailableError | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (current instanceof ChainUnavailableError) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
