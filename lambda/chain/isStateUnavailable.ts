/**
 * How nodes say they no longer hold a block's state: geth ("missing trie node", "header not
 * found", "historical state ... is not available"), Erigon ("pruned"), Nethermind, reth
 * ("distance to target block exceeds maximum proof window") and providers' own wording.
 */
const STATE_UNAVAILABLE =
  /missing trie node|header not found|pruned|historical state|state (is )?not available|state histor|old data not available|distance to target block|unknown block|block not found/i

/**
 * Whether an RPC failure means the node cannot serve the requested block's state (a
 * non-archive node asked about an old block), as opposed to a contract that reverted or a
 * node that is down.
 *
 * @param error - anything thrown by a read
 * @returns `true` when some message in the error's cause chain says so
 */
export function isStateUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    const { message, details, cause } = current as {
      message?: unknown
      details?: unknown
      cause?: unknown
    }
    if ([message, details].some((text) => typeof text === 'string' && STATE_UNAVAILABLE.test(text)))
      return true
    current = cause
  }
  return false
}
