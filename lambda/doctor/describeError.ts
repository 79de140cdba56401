import { errorMessage } from '../errors.ts'

/**
 * The message of an RPC failure with the node's own words: viem's short message says
 * "RPC Request failed.", its `details` says "missing trie node ...".
 *
 * @param error - anything thrown by a read
 * @returns the short message, followed by the details when they add something
 */
export function describeError(error: unknown): string {
  const short = errorMessage(error)
  const details = (error as { details?: unknown } | undefined)?.details
  return typeof details === 'string' && details !== '' && !short.includes(details)
    ? `${short} (${details})`
    : short
}
