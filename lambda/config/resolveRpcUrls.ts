import { InvalidInputError } from '../errors.ts'
import type { Config } from './schema.ts'

/**
 * Finds the RPC URL of each chain that the selected pools use: the environment variable
 * named by `rpcUrlEnv` when it is set, else the literal `rpcUrl`. URLs are never printed:
 * provider URLs carry API keys.
 *
 * @param config - validated config
 * @param chains - names of the chains needed
 * @param env - environment variables
 * @returns the URL of each chain
 * @throws InvalidInputError naming each chain without a URL
 */
export function resolveRpcUrls(
  config: Pick<Config, 'chains'>,
  chains: Iterable<string>,
  env: Record<string, string | undefined> = process.env,
): Map<string, string> {
  const urls = new Map<string, string>()
  const missing: string[] = []
  for (const name of chains) {
    const chain = config.chains[name]!
    const url = (chain.rpcUrlEnv && env[chain.rpcUrlEnv]) || chain.rpcUrl
    if (url) urls.set(name, url)
    else
      missing.push(
        `chains.${name}: environment variable ${chain.rpcUrlEnv} is not set and there is no rpcUrl`,
      )
  }
  if (missing.length > 0) throw new InvalidInputError('No RPC URL', missing)
  return urls
}
