import { Duration } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as kms from 'aws-cdk-lib/aws-kms'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import * as sns from 'aws-cdk-lib/aws-sns'
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { TELEMETRY } from '../../lambda/aws/telemetry.ts'

export interface ReportAlarmsProps {
  readonly reportFunction: lambda.IFunction
  readonly deadLetterQueue: sqs.IQueue
  /** Subscribed to the topic by email, if given. */
  readonly email?: string
}

/**
 * Alarms that notify an SNS topic: a failed run (the function errored, or an event was
 * parked in the dead-letter queue) and a pool that could not be read.
 */
export class ReportAlarms extends Construct {
  readonly topic: sns.Topic
  readonly failedRuns: cloudwatch.Alarm
  readonly deadLetters: cloudwatch.Alarm
  readonly failedPools: cloudwatch.Alarm

  constructor(scope: Construct, id: string, props: ReportAlarmsProps) {
    super(scope, id)
    // A customer managed key: CloudWatch cannot publish to a topic under the AWS managed key.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the pool report alarm topic',
      enableKeyRotation: true,
    })
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
      }),
    )
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Pool report alarms',
      masterKey: key,
      enforceSSL: true,
    })
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email))
    const action = new SnsAction(this.topic)
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }
    this.failedRuns = new cloudwatch.Alarm(this, 'FailedRuns', {
      alarmDescription: 'A pool report run failed (see the function logs: "Run failed")',
      metric: props.reportFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      ...atLeastOnce,
    })
    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription: 'A scheduled pool report gave up after its retries (dead-letter queue)',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      ...atLeastOnce,
    })
    this.failedPools = new cloudwatch.Alarm(this, 'FailedPools', {
      alarmDescription: 'A pool could not be read (an error row in metrics.csv)',
      metric: new cloudwatch.Metric({
        namespace: TELEMETRY.namespace,
        metricName: TELEMETRY.metrics.poolsFailed,
        dimensionsMap: { service: TELEMETRY.serviceName },
        period: Duration.hours(1),
        statistic: 'Sum',
      }),
      ...atLeastOnce,
    })
    for (const alarm of [this.failedRuns, this.deadLetters, this.failedPools])
      alarm.addAlarmAction(action)
  }
}
