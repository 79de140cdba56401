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

/**
 * Puts a message on one line: Athena's CSV reader splits records at line breaks even inside
 * quotes, and error messages (viem's among them) often span several lines.
 *
 * @param text - a message
 * @returns the message with every run of whitespace turned into one space
 */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
