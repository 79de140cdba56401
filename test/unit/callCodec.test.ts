import {
  decodeFunctionResult,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
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
})
