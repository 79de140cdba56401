import { type Address, getAddress } from 'viem'
import type { Config, PriceSource } from '../config/schema.ts'

/** Configured price sources by chain and token, whatever address case the config used. */
export type PriceIndex = ReadonlyMap<string, PriceSource>

/**
 * Indexes the config's `prices` by `chain:checksummedAddress`.
 *
 * @param config - validated config (its price keys are already checked)
 * @returns the index
 */
export function indexPrices(config: Pick<Config, 'prices'>): PriceIndex {
  const index = new Map<string, PriceSource>()
  for (const [key, source] of Object.entries(config.prices)) {
    const [chain, address] = key.split(':') as [string, string]
    index.set(priceKey(chain, getAddress(address)), source)
  }
  return index
}

/** The key of a token's price: `chain:0xChecksummed`. */
export function priceKey(chain: string, token: Address): string {
  return `${chain}:${getAddress(token)}`
}
