import { expect, test } from 'vitest'
import { fail, formatChecks, pass } from '../../lambda/doctor/check.ts'
import { gasCapCheck } from '../../lambda/doctor/gasCapCheck.ts'

const base = { subject: 'chain mainnet', chain: 'mainnet', maxCallsPerRequest: 500 } as const

test('a gas cap above the largest batch passes and shows both figures', () => {
  expect(
    gasCapCheck({ ...base, callGas: { gas: 50_000_000n }, perCall: { gas: 60_000n } }),
  ).toEqual(
    pass(
      'chain mainnet',
      "an eth_call gets 50,000,000 gas; a full batch of 500 calls needs about 30,000,000 (60,000 per call on this config's pools)",
    ),
  )
})

test('a gas cap below the largest batch fails and names the batch size that fits', () => {
  // 25,000,000 / 120,000 = 208.3: 208 calls fit, 209 do not.
  const check = gasCapCheck({ ...base, callGas: { gas: 25_000_000n }, perCall: { gas: 120_000n } })
  expect(check.passed).toBe(false)
  expect(check.message).toBe(
    "an eth_call gets 25,000,000 gas, but a full batch of 500 calls needs about 60,000,000 (120,000 per call on this config's pools): set chains.mainnet.maxCallsPerRequest to at most 208",
  )
  expect(208n * 120_000n <= 25_000_000n && 209n * 120_000n > 25_000_000n).toBe(true)
})

test('a gas cap at exactly the need passes', () => {
  expect(
    gasCapCheck({ ...base, callGas: { gas: 30_000_000n }, perCall: { gas: 60_000n } }).passed,
  ).toBe(true)
})

test('without pool reads the gas is shown and passes; a failed measurement fails', () => {
  expect(
    gasCapCheck({ ...base, callGas: { gas: 30_000_000n }, perCall: { missing: 'no pools' } }),
  ).toEqual(pass('chain mainnet', 'an eth_call gets 30,000,000 gas (no pools)'))
  expect(
    gasCapCheck({ ...base, callGas: { error: 'HTTP request failed.' }, perCall: { gas: 1n } }),
  ).toEqual(
    fail('chain mainnet', 'the gas an eth_call gets could not be measured: HTTP request failed.'),
  )
  expect(
    gasCapCheck({ ...base, callGas: { gas: 1n }, perCall: { error: 'reverted' } }).passed,
  ).toBe(false)
})

test('checks print one aligned line each, then the count', () => {
  expect(
    formatChecks([
      pass('chain devnet', 'chain id 31337 matches'),
      fail('pool uni-v2-weth-usdc', 'not a pair'),
    ]),
  ).toBe(
    [
      'ok    chain devnet           chain id 31337 matches',
      'FAIL  pool uni-v2-weth-usdc  not a pair',
      '',
      '2 checks, 1 failed.',
      '',
    ].join('\n'),
  )
  expect(formatChecks([pass('chain devnet', 'fine')])).toContain('\n1 check, all passed.\n')
})

test('a message quoting chain data stays on its line and carries no escape sequence', () => {
  const text = formatChecks([
    fail('pool x', 'reverted: \u001b[2J\u001b]0;owned\u0007\nok    pool y  fine'),
  ])
  expect(text.split('\n')[0]).toBe('FAIL  pool x  reverted: ?[2J?]0;owned? ok pool y fine')
  expect(text).not.toMatch(/\p{Cc}(?<!\n)/u)
})
