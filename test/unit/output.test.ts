import { parse } from 'csv-parse/sync'
import { encodeAbiParameters, stringToHex } from 'viem'
import { expect, test } from 'vitest'
import { decodeSymbol } from '../../lambda/chain/readTokenMetadata.ts'
import { renderBalancesCsv } from '../../lambda/output/balancesCsv.ts'
import { formatDecimal, formatSignificant } from '../../lambda/output/formatDecimal.ts'
import { METRICS_COLUMNS, renderMetricsCsv } from '../../lambda/output/metricsCsv.ts'
import { renderSummaryTable } from '../../lambda/output/summaryTable.ts'
import { guardFormula } from '../../lambda/output/untrustedText.ts'
import { addDays, parseReportDate, yesterdayUtc } from '../../lambda/report/date.ts'
import { sampleReport, sampleReportWithV3 } from './sampleReport.ts'

test('decimals are plain: no exponent, no thousands separator, no negative zero', () => {
  expect(formatDecimal(-5.7190958, 6)).toBe('-5.719096')
  expect(formatDecimal(1e-9, 6)).toBe('0.000000')
  expect(formatDecimal(-1e-9, 6)).toBe('0.000000')
  expect(formatDecimal(1.5e21, 2)).toBe('1500000000000000000000.00')
  expect(formatDecimal(undefined, 2)).toBe('')
  expect(formatDecimal(Number.NaN, 2)).toBe('')
  expect(formatSignificant(57184.45816103)).toBe('57184.45816103')
  expect(formatSignificant(1e-12)).toBe('0.000000000001')
  expect(formatSignificant(0.8)).toBe('0.8')
})

test('strings that would start a spreadsheet formula are defused', () => {
  for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
    expect(guardFormula(text)).toBe(`'${text}`)
  expect(guardFormula('WETH')).toBe('WETH')
})

test('symbols decode from string and bytes32 returns, and lose control characters', () => {
  expect(decodeSymbol(encodeAbiParameters([{ type: 'string' }], ['USDC']))).toBe('USDC')
  expect(decodeSymbol(stringToHex('MKR', { size: 32 }))).toBe('MKR')
  expect(decodeSymbol(encodeAbiParameters([{ type: 'string' }], ['BAD\r\nSubject: x']))).toBe(
    'BADSubject: x',
  )
  expect(decodeSymbol('0x')).toBeUndefined()
  // Spam tokens put whole URLs in their symbols; tables and subjects get the first 32 characters.
  expect(decodeSymbol(encodeAbiParameters([{ type: 'string' }], ['X'.repeat(40)]))).toBe(
    'X'.repeat(32),
  )
})

test('metrics.csv quotes per RFC 4180 and round-trips through a CSV parser', () => {
  const csv = renderMetricsCsv(sampleReport)
  const [header, ...rows] = parse(csv) as string[][]
  expect(header).toEqual([...METRICS_COLUMNS])
  const ok = Object.fromEntries(header!.map((column, i) => [column, rows[0]![i]]))
  expect(ok.tokens).toBe(`'=HYPERLINK("http://evil")/US,DC`)
  expect(ok.il_pct).toBe('-5.719096')
  expect(ok.tvl_usd_end).toBe('2000000.00')
  expect(ok.alerts).toBe('imbalance;il')
  expect(ok.range_pct).toBe('')
  const error = Object.fromEntries(header!.map((column, i) => [column, rows[1]![i]]))
  expect(error.status).toBe('error')
  // One line per record: Athena splits records at line breaks, even inside quotes.
  expect(error.error).toBe(`'-not a pair: "quoted", with comma and newline`)
  expect(csv.trimEnd().split('\n')).toHaveLength(rows.length + 1)
  expect(error.tvl_usd_end).toBe('')
  // Fields with quotes and commas are enclosed in quotes, quotes doubled.
  expect(csv).toContain(`"'=HYPERLINK(""http://evil"")/US,DC"`)
})

test('a V3 row fills the reference range columns; other rows leave them empty', () => {
  const [header, ...rows] = parse(renderMetricsCsv(sampleReportWithV3)) as string[][]
  const v3 = Object.fromEntries(header!.map((column, i) => [column, rows[2]![i]]))
  expect(v3).toMatchObject({
    protocol: 'uniswap-v3',
    range_pct: '10',
    range_il_pct: '-9.464738',
    range_in_range: 'false',
    il_pct: '-0.726064',
    fee_return_pct: '0.148046',
  })
  const v2 = Object.fromEntries(header!.map((column, i) => [column, rows[0]![i]]))
  expect([v2.range_pct, v2.range_il_pct, v2.range_in_range]).toEqual(['', '', ''])
})

test('the intraday columns follow alerts; a day without samples leaves them empty', () => {
  const [header, ...rows] = parse(renderMetricsCsv(sampleReportWithV3)) as string[][]
  expect(header!.slice(header!.indexOf('alerts'))).toEqual([
    'alerts',
    'samples',
    'imbalance_pp_max',
    'imbalance_pp_twa',
    'price_deviation_pct_peak',
    'hours_over_imbalance',
    'hours_over_deviation',
    'ref_volatility_pct',
    'lvr_usd_est',
  ])
  const row = (i: number) => Object.fromEntries(header!.map((column, j) => [column, rows[i]![j]]))
  expect(row(2)).toMatchObject({
    samples: '25',
    imbalance_pp_max: '1.234568',
    imbalance_pp_twa: '0.400000',
    price_deviation_pct_peak: '-2.150000',
    hours_over_imbalance: '3',
    hours_over_deviation: '10.285714',
    ref_volatility_pct: '4.560000',
    lvr_usd_est: '1234.57',
  })
  for (const i of [0, 1]) {
    const cells = header!.slice(header!.indexOf('samples')).map((column) => row(i)[column])
    expect(cells.every((cell) => cell === '')).toBe(true)
  }
})

test('the terminal summary shows the day’s peaks and the reference range of V3 pools', () => {
  const lines = renderSummaryTable(sampleReportWithV3).split('\n')
  expect(lines[0]).toMatch(
    /imbalance pp\s+peak pp\s+price dev %\s+peak dev %\s+h out imb\/dev .* range IL %\s+fees USD\s+LVR USD/,
  )
  expect(lines.find((line) => line.startsWith('uni-v3-sample'))).toMatch(
    /WETH\/LINK .* 0\.25\s+1\.23\s+-1\.00\s+-2\.15\s+3\/10\.3 .* -9\.465 \(±10% left\)\s+10,511\s+1,235/,
  )
})

test('balances.csv carries exact token amounts and fractions', () => {
  const [header, ...rows] = parse(renderBalancesCsv(sampleReport)) as string[][]
  expect(rows).toHaveLength(2)
  const row = Object.fromEntries(header!.map((column, i) => [column, rows[1]![i]]))
  expect(row.balance_start).toBe('1000000.123456')
  expect(row.weight).toBe('0.5')
  expect(row.value_share_end).toBe('0.25000000')
})

test('dates: calendar check, day over, yesterday', () => {
  expect(() => parseReportDate('2026-02-30')).toThrow(/not a calendar date/)
  expect(() => parseReportDate('2026-11-23', new Date('2026-11-23T23:59:59Z'))).toThrow(
    /not over yet/,
  )
  expect(parseReportDate('2026-11-23', new Date('2026-11-24T00:00:00Z'))).toBe('2026-11-23')
  expect(yesterdayUtc(new Date('2026-03-01T00:30:00Z'))).toBe('2026-02-28')
  expect(addDays('2024-02-28', 1)).toBe('2024-02-29')
})
