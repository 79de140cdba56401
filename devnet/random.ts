/** A seeded pseudo-random source, so that the simulated market is the same on every run. */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number
  /** Standard normal. */
  normal(): number
  /** Poisson with mean `mean` (small means only). */
  poisson(mean: number): number
}

/**
 * Creates a `Random` from a 32-bit seed (mulberry32, with Box-Muller for normals).
 *
 * @param seed - any integer
 * @returns a deterministic random source
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    uniform,
    normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
    poisson(mean) {
      const limit = Math.exp(-mean)
      let count = 0
      for (let product = uniform(); product > limit; product *= uniform()) count++
      return count
    },
  }
}
