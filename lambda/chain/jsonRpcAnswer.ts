import { HexText } from './hexText.ts'

/**
 * The JSON of a JSON-RPC answer, as `JSON.parse` of its UTF-8 text. A Multicall3 round's
 * `eth_call` answers with a quarter of a megabyte of hex; decoding all of it as UTF-8 and then
 * parsing it as JSON took a tenth of a 10,000-pool run's CPU, and made two copies of it. Hex
 * is ASCII, so a long hex `result` is taken from the bytes as it is, and only the envelope
 * around it is parsed. Any answer that is not plainly that (an escape in the hex, a `result`
 * that is not the top-level one) is parsed whole, so the value is always `JSON.parse`'s.
 *
 * @param body - the answer's bytes
 * @param options - `hexResultAsBytes`: give a long hex `result` as a `HexText` view of the
 *   body, unchecked (its reader checks what it reads), instead of a string
 * @returns the parsed JSON
 * @throws SyntaxError when the body is not JSON
 */
export function parseJsonRpcAnswer(
  body: Uint8Array,
  { hexResultAsBytes = false }: { readonly hexResultAsBytes?: boolean } = {},
): unknown {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (bytes.length >= LONG_ANSWER_BYTES) {
    const parsed = withLongHexResult(bytes, hexResultAsBytes)
    if (parsed !== undefined) return parsed
  }
  // TextDecoder drops a byte-order mark, as `Response.text()` does.
  return JSON.parse(utf8.decode(bytes))
}

/** Below this, parsing the whole answer costs next to nothing. */
const LONG_ANSWER_BYTES = 4096
const RESULT_KEY = Buffer.from('"result":"')
const QUOTE = 0x22
const BACKSLASH = 0x5c
const DIGIT_0 = 0x30
const LETTER_X = 0x78
const HEX = /^0x[0-9a-fA-F]*$/
const utf8 = new TextDecoder()

/** The answer with its hex `result` cut out of the bytes, or `undefined` to parse it whole. */
function withLongHexResult(bytes: Buffer, asBytes: boolean): unknown {
  const key = bytes.indexOf(RESULT_KEY)
  if (key < 0) return undefined
  const start = key + RESULT_KEY.length
  const end = bytes.indexOf(QUOTE, start)
  if (end < 0) return undefined
  // latin1 maps each byte to one character: for hex digits, the string JSON would give. An
  // escape (a backslash) would make them differ.
  let hex: string | HexText
  if (asBytes) {
    if (bytes[start] !== DIGIT_0 || bytes[start + 1] !== LETTER_X) return undefined
    const backslash = bytes.indexOf(BACKSLASH, start)
    if (backslash >= 0 && backslash < end) return undefined
    hex = new HexText(bytes.subarray(start, end))
  } else {
    hex = bytes.toString('latin1', start, end)
    if (!HEX.test(hex)) return undefined
  }
  let envelope: unknown
  try {
    envelope = JSON.parse(utf8.decode(bytes.subarray(0, start)) + utf8.decode(bytes.subarray(end)))
  } catch {
    return undefined
  }
  // The cut-out string must be the top-level result (a later duplicate key would replace it).
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return undefined
  if ((envelope as { result?: unknown }).result !== '') return undefined
  return { ...envelope, result: hex }
}
