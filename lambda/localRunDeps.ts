import { chainClientsFor } from './chain/createChainClient.ts'
import { startRunDeadline } from './chain/runDeadline.ts'
import { resolveRpcUrls } from './config/resolveRpcUrls.ts'
import type { Config, PoolConfig } from './config/schema.ts'
import { createLocalDigestSender } from './email/localDigestSender.ts'
import { loadDigestRenderer } from './email/renderDigest.ts'
import { createLocalStore } from './output/localStore.ts'
import type { RunReportDeps } from './runReport.ts'

export interface LocalRunDepsParameters {
  readonly config: Config
  readonly configHash: string
  /** The pools to run: only their chains need an RPC URL. */
  readonly pools: readonly PoolConfig[]
  /** Output folder, laid out like the bucket. */
  readonly out: string
  readonly env: Record<string, string | undefined>
  /** The run's time limit, from now. */
  readonly timeoutMs: number
}

/**
 * What `runReport` needs on this machine for one run: chain clients from the config's RPC
 * URLs (or their variables) under a deadline that starts now, a local output folder, the
 * repository's templates and a sender that writes the digests as files. Checks the RPC URLs
 * before any chain read.
 *
 * @param parameters - config, pools, output folder, environment
 * @returns the run's dependencies
 */
export async function localRunDeps({
  config,
  configHash,
  pools,
  out,
  env,
  timeoutMs,
}: LocalRunDepsParameters): Promise<RunReportDeps> {
  const rpcUrls = resolveRpcUrls(config, new Set(pools.map((pool) => pool.chain)), env)
  const store = createLocalStore(out)
  return {
    config,
    configHash,
    clientFor: chainClientsFor({ config, rpcUrls, deadline: startRunDeadline(timeoutMs) }),
    store,
    renderDigest: await loadDigestRenderer(),
    sender: createLocalDigestSender(store),
    defaultFrom: env.REPORT_SENDER ?? 'pool-report@localhost',
    // A digest's webhook names the environment variable that holds its URL.
    webhookUrl: (name) => env[name],
    // The run ends by its time limit; a run killed before (Ctrl-C) frees the date a minute later.
    lock: { ttlMs: timeoutMs + 60_000 },
  }
}
