import { type Hex, isAddress } from 'viem'
import * as z from 'zod'
import { POOL_SCHEMAS, PROTOCOLS } from '../protocols/registry.ts'
import { addressSchema, alertLifecycleSchema, thresholdsSchema } from './poolFields.ts'

/** Intraday samples of a day when the config does not set `samplesPerDay`: hourly. */
export const DEFAULT_SAMPLES_PER_DAY = 24

/** How often the day is sampled: `n` intervals (1 samples only the day's two ends). */
const samplesPerDaySchema = z.number().int().min(1).max(1440)

const NAME = /^[a-z0-9][a-z0-9_-]*$/

/** An RPC endpoint: the transport speaks JSON-RPC over HTTP(S). */
const rpcUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

const chainSchema = z
  .strictObject({
    chainId: z.number().int().positive(),
    rpcUrl: rpcUrlSchema.optional(),
    /** RPC URLs tried in order: the next one takes over when one fails. */
    rpcUrls: z.array(rpcUrlSchema).min(1).optional(),
    /**
     * Name of an environment variable holding the RPC URL, or several separated by commas;
     * wins over `rpcUrl` and `rpcUrls` when set.
     */
    rpcUrlEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)')
      .optional(),
    multicall3: addressSchema.optional(),
    /** Calls per eth_call; lower it for providers with a small eth_call gas cap. */
    maxCallsPerRequest: z.number().int().min(1).max(5000).optional(),
    /** Time limit of one JSON-RPC request, in milliseconds. @default 10000 */
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
    /** JSON-RPC requests in flight at once on this chain. @default 4 */
    maxConcurrentRequests: z.number().int().min(1).max(256).optional(),
    /** Further attempts after a transient failure (timeout, 429, 5xx ...). @default 4 */
    retryCount: z.number().int().min(0).max(20).optional(),
    /** First backoff delay after a transient failure, doubled each time, in ms. @default 500 */
    retryDelayMs: z.number().int().min(0).max(60_000).optional(),
    /** Intraday samples of this chain's pools; over the top-level `samplesPerDay`. */
    samplesPerDay: samplesPerDaySchema.optional(),
    /** The chain's Uniswap V4 contracts, needed by its `uniswap-v4` pools. */
    uniswapV4: z
      .strictObject({
        poolManager: addressSchema,
        stateView: addressSchema,
        positionManager: addressSchema,
      })
      .optional(),
  })
  .superRefine((chain, context) => {
    if (chain.rpcUrl === undefined && chain.rpcUrls === undefined && !chain.rpcUrlEnv)
      context.addIssue({ code: 'custom', message: 'needs rpcUrl, rpcUrls or rpcUrlEnv' })
    if (chain.rpcUrl !== undefined && chain.rpcUrls !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['rpcUrls'],
        message: 'give rpcUrl or rpcUrls, not both (rpcUrls lists every URL in order)',
      })
  })
export type ChainConfig = z.infer<typeof chainSchema>

const priceSourceSchema = z
  .strictObject({
    /** A Chainlink-style feed (`latestRoundData`, `decimals`) in USD, read at the snapshot block. */
    chainlink: addressSchema.optional(),
    /** Seconds after which a feed's answer counts as stale. @default 90000 (25 h) */
    maxAgeSeconds: z.number().int().positive().optional(),
    /** A fixed USD price. */
    fixed: z.number().positive().optional(),
    /**
     * The id of a configured pool holding the token: its marginal price there, times the
     * reference price of a pool token that has a feed or a fixed price.
     */
    pool: z.string().optional(),
  })
  .superRefine((source, context) => {
    const kinds = ['chainlink', 'fixed', 'pool'].filter(
      (kind) => source[kind as keyof typeof source] !== undefined,
    )
    if (kinds.length !== 1) {
      context.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? 'a price needs a source: "chainlink" (feed address), "fixed" (USD) or "pool" (pool id)'
            : `a price has one source, not ${kinds.join(' and ')}`,
      })
    }
    if (source.maxAgeSeconds !== undefined && source.chainlink === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'maxAgeSeconds applies to chainlink prices only',
      })
    }
  })
export type PriceSource = z.infer<typeof priceSourceSchema>

const poolSchema = z.discriminatedUnion('protocol', POOL_SCHEMAS, {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `unknown protocol; expected one of ${PROTOCOLS.join(', ')}`
      : undefined,
})
export type PoolConfig = z.infer<typeof poolSchema>
/** A chain's Uniswap V4 contracts. */
export type UniswapV4Contracts = NonNullable<ChainConfig['uniswapV4']>

/**
 * Where a pool lives on its chain, for the `pool_address` column and stored days: its
 * address, or a V4 pool's id (V4 pools share the singleton's address).
 *
 * @param pool - a configured pool
 * @returns the address or pool id
 */
export function poolLocator(pool: PoolConfig): Hex {
  return pool.protocol === 'uniswap-v4' ? pool.poolId : pool.address
}

const digestSchema = z.strictObject({
  name: z.string().regex(NAME, 'lower case letters, digits, "_" and "-"'),
  to: z.array(z.email()).min(1),
  /** Sender; the deployment's sender by default. */
  from: z.email().optional(),
  /** `"*"` or a list of pool ids. */
  pools: z.union([z.literal('*'), z.array(z.string()).min(1)]).default('*'),
  thresholds: thresholdsSchema.optional(),
  alertLifecycle: alertLifecycleSchema.optional(),
  /**
   * Name of the secret's key (in AWS; an environment variable locally) holding a
   * Slack-compatible webhook URL that gets the digest's new, escalated and cleared alerts.
   */
  webhookUrlEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)')
    .optional(),
})
export type DigestConfig = z.infer<typeof digestSchema>

/** The report's configuration file (see DESIGN.md, "Config and command line"). */
export const configSchema = z
  .strictObject({
    chains: z.record(
      z.string().regex(NAME, 'chain names are lower case letters, digits, "_" and "-"'),
      chainSchema,
    ),
    prices: z.record(z.string(), priceSourceSchema).default({}),
    pools: z.array(poolSchema).min(1),
    digests: z.array(digestSchema).default([]),
    /** Thresholds for the CSV's `alerts` column and for digests without their own. */
    thresholds: thresholdsSchema.default({ imbalancePp: 5, priceDeviationPct: 0.5, ilPct: -1 }),
    /**
     * Time limit of a run, in milliseconds; the CLI's --timeout overrides it, and in Lambda
     * the run also ends a minute before the function's own timeout.
     * @default 300000 (5 minutes)
     */
    runTimeoutMs: z.number().int().min(1000).optional(),
    /**
     * Intraday samples per day (`t_k = D 00:00 + k * 24h / n`); 1 turns sampling off.
     * @default 24
     */
    samplesPerDay: samplesPerDaySchema.optional(),
  })
  .superRefine((config, context) => {
    const chainNames = Object.keys(config.chains)
    const poolIds = new Set<string>()
    config.pools.forEach((pool, i) => {
      if (!(pool.chain in config.chains)) {
        context.addIssue({
          code: 'custom',
          path: ['pools', i, 'chain'],
          message: `unknown chain "${pool.chain}"; chains are: ${chainNames.join(', ')}`,
        })
      }
      if (poolIds.has(pool.id)) {
        context.addIssue({
          code: 'custom',
          path: ['pools', i, 'id'],
          message: `duplicate pool id "${pool.id}"`,
        })
      }
      poolIds.add(pool.id)
      if (pool.protocol === 'uniswap-v4') checkUniswapV4Pool(config, pool, i, context)
    })
    for (const key of Object.keys(config.prices)) {
      const [chain, address, ...rest] = key.split(':')
      const problem =
        rest.length > 0 || address === undefined
          ? 'price keys are "chain:tokenAddress"'
          : !(chain! in config.chains)
            ? `unknown chain "${chain}"`
            : !isAddress(address, { strict: true })
              ? `"${address}" is not a lower-case or checksummed address`
              : undefined
      if (problem) context.addIssue({ code: 'custom', path: ['prices', key], message: problem })
      const sourcePool = config.prices[key]!.pool
      if (sourcePool === undefined) continue
      const pool = config.pools.find((candidate) => candidate.id === sourcePool)
      const poolProblem = !pool
        ? `unknown pool id "${sourcePool}"`
        : pool.chain !== chain
          ? `pool "${sourcePool}" is on chain "${pool.chain}", not "${chain}"`
          : undefined
      if (poolProblem) {
        context.addIssue({ code: 'custom', path: ['prices', key, 'pool'], message: poolProblem })
      }
    }
    const digestNames = new Set<string>()
    config.digests.forEach((digest, i) => {
      if (digestNames.has(digest.name)) {
        context.addIssue({
          code: 'custom',
          path: ['digests', i, 'name'],
          message: `duplicate digest "${digest.name}"`,
        })
      }
      digestNames.add(digest.name)
      if (digest.pools === '*') return
      digest.pools.forEach((id, j) => {
        if (!poolIds.has(id)) {
          context.addIssue({
            code: 'custom',
            path: ['digests', i, 'pools', j],
            message: `unknown pool id "${id}"`,
          })
        }
      })
    })
  })

export type Config = z.infer<typeof configSchema>

/**
 * The number of intraday samples of a chain's day: the chain's own, the config's, or 24.
 *
 * @param config - the config
 * @param chain - a configured chain name
 * @returns `n`; 1 means the day is not sampled between its ends
 */
export function samplesPerDayOf(
  config: Pick<Config, 'chains' | 'samplesPerDay'>,
  chain: string,
): number {
  return config.chains[chain]?.samplesPerDay ?? config.samplesPerDay ?? DEFAULT_SAMPLES_PER_DAY
}

/** A V4 pool needs its chain's V4 contracts. */
function checkUniswapV4Pool(
  config: { readonly chains: Record<string, { readonly uniswapV4?: unknown }> },
  pool: Extract<PoolConfig, { protocol: 'uniswap-v4' }>,
  index: number,
  context: z.RefinementCtx,
): void {
  const chain = config.chains[pool.chain]
  if (chain && !chain.uniswapV4) {
    context.addIssue({
      code: 'custom',
      path: ['pools', index],
      message: `uniswap-v4 pool "${pool.id}" needs chains.${pool.chain}.uniswapV4 { poolManager, stateView, positionManager }`,
    })
  }
}
