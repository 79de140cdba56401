/**
 * How nodes and providers refuse an `eth_call` for its size: geth's gas cap ("gas required
 * exceeds allowance", "out of gas", "execution aborted (timeout"), block gas limits, and the
 * request and response limits of providers ("response size exceeded", "request entity too
 * large", "payload too large").
 */
const TOO_LARGE =
  /out of gas|gas required exceeds|gas (cap|limit)|exceeds (the )?block gas|too (large|big)|size (limit|exceeded)|exceeds? (the )?max(imum)? (response|request|size)|execution aborted \(timeout/i

/**
 * Whether an RPC failure says the request was too large (too much gas, too big a request or
 * answer), so that the same calls in smaller batches may pass.
 *
 * @param error - anything a read threw
 * @returns `true` when a message, an HTTP 413 status or JSON-RPC's "invalid request" (-32600)
 *   in the cause chain says so
 */
export function isBatchTooLarge(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    const { details, shortMessage, status, cause } = current as {
      details?: unknown
      shortMessage?: unknown
      status?: unknown
      cause?: unknown
    }
    if (status === 413) return true
    // anvil answers a body over its size limit with "Invalid request"; for a batch, halving is
    // harmless: a request that is invalid for another reason fails again as a single call.
    if ((current as { code?: unknown }).code === -32600) return true
    const message = (current as { message?: unknown }).message
    if (
      [details, shortMessage, message].some(
        (text) => typeof text === 'string' && TOO_LARGE.test(text),
      )
    )
      return true
    current = cause
  }
  return false
}
