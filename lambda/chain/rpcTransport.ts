import { custom, HttpRequestError, hexToNumber, RpcRequestError } from 'viem'
import { ChainUnavailableError } from '../errors.ts'
import { HexText } from './hexText.ts'
import { isBatchTooLarge } from './isBatchTooLarge.ts'
import { isStateUnavailable } from './isStateUnavailable.ts'
import { parseJsonRpcAnswer } from './jsonRpcAnswer.ts'
import { backoffDelayMs, retryAfterMs } from './retryTiming.ts'
import type { RunDeadline } from './runDeadline.ts'
import { createSemaphore } from './semaphore.ts'

/** The key of `rpcTransport`'s transports: the clients whose requests may hold `HexText`. */
export const RPC_TRANSPORT_KEY = 'report-rpc'

/** Counts the JSON-RPC requests a client sends (retries included; chain id checks not). */
export interface RequestCounter {
  count: number
}

/** One HTTP exchange with a URL, as a meter sees it (every try, chain id checks included). */
export interface RpcExchange {
  readonly method: string
  readonly params: unknown
  /** The request's JSON, in UTF-8 bytes. */
  readonly requestBytes: number
  /** The answer's body, in bytes; 0 when none came. */
  readonly responseBytes: number
  /** From sending the request to reading the whole answer or giving up. */
  readonly durationMs: number
}

export interface RpcTransportParameters {
  /** The chain's name in the config, for messages. */
  readonly name: string
  /** The chain id the config expects; each URL is checked once before its first request. */
  readonly chainId: number
  /**
   * Check each URL's chain id before its first request and never use one that serves another
   * chain; off for `doctor`, which reports the chain id itself. @default true
   */
  readonly checkChainId?: boolean | undefined
  /** Tried in order: the next takes over when one fails. Never logged (they carry API keys). */
  readonly urls: readonly string[]
  /** @default 10000 */
  readonly timeoutMs?: number | undefined
  /** @default 4 */
  readonly maxConcurrentRequests?: number | undefined
  /** Further rounds over the URLs after transient failures. @default 4 */
  readonly retryCount?: number | undefined
  /** @default 500 */
  readonly retryDelayMs?: number | undefined
  /** When it passes, every request rejects with its `RunTimeoutError`. */
  readonly deadline?: RunDeadline | undefined
  readonly counter?: RequestCounter | undefined
  /** Called after every exchange: metering on the client's side, where it costs no copy. */
  readonly onExchange?: ((exchange: RpcExchange) => void) | undefined
  /** @default Math.random */
  readonly random?: () => number
}

interface JsonRpcBody {
  readonly jsonrpc: '2.0'
  readonly id: number
  readonly method: string
  readonly params?: unknown
}

/** What one HTTP exchange with one URL came to. */
type Outcome =
  | { readonly kind: 'result'; readonly value: unknown }
  /** An answer that is final for this request (a revert, a request too large ...). */
  | { readonly kind: 'answer'; readonly error: Error }
  /** The node cannot serve the block's state: another URL (an archive node) may. */
  | { readonly kind: 'no-state'; readonly error: Error }
  /** Worth another try later: timeout, connection error, 408, 429, 5xx, garbled answer. */
  | { readonly kind: 'transient'; readonly reason: string; readonly retryAfterMs?: number }
  /** This URL will not serve this request (401, 403, 404 ...): only another URL can. */
  | { readonly kind: 'refused'; readonly reason: string }

interface Endpoint {
  /** "RPC 2 of 3": how messages name a URL. */
  readonly label: string
  readonly url: string
  /** A `Retry-After` of this URL: no request before then (epoch ms). */
  notBefore: number
  /** After a transient failure the URL goes to the back of the order until then. */
  demotedUntil: number
  chainCheck?: Promise<Outcome | undefined> | undefined
  /** Set when the URL serves another chain: it is never used again. */
  wrongChain?: string
}

/** How long a URL that failed stays behind the others. */
const DEMOTION_MS = 30_000

/**
 * A viem transport over `fetch` for the providers a daily job meets: a timeout per request,
 * retries of transient failures with exponential backoff and jitter that honour
 * `Retry-After`, fail-over across several URLs in order, at most `maxConcurrentRequests`
 * requests in flight, a check of each URL's chain id, and a run deadline that aborts
 * everything at once. viem's `http` and `fallback` transports cannot share a request limit
 * nor stop at a deadline, so this is a `custom` transport with viem's own retries turned off.
 *
 * A request that cannot be answered rejects with `ChainUnavailableError` (the chain is out,
 * not a pool); a JSON-RPC error answer (a revert, a call too large) is final and rejects as
 * viem's `RpcRequestError`, except that "state not available" first tries the other URLs.
 *
 * @param parameters - chain, URLs, limits, deadline
 * @returns a viem transport
 */
export function rpcTransport({
  name,
  chainId,
  checkChainId = true,
  urls,
  timeoutMs = 10_000,
  maxConcurrentRequests = 4,
  retryCount = 4,
  retryDelayMs = 500,
  deadline,
  counter,
  onExchange,
  random = Math.random,
}: RpcTransportParameters) {
  const endpoints: Endpoint[] = urls.map((url, i) => ({
    label: `RPC ${i + 1} of ${urls.length}`,
    url,
    notBefore: 0,
    demotedUntil: 0,
  }))
  const slots = createSemaphore(maxConcurrentRequests)
  let nextId = 1

  const checkDeadline = () => {
    if (deadline?.signal.aborted) throw deadline.error()
  }

  /** Waits, or rejects with the run's timeout when the deadline passes first. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      checkDeadline()
      const onAbort = () => {
        clearTimeout(timer)
        reject(deadline!.error())
      }
      const timer = setTimeout(() => {
        deadline?.signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      deadline?.signal.addEventListener('abort', onAbort, { once: true })
    })

  /** One HTTP exchange, holding one of the chain's slots. */
  const exchange = async (endpoint: Endpoint, body: JsonRpcBody): Promise<Outcome> => {
    let release: () => void
    try {
      release = await slots.acquire(deadline?.signal)
    } catch {
      throw deadline!.error()
    }
    const timeout = AbortSignal.timeout(timeoutMs)
    // Encoded once: fetch would encode a string body itself, and the meter counts its bytes.
    const payload = encodeBody(body)
    const sentAt = performance.now()
    let responseBytes = 0
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: payload.bytes,
        signal: deadline ? AbortSignal.any([deadline.signal, timeout]) : timeout,
      })
      const answer = new Uint8Array(await response.arrayBuffer())
      responseBytes = answer.byteLength
      return readResponse(endpoint, body, response, answer, payload.hexText)
    } catch (error) {
      checkDeadline()
      if (timeout.aborted) return { kind: 'transient', reason: `no answer in ${timeoutMs} ms` }
      return { kind: 'transient', reason: `connection failed (${connectionCode(error)})` }
    } finally {
      release()
      onExchange?.({
        method: body.method,
        params: body.params,
        requestBytes: payload.bytes.length,
        responseBytes,
        durationMs: performance.now() - sentAt,
      })
    }
  }

  /** The URL's chain id, checked once; `undefined` when it is the configured one. */
  const checkChain = (endpoint: Endpoint): Promise<Outcome | undefined> => {
    endpoint.chainCheck ??= exchange(endpoint, {
      jsonrpc: '2.0',
      id: nextId++,
      method: 'eth_chainId',
    }).then((outcome) => {
      if (outcome.kind === 'transient') {
        endpoint.chainCheck = undefined
        return outcome
      }
      if (outcome.kind !== 'result') return { kind: 'refused', reason: 'eth_chainId failed' }
      const reported = typeof outcome.value === 'string' ? hexToNumber(outcome.value as never) : NaN
      if (reported === chainId) return undefined
      endpoint.wrongChain = `${endpoint.label} reports chain id ${reported}, the config says ${chainId}`
      return { kind: 'refused', reason: endpoint.wrongChain }
    })
    return endpoint.chainCheck
  }

  /** Healthy URLs first, in config order; then those that failed lately or asked to wait. */
  const order = (now: number) =>
    endpoints
      .filter((endpoint) => !endpoint.wrongChain)
      .map((endpoint, i) => ({
        endpoint,
        rank: (endpoint.demotedUntil > now || endpoint.notBefore > now ? endpoints.length : 0) + i,
      }))
      .sort((a, b) => a.rank - b.rank)
      .map(({ endpoint }) => endpoint)

  const request = async ({ method, params }: { method: string; params?: unknown }) => {
    const body: JsonRpcBody = { jsonrpc: '2.0', id: nextId++, method, params }
    const failures = new Map<Endpoint, string>()
    /** URLs that gave a final "no" to this request. */
    const done = new Set<Endpoint>()
    let noState: Error | undefined
    for (let attempt = 0; attempt <= retryCount; attempt++) {
      if (attempt > 0) await sleep(backoffDelayMs(attempt, retryDelayMs, random()))
      const candidates = order(Date.now()).filter((endpoint) => !done.has(endpoint))
      if (candidates.length === 0) break
      for (const endpoint of candidates) {
        const wait = endpoint.notBefore - Date.now()
        if (wait > 0) {
          if (deadline && Date.now() + wait >= deadline.at) {
            failures.set(
              endpoint,
              `asks to wait ${Math.ceil(wait / 1000)} s, more than the run has left`,
            )
            done.add(endpoint)
            continue
          }
          await sleep(wait)
        }
        const outcome =
          (checkChainId ? await checkChain(endpoint) : undefined) ?? (await send(endpoint, body))
        switch (outcome.kind) {
          case 'result':
            endpoint.demotedUntil = 0
            return outcome.value
          case 'answer':
            throw outcome.error
          case 'no-state':
            noState = outcome.error
            done.add(endpoint)
            break
          case 'refused':
            failures.set(endpoint, outcome.reason)
            done.add(endpoint)
            break
          case 'transient':
            failures.set(endpoint, outcome.reason)
            endpoint.demotedUntil = Date.now() + DEMOTION_MS
            if (outcome.retryAfterMs !== undefined)
              endpoint.notBefore = Math.max(endpoint.notBefore, Date.now() + outcome.retryAfterMs)
            break
        }
      }
    }
    // A node that answered "no state" answered: the report can fall back to the stored day.
    if (noState) throw noState
    const reasons = endpoints
      .flatMap((endpoint) => {
        const reason = endpoint.wrongChain ?? failures.get(endpoint)
        if (!reason) return []
        return [reason.startsWith(endpoint.label) ? reason : `${endpoint.label}: ${reason}`]
      })
      .join('; ')
    throw new ChainUnavailableError(`chain ${name} could not be read (${method}): ${reasons}`)
  }

  const send = (endpoint: Endpoint, body: JsonRpcBody): Promise<Outcome> => {
    if (counter) counter.count++
    return exchange(endpoint, body)
  }

  // viem must not retry on its own: this transport already did, within the deadline.
  return custom(
    { request },
    { retryCount: 0, key: RPC_TRANSPORT_KEY, name: `RPC of chain ${name}` },
  )
}

/**
 * The request's JSON in UTF-8, with the bytes of each `HexText` param quoted in place, and
 * whether there were any: the answer to such a request gives a long hex result as `HexText`.
 */
function encodeBody(body: JsonRpcBody): { bytes: Buffer; hexText: boolean } {
  const texts: Buffer[] = []
  // The holder's own value: `value` is already what `HexText.toJSON` made of it.
  const json = JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
    const original = this[key]
    if (!(original instanceof HexText)) return value
    texts.push(original.bytes)
    return `${PLACEHOLDER}${texts.length - 1}`
  })
  if (texts.length === 0) return { bytes: Buffer.from(json), hexText: false }
  const parts: Buffer[] = []
  let from = 0
  texts.forEach((bytes, k) => {
    // How JSON writes the placeholder string: a NUL, which no param of ours holds, escaped.
    const quoted = `"\\u0000${k}"`
    const at = json.indexOf(quoted, from)
    parts.push(Buffer.from(`${json.slice(from, at)}"`), bytes, QUOTE)
    from = at + quoted.length
  })
  parts.push(Buffer.from(json.slice(from)))
  return { bytes: Buffer.concat(parts), hexText: true }
}

const PLACEHOLDER = '\u0000'
const QUOTE = Buffer.from('"')

/** Classifies an HTTP answer; errors name the URL by its label only. */
function readResponse(
  endpoint: Endpoint,
  body: JsonRpcBody,
  response: Response,
  answer: Uint8Array,
  hexResultAsBytes: boolean,
): Outcome {
  const { status } = response
  if (status === 408 || status === 429 || status >= 500) {
    const wait = retryAfterMs(response.headers.get('Retry-After'), Date.now())
    return {
      kind: 'transient',
      reason: `HTTP ${status}`,
      ...(wait !== undefined && { retryAfterMs: wait }),
    }
  }
  let json: { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } }
  try {
    json = parseJsonRpcAnswer(answer, { hexResultAsBytes }) as typeof json
  } catch {
    json = {}
  }
  const error = json && typeof json === 'object' ? json.error : undefined
  if (error && typeof error === 'object') {
    const rpcError = new RpcRequestError({
      body: body as never,
      error: {
        code: typeof error.code === 'number' ? error.code : -1,
        message: typeof error.message === 'string' ? error.message : 'no message',
        data: error.data,
      },
      url: endpoint.label,
      ...(status !== 200 && { status }),
    })
    if (isRateLimit(rpcError))
      return { kind: 'transient', reason: `rate limited (${rpcError.details})` }
    if (isStateUnavailable(rpcError)) return { kind: 'no-state', error: rpcError }
    return { kind: 'answer', error: rpcError }
  }
  if (status === 413)
    return {
      kind: 'answer',
      error: new HttpRequestError({
        body: body as never,
        status,
        url: endpoint.label,
        details: 'request too large',
      }),
    }
  if (status < 200 || status >= 300) return { kind: 'refused', reason: `HTTP ${status}` }
  if (!json || typeof json !== 'object' || !('result' in json))
    return { kind: 'transient', reason: 'the answer is not JSON-RPC' }
  return { kind: 'result', value: json.result }
}

/** Rate limits some providers send as a JSON-RPC error with HTTP 200. */
function isRateLimit(error: RpcRequestError): boolean {
  if (isBatchTooLarge(error)) return false
  return (
    error.code === -32005 ||
    error.code === -32007 ||
    error.code === 429 ||
    /rate limit|too many requests|request limit/i.test(error.details)
  )
}

/** The system error code of a failed fetch (`ECONNREFUSED` ...), never its URL. */
function connectionCode(error: unknown): string {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return error instanceof Error ? error.name : 'unknown error'
}
