import { DayNotAvailableError } from '../errors.ts'
import { chainFailureIn } from './chainFailure.ts'
import type { ChainClient } from './createChainClient.ts'

/** A block's number and timestamp (seconds). */
export interface BlockStamp {
  readonly number: bigint
  readonly timestamp: bigint
}

/**
 * Finds blocks by timestamp with few requests, reusing every header it has fetched. Make one
 * per chain and day, and ask for the later boundary first: its search brackets the earlier one.
 */
export interface BlockFinder {
  /** The last block with `timestamp <= target` (a block at exactly the target counts). */
  lastBlockAtOrBefore(target: bigint): Promise<BlockStamp>
}

/**
 * Creates a `BlockFinder`. The search interpolates on timestamps (block times are nearly
 * regular, so it lands within a few blocks), checks the first estimate's neighbour, and
 * bisects after any step that did not halve the bracket, which bounds it by one more than
 * twice the binary search in the worst case. Evenly spaced targets (the day's samples) asked
 * in order take about two headers each.
 *
 * The target must lie strictly before the latest block's timestamp: only then can no later
 * block still land at or before it (some chains give consecutive blocks one timestamp).
 *
 * @param client - viem public client of the chain
 * @returns a block finder; its searches reject with `ChainUnavailableError` when the chain's
 *   RPC cannot answer (after retries and fail-over)
 */
export function createBlockFinder(client: ChainClient): BlockFinder {
  const known = new Map<bigint, bigint>()
  let bounds: Promise<{ genesis: BlockStamp; latest: BlockStamp }> | undefined

  const fetchBlock = async (number: bigint | 'latest'): Promise<BlockStamp> => {
    const block = await client
      .getBlock(number === 'latest' ? { blockTag: 'latest' } : { blockNumber: number })
      .catch((error: unknown) => {
        throw chainFailureIn(error) ?? error
      })
    known.set(block.number, block.timestamp)
    return { number: block.number, timestamp: block.timestamp }
  }

  return {
    async lastBlockAtOrBefore(target) {
      bounds ??= Promise.all([fetchBlock(0n), fetchBlock('latest')]).then(([genesis, latest]) => ({
        genesis,
        latest,
      }))
      const { genesis, latest } = await bounds
      if (target < genesis.timestamp) {
        throw new DayNotAvailableError(
          'before-genesis',
          `${iso(target)} is before the chain existed (genesis block at ${iso(genesis.timestamp)})`,
        )
      }
      if (target >= latest.timestamp) {
        throw new DayNotAvailableError(
          'not-yet',
          `the chain has no block after ${iso(target)} yet (latest block ${latest.number} at ${iso(latest.timestamp)})`,
        )
      }
      // Invariant: timestamp(lo) <= target < timestamp(hi). Start from the tightest known pair.
      let lo = genesis
      let hi = latest
      for (const [number, timestamp] of known) {
        if (timestamp <= target && number > lo.number) lo = { number, timestamp }
        if (timestamp > target && number < hi.number) hi = { number, timestamp }
      }
      let bisect = false
      let first = true
      while (hi.number - lo.number > 1n) {
        const width = hi.number - lo.number
        const guess = bisect ? lo.number + width / 2n : interpolate(lo, hi, target)
        const probe = await fetchBlock(guess)
        if (probe.timestamp <= target) lo = probe
        else hi = probe
        if (first && hi.number - lo.number > 1n) {
          // Where block times are regular the first estimate is right to a block: its
          // neighbour on the target's side closes the bracket.
          first = false
          const neighbour = await fetchBlock(
            probe.timestamp <= target ? lo.number + 1n : hi.number - 1n,
          )
          if (neighbour.timestamp <= target) lo = neighbour
          else hi = neighbour
        }
        // Interpolation that failed to halve the bracket is followed by one bisection.
        bisect = !bisect && (hi.number - lo.number) * 2n > width
      }
      return lo
    },
  }
}

/** Block number where the target timestamp would fall if block times were regular, kept inside (lo, hi). */
function interpolate(lo: BlockStamp, hi: BlockStamp, target: bigint): bigint {
  const span = hi.timestamp - lo.timestamp
  const guess =
    lo.number + ((target - lo.timestamp) * (hi.number - lo.number)) / (span > 0n ? span : 1n)
  // One past the estimate: if it is still <= target, the answer is the estimate's neighbour.
  const next = guess + 1n
  if (next <= lo.number) return lo.number + 1n
  if (next >= hi.number) return hi.number - 1n
  return next
}

function iso(timestamp: bigint): string {
  return new Date(Number(timestamp) * 1000).toISOString().replace('.000Z', 'Z')
}
