import {
  decodeFunctionResult,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  parseAbi,
  parseAbiParameters,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { decodeCallResult, encodeCall } from '../../lambda/chain/callCodec.ts'
import { curvePoolAbi, curveUint256IndexAbi } from '../../lambda/protocols/curveStableSwap/read.ts'
import { uniswapV3PoolAbi } from '../../lambda/protocols/uniswapV3/read.ts'

const overloaded = parseAbi([
  'function balanceOf(address owner) view returns (uint256)',
  'function balanceOf(address owner, uint256 id) view returns (uint256)',
])

describe('cached call codec', () => {
  test("encodes calls as viem's encodeFunctionData, overloads included", () => {
    const cases = [
      { abi: erc20Abi, functionName: 'totalSupply' },
      {
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: ['0x00000000000000000000000000000000deadbeef'],
      },
      { abi: curveUint256IndexAbi, functionName: 'balances', args: [3n] },
      { abi: uniswapV3PoolAbi, functionName: 'ticks', args: [-887_220] },
      {
        abi: overloaded,
        functionName: 'balanceOf',
        args: ['0x00000000000000000000000000000000deadbeef', 7n],
      },
    ] as const
    for (const call of cases) {
      // Twice: the second encode comes from the cache.
      for (let i = 0; i < 2; i++)
        expect(
          encodeCall(call.abi, call.functionName, 'args' in call ? call.args : undefined),
        ).toBe(encodeFunctionData(call as never))
    }
  })

  test("decodes results as viem's decodeFunctionResult: one output bare, several as a list", () => {
    const supply = encodeAbiParameters(parseAbiParameters('uint256'), [123n])
    expect(decodeCallResult(erc20Abi, 'totalSupply', undefined, supply)).toBe(123n)
    const rates = encodeAbiParameters(parseAbiParameters('uint256[]'), [[1n, 2n, 3n]])
    expect(decodeCallResult(curvePoolAbi, 'stored_rates', undefined, rates)).toEqual(
      decodeFunctionResult({ abi: curvePoolAbi, functionName: 'stored_rates', data: rates }),
    )
    const slot0 = encodeAbiParameters(
      parseAbiParameters('uint160, int24, uint16, uint16, uint16, uint8, bool'),
      [2n ** 96n, -5, 1, 2, 3, 4, true],
    )
    expect(decodeCallResult(uniswapV3PoolAbi, 'slot0', undefined, slot0)).toEqual(
      decodeFunctionResult({ abi: uniswapV3PoolAbi, functionName: 'slot0', data: slot0 }),
    )
    expect(() => decodeCallResult(erc20Abi, 'totalSupply', undefined, '0x12')).toThrow()
  })

  test("one-word results read from the hex equal viem's decoding, and what viem refuses is refused", () => {
    const abi = parseAbi([
      'function words() view returns (uint8, uint112, int24, int256, address, bool, uint48, int48)',
    ])
    const random = (seed: number) => {
      let state = BigInt(seed)
      return () => {
        state = (state * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n
        return state
      }
    }
    const next = random(42)
    const wordOf = (value: bigint) => (value & (2n ** 256n - 1n)).toString(16).padStart(64, '0')
    for (let k = 0; k < 200; k++) {
      const sign = k % 2 === 0 ? 1n : -1n
      const words = [
        next() % 256n,
        (next() * next()) % 2n ** 112n,
        sign * (next() % 2n ** 23n),
        sign * next() * next() * next(),
        (next() * next() * next()) % 2n ** 160n,
        next() % 2n,
        next() % 2n ** 48n,
        sign * (next() % 2n ** 47n),
      ]
      const data = `0x${words.map(wordOf).join('')}` as const
      expect(decodeCallResult(abi, 'words', undefined, data)).toEqual(
        decodeFunctionResult({ abi, functionName: 'words', data }),
      )
    }
    const valid = `0x${[1n, 2n, 3n, 4n, 5n, 1n, 6n, 7n].map(wordOf).join('')}`
    const refusals = [
      valid.slice(0, -64), // a word short
      `0x${'f'.repeat(64)}${valid.slice(66)}`, // uint8 beyond a safe integer
      `${valid.slice(0, 2 + 5 * 64)}${wordOf(2n)}${valid.slice(2 + 6 * 64)}`, // bool 2
    ] as Hex[]
    for (const data of refusals) {
      expect(() => decodeFunctionResult({ abi, functionName: 'words', data })).toThrow()
      expect(() => decodeCallResult(abi, 'words', undefined, data)).toThrow()
    }
  })
})

describe('lone arrays of one-word values', () => {
  const abi = parseAbi([
    'function extsload(bytes32[] slots) view returns (bytes32[] values)',
    'function rates() view returns (uint256[])',
    'function holders() view returns (address[])',
    'function signed() view returns (int24[])',
    'function flags() view returns (bool[])',
  ])
  const slot = (k: number) =>
    `0x${(BigInt(k) * 0x9e3779b97f4a7c15n).toString(16).padStart(64, '0')}` as Hex

  test("bytes32[] arguments encode as viem's encodeFunctionData, any case and length", () => {
    for (const slots of [[], [slot(1)], Array.from({ length: 32 }, (_, k) => slot(k))]) {
      expect(encodeCall(abi, 'extsload', [slots])).toBe(
        encodeFunctionData({ abi, functionName: 'extsload', args: [slots] }),
      )
    }
    const upper = [`0x${'AB'.repeat(32)}`] as Hex[]
    expect(encodeCall(abi, 'extsload', [upper])).toBe(
      encodeFunctionData({ abi, functionName: 'extsload', args: [upper] }),
    )
    // Not a bytes32: viem's refusal, not a malformed call.
    expect(() => encodeCall(abi, 'extsload', [['0x12']])).toThrow()
  })

  test("array results decode as viem's decodeFunctionResult, and what viem refuses is refused", () => {
    const cases = [
      ['extsload', 'bytes32[]', [slot(3), `0x${'CD'.repeat(32)}`, slot(0)]],
      ['rates', 'uint256[]', [0n, 1n, 2n ** 256n - 1n]],
      ['holders', 'address[]', ['0x00000000000000000000000000000000DeaDBeef']],
      ['signed', 'int24[]', [-887_272, 0, 887_272]],
      ['flags', 'bool[]', [true, false]],
      ['rates', 'uint256[]', []],
    ] as const
    for (const [functionName, type, values] of cases) {
      const data = encodeAbiParameters(parseAbiParameters(type), [values as never])
      expect(decodeCallResult(abi, functionName, undefined, data)).toEqual(
        decodeFunctionResult({ abi, functionName, data } as never),
      )
      // A trailing word viem ignores, and a length past the end that viem refuses.
      const longer = `${data}${'0'.repeat(64)}` as Hex
      expect(decodeCallResult(abi, functionName, undefined, longer)).toEqual(
        decodeFunctionResult({ abi, functionName, data: longer } as never),
      )
    }
    const short = encodeAbiParameters(parseAbiParameters('uint256[]'), [[1n, 2n]]).slice(
      0,
      -64,
    ) as Hex
    expect(() => decodeFunctionResult({ abi, functionName: 'rates', data: short })).toThrow()
    expect(() => decodeCallResult(abi, 'rates', undefined, short)).toThrow()
    const badBool =
      `0x${(32).toString(16).padStart(64, '0')}${'1'.padStart(64, '0')}${'2'.padStart(64, '0')}` as Hex
    expect(() => decodeFunctionResult({ abi, functionName: 'flags', data: badBool })).toThrow()
    expect(() => decodeCallResult(abi, 'flags', undefined, badBool)).toThrow()
  })
})

test("results that mix words and arrays (Balancer's getPoolTokens) decode as viem's, and what viem refuses is refused", () => {
  const abi = parseAbi([
    'function getPoolTokens(bytes32) view returns (address[] tokens, uint256[] balances, uint256 lastChangeBlock)',
    'function mixed() view returns (uint8, int24[], bool)',
  ])
  const tokens = [
    '0x00000000000000000000000000000000DeaDBeef',
    '0xcA11bde05977b3631167028862bE2a173976CA11',
  ] as const
  const cases = [
    [
      'getPoolTokens',
      'address[], uint256[], uint256',
      [tokens, [10n ** 24n, 2n ** 256n - 1n], 123n],
    ],
    ['getPoolTokens', 'address[], uint256[], uint256', [[], [], 0n]],
    ['mixed', 'uint8, int24[], bool', [7, [-887_272, 5], true]],
  ] as const
  for (const [functionName, types, values] of cases) {
    const data = encodeAbiParameters(parseAbiParameters(types), values as never)
    for (const variant of [data, `${data}${'0'.repeat(64)}` as Hex]) {
      expect(decodeCallResult(abi, functionName, [], variant)).toEqual(
        decodeFunctionResult({ abi, functionName, data: variant } as never),
      )
    }
  }
  const data = encodeAbiParameters(parseAbiParameters('address[], uint256[], uint256'), [
    tokens,
    [1n, 2n],
    3n,
  ])
  const refused = [
    data.slice(0, -64), // the last element cut off
    `0x${(2n ** 64n).toString(16).padStart(64, '0')}${data.slice(66)}`, // an offset past the end
  ] as Hex[]
  for (const variant of refused) {
    expect(() =>
      decodeFunctionResult({ abi, functionName: 'getPoolTokens', data: variant }),
    ).toThrow()
    expect(() => decodeCallResult(abi, 'getPoolTokens', [], variant)).toThrow()
  }
})
