import { stringify } from 'csv-stringify/sync'
import { formatUnits } from 'viem'
import type { DailyReport } from '../report/types.ts'
import { formatDecimal, formatSignificant } from './formatDecimal.ts'
import { guardFormula } from './untrustedText.ts'

/** The columns of `balances.csv`, in order: a public interface (see README). */
export const BALANCES_COLUMNS = [
  'date',
  'chain',
  'pool_id',
  'token_index',
  'token_address',
  'symbol',
  'decimals',
  'weight',
  'balance_start',
  'balance_end',
  'ref_price_usd_start',
  'ref_price_usd_end',
  'value_share_start',
  'value_share_end',
] as const

/**
 * Renders `balances.csv`: one row per token of every pool that could be read. Balances are
 * exact decimal token amounts (from the raw integers), shares are fractions.
 *
 * @param report - the day's report
 * @returns the CSV text
 */
export function renderBalancesCsv(report: DailyReport): string {
  const rows = report.pools.flatMap((day) =>
    day.status !== 'ok'
      ? []
      : day.tokens.map((token, index) => ({
          date: report.date,
          chain: day.pool.chain,
          pool_id: day.pool.id,
          token_index: String(index),
          token_address: token.address,
          symbol: guardFormula(token.symbol),
          decimals: String(token.decimals),
          weight: formatSignificant(token.weight),
          balance_start: formatUnits(token.balanceStart, token.decimals),
          balance_end: formatUnits(token.balanceEnd, token.decimals),
          ref_price_usd_start: formatSignificant(token.priceStart),
          ref_price_usd_end: formatSignificant(token.priceEnd),
          value_share_start: formatDecimal(token.shareStart, 8),
          value_share_end: formatDecimal(token.shareEnd, 8),
        })),
  )
  return stringify(rows, { header: true, columns: [...BALANCES_COLUMNS] })
}
