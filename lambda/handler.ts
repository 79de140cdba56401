import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import { S3Client } from '@aws-sdk/client-s3'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { SESClient } from '@aws-sdk/client-ses'
import type { Context } from 'aws-lambda'
import { parseReportEnvironment, type ReportEnvironment } from './aws/environment.ts'
import { loadConfigFromS3 } from './aws/loadConfigFromS3.ts'
import { readSecretMap, readSecretString } from './aws/readSecret.ts'
import { redactSecrets } from './aws/redactSecrets.ts'
import { TELEMETRY } from './aws/telemetry.ts'
import { chainClientsFor } from './chain/createChainClient.ts'
import { lambdaRunTimeoutMs, startRunDeadline } from './chain/runDeadline.ts'
import { resolveRpcUrls } from './config/resolveRpcUrls.ts'
import { loadDigestRenderer } from './email/renderDigest.ts'
import { createSesDigestSender } from './email/sesDigestSender.ts'
import { InvalidInputError } from './errors.ts'
import { parseInvocation } from './invocation/parseInvocation.ts'
import {
  type DateSummary,
  emailsSent,
  type InvocationSummary,
  runInvocation,
  selectInvocationPools,
} from './invocation/runInvocation.ts'
import { createLinkSigner } from './links/signedLink.ts'
import { createS3Store } from './output/s3Store.ts'
import { tuneGarbageCollector } from './runtime/tuneGarbageCollector.ts'

tuneGarbageCollector()
const logger = new Logger({ serviceName: TELEMETRY.serviceName })
const metrics = new Metrics({ namespace: TELEMETRY.namespace, serviceName: TELEMETRY.serviceName })
const s3 = new S3Client({})
const ses = new SESClient({})
const secretsManager = new SecretsManagerClient({})

/** What a cold start reads once: the config, the secrets, the templates. */
interface Setup {
  readonly config: Awaited<ReturnType<typeof loadConfigFromS3>>['config']
  readonly configHash: string
  /** RPC URLs keyed by `rpcUrlEnv` name: passed where an environment would be, never logged. */
  readonly rpcEnv: Record<string, string>
  readonly linkSecret: string
  readonly renderDigest: Awaited<ReturnType<typeof loadDigestRenderer>>
}

let environment: ReportEnvironment | undefined
let setup: Promise<Setup> | undefined
/** Secret values to keep out of logs and error responses, once read. */
let secretValues: readonly string[] = []

/**
 * The report function: a scheduled event reports on yesterday (UTC); a manual payload
 * (`date`, or `from`/`to`, `pools`, `dryRun`, `noEmail`, `force`, `recipients`) on any
 * day. The event is validated before anything is read; the work is `runReport`, the same
 * as the CLI's.
 *
 * @param event - EventBridge Scheduler input, EventBridge scheduled event, or manual payload
 * @param context - the Lambda context
 * @returns the run's summary (also logged)
 */
export async function handler(event: unknown, context?: Context): Promise<InvocationSummary> {
  if (context) logger.addContext(context)
  try {
    environment ??= parseReportEnvironment(process.env)
    const env = environment
    const invocation = parseInvocation(event, {
      now: new Date(),
      maxBackfillDays: env.maxBackfillDays,
    })
    logger.info('Invocation', { invocation })
    const ready = await loadSetup(env)
    const pools = selectInvocationPools(ready.config, invocation)
    const rpcUrls = resolveRpcUrls(ready.config, new Set(pools.map((p) => p.chain)), ready.rpcEnv)
    // Clients live for one invocation: each has its own deadline.
    const deadline = startRunDeadline(
      lambdaRunTimeoutMs(context?.getRemainingTimeInMillis(), ready.config.runTimeoutMs),
    )
    const summary = await runInvocation(
      {
        config: ready.config,
        configHash: ready.configHash,
        clientFor: chainClientsFor({ config: ready.config, rpcUrls, deadline }),
        store: createS3Store({
          client: s3,
          bucket: env.bucket,
          prefix: env.prefix,
          linkFor: createLinkSigner({
            baseUrl: env.linkBaseUrl,
            secret: ready.linkSecret,
            ttlSeconds: env.linkTtlSeconds,
          }),
        }),
        renderDigest: ready.renderDigest,
        sender: createSesDigestSender(ses),
        defaultFrom: env.sender,
        // Webhook URLs live in the same secret as the RPC URLs (and are redacted the same way).
        webhookUrl: (name) => ready.rpcEnv[name],
        // The date's lock cannot outlive this invocation by more than a minute (clock skew):
        // a run killed at the timeout frees the date for the retries.
        ...(context && { lock: { ttlMs: context.getRemainingTimeInMillis() + 60_000 } }),
      },
      invocation,
      pools,
      {
        locate: (key) => `s3://${env.bucket}/${env.prefix}${key}`,
        onDate: (run) => {
          if (!invocation.dryRun) recordMetrics(run)
        },
      },
    )
    logger.info('Run summary', { summary })
    return summary
  } catch (error) {
    const safe = redactSecrets(error, secretValues)
    if (error instanceof InvalidInputError) logger.warn('Invocation rejected', safe)
    else logger.error('Run failed', safe)
    throw safe
  } finally {
    // A rejected invocation measured nothing; an empty EMF record would only warn.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics()
  }
}

/** Reads the config and the secrets once per cold start; a failed read is retried next time. */
function loadSetup(env: ReportEnvironment): Promise<Setup> {
  setup ??= (async () => {
    const [{ config, configHash }, rpcEnv, linkSecret, renderDigest] = await Promise.all([
      loadConfigFromS3(s3, env.configUri),
      readSecretMap(secretsManager, env.rpcSecretId),
      readSecretString(secretsManager, env.linkSecretId),
      loadDigestRenderer(),
    ])
    // A value may list several URLs: each one is a secret of its own.
    const urls = Object.values(rpcEnv).flatMap((value) => value.split(',').map((url) => url.trim()))
    secretValues = [...Object.values(rpcEnv), ...urls, linkSecret]
    // The deployment's recipients are the digests' own: their sends are the daily deliveries.
    const deployed = env.recipients
      ? {
          ...config,
          digests: config.digests.map((digest) => ({ ...digest, to: [...env.recipients!] })),
        }
      : config
    return {
      config: deployed,
      configHash,
      rpcEnv,
      linkSecret,
      renderDigest,
    }
  })().catch((error: unknown) => {
    setup = undefined
    throw error
  })
  return setup
}

function recordMetrics(run: DateSummary): void {
  metrics.addMetric(TELEMETRY.metrics.poolsReported, MetricUnit.Count, run.poolsOk)
  metrics.addMetric(TELEMETRY.metrics.poolsFailed, MetricUnit.Count, run.poolsFailed)
  metrics.addMetric(TELEMETRY.metrics.emailsSent, MetricUnit.Count, emailsSent(run))
}
