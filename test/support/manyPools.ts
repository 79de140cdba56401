import { parseConfig } from '../../lambda/config/loadConfig.ts'
import {
  buildDigestView,
  type DigestView,
  digestObservations,
} from '../../lambda/email/digestView.ts'
import { advanceAlerts } from '../../lambda/report/alertLifecycle.ts'
import { addDays } from '../../lambda/report/date.ts'
import { parseStoredDay, renderStoredDay } from '../../lambda/report/storedDay.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import { sampleReport } from '../unit/sampleReport.ts'

/** Pools of the synthetic config. */
export const POOLS = 10_000
export const DATE = '2026-11-23'
const template = sampleReport.pools[0] as Extract<PoolDay, { status: 'ok' }>
export const config = parseConfig({
  chains: { devnet: { chainId: 31337, rpcUrl: 'http://127.0.0.1:1' } },
  pools: Array.from({ length: POOLS }, (_, i) => ({
    id: `pool-${i}`,
    chain: 'devnet',
    // One pool in ten is a stable pool with a composition bar.
    protocol: i % 10 === 0 ? 'curve-stableswap' : 'uniswap-v2',
    address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
  })),
})
export const digest = { name: 'daily', to: ['risk@example.com'], pools: '*' as const }

/** A day of 10,000 pools: one in twenty unreadable, imbalances spread from 0 to 20 pp. */
export function day(date: string, shift: number): DailyReport {
  return {
    ...sampleReport,
    date,
    pools: config.pools.map((pool, i): PoolDay => {
      if (i % 20 === 19) return { pool, chainId: 31337, status: 'error', error: 'x'.repeat(2000) }
      const imbalance = (((i * 7919 + shift * 104_729) % 2000) / 100) * 0.01
      return {
        ...template,
        pool,
        // Chain data of any length: a symbol of hundreds of characters.
        tokens: template.tokens.map((token) => ({
          ...token,
          symbol: `${token.symbol}${'Z'.repeat(300)}`,
        })),
        metrics: {
          ...template.metrics,
          imbalanceEnd: imbalance,
          priceDeviationEnd: (i % 7) * 0.001 * (shift % 2 ? 1 : -1),
          tvlUsdEnd: 1_000_000 + i * 10 + shift * 5000,
        },
      }
    }),
  }
}

/**
 * The digest view of the synthetic day, with yesterday stored and the lifecycle carried from it.
 *
 * @returns today's report and its view
 */
export function manyPoolsDigest(): { today: DailyReport; view: DigestView } {
  const yesterday = day(addDays(DATE, -1), 1)
  const today = day(DATE, 2)
  const previous = advanceAlerts(
    undefined,
    yesterday.date,
    digestObservations(yesterday, digest, config),
  )
  const alerts = advanceAlerts(previous, DATE, digestObservations(today, digest, config))
  const history = [{ date: yesterday.date, stored: parseStoredDay(renderStoredDay(yesterday)) }]
  const links = {
    metrics: 'https://files.example/metrics.csv',
    balances: 'https://files.example/balances.csv',
  }
  return { today, view: buildDigestView(today, digest, config, links, { history, alerts })! }
}
