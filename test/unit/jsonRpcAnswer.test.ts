import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { HexText } from '../../lambda/chain/hexText.ts'
import { parseJsonRpcAnswer } from '../../lambda/chain/jsonRpcAnswer.ts'

/** What `Response.text()` then `JSON.parse` make of the bytes: the reference. */
function reference(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes))
}

function expectSameAsJsonParse(text: string | Uint8Array) {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
  let expected: unknown
  let refused: unknown
  try {
    expected = reference(bytes)
  } catch (error) {
    refused = error
  }
  if (refused) {
    expect(() => parseJsonRpcAnswer(bytes)).toThrow(SyntaxError)
  } else {
    expect(parseJsonRpcAnswer(bytes)).toStrictEqual(expected)
  }
}

const longHex = `0x${randomBytes(8192).toString('hex')}`

describe('parseJsonRpcAnswer gives what JSON.parse of the UTF-8 text gives', () => {
  test('a long eth_call answer, as nodes send it (the hex is cut from the bytes)', () => {
    const answer = `{"jsonrpc":"2.0","id":7,"result":"${longHex}"}`
    expectSameAsJsonParse(answer)
    expect(parseJsonRpcAnswer(new TextEncoder().encode(answer))).toStrictEqual({
      jsonrpc: '2.0',
      id: 7,
      result: longHex,
    })
    // Upper-case digits and keys after the result.
    expectSameAsJsonParse(`{"result":"${longHex.toUpperCase().replace('0X', '0x')}","id":1}`)
  })

  test('long answers that are not plainly a hex result are parsed whole', () => {
    const escaped = longHex.replace(/^0x(.)/, '0x\\u0030')
    const answers = [
      `{"jsonrpc":"2.0","id":1,"result": "${longHex}"}`,
      `{"jsonrpc":"2.0","id":1,"result":"${escaped}"}`,
      `{"jsonrpc":"2.0","id":1,"result":"${longHex}é"}`,
      `{"jsonrpc":"2.0","id":1,"result":"${longHex}","result":"0x01"}`,
      `{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"reverted","data":{"result":"${longHex}"}}}`,
      `{"jsonrpc":"2.0","id":"a\\"result":"${longHex}","result":"0x02"}`,
      `[{"jsonrpc":"2.0","id":1,"result":"${longHex}"}]`,
      `{"jsonrpc":"2.0","id":1,"result":"${longHex}","message":"ünïcödé"}`,
      `\uFEFF{"jsonrpc":"2.0","id":1,"result":"${longHex}"}`,
      `{"jsonrpc":"2.0","id":1,"result":"not hex ${longHex}"}`,
    ]
    for (const answer of answers) expectSameAsJsonParse(answer)
  })

  test('what is not JSON is refused as JSON.parse refuses it', () => {
    expectSameAsJsonParse(`{"jsonrpc":"2.0","id":1,"result":"${longHex}"`)
    expectSameAsJsonParse(`{"jsonrpc":"2.0","id":1,"result":"${longHex}"}garbage`)
    expectSameAsJsonParse(`<html>${longHex}</html>`)
    expectSameAsJsonParse('')
  })

  test('short answers and a byte view into a larger buffer', () => {
    expectSameAsJsonParse('{"jsonrpc":"2.0","id":1,"result":"0x2a"}')
    expectSameAsJsonParse('null')
    const answer = new TextEncoder().encode(`xx{"jsonrpc":"2.0","id":3,"result":"${longHex}"}yy`)
    const view = answer.subarray(2, answer.length - 2)
    expect(parseJsonRpcAnswer(view)).toStrictEqual({ jsonrpc: '2.0', id: 3, result: longHex })
  })

  test('asked for bytes, a long hex result is a view of the body; an escaped one is parsed whole', () => {
    const answer = new TextEncoder().encode(`{"jsonrpc":"2.0","id":9,"result":"${longHex}"}`)
    const parsed = parseJsonRpcAnswer(answer, { hexResultAsBytes: true }) as {
      id: number
      result: HexText
    }
    expect(parsed.id).toBe(9)
    expect(parsed.result).toBeInstanceOf(HexText)
    expect(parsed.result.bytes.toString('latin1')).toBe(longHex)
    const escaped = `{"jsonrpc":"2.0","id":1,"result":"${longHex.replace(/^0x(.)/, '0x\\u0030')}"}`
    expect(
      parseJsonRpcAnswer(new TextEncoder().encode(escaped), { hexResultAsBytes: true }),
    ).toStrictEqual(JSON.parse(escaped))
    const short = '{"jsonrpc":"2.0","id":1,"result":"0x2a"}'
    expect(
      parseJsonRpcAnswer(new TextEncoder().encode(short), { hexResultAsBytes: true }),
    ).toStrictEqual(JSON.parse(short))
  })
})
