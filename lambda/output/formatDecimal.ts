/**
 * Formats a number as a plain decimal: `.` as the decimal point, no thousands separators,
 * never exponent notation, no `-0`. Not finite or `undefined` gives an empty cell.
 *
 * @param value - the number
 * @param fractionDigits - digits after the point (0..20)
 * @returns the decimal string
 * @example formatDecimal(-5.7190958, 6) // '-5.719096'
 * @example formatDecimal(1e21, 2) // '1000000000000000000000.00'
 */
export function formatDecimal(value: number | undefined, fractionDigits: number): string {
  if (value === undefined || !Number.isFinite(value)) return ''
  const text =
    Math.abs(value) < 1e21 ? value.toFixed(fractionDigits) : largeToFixed(value, fractionDigits)
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text
}

/** `toFixed` switches to exponent notation from 1e21; integers that large are exact in BigInt. */
function largeToFixed(value: number, fractionDigits: number): string {
  const integer = BigInt(value).toString()
  return fractionDigits > 0 ? `${integer}.${'0'.repeat(fractionDigits)}` : integer
}

const significant = new Intl.NumberFormat('en-US', {
  useGrouping: false,
  maximumSignificantDigits: 15,
  maximumFractionDigits: 20,
})

/**
 * Formats a measured input (a reference price, a weight) as a plain decimal with at most 15
 * significant digits: what a double holds exactly, so a feed answer of `5718445816103` with
 * 8 decimals prints as `57184.45816103`, not with binary noise.
 *
 * @param value - the number
 * @returns the decimal string, empty when not finite or `undefined`
 * @example formatSignificant(0.1 + 0.2) // '0.3'
 */
export function formatSignificant(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return ''
  const text = significant.format(value)
  return text === '-0' ? '0' : text
}
