/**
 * A pool's metrics for one day. Ratios are fractions (0.01 = 1%, or 1 pp for imbalance);
 * the CSV writer turns them into percent.
 */
export interface PoolDayMetrics {
  readonly tvlUsdStart: number
  readonly tvlUsdEnd: number
  readonly valueSharesStart: readonly number[]
  readonly valueSharesEnd: readonly number[]
  readonly imbalanceStart: number
  readonly imbalanceEnd: number
  readonly priceDeviationEnd: number
  readonly lpVsHodl: number
  readonly feeReturn: number
  readonly divergenceLoss: number
  readonly feesUsd: number
  /** Undefined for a pool without a swap fee. */
  readonly volumeUsdEst: number | undefined
  readonly depth2pctUsd: number
  /** Reference concentrated position (Uniswap V3 only). */
  readonly range?: RangePositionMetrics
}

/** Result of the reference concentrated-liquidity position of a Uniswap V3 pool. */
export interface RangePositionMetrics {
  /** Half-width of the range around the start price, in percent (10 = +/-10%). */
  readonly rangePct: number
  /** Value of its end amounts over value of its start amounts, minus one (end prices, no fees). */
  readonly divergenceLoss: number
  /** Whether the end price lies inside the range, bounds included. */
  readonly inRange: boolean
}
