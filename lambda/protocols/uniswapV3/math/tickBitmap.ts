/**
 * Uniswap V3's tick bitmap: bit `b` of word `w` is set when the tick
 * `(w*256 + b) * tickSpacing` is initialized (some position starts or ends there).
 */

/** Bitmap words by word position, as read from `tickBitmap(int16)`. */
export type TickBitmapWords = ReadonlyMap<number, bigint>

/**
 * A tick divided by the tick spacing, rounded towards negative infinity (the bitmap's index).
 *
 * @param tick - any tick
 * @param tickSpacing - the pool's tick spacing (positive)
 * @returns the compressed tick
 * @example compressTick(-1, 10) // -1
 */
export function compressTick(tick: number, tickSpacing: number): number {
  return Math.floor(tick / tickSpacing)
}

/**
 * Word of the bitmap that holds a compressed tick.
 *
 * @param compressed - a compressed tick
 * @returns the int16 word position
 */
export function wordPosition(compressed: number): number {
  return compressed >> 8
}

/**
 * The next tick a swap steps to within the current bitmap word, as v3-core's
 * `TickBitmap.nextInitializedTickWithinOneWord`: the nearest initialized tick at or below
 * `tick` (`lte`, price falling) or above it (price rising), or else the last tick of the
 * word in that direction, uninitialized.
 *
 * @param words - bitmap words that were read; the one needed must be there
 * @param tick - the pool's current tick
 * @param tickSpacing - the pool's tick spacing
 * @param lte - search at or below `tick` (true) or above it (false)
 * @returns the next tick and whether it is initialized
 * @throws RangeError if the needed word was not read
 */
export function nextInitializedTickWithinOneWord(
  words: TickBitmapWords,
  tick: number,
  tickSpacing: number,
  lte: boolean,
): { readonly next: number; readonly initialized: boolean } {
  const compressed = compressTick(tick, tickSpacing) + (lte ? 0 : 1)
  const position = wordPosition(compressed)
  const bit = compressed & 0xff
  const word = words.get(position)
  if (word === undefined) throw new RangeError(`tick bitmap word ${position} was not read`)
  if (lte) {
    // Bits at or right of `bit`: ticks at or below the compressed tick.
    const masked = word & ((1n << BigInt(bit + 1)) - 1n)
    return masked === 0n
      ? { next: (compressed - bit) * tickSpacing, initialized: false }
      : { next: (compressed - bit + mostSignificantBit(masked)) * tickSpacing, initialized: true }
  }
  // Bits at or left of `bit`: ticks above the current one.
  const masked = word & ~((1n << BigInt(bit)) - 1n)
  return masked === 0n
    ? { next: (compressed + 255 - bit) * tickSpacing, initialized: false }
    : { next: (compressed - bit + leastSignificantBit(masked)) * tickSpacing, initialized: true }
}

/**
 * Ticks whose bits are set in the given words, between `fromTick` and `toTick` inclusive.
 *
 * @param words - bitmap words by position
 * @param tickSpacing - the pool's tick spacing
 * @param fromTick - lowest tick of interest
 * @param toTick - highest tick of interest
 * @returns the initialized ticks, ascending
 */
export function initializedTicksBetween(
  words: TickBitmapWords,
  tickSpacing: number,
  fromTick: number,
  toTick: number,
): number[] {
  const ticks: number[] = []
  for (const [position, word] of [...words].sort(([a], [b]) => a - b)) {
    for (let bit = 0; bit < 256; bit++) {
      if (((word >> BigInt(bit)) & 1n) === 0n) continue
      const tick = (position * 256 + bit) * tickSpacing
      if (tick >= fromTick && tick <= toTick) ticks.push(tick)
    }
  }
  return ticks
}

function mostSignificantBit(value: bigint): number {
  return value.toString(2).length - 1
}

function leastSignificantBit(value: bigint): number {
  return mostSignificantBit(value & -value)
}
