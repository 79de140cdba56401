import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What went through the meter since the last reset. */
export interface RpcMeterStats {
  /** HTTP requests (a JSON-RPC batch is one). */
  readonly httpRequests: number
  /** JSON-RPC requests by method (a batch of n counts n). */
  readonly byMethod: Readonly<Record<string, number>>
  /** `eth_call`s by the block they are pinned to. */
  readonly callsByBlock: Readonly<Record<string, number>>
  readonly requestBytes: number
  readonly responseBytes: number
  /** Epoch milliseconds (`performance.timeOrigin + now()`) of the first `eth_call` received. */
  readonly firstCallAt?: number
  /** Epoch milliseconds of the last `eth_call` answered. */
  readonly lastCallAnsweredAt?: number
}

interface JsonRpcRequest {
  readonly method: string
  readonly params?: readonly unknown[]
}

/**
 * A JSON-RPC pass-through that counts requests and bytes and times the `eth_call`s, run in
 * the benchmark's parent process so that it weighs nothing in the measured run.
 *
 * @param target - the node's URL
 * @returns the meter's URL, its figures, a reset and stop
 */
export async function startRpcMeter(target: string) {
  let stats = emptyStats()
  const now = () => performance.timeOrigin + performance.now()
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const parsed = JSON.parse(body.toString()) as JsonRpcRequest | JsonRpcRequest[]
    const requests = Array.isArray(parsed) ? parsed : [parsed]
    const calls = requests.filter((one) => one.method === 'eth_call')
    stats.httpRequests++
    stats.requestBytes += body.length
    for (const one of requests) stats.byMethod[one.method] = (stats.byMethod[one.method] ?? 0) + 1
    for (const call of calls) {
      const block = String(call.params?.[1] ?? 'latest')
      stats.callsByBlock[block] = (stats.callsByBlock[block] ?? 0) + 1
    }
    if (calls.length > 0) stats.firstCallAt ??= now()
    const answer = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    const reply = Buffer.from(await answer.arrayBuffer())
    stats.responseBytes += reply.length
    response.writeHead(answer.status, { 'content-type': 'application/json' })
    response.end(reply)
    if (calls.length > 0) stats.lastCallAnsweredAt = now()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: (): RpcMeterStats => structuredClone(stats),
    reset: () => {
      stats = emptyStats()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function emptyStats(): {
  -readonly [key in keyof RpcMeterStats]: key extends 'byMethod' | 'callsByBlock'
    ? Record<string, number>
    : RpcMeterStats[key]
} {
  return {
    httpRequests: 0,
    byMethod: {},
    callsByBlock: {},
    requestBytes: 0,
    responseBytes: 0,
  }
}
