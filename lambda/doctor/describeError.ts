import { errorMessage } from '../errors.ts'

/**
 * The message of an RPC failure with the node's own words: viem's short message says
 * "RPC Request failed.", its `details` says "missing trie node ...".
 *
 * @param error - anything thrown by a read
 * @returns the short message's first line, followed by the details when they add something
 */
export function describeError(error: unknown): string {
  // viem's RPC errors add a second line of generic advice.
  const short = errorMessage(error).split('\n')[0]!
  const details = (error as { details?: unknown } | undefined)?.details
  return typeof details === 'string' && details !== '' && !short.includes(details)
    ? `${short} (${details})`
    : short
}
