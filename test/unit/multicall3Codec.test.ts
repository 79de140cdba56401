import { randomBytes } from 'node:crypto'
import {
  type Address,
  bytesToHex,
  decodeFunctionResult,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  multicall3Abi,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { HexText } from '../../lambda/chain/hexText.ts'
import { decodeAggregate3, encodeAggregate3 } from '../../lambda/chain/multicall3Codec.ts'

/** Deterministic pseudo-random lengths, so a failure repeats. */
function lengths(count: number, seed: number): number[] {
  let state = seed
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state % 200
  })
}

const calls = lengths(300, 7).map((length, i) => ({
  // Mixed-case (checksummed) and lower-case targets: the encoding is the same.
  to: (i % 2 === 0
    ? getAddress(bytesToHex(randomBytes(20)))
    : bytesToHex(randomBytes(20))) as Address,
  data: bytesToHex(randomBytes(length)),
}))

const resultsAbi = [
  {
    type: 'tuple[]',
    components: [
      { name: 'success', type: 'bool' },
      { name: 'returnData', type: 'bytes' },
    ],
  },
] as const

describe('Multicall3 aggregate3 codec', () => {
  test("encodes the calls byte for byte as viem's ABI encoder does", () => {
    for (const batch of [[], calls.slice(0, 1), calls]) {
      expect(encodeAggregate3(batch).toString('latin1')).toBe(
        encodeFunctionData({
          abi: multicall3Abi,
          functionName: 'aggregate3',
          args: [batch.map(({ to, data }) => ({ target: to, allowFailure: true, callData: data }))],
        }),
      )
    }
  })

  test("decodes results as viem's ABI decoder does, empty and odd-length data included", () => {
    const results = lengths(300, 11).map((length, i) => ({
      success: i % 3 !== 0,
      returnData: bytesToHex(randomBytes(length)) as Hex,
    }))
    for (const batch of [[], results.slice(0, 1), results]) {
      const data = encodeAbiParameters(resultsAbi, [batch])
      const decoded = decodeAggregate3(data)
      expect(decoded).toEqual(
        decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data }),
      )
      expect(decoded).toEqual(batch)
    }
  })

  test('decodes the same from the bytes the transport hands back, results sharing their data included', () => {
    const results = lengths(50, 5).map((length, i) => ({
      success: i % 2 === 0,
      returnData: bytesToHex(randomBytes(length)) as Hex,
    }))
    const data = encodeAbiParameters(resultsAbi, [results])
    expect(decodeAggregate3(new HexText(Buffer.from(data, 'latin1')))).toEqual(results)
    // Two heads pointing at one tuple: valid ABI, if no encoder of Multicall3's writes it.
    const shared =
      `0x${'20'.padStart(64, '0')}${'2'.padStart(64, '0')}${'40'.padStart(64, '0')}${'40'.padStart(64, '0')}${encodeAbiParameters([{ type: 'bool' }, { type: 'bytes' }], [true, '0xabcd']).slice(2)}` as Hex
    expect(decodeAggregate3(new HexText(Buffer.from(shared, 'latin1')))).toEqual([
      { success: true, returnData: '0xabcd' },
      { success: true, returnData: '0xabcd' },
    ])
  })

  test('calldata as HexText is written as its hex wherever JSON is made of it (error details)', () => {
    const calldata = encodeAggregate3(calls.slice(0, 2))
    expect(JSON.stringify({ data: new HexText(calldata) })).toBe(
      JSON.stringify({ data: calldata.toString('latin1') }),
    )
  })

  test('refuses data that is not an encoded result list, naming where it breaks', () => {
    const good = encodeAbiParameters(resultsAbi, [[{ success: true, returnData: '0x1234' }]])
    expect(() => decodeAggregate3('0x')).toThrow(/word at byte 0 is past its end/)
    // Cut inside the return data.
    expect(() => decodeAggregate3(good.slice(0, -64) as Hex)).toThrow(/past/)
    // An array length of 2^255.
    const huge = `${good.slice(0, 66)}8${good.slice(67)}` as Hex
    expect(() => decodeAggregate3(huge)).toThrow(/not a small number/)
    // success = 2
    const badBool = `${good.slice(0, 2 + 64 * 4 - 1)}2${good.slice(2 + 64 * 4)}` as Hex
    expect(() => decodeAggregate3(badBool)).toThrow(/success is 2/)
    // A character that is not a hex digit, in a word and in the return data.
    const badWord = `${good.slice(0, 60)}g${good.slice(61)}` as Hex
    expect(() => decodeAggregate3(badWord)).toThrow(/not a small number/)
    const badData = good.replace('1234', '12z4') as Hex
    expect(() => decodeAggregate3(badData)).toThrow(/result 0: its return data is not hex/)
  })
})
