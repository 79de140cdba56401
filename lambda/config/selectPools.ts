import { InvalidInputError } from '../errors.ts'
import type { Config, PoolConfig } from './schema.ts'

/**
 * The pools a run reports on, in config order.
 *
 * @param config - validated config
 * @param ids - pool ids to keep; all pools when absent
 * @returns the selected pools
 * @throws InvalidInputError listing unknown ids
 */
export function selectPools(config: Pick<Config, 'pools'>, ids?: readonly string[]): PoolConfig[] {
  if (!ids) return config.pools
  const known = new Set(config.pools.map((pool) => pool.id))
  const unknown = ids.filter((id) => !known.has(id))
  if (unknown.length > 0) {
    throw new InvalidInputError('Unknown pools', [
      `${unknown.map((id) => `"${id}"`).join(', ')} not in the config; known pools: ${[...known].join(', ')}`,
    ])
  }
  return config.pools.filter((pool) => ids.includes(pool.id))
}
