import path from 'node:path'
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import type * as logs from 'aws-cdk-lib/aws-logs'
import * as s3assets from 'aws-cdk-lib/aws-s3-assets'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import type { Construct, IConstruct } from 'constructs'
import type { Config } from '../lambda/config/schema.ts'
import { ROOT } from './bundling.ts'
import { AthenaTables } from './constructs/athenaTables.ts'
import { BackfillStateMachine } from './constructs/backfillStateMachine.ts'
import { DailySchedule } from './constructs/dailySchedule.ts'
import { DownloadLinks } from './constructs/downloadLinks.ts'
import { ReportAlarms } from './constructs/reportAlarms.ts'
import { ReportBucket } from './constructs/reportBucket.ts'
import { ReportFunction } from './constructs/reportFunction.ts'
import { arnInFinding } from './nagFindings.ts'
import type { DeploymentSettings } from './settings.ts'

export interface PoolReportStackProps extends StackProps {
  readonly settings: DeploymentSettings
  /** The validated pool config of `settings.configFile`. */
  readonly config: Config
}

/**
 * The pool report in AWS: the function on a daily schedule, the bucket it writes, the link
 * function of the emails, the secrets, alarms, and the Glue tables for Athena.
 */
export class PoolReportStack extends Stack {
  constructor(scope: Construct, id: string, props: PoolReportStackProps) {
    super(scope, id, props)
    const { settings, config } = props
    const logRetention = settings.logRetentionDays as logs.RetentionDays
    const { bucket } = new ReportBucket(this, 'Bucket', {
      noncurrentVersionDays: settings.noncurrentVersionDays,
    })
    const rpcSecret = new secretsmanager.Secret(this, 'RpcUrls', {
      description:
        'RPC URLs of the pool report: a JSON object keyed by the config chains\' rpcUrlEnv names, e.g. {"RPC_URL_ETHEREUM":"https://…"}',
      // A valid empty map to start with; the README says how to put the URLs in.
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder' },
    })
    const links = new DownloadLinks(this, 'DownloadLinks', {
      bucket,
      prefix: settings.prefix,
      logRetention,
    })
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    })
    const report = new ReportFunction(this, 'Report', {
      bucket,
      prefix: settings.prefix,
      config: new s3assets.Asset(this, 'PoolConfig', {
        path: path.resolve(ROOT, settings.configFile),
      }),
      rpcSecret,
      linkSecret: links.secret,
      linkBaseUrl: links.url.url,
      linkTtlDays: settings.linkTtlDays,
      sender: settings.sender,
      senderIdentities: senderIdentities(settings.sender, config),
      recipients: settings.recipients,
      maxBackfillDays: settings.maxBackfillDays,
      logRetention,
      deadLetterQueue,
    })
    new DailySchedule(this, 'Daily', {
      function: report.function,
      expression: settings.schedule,
      timeZone: settings.scheduleTimeZone,
      deadLetterQueue,
    })
    const backfill = new BackfillStateMachine(this, 'Backfill', {
      reportFunction: report.function,
      defaultConcurrency: settings.backfillConcurrency,
      logRetention,
    })
    const alarms = new ReportAlarms(this, 'Alarms', {
      reportFunction: report.function,
      deadLetterQueue,
      ...(settings.alarmEmail && { email: settings.alarmEmail }),
    })
    const athena = new AthenaTables(this, 'Athena', {
      bucket,
      prefix: settings.prefix,
      databaseName: settings.glueDatabase,
    })
    acknowledgeFindings(this, {
      rpcSecret,
      linkSecret: links.secret,
      reportFunction: report.function,
      deadLetterQueue,
    })

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description })
    output('BucketName', bucket.bucketName, 'The report bucket')
    output('ReportPrefix', settings.prefix, 'Prefix of the report files in the bucket')
    output('ReportFunctionName', report.function.functionName, 'The report function')
    output('LinkFunctionUrl', links.url.url, 'Base URL of the download links in the emails')
    output(
      'BackfillStateMachineArn',
      backfill.stateMachine.stateMachineArn,
      'pool-report backfill --state-machine <this> --from D1 --to D2',
    )
    output('RpcSecretName', rpcSecret.secretName, 'Put the RPC URLs here (JSON object)')
    output('AlarmTopicArn', alarms.topic.topicArn, 'Subscribe here to the alarms')
    output('GlueDatabase', settings.glueDatabase, 'Athena database with tables metrics, balances')
    output('AthenaWorkGroup', athena.workGroup.name, 'Athena workgroup (results in the bucket)')
    output(
      'InvokeCommand',
      `aws lambda invoke --function-name ${report.function.functionName} --cli-binary-format raw-in-base64-out --cli-read-timeout 0 --payload '{"date":"YYYY-MM-DD","dryRun":true}' /dev/stdout`,
      'Run the report by hand (edit the payload)',
    )
  }
}

/**
 * The SES identities the function may send as: the sender and every digest's `from`, each
 * as an address identity and as its domain's identity (whichever is verified).
 */
function senderIdentities(sender: string, config: Config): string[] {
  const addresses = [
    sender,
    ...config.digests.flatMap((digest) => (digest.from ? [digest.from] : [])),
  ]
  const identities = addresses.flatMap((address) => [address, address.split('@')[1]!])
  return [...new Set(identities)].sort()
}

/** cdk-nag AwsSolutions findings of the stack's own parts, each with its reason. */
function acknowledgeFindings(
  stack: Stack,
  parts: {
    rpcSecret: secretsmanager.Secret
    linkSecret: secretsmanager.Secret
    reportFunction: IConstruct
    deadLetterQueue: sqs.Queue
  },
): void {
  const noRotation = {
    id: 'AwsSolutions-SMG4',
    reason:
      'Not rotated by a Lambda: RPC URLs are rotated at the provider and put in by hand; rotating the link key would end every link already emailed.',
  }
  Validations.of(parts.rpcSecret).acknowledge(noRotation)
  Validations.of(parts.linkSecret).acknowledge(noRotation)
  Validations.of(parts.deadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter queue (of the schedule and of the async invocations).',
  })
  // The scheduler's role is created by the LambdaInvoke target, at the stack's level.
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnInFinding(parts.reportFunction)}:*]`,
    reason:
      'The EventBridge Scheduler role may invoke the report function and its versions (the CDK target grants function:*); no other function.',
  })
}
