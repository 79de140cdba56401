import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A JSON-RPC request as the proxy sees it. */
export interface RpcRequest {
  readonly id: unknown
  readonly method: string
  readonly params?: readonly unknown[]
}

/** How the proxy misbehaves for one request, as providers do. */
export type RpcFault =
  /** Drop the connection without an answer. */
  | { readonly kind: 'refuse' }
  /** Never answer (until the client gives up or the proxy stops). */
  | { readonly kind: 'hang' }
  /** An HTTP error status (429, 500, 502, 503 ...), with `Retry-After` if given. */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  /** HTTP 200 with a body that is not JSON. */
  | { readonly kind: 'malformed' }
  /** A JSON-RPC error answer. */
  | { readonly kind: 'rpc-error'; readonly code: number; readonly message: string }
  /** Forward, but answer with this JSON-RPC error if the node's answer is longer than `maxBytes`. */
  | {
      readonly kind: 'response-limit'
      readonly maxBytes: number
      readonly code: number
      readonly message: string
    }
  /** Answer `eth_chainId` with another chain id. */
  | { readonly kind: 'chain-id'; readonly chainId: number }
  /** A well-formed JSON-RPC answer with this result (a node that answers wrongly). */
  | { readonly kind: 'result'; readonly result: string }

/**
 * Decides the fault for a request, or `undefined` to forward it as it is.
 * `index` counts the HTTP requests the proxy received before this one.
 */
export type FaultPlan = (request: RpcRequest, index: number) => RpcFault | undefined

/** Largest request body the proxy reads; a larger one gets HTTP 413. */
const MAX_BODY_BYTES = 8 * 1024 * 1024

/**
 * A loopback JSON-RPC pass-through to a node that counts what it forwards and can inject the
 * faults of real providers (see `RpcFault`). Its URL carries a fake API key in the path, like
 * a provider URL, so tests can check that it is never logged. It listens on 127.0.0.1 only,
 * reads bodies up to 8 MB, and keeps counters only: nothing grows with the requests.
 *
 * @param target - the node's URL
 * @param plan - the fault for each request; none by default
 * @returns the proxy URL (with the key), the key, counters, and stop
 */
export async function startRpcProxy(target: string, plan?: FaultPlan) {
  const apiKey = 'sk_test_7d1f0c9e4b2a46e1a5c3'
  const state = {
    requests: 0,
    faults: 0,
    inFlight: 0,
    maxInFlight: 0,
    requestBytes: 0,
    forwardedBytes: 0,
  }
  const server = createServer(async (request, response) => {
    const index = state.requests++
    state.inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
    response.on('close', () => state.inFlight--)
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of request) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413).end()
        return
      }
      chunks.push(chunk as Buffer)
    }
    const body = Buffer.concat(chunks)
    state.requestBytes += body.length
    let parsed: RpcRequest | RpcRequest[]
    try {
      parsed = JSON.parse(body.toString())
    } catch {
      response.writeHead(400).end()
      return
    }
    const fault = Array.isArray(parsed) ? undefined : plan?.(parsed, index)
    // Faults that depend on the method or the answer count where they apply.
    if (fault && fault.kind !== 'response-limit' && fault.kind !== 'chain-id') state.faults++
    const single = parsed as RpcRequest
    const answerError = (error: { code: number; message: string }) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify({ jsonrpc: '2.0', id: single.id, error }))
    }
    switch (fault?.kind) {
      case 'refuse':
        request.socket.destroy()
        return
      case 'hang':
        return
      case 'status':
        response.writeHead(fault.status, {
          'Content-Type': 'text/plain',
          ...(fault.retryAfter !== undefined && { 'Retry-After': fault.retryAfter }),
        })
        response.end(`HTTP ${fault.status}`)
        return
      case 'malformed':
        response.writeHead(200, { 'Content-Type': 'application/json' })
        response.end('{"jsonrpc":"2.0","id":')
        return
      case 'rpc-error':
        answerError(fault)
        return
      case 'result':
        response.writeHead(200, { 'Content-Type': 'application/json' })
        response.end(JSON.stringify({ jsonrpc: '2.0', id: single.id, result: fault.result }))
        return
      case 'chain-id':
        if (single.method === 'eth_chainId') {
          state.faults++
          response.writeHead(200, { 'Content-Type': 'application/json' })
          response.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: single.id,
              result: `0x${fault.chainId.toString(16)}`,
            }),
          )
          return
        }
    }
    const answer = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    })
    const answerBody = Buffer.from(await answer.arrayBuffer())
    if (fault?.kind === 'response-limit' && answerBody.length > fault.maxBytes) {
      state.faults++
      answerError(fault)
      return
    }
    state.forwardedBytes += answerBody.length
    response.writeHead(answer.status, { 'Content-Type': 'application/json' })
    response.end(answerBody)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/${apiKey}`,
    apiKey,
    /** HTTP requests received. */
    get requests() {
      return state.requests
    },
    /** Requests answered with a fault. */
    get faults() {
      return state.faults
    },
    /** Bytes of the request bodies received. */
    get requestBytes() {
      return state.requestBytes
    },
    /** Bytes of the node's answers forwarded (not of the proxy's own fault answers). */
    get forwardedBytes() {
      return state.forwardedBytes
    },
    /** Most requests in flight at once. */
    get maxInFlight() {
      return state.maxInFlight
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * A plan that applies `fault` to the first `count` requests, then forwards everything.
 *
 * @param count - how many requests fail
 * @param fault - the fault
 * @returns the plan
 */
export function failFirst(count: number, fault: RpcFault): FaultPlan {
  return (_request, index) => (index < count ? fault : undefined)
}
