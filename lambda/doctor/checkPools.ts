import type { BlockReader } from '../chain/blockReader.ts'
import { type ChainConfig, type PoolConfig, poolLocator } from '../config/schema.ts'
import { protocolAdapter } from '../protocols/registry.ts'
import { type Check, fail, pass } from './check.ts'
import { describeError } from './describeError.ts'

/**
 * Reads each pool at the reader's block with its protocol's own reader, the one the report
 * uses: a pool that answers is of its configured protocol.
 *
 * @param reader - reader pinned to the latest block
 * @param pools - the chain's pools
 * @param chain - the chain's config (V4 pools read through its V4 contracts)
 * @returns one check per pool, in config order
 */
export function checkPools(
  reader: BlockReader,
  pools: readonly PoolConfig[],
  chain: ChainConfig,
): Promise<Check[]> {
  return Promise.all(
    pools.map(async (pool) => {
      const subject = `pool ${pool.id}`
      try {
        const state = await protocolAdapter(pool).read(reader, pool, chain)
        return pass(
          subject,
          `${poolLocator(pool)} reads as ${pool.protocol} at block ${reader.blockNumber} (${state.tokens.length} tokens)`,
        )
      } catch (error) {
        return fail(subject, `${pool.protocol}: ${describeError(error)}`)
      }
    }),
  )
}
