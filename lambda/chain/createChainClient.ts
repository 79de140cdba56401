import { createPublicClient, defineChain, type PublicClient } from 'viem'
import type { Config } from '../config/schema.ts'
import { type RequestCounter, type RpcExchange, rpcTransport } from './rpcTransport.ts'
import type { RunDeadline } from './runDeadline.ts'

export type { RequestCounter, RpcExchange } from './rpcTransport.ts'

/** The viem client the report reads a chain with. */
export type ChainClient = PublicClient

export type CreateChainClientParameters = {
  readonly name: string
  readonly chainId: number
  /** Refuse URLs that serve another chain. @default true */
  readonly checkChainId?: boolean | undefined
  /** Time limit of one request in ms. @default 10000 */
  readonly timeoutMs?: number | undefined
  /** @default 4 */
  readonly maxConcurrentRequests?: number | undefined
  /** @default 4 */
  readonly retryCount?: number | undefined
  /** @default 500 */
  readonly retryDelayMs?: number | undefined
  /** The run's deadline: every request rejects with `RunTimeoutError` once it passes. */
  readonly deadline?: RunDeadline | undefined
  readonly counter?: RequestCounter | undefined
  /** Called after every HTTP exchange (the benchmark's meter). */
  readonly onExchange?: ((exchange: RpcExchange) => void) | undefined
} & (
  | { readonly rpcUrls: readonly string[]; readonly rpcUrl?: never }
  | { readonly rpcUrl: string; readonly rpcUrls?: never }
)

/**
 * Creates a public client for one configured chain, over `rpcTransport` (timeouts, retries,
 * fail-over across URLs, a limit on requests in flight, the run deadline). URLs are never
 * logged (provider URLs carry API keys).
 *
 * @param parameters - chain name and id, RPC URL(s), limits, deadline, optional request counter
 * @returns a viem public client
 * @example
 * const client = createChainClient({ name: 'ethereum', chainId: 1, rpcUrls: [primary, backup] })
 */
export function createChainClient(parameters: CreateChainClientParameters): ChainClient {
  const { name, chainId } = parameters
  const urls = parameters.rpcUrls ?? [parameters.rpcUrl]
  return createPublicClient({
    chain: defineChain({
      id: chainId,
      name,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [...urls] } },
    }),
    transport: rpcTransport({ ...parameters, urls }),
  })
}

/**
 * The clients of one run: one per chain, made on first use, so that every read of a chain
 * shares its limit on requests in flight.
 *
 * @param parameters - the config, the resolved URLs of each chain, the run's deadline
 * @returns `clientFor(chainName)`
 */
export function chainClientsFor({
  config,
  rpcUrls,
  deadline,
}: {
  readonly config: Pick<Config, 'chains'>
  readonly rpcUrls: ReadonlyMap<string, readonly string[]>
  readonly deadline?: RunDeadline
}): (name: string) => ChainClient {
  const clients = new Map<string, ChainClient>()
  return (name) => {
    let client = clients.get(name)
    if (!client) {
      const { chainId, timeoutMs, maxConcurrentRequests, retryCount, retryDelayMs } =
        config.chains[name]!
      client = createChainClient({
        name,
        chainId,
        rpcUrls: rpcUrls.get(name)!,
        timeoutMs,
        maxConcurrentRequests,
        retryCount,
        retryDelayMs,
        deadline,
      })
      clients.set(name, client)
    }
    return client
  }
}
