import path from 'node:path'
import { Duration, Stack } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs'
import * as logs from 'aws-cdk-lib/aws-logs'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets'
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import {
  bundlingOptions,
  CHARTS_FILE,
  chartsBundleCommand,
  REPORT_V8_FLAGS,
  ROOT,
} from '../bundling.ts'
import { acknowledgeObjectWildcards } from '../nagFindings.ts'
import { functionRole } from './functionRole.ts'

/** Where the bundle keeps the handlebars templates (`/var/task` is the bundle's folder). */
const TEMPLATES_DIR = '/var/task/templates'
/** The chart rasteriser's WebAssembly module, copied beside the bundle. */
const RESVG_WASM_PATH = '/var/task/resvg.wasm'

export interface ReportFunctionProps {
  readonly bucket: s3.Bucket
  /** The report prefix (ends in `/`). */
  readonly prefix: string
  /** The pool config, deployed as an S3 asset. */
  readonly config: s3assets.Asset
  readonly rpcSecret: secretsmanager.Secret
  readonly linkSecret: secretsmanager.Secret
  /** The download-link function's URL. */
  readonly linkBaseUrl: string
  readonly linkTtlDays: number
  /** Default From address of the digests. */
  readonly sender: string
  /** SES identities the function may send as (addresses and domains). */
  readonly senderIdentities: readonly string[]
  /** Recipients replacing the config's, if any. */
  readonly recipients: readonly string[]
  readonly maxBackfillDays: number
  readonly logRetention: logs.RetentionDays
  /** Where asynchronous invocations go when every retry failed. */
  readonly deadLetterQueue: sqs.IQueue
}

/**
 * The report function: Node.js 24 on arm64, one ESM bundle with the templates and the chart
 * rasteriser's WebAssembly beside it,
 * and a role that can write the report prefix, read its config object and the two
 * secrets, and send email as the sender identities, nothing more.
 */
export class ReportFunction extends Construct {
  readonly function: nodejs.NodejsFunction
  readonly logGroup: logs.LogGroup

  constructor(scope: Construct, id: string, props: ReportFunctionProps) {
    super(scope, id)
    const { bucket, prefix } = props
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention })
    const role = functionRole(this, 'Role', this.logGroup)
    const objects = (...folders: string[]) =>
      folders.map((folder) => bucket.arnForObjects(`${prefix}${folder}/*`))
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteReport',
        actions: ['s3:PutObject'],
        resources: objects('metrics', 'balances', 'runs', 'state'),
      }),
    )
    role.addToPolicy(
      // Delivery records (claimed, read, released) and the stored pool days (the day before's
      // end states; the other pools of a run of some pools).
      new iam.PolicyStatement({
        sid: 'ReadRunRecords',
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: objects('runs'),
      }),
    )
    role.addToPolicy(
      // The digests' alert lifecycle, read and replaced with conditional writes.
      new iam.PolicyStatement({
        sid: 'ReadAlertState',
        actions: ['s3:GetObject'],
        resources: objects('state'),
      }),
    )
    role.addToPolicy(
      // Without it S3 answers 403 instead of 404 for a delivery record not yet written.
      new iam.PolicyStatement({
        sid: 'TellMissingFromForbidden',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
      }),
    )
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadPoolConfig',
        actions: ['s3:GetObject'],
        resources: [
          Stack.of(this).formatArn({
            service: 's3',
            region: '',
            account: '',
            resource: props.config.s3BucketName,
            resourceName: props.config.s3ObjectKey,
          }),
        ],
      }),
    )
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SendDigests',
        actions: ['ses:SendRawEmail'],
        resources: props.senderIdentities.map((identity) =>
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'identity',
            resourceName: identity,
          }),
        ),
      }),
    )
    acknowledgeObjectWildcards(
      role,
      bucket,
      ['metrics', 'balances', 'runs', 'state'].map((folder) => `${prefix}${folder}/`),
      'Writes each day’s files (keys carry the date), claims, reads and releases the per-day delivery records under runs/, and keeps each digest’s alert state under state/; only these folders of the report prefix.',
    )
    props.rpcSecret.grantRead(role)
    props.linkSecret.grantRead(role)

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Daily AMM pool imbalance report: CSVs to S3, digests through SES',
      entry: path.join(ROOT, 'lambda', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      // A backfill of many days runs in one invocation.
      timeout: Duration.minutes(15),
      role,
      logGroup: this.logGroup,
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      bundling: bundlingOptions({
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => [
            `cp -R "${inputDir}/templates" "${outputDir}/templates"`,
            `cp "${inputDir}/node_modules/@resvg/resvg-wasm/index_bg.wasm" "${outputDir}/resvg.wasm"`,
            chartsBundleCommand(inputDir, outputDir),
          ],
        },
      }),
      environment: {
        REPORT_BUCKET: bucket.bucketName,
        REPORT_PREFIX: prefix,
        CONFIG_URI: `s3://${props.config.s3BucketName}/${props.config.s3ObjectKey}`,
        RPC_SECRET_ID: props.rpcSecret.secretArn,
        LINK_SECRET_ID: props.linkSecret.secretArn,
        LINK_BASE_URL: props.linkBaseUrl,
        LINK_TTL_DAYS: String(props.linkTtlDays),
        REPORT_SENDER: props.sender,
        ...(props.recipients.length > 0 && { REPORT_RECIPIENTS: props.recipients.join(',') }),
        MAX_BACKFILL_DAYS: String(props.maxBackfillDays),
        TEMPLATES_DIR,
        RESVG_WASM_PATH,
        CHARTS_MODULE: `/var/task/${CHARTS_FILE}`,
        NODE_OPTIONS: ['--enable-source-maps', ...REPORT_V8_FLAGS].join(' '),
      },
    })
    // The schedule invokes asynchronously: Lambda retries a failed run twice (runs are
    // idempotent), then parks the event in the dead-letter queue.
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(props.deadLetterQueue),
    })
  }
}
