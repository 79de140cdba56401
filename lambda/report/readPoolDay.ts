import { type Address, isAddressEqual } from 'viem'
import type { BlockReader } from '../chain/blockReader.ts'
import type { BlockStamp } from '../chain/findBlockAtTimestamp.ts'
import { isStateUnavailable } from '../chain/isStateUnavailable.ts'
import { readTokenMetadata } from '../chain/readTokenMetadata.ts'
import type { Config, PoolConfig } from '../config/schema.ts'
import { ChainUnavailableError, errorMessage, ReportError } from '../errors.ts'
import type { IntradayMetrics } from '../metrics/intraday.ts'
import {
  completePoolPrices,
  MissingPriceError,
  planPoolPrices,
  readConfiguredPrices,
  type TokenPriceSource,
} from '../prices/poolPrices.ts'
import { type PriceIndex, priceKey } from '../prices/priceIndex.ts'
import { type PoolState, protocolAdapter } from '../protocols/registry.ts'
import { evaluateAlerts, thresholdsFor } from './alerts.ts'
import { poolIntraday, readPoolSamples } from './poolSamples.ts'
import { type StoredDay, type StoredPoolEnd, storedStartFor } from './storedDay.ts'
import type { PoolDay } from './types.ts'

/** A snapshot block and the reader pinned to it. */
export interface Snapshot {
  readonly block: BlockStamp
  readonly reader: BlockReader
}

export interface ReadPoolDayParameters {
  readonly config: Config
  readonly pool: PoolConfig
  readonly chainId: number
  readonly prices: PriceIndex
  readonly start: Snapshot
  readonly end: Snapshot
  /** The intermediate samples `k = 1..n-1` when the day is sampled (`samplesPerDay` > 1). */
  readonly samples?: readonly Snapshot[]
  /**
   * The previous day's stored end snapshots, asked for only when the RPC cannot serve the
   * start block's state (a node that is not an archive node).
   */
  readonly storedStart?: () => Promise<StoredDay | undefined>
}

/**
 * Reads one pool at the day's two blocks, with its tokens and reference prices, and
 * computes its metrics. A pool that cannot be read or priced becomes an error row and the
 * other pools go on; only a chain that does not answer ends the read.
 *
 * @param parameters - the pool, the two snapshots, the price sources
 * @returns the pool's day
 * @throws ChainUnavailableError when the chain's RPC failed (not the pool)
 */
export async function readPoolDay(parameters: ReadPoolDayParameters): Promise<PoolDay> {
  const { pool, chainId, start, end } = parameters
  const base = { pool, chainId, start: start.block, end: end.block }
  try {
    return { ...base, status: 'ok', ...(await computePoolDay(parameters)) }
  } catch (error) {
    if (error instanceof ChainUnavailableError) throw error
    return { ...base, status: 'error', error: errorMessage(error) }
  }
}

async function computePoolDay(parameters: ReadPoolDayParameters) {
  const { config, pool, prices, start, end } = parameters
  const protocol = protocolAdapter(pool)
  // Settle both reads before failing, so the error row always names the start read first
  // (whichever read failed first in time would make re-runs differ).
  const [startRead, endState] = await settledInOrder([
    readStartState(parameters),
    protocol.read(end.reader, pool, config.chains[pool.chain]!),
  ])
  const { state: startState, stored } = startRead
  const tokens = endState.tokens
  if (!sameTokens(startState.tokens, tokens)) {
    throw new ReportError('the pool lists different tokens at the start and end blocks')
  }
  const snapshotPrices = (snapshot: Snapshot) => ({
    reader: snapshot.reader,
    blockTimestamp: snapshot.block.timestamp,
    chain: pool.chain,
    config,
    prices,
  })
  let plan: TokenPriceSource[]
  try {
    plan = planPoolPrices(
      tokens.map((token) => prices.get(priceKey(pool.chain, token))),
      protocol.parValues !== undefined,
    )
  } catch (error) {
    if (!(error instanceof MissingPriceError)) throw error
    const key = priceKey(pool.chain, tokens[error.index]!)
    throw new ReportError(
      `no reference price for token ${tokens[error.index]}: add prices["${key}"]`,
    )
  }
  // In the rounds of the metadata and prices; a failed sample costs the pool its intraday
  // columns, not its row.
  const sampleReads = parameters.samples
    ? settle(readPoolSamples({ ...parameters, samples: parameters.samples, known: endState, plan }))
    : undefined
  const [metadata, configuredStart, configuredEnd, samples] = await settledInOrder([
    Promise.all(tokens.map((token) => readTokenMetadata(end.reader, token))),
    stored ? Promise.resolve([]) : readConfiguredPrices(snapshotPrices(start), tokens, plan),
    readConfiguredPrices(snapshotPrices(end), tokens, plan),
    Promise.resolve(sampleReads),
  ])
  const decimals = metadata.map((token) => token.decimals)
  // A stored start carries the prices read at its block (the same block).
  const pricesStart = stored
    ? [...stored.prices]
    : completePoolPrices(plan, configuredStart, protocol.parValues?.(startState, decimals))
  const pricesEnd = completePoolPrices(
    plan,
    configuredEnd,
    protocol.parValues?.(endState, decimals),
  )
  const metrics = protocol.dayMetrics({
    pool,
    start: startState,
    end: endState,
    decimals,
    pricesStart,
    pricesEnd,
  })
  const weights = protocol.weights(endState)
  let intraday: IntradayMetrics | undefined
  let samplesNote: string | undefined
  if (samples) {
    try {
      if ('error' in samples) throw samples.error
      intraday = poolIntraday({
        config,
        pool,
        decimals,
        plan,
        start: { state: startState, prices: pricesStart },
        samples: samples.value,
        end: { state: endState, prices: pricesEnd },
        tvlUsdStart: metrics.tvlUsdStart,
      })
    } catch (error) {
      // A chain that stopped answering is the run's failure, not a note on one pool.
      if (error instanceof ChainUnavailableError) throw error
      samplesNote = `intraday columns left empty: a sample could not be read or priced (${errorMessage(error)})`
    }
  }
  const notes = [
    stored &&
      `start snapshot from the stored end of the previous day (block ${stored.block.number}): the RPC could not serve the start block's state`,
    samplesNote,
  ].filter((note) => note !== undefined)
  return {
    metrics,
    endState,
    ...(intraday && { intraday }),
    ...(notes.length > 0 && { note: notes.join('; ') }),
    alerts: evaluateAlerts(metrics, thresholdsFor(pool.thresholds, config.thresholds)),
    tokens: metadata.map((token, i) => ({
      ...token,
      weight: weights[i]!,
      balanceStart: startState.balances[i]!,
      balanceEnd: endState.balances[i]!,
      priceStart: pricesStart[i]!,
      priceEnd: pricesEnd[i]!,
      shareStart: metrics.valueSharesStart[i]!,
      shareEnd: metrics.valueSharesEnd[i]!,
    })),
  }
}

/**
 * The pool's state at the start block, or, when the RPC cannot serve that block's state, the
 * previous day's stored end snapshot at the same block.
 */
async function readStartState({
  config,
  pool,
  start,
  storedStart,
}: ReadPoolDayParameters): Promise<{ state: PoolState; stored?: StoredPoolEnd }> {
  try {
    return {
      state: await protocolAdapter(pool).read(start.reader, pool, config.chains[pool.chain]!),
    }
  } catch (error) {
    if (!storedStart || !isStateUnavailable(error)) throw error
    const stored = storedStartFor(await storedStart(), pool, start.block)
    if (!stored) {
      throw new ReportError(
        `the RPC cannot serve the state of the start block ${start.block.number} and no end snapshot of the previous day is stored for this pool (${errorMessage(error)})`,
        { cause: error },
      )
    }
    if (stored.prices.length !== stored.state.tokens.length)
      throw new ReportError('the stored start snapshot is damaged')
    return { state: stored.state, stored }
  }
}

function sameTokens(a: readonly Address[], b: readonly Address[]): boolean {
  return a.length === b.length && a.every((token, i) => isAddressEqual(token, b[i]!))
}

type Settled<T> = { readonly value: T } | { readonly error: unknown }

/** A promise that always fulfils, with its value or its error. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
}

/**
 * Like `Promise.all`, but waits for every promise and rethrows the first failure in argument
 * order; a chain that did not answer comes before any failure of the pool.
 */
async function settledInOrder<T extends readonly unknown[]>(
  promises: { [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const results = await Promise.allSettled(promises)
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason] : [],
  )
  const chainDown = failures.find((reason) => reason instanceof ChainUnavailableError)
  if (chainDown ?? failures.length > 0) throw chainDown ?? failures[0]
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T
}
