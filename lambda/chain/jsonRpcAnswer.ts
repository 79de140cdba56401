/**
 * The JSON of a JSON-RPC answer, as `JSON.parse` of its UTF-8 text. A Multicall3 round's
 * `eth_call` answers with a quarter of a megabyte of hex; decoding all of it as UTF-8 and then
 * parsing it as JSON took a tenth of a 10,000-pool run's CPU, and made two copies of it. Hex
 * is ASCII, so a long hex `result` is taken from the bytes as it is, and only the envelope
 * around it is parsed. Any answer that is not plainly that (an escape in the hex, a `result`
 * that is not the top-level one) is parsed whole, so the value is always `JSON.parse`'s.
 *
 * @param body - the answer's bytes
 * @returns the parsed JSON
 * @throws SyntaxError when the body is not JSON
 */
export function parseJsonRpcAnswer(body: Uint8Array): unknown {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (bytes.length >= LONG_ANSWER_BYTES) {
    const parsed = withLongHexResult(bytes)
    if (parsed !== undefined) return parsed
  }
  // TextDecoder drops a byte-order mark, as `Response.text()` does.
  return JSON.parse(utf8.decode(bytes))
}

/** Below this, parsing the whole answer costs next to nothing. */
const LONG_ANSWER_BYTES = 4096
const RESULT_KEY = Buffer.from('"result":"')
const QUOTE = 0x22
const HEX = /^0x[0-9a-fA-F]*$/
const utf8 = new TextDecoder()

/** The answer with its hex `result` cut out of the bytes, or `undefined` to parse it whole. */
function withLongHexResult(bytes: Buffer): unknown {
  const key = bytes.indexOf(RESULT_KEY)
  if (key < 0) return undefined
  const start = key + RESULT_KEY.length
  const end = bytes.indexOf(QUOTE, start)
  if (end < 0) return undefined
  // latin1 maps each byte to one character: for hex digits, the string JSON would give.
  const hex = bytes.toString('latin1', start, end)
  if (!HEX.test(hex)) return undefined
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
