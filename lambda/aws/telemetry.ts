/**
 * Names shared by the function's logs and metrics and the stack's alarms: one place, so an
 * alarm cannot watch a metric the code stopped publishing.
 */
export const TELEMETRY = {
  serviceName: 'pool-report',
  namespace: 'PoolImbalanceReport',
  metrics: {
    poolsReported: 'PoolsReported',
    poolsFailed: 'PoolsFailed',
    emailsSent: 'EmailsSent',
  },
} as const
