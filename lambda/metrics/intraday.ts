/**
 * The whole day, not only its end: what a pool's intraday samples add to its day (DESIGN.md,
 * "The whole day, not only its end"). Pure: the samples come in already computed.
 */

/** A pool at one sample block `t_k`. */
export interface IntradaySample {
  /** Imbalance as a fraction (0.1 = 10 pp). */
  readonly imbalance: number
  /** Signed price deviation as a fraction (0.005 = +0.5%). */
  readonly priceDeviation: number
  /** Reference price of token0 in token1, `m0/m1`; only two-token pools have one. */
  readonly referenceRatio?: number
}

/** What the intraday metrics take. */
export interface IntradayInput {
  /** The `n + 1` samples `k = 0..n` at `t_k = D 00:00 + k * 24h / n`; `k = 0` and `k = n` are the day's ends. */
  readonly samples: readonly IntradaySample[]
  /** The pool's alert thresholds, as in the config (pp and percent); hours over an absent one are undefined. */
  readonly thresholds: {
    readonly imbalancePp?: number | undefined
    readonly priceDeviationPct?: number | undefined
  }
  /**
   * The LVR of the day per unit of variance of the log reference ratio (USD): `lvr = s2 * this`.
   * Undefined where the LVR formula does not apply (StableSwap, more than two tokens).
   */
  readonly lvrUsdPerVariance?: number
}

/** A pool's intraday metrics; ratios are fractions, as in `PoolDayMetrics`. */
export interface IntradayMetrics {
  /** `n + 1`. */
  readonly samples: number
  readonly imbalanceMax: number
  /** Mean over `k = 0..n-1`, each sample standing for the interval that follows it. */
  readonly imbalanceTwa: number
  /** The signed sample value with the largest absolute value over `k = 0..n`. */
  readonly priceDeviationPeak: number
  /** Samples `k = 0..n-1` over the threshold, times `24/n`. */
  readonly hoursOverImbalance?: number
  readonly hoursOverDeviation?: number
  /** `sqrt(sum_{k=1..n} ln(r_k/r_{k-1})^2)` of the reference ratio (two-token pools only). */
  readonly refVolatility?: number
  /** Loss-versus-rebalancing over the day, USD. */
  readonly lvrUsd?: number
}

/**
 * The intraday metrics of one pool from its `n + 1` samples.
 *
 * @param input - the samples, the pool's thresholds and its LVR scale
 * @returns the metrics
 * @throws RangeError with fewer than two samples, or a reference ratio that is not positive
 * @example
 * intradayMetrics({ samples: [a, b, c], thresholds: { imbalancePp: 5 } }).imbalanceMax
 */
export function intradayMetrics({
  samples,
  thresholds,
  lvrUsdPerVariance,
}: IntradayInput): IntradayMetrics {
  if (samples.length < 2) throw new RangeError('intradayMetrics: needs at least two samples')
  const n = samples.length - 1
  // k = 0..n-1: each sample stands for the interval [t_k, t_k+1).
  const intervals = samples.slice(0, n)
  const hoursOver = (over: (sample: IntradaySample) => boolean) =>
    (intervals.filter(over).length * 24) / n
  const { imbalancePp, priceDeviationPct } = thresholds
  const refVolatility = referenceVolatility(samples)
  return {
    samples: samples.length,
    imbalanceMax: Math.max(...samples.map((sample) => sample.imbalance)),
    imbalanceTwa: intervals.reduce((total, sample) => total + sample.imbalance, 0) / n,
    priceDeviationPeak: samples.reduce(
      (peak, sample) =>
        Math.abs(sample.priceDeviation) > Math.abs(peak) ? sample.priceDeviation : peak,
      samples[0]!.priceDeviation,
    ),
    ...(imbalancePp !== undefined && {
      hoursOverImbalance: hoursOver((sample) => sample.imbalance * 100 > imbalancePp),
    }),
    ...(priceDeviationPct !== undefined && {
      hoursOverDeviation: hoursOver(
        (sample) => Math.abs(sample.priceDeviation) * 100 > priceDeviationPct,
      ),
    }),
    ...(refVolatility !== undefined && { refVolatility }),
    ...(refVolatility !== undefined &&
      lvrUsdPerVariance !== undefined && { lvrUsd: refVolatility ** 2 * lvrUsdPerVariance }),
  }
}

/** Realised volatility of the reference ratio over the day, undefined unless every sample has one. */
function referenceVolatility(samples: readonly IntradaySample[]): number | undefined {
  const ratios = samples.map((sample) => sample.referenceRatio)
  if (ratios.some((ratio) => ratio === undefined)) return undefined
  let sumOfSquares = 0
  for (let k = 1; k < ratios.length; k++) {
    const [before, after] = [ratios[k - 1]!, ratios[k]!]
    if (!(before > 0 && after > 0))
      throw new RangeError('intradayMetrics: reference ratios must be positive')
    sumOfSquares += Math.log(after / before) ** 2
  }
  return Math.sqrt(sumOfSquares)
}

/**
 * The LVR scale of a constant-product or two-token weighted pool: `w0 * w1 / 2 * V`, with `V`
 * the pool's value at the start of the day (`V / 8` for 50/50).
 *
 * @param weights - the two target weights
 * @param tvlUsdStart - the pool's value at the start, USD
 * @returns USD per unit of variance
 * @example weightedLvrUsdPerVariance([0.5, 0.5], 8_000_000) // 1_000_000
 */
export function weightedLvrUsdPerVariance(
  weights: readonly [number, number],
  tvlUsdStart: number,
): number {
  return ((weights[0] * weights[1]) / 2) * tvlUsdStart
}

/**
 * The LVR scale of a concentrated-liquidity pool (Uniswap V3 and V4): `L * sqrt(P) * m1 / 10^d1 / 4`,
 * with the active liquidity `L` and the raw pool price `P` at the start, and `m1` token1's
 * reference price at the start. Zero when no position covers the start price (`L = 0`).
 *
 * @param liquidity - active liquidity at the start
 * @param sqrtPrice - square root of the raw start price (token1 raw per token0 raw)
 * @param price1Usd - token1's reference price, USD
 * @param decimals1 - token1's decimals
 * @returns USD per unit of variance
 */
export function concentratedLvrUsdPerVariance(
  liquidity: number,
  sqrtPrice: number,
  price1Usd: number,
  decimals1: number,
): number {
  return (liquidity * sqrtPrice * price1Usd) / 10 ** decimals1 / 4
}
