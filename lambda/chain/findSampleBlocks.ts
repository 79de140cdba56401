import type { BlockFinder, BlockStamp } from './findBlockAtTimestamp.ts'

/**
 * The instants a day is sampled at: `t_k = start + k * 24h / n` for `k = 0..n`, in seconds.
 * Block timestamps are whole seconds, so an instant between two seconds is rounded down
 * without changing which block is the last one at or before it.
 *
 * @param dayStart - the day's first second (`D 00:00:00 UTC`)
 * @param samplesPerDay - `n`, at least 1
 * @returns the `n + 1` instants, `dayStart` first and `dayStart + 86400` last
 * @example sampleTimes(0n, 4) // [0n, 21600n, 43200n, 64800n, 86400n]
 */
export function sampleTimes(dayStart: bigint, samplesPerDay: number): bigint[] {
  if (!Number.isInteger(samplesPerDay) || samplesPerDay < 1) {
    throw new RangeError(
      `sampleTimes: samplesPerDay must be a positive integer, not ${samplesPerDay}`,
    )
  }
  const n = BigInt(samplesPerDay)
  return Array.from({ length: samplesPerDay + 1 }, (_, k) => dayStart + (BigInt(k) * 86_400n) / n)
}

/**
 * The last block at or before each instant. The last instant is searched first, then the
 * first, then the others in order, so that each search starts from the bracket the ones
 * before it left (the finder keeps every header it fetched).
 *
 * @param finder - one finder per chain and day
 * @param times - increasing instants, as from `sampleTimes`
 * @returns one block per instant, in the same order
 */
export async function findSampleBlocks(
  finder: BlockFinder,
  times: readonly bigint[],
): Promise<BlockStamp[]> {
  const blocks: BlockStamp[] = new Array(times.length)
  const order = [times.length - 1, ...times.keys()].filter((k, i, all) => all.indexOf(k) === i)
  for (const k of order) blocks[k] = await finder.lastBlockAtOrBefore(times[k]!)
  return blocks
}
