import { Duration, TimeZone } from 'aws-cdk-lib'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import * as scheduler from 'aws-cdk-lib/aws-scheduler'
import * as targets from 'aws-cdk-lib/aws-scheduler-targets'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'

export interface DailyScheduleProps {
  readonly function: lambda.IFunction
  /** An EventBridge Scheduler expression, e.g. `cron(30 1 * * ? *)`. */
  readonly expression: string
  /** IANA time zone of the expression. */
  readonly timeZone: string
  /** Where events go that the scheduler could not deliver. */
  readonly deadLetterQueue: sqs.IQueue
}

/**
 * The daily run: an EventBridge Scheduler schedule whose input carries its scheduled time,
 * so that the function reports on the day before it even when a retry comes hours later.
 */
export class DailySchedule extends Construct {
  readonly schedule: scheduler.Schedule

  constructor(scope: Construct, id: string, props: DailyScheduleProps) {
    super(scope, id)
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Runs the pool report for the previous UTC day',
      schedule: scheduler.ScheduleExpression.expression(
        props.expression,
        TimeZone.of(props.timeZone),
      ),
      target: new targets.LambdaInvoke(props.function, {
        input: scheduler.ScheduleTargetInput.fromObject({
          source: 'pool-report.schedule',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: props.deadLetterQueue,
      }),
    })
  }
}
