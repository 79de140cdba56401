import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A JSON-RPC request as the proxy sees it. */
export interface RpcRequest {
  readonly id: unknown
  readonly method: string
  readonly params?: readonly unknown[]
}

/**
 * A JSON-RPC pass-through to a node that counts what it forwards. Its URL carries a fake
 * API key in the path, like a provider URL, so tests can check that it is never logged.
 * `intercept` can answer a request with an error instead, as a node of another kind would
 * (a pruned node that no longer holds old state, say).
 *
 * @param target - the node's URL
 * @param intercept - returns the JSON-RPC error to answer with, or `undefined` to forward
 * @returns the proxy URL (with the key), the key, the request count, and stop
 */
export async function startRpcProxy(
  target: string,
  intercept?: (request: RpcRequest) => { code: number; message: string } | undefined,
) {
  const apiKey = 'sk_test_7d1f0c9e4b2a46e1a5c3'
  const state = { requests: 0 }
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    state.requests++
    const body = Buffer.concat(chunks)
    const parsed = JSON.parse(body.toString()) as RpcRequest | RpcRequest[]
    const refused = Array.isArray(parsed) ? undefined : intercept?.(parsed)
    if (refused && !Array.isArray(parsed)) {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify({ jsonrpc: '2.0', id: parsed.id, error: refused }))
      return
    }
    const answer = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    })
    response.writeHead(answer.status, { 'Content-Type': 'application/json' })
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/${apiKey}`,
    apiKey,
    get requests() {
      return state.requests
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
