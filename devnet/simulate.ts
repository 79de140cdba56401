import { createBlockReader } from '../lambda/chain/blockReader.ts'
import { type BaseDeployment, type DevnetContext, updateFeeds, updateRates } from './deployBase.ts'
import { ReferenceMarket } from './market.ts'
import type { PoolDriver } from './poolDriver.ts'
import { createRandom } from './random.ts'
import { SEED, SHOCKS } from './scenario.ts'

const HOUR = 3600n
const HALF_HOUR = 1800n

export interface SimulateParameters {
  readonly base: BaseDeployment
  readonly drivers: readonly PoolDriver[]
  /** Timestamp of the first simulated block. */
  readonly from: bigint
  /** Timestamp of the last simulated block (a UTC midnight). */
  readonly to: bigint
}

/**
 * Runs the market hour by hour from `from` to `to`: reference prices move, feeds follow,
 * every pool's driver trades in a block half an hour before the full hour, and arbitrage
 * follows in a block at the full hour (so every UTC midnight has a block of its own).
 */
export async function simulateMarket(
  context: DevnetContext,
  parameters: SimulateParameters,
): Promise<void> {
  const { base, drivers, from, to } = parameters
  const market = new ReferenceMarket(createRandom(SEED), SHOCKS)
  let blockNumber = await context.client.getBlockNumber({ cacheTime: 0 })
  for (let timestamp = from; timestamp <= to; timestamp += HOUR) {
    const hoursBeforeEnd = Number((to - timestamp) / HOUR)
    market.advanceHour(hoursBeforeEnd)
    updateFeeds(context, base, (asset) => market.price(asset))
    updateRates(context, base, (asset) => market.rate(asset))
    const hourOfDay = new Date(Number(timestamp) * 1000).getUTCHours()
    for (const phase of ['trade', 'arbitrage'] as const) {
      const reader = createBlockReader(context.client, { blockNumber })
      await Promise.all(
        drivers.map((driver) => driver[phase]({ reader, market, hourOfDay, hoursBeforeEnd })),
      )
      await context.wallet.mine(phase === 'trade' ? timestamp - HALF_HOUR : timestamp)
      blockNumber += 1n
    }
  }
}
