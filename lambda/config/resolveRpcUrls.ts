import { InvalidInputError } from '../errors.ts'
import type { Config } from './schema.ts'

/**
 * Finds the RPC URLs of each chain that the selected pools use, in the order they are tried:
 * the environment variable named by `rpcUrlEnv` when it is set (several URLs separated by
 * commas), else `rpcUrls`, else the literal `rpcUrl`. URLs are never printed, not even in an
 * error about them: provider URLs carry API keys.
 *
 * @param config - validated config
 * @param chains - names of the chains needed
 * @param env - environment variables
 * @returns the URLs of each chain, at least one
 * @throws InvalidInputError naming each chain without a usable URL
 */
export function resolveRpcUrls(
  config: Pick<Config, 'chains'>,
  chains: Iterable<string>,
  env: Record<string, string | undefined> = process.env,
): Map<string, string[]> {
  const urls = new Map<string, string[]>()
  const problems: string[] = []
  for (const name of chains) {
    const chain = config.chains[name]!
    const fromEnv = chain.rpcUrlEnv ? env[chain.rpcUrlEnv] : undefined
    if (fromEnv?.trim()) {
      const listed = fromEnv
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean)
      const bad = listed.flatMap((url, i) => (isHttpUrl(url) ? [] : [i + 1]))
      if (bad.length > 0)
        problems.push(
          `chains.${name}.rpcUrlEnv: entry ${bad.join(', ')} of environment variable ${chain.rpcUrlEnv} is not an http(s) URL`,
        )
      else urls.set(name, listed)
      continue
    }
    const configured = chain.rpcUrls ?? (chain.rpcUrl ? [chain.rpcUrl] : [])
    if (configured.length > 0) urls.set(name, [...configured])
    else
      problems.push(
        `chains.${name}: environment variable ${chain.rpcUrlEnv} is not set and there is no rpcUrl or rpcUrls`,
      )
  }
  if (problems.length > 0) throw new InvalidInputError('No RPC URL', problems)
  return urls
}

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol)
  } catch {
    return false
  }
}
