import { type Check, fail, pass } from './check.ts'

export interface GasCapCheckParameters {
  readonly subject: string
  readonly chain: string
  /** What `measureCallGas` found, or why it could not. */
  readonly callGas: { readonly gas: bigint } | { readonly error: string }
  /** Gas per call of the report's batches; `missing` (a pass) when nothing was read, or the error. */
  readonly perCall:
    | { readonly gas: bigint }
    | { readonly missing: string }
    | { readonly error: string }
  /** The chain's `maxCallsPerRequest`: calls in the largest batch the report sends. */
  readonly maxCallsPerRequest: number
}

const gasText = (gas: bigint) => gas.toLocaleString('en-US')

/**
 * Compares the gas an endpoint gives one `eth_call` with what the report's largest
 * Multicall3 batch needs, and says what `maxCallsPerRequest` fits when it is too small.
 *
 * @param parameters - line subject, chain name, measured gas, gas per call, batch size
 * @returns one check
 */
export function gasCapCheck({
  subject,
  chain,
  callGas,
  perCall,
  maxCallsPerRequest,
}: GasCapCheckParameters): Check {
  if ('error' in callGas)
    return fail(subject, `the gas an eth_call gets could not be measured: ${callGas.error}`)
  const gets = `an eth_call gets ${gasText(callGas.gas)} gas`
  if ('missing' in perCall) return pass(subject, `${gets} (${perCall.missing})`)
  if ('error' in perCall)
    return fail(subject, `${gets}; the gas of a batch could not be measured: ${perCall.error}`)
  const need = perCall.gas * BigInt(maxCallsPerRequest)
  const sizing = `a full batch of ${maxCallsPerRequest} calls needs about ${gasText(need)} (${gasText(perCall.gas)} per call on this config's pools)`
  if (callGas.gas >= need) return pass(subject, `${gets}; ${sizing}`)
  return fail(
    subject,
    `${gets}, but ${sizing}: set chains.${chain}.maxCallsPerRequest to at most ${callGas.gas / perCall.gas}`,
  )
}
