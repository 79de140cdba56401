import { createPublicClient, defineChain, http, type PublicClient } from 'viem'

/** The viem client the report reads a chain with. */
export type ChainClient = PublicClient

/** Counts the JSON-RPC requests a client sends (a batch of n counts n). */
export interface RequestCounter {
  count: number
}

export interface CreateChainClientParameters {
  readonly name: string
  readonly chainId: number
  readonly rpcUrl: string
  readonly counter?: RequestCounter
}

/**
 * Creates a public client for one configured chain. Retries transient RPC failures; the
 * URL is never logged (provider URLs carry API keys).
 *
 * @param parameters - chain name and id, RPC URL, optional request counter
 * @returns a viem public client
 */
export function createChainClient({
  name,
  chainId,
  rpcUrl,
  counter,
}: CreateChainClientParameters): ChainClient {
  return createPublicClient({
    chain: defineChain({
      id: chainId,
      name,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    }),
    transport: http(rpcUrl, {
      retryCount: 3,
      timeout: 30_000,
      onFetchRequest: counter
        ? async (request) => {
            const body: unknown = JSON.parse(await request.clone().text())
            counter.count += Array.isArray(body) ? body.length : 1
          }
        : undefined,
    }),
  })
}
