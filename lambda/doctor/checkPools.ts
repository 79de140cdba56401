import type { BlockReader } from '../chain/blockReader.ts'
import type { PoolConfig } from '../config/schema.ts'
import { protocolAdapter } from '../protocols/registry.ts'
import { type Check, fail, pass } from './check.ts'
import { describeError } from './describeError.ts'

/**
 * Reads each pool at the reader's block with its protocol's own reader, the one the report
 * uses: a pool that answers is of its configured protocol.
 *
 * @param reader - reader pinned to the latest block
 * @param pools - the chain's pools
 * @returns one check per pool, in config order
 */
export function checkPools(reader: BlockReader, pools: readonly PoolConfig[]): Promise<Check[]> {
  return Promise.all(
    pools.map(async (pool) => {
      const subject = `pool ${pool.id}`
      try {
        const state = await protocolAdapter(pool).read(reader, pool)
        return pass(
          subject,
          `${pool.address} reads as ${pool.protocol} at block ${reader.blockNumber} (${state.tokens.length} tokens)`,
        )
      } catch (error) {
        return fail(subject, `${pool.protocol}: ${describeError(error)}`)
      }
    }),
  )
}
