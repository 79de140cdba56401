import type { Thresholds } from '../config/poolFields.ts'
import type { PoolDayMetrics } from '../metrics/types.ts'

/** Alert codes, as they appear in the CSV's `alerts` column. */
export type AlertCode = 'imbalance' | 'price_deviation' | 'il'

/**
 * Which thresholds a pool's end-of-day metrics cross.
 *
 * @param metrics - the pool's metrics (fractions)
 * @param thresholds - thresholds in pp and percent, as in the config
 * @returns the alert codes, in a fixed order
 */
export function evaluateAlerts(metrics: PoolDayMetrics, thresholds: Thresholds): AlertCode[] {
  const alerts: AlertCode[] = []
  const { imbalancePp, priceDeviationPct, ilPct } = thresholds
  if (imbalancePp !== undefined && metrics.imbalanceEnd * 100 > imbalancePp)
    alerts.push('imbalance')
  if (
    priceDeviationPct !== undefined &&
    Math.abs(metrics.priceDeviationEnd) * 100 > priceDeviationPct
  ) {
    alerts.push('price_deviation')
  }
  if (ilPct !== undefined && metrics.divergenceLoss * 100 < ilPct) alerts.push('il')
  return alerts
}

/**
 * Thresholds for a pool, most specific first: the pool's own, then the digest's (when
 * rendering one), then the config's defaults.
 */
export function thresholdsFor(...layers: (Thresholds | undefined)[]): Thresholds {
  const merged: Thresholds = {}
  for (const layer of layers.reverse()) Object.assign(merged, layer)
  return merged
}
