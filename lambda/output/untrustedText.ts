const FORMULA_START = /^[=+\-@\t\r]/

/**
 * Makes a string from the chain safe for a CSV cell opened in a spreadsheet: a leading
 * `= + - @` (or tab, CR) would start a formula, so it gets a leading apostrophe, as OWASP
 * recommends. Quoting for RFC 4180 is the CSV writer's job.
 *
 * @param text - untrusted text (token symbols, error messages quoting chain data)
 * @returns the text, defused
 * @example guardFormula('=HYPERLINK("http://x")') // "'=HYPERLINK(\"http://x\")"
 */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text
}
