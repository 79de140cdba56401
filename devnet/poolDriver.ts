import type { Address } from 'viem'
import type { BlockReader } from '../lambda/chain/blockReader.ts'
import type { ReferenceMarket } from './market.ts'
import type { PoolSpec } from './scenario.ts'

/** One simulated hour, as a pool's driver sees it. */
export interface StepContext {
  /** Reads the state left by the previous block. */
  readonly reader: BlockReader
  readonly market: ReferenceMarket
  /** UTC hour of the block being built (0..23). */
  readonly hourOfDay: number
  /** Hours from this block to the end of the simulation (0 for the last block). */
  readonly hoursBeforeEnd: number
}

/**
 * Trades one deployed pool. Each simulated hour is two blocks: the first carries noise
 * trades and LP joins and exits, the second the arbitrage that brings the pool back towards
 * the reference price, as arbitrageurs back-run flow on a real chain.
 */
export interface PoolDriver {
  readonly spec: PoolSpec
  readonly address: Address
  /** Queues this hour's noise trades and LP joins and exits. */
  trade(context: StepContext): Promise<void>
  /** Queues the arbitrage trade, if the pool is outside the fee band (and arbitrage is not paused). */
  arbitrage(context: StepContext): Promise<void>
}
