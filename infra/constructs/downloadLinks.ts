import path from 'node:path'
import { Duration } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs'
import * as logs from 'aws-cdk-lib/aws-logs'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import { bundlingOptions, ROOT } from '../bundling.ts'
import { acknowledgeObjectWildcards } from '../nagFindings.ts'
import { functionRole } from './functionRole.ts'

export interface DownloadLinksProps {
  readonly bucket: s3.Bucket
  /** The report prefix (ends in `/`). */
  readonly prefix: string
  readonly logRetention: logs.RetentionDays
}

/**
 * Download links that outlive the report function's credentials: an HMAC key generated in
 * Secrets Manager, and a small function behind a function URL that checks a link and
 * redirects to a presigned URL it signs at that moment. It reads the day's CSVs only.
 */
export class DownloadLinks extends Construct {
  readonly secret: secretsmanager.Secret
  readonly function: nodejs.NodejsFunction
  readonly url: lambda.FunctionUrl

  constructor(scope: Construct, id: string, props: DownloadLinksProps) {
    super(scope, id)
    this.secret = new secretsmanager.Secret(this, 'SigningKey', {
      description: 'HMAC key of the report download links (rotating it ends every link sent)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    })
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention })
    const role = functionRole(this, 'Role', logGroup)
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadReportCsvs',
        actions: ['s3:GetObject'],
        resources: ['metrics', 'balances'].map((folder) =>
          props.bucket.arnForObjects(`${props.prefix}${folder}/*`),
        ),
      }),
    )
    acknowledgeObjectWildcards(
      role,
      props.bucket,
      ['metrics', 'balances'].map((folder) => `${props.prefix}${folder}/`),
      'Serves any day’s CSV (keys carry the date) after checking the link’s HMAC; nothing else in the bucket.',
    )
    this.secret.grantRead(role)
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Checks a report download link and redirects to a fresh presigned S3 URL',
      entry: path.join(ROOT, 'lambda', 'links', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role,
      logGroup,
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      bundling: bundlingOptions(),
      environment: {
        REPORT_BUCKET: props.bucket.bucketName,
        REPORT_PREFIX: props.prefix,
        LINK_SECRET_ID: this.secret.secretArn,
        NODE_OPTIONS: '--enable-source-maps',
      },
    })
    // Public on purpose: readers open links from email; the HMAC is the authorization.
    this.url = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE })
  }
}
