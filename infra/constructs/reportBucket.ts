import { Duration } from 'aws-cdk-lib'
import * as s3 from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'

/** Where Athena writes query results, in the report bucket, outside the report prefix. */
export const ATHENA_RESULTS_PREFIX = 'athena-results/'

export interface ReportBucketProps {
  /** Days an overwritten or deleted object version is kept. @default 90 */
  readonly noncurrentVersionDays?: number
}

/**
 * The report bucket: private, S3-managed encryption, TLS only, versioned (a re-run
 * overwrites a day's files; the previous bytes stay recoverable for a while), with server
 * access logs in a second bucket.
 */
export class ReportBucket extends Construct {
  readonly bucket: s3.Bucket
  readonly accessLogs: s3.Bucket

  constructor(scope: Construct, id: string, props: ReportBucketProps = {}) {
    super(scope, id)
    const secure = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    }
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    })
    this.bucket = new s3.Bucket(this, 'Data', {
      ...secure,
      versioned: true,
      // A cast: the CDK types disagree with themselves under exactOptionalPropertyTypes.
      serverAccessLogsBucket: this.accessLogs as s3.IBucket,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
        {
          id: 'expire-athena-results',
          prefix: ATHENA_RESULTS_PREFIX,
          expiration: Duration.days(30),
        },
      ],
    })
  }
}
