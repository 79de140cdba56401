import { parseAbi, zeroAddress } from 'viem'
import { beforeAll, expect, test } from 'vitest'
import { POOLS } from '../../devnet/scenario.ts'
import { buildDailyReport } from '../../lambda/report/buildDailyReport.ts'
import type { DailyReport, PoolDay } from '../../lambda/report/types.ts'
import {
  devnetClient,
  devnetTestConfig,
  lastSimulatedDay,
  sharedDevnet,
} from '../support/devnet.ts'
import { configuredPrice } from '../support/referencePrices.ts'

/** The shared devnet's V4 pools: native ETH, and a fee set by a hook. */
const devnet = sharedDevnet()
const { client } = devnetClient()
const config = devnetTestConfig()
const date = lastSimulatedDay()
let report: DailyReport

const slot0Abi = parseAbi([
  'function getSlot0(bytes32) view returns (uint160 sqrtPriceX96, int24 tick, uint24 protocolFee, uint24 lpFee)',
])

function okDay(id: string): Extract<PoolDay, { status: 'ok' }> {
  const day = report.pools.find((candidate) => candidate.pool.id === id)
  if (day?.status !== 'ok')
    throw new Error(`${id}: ${day && 'error' in day ? day.error : 'missing'}`)
  return day
}

beforeAll(async () => {
  const pools = config.pools.filter((pool) => pool.protocol === 'uniswap-v4')
  report = await buildDailyReport({ config, date, pools, clientFor: () => client })
})

test('native ETH is currency 0x0000…0000, named ETH and priced under that key', async () => {
  const day = okDay('uni-v4-eth-usdc-005')
  const [eth, usdc] = day.tokens
  expect(eth).toMatchObject({ address: zeroAddress, symbol: 'ETH', decimals: 18 })
  expect(usdc?.symbol).toBe('USDC')
  expect(eth?.priceEnd).toBe(await configuredPrice(client, config, zeroAddress, day.end!.number))
  expect(eth?.balanceEnd).toBeGreaterThan(0n)
})

test("a dynamic-fee pool's LP fee is the one its hook set, and the volume estimate uses it", async () => {
  const day = okDay('uni-v4-link-usdc-dynamic')
  const spec = POOLS.find((pool) => pool.id === 'uni-v4-link-usdc-dynamic')
  if (spec?.protocol !== 'uniswap-v4' || !spec.dynamicFee) throw new Error('no dynamic-fee spec')
  const [, , , lpFee] = await client.readContract({
    address: devnet.uniswapV4.stateView,
    abi: slot0Abi,
    functionName: 'getSlot0',
    args: [day.pool.protocol === 'uniswap-v4' ? day.pool.poolId : '0x'],
    blockNumber: day.end!.number,
  })
  // The hook raised the fee 36 hours before the end of the simulation: all of the last day.
  expect(lpFee).toBe(spec.dynamicFee.raisedFeePips)
  expect(day.metrics.feesUsd).toBeGreaterThan(0)
  expect(day.metrics.volumeUsdEst! / (day.metrics.feesUsd / (lpFee / 1e6)) - 1).toBeCloseTo(0, 12)
})
