import type { DailyReport } from '../report/types.ts'
import { formatDecimal } from './formatDecimal.ts'

/**
 * A plain-text table of the day for the terminal: one line per pool with the headline
 * numbers, the day's peaks and hours out of band next to the end-of-day values (when the day
 * is sampled), the reference range of V3 pools (its IL, and whether the price stayed in it),
 * the LVR estimate, alerts and errors.
 *
 * @param report - the day's report
 * @returns the table, lines joined with `\n`
 */
export function renderSummaryTable(report: DailyReport): string {
  const header = [
    'pool',
    'tokens',
    'TVL USD',
    'imbalance pp',
    'peak pp',
    'price dev %',
    'peak dev %',
    'h out imb/dev',
    'IL %',
    'fee ret %',
    'LP-HODL %',
    'range IL %',
    'fees USD',
    'LVR USD',
    'alerts / error',
  ]
  const percent = (fraction: number, digits: number) => formatDecimal(fraction * 100, digits)
  const hours = (value: number | undefined) =>
    value === undefined ? '-' : formatDecimal(value, Number.isInteger(value) ? 0 : 1)
  const rows = report.pools.map((day) => {
    if (day.status === 'error')
      return [day.pool.id, ...Array<string>(header.length - 2).fill(''), `ERROR: ${day.error}`]
    const { metrics, intraday } = day
    return [
      day.pool.id,
      day.tokens.map((token) => token.symbol).join('/'),
      Math.round(metrics.tvlUsdEnd).toLocaleString('en-US'),
      percent(metrics.imbalanceEnd, 2),
      intraday ? percent(intraday.imbalanceMax, 2) : '',
      percent(metrics.priceDeviationEnd, 2),
      intraday ? percent(intraday.priceDeviationPeak, 2) : '',
      intraday ? `${hours(intraday.hoursOverImbalance)}/${hours(intraday.hoursOverDeviation)}` : '',
      percent(metrics.divergenceLoss, 3),
      percent(metrics.feeReturn, 3),
      percent(metrics.lpVsHodl, 3),
      metrics.range
        ? `${percent(metrics.range.divergenceLoss, 3)} (±${metrics.range.rangePct}% ${metrics.range.inRange ? 'in' : 'left'})`
        : '',
      Math.round(metrics.feesUsd).toLocaleString('en-US'),
      intraday?.lvrUsd === undefined ? '' : Math.round(intraday.lvrUsd).toLocaleString('en-US'),
      day.alerts.join(', '),
    ]
  })
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => row[column]!.length)),
  )
  const numeric = (column: number) => column >= 2 && column < header.length - 1
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        numeric(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  )
}
