import { Duration, Stack, Token, Validations } from 'aws-cdk-lib'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as sfn from 'aws-cdk-lib/aws-stepfunctions'
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks'
import { Construct } from 'constructs'
import { arnInFinding } from '../nagFindings.ts'

/** Errors of a date that another attempt cannot fix: a bad payload, a day the chain cannot cover. */
export const BACKFILL_PERMANENT_ERRORS = ['InvalidInputError', 'DayNotAvailableError'] as const

/** Lambda's own transient errors (throttling, service faults): retried quickly. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const

export interface BackfillStateMachineProps {
  /** The report function; each date is one synchronous invocation of it. */
  readonly reportFunction: lambda.IFunction
  /**
   * Dates run at once when the execution input has no `concurrency`, so that the RPC
   * provider is not flooded.
   * @default 4
   */
  readonly defaultConcurrency?: number
  readonly logRetention: logs.RetentionDays
}

/**
 * Backfills on AWS Step Functions. The execution input is
 * `{"items": [{"date": "2026-11-01", ...payload}, ...], "concurrency"?: n}`: a Distributed
 * Map runs the report function once per item (a manual payload of one date), at most
 * `concurrency` at a time. Transient errors are retried; a date that still fails becomes a
 * `failed` result with its reason, and the other dates go on. The last state sums up:
 * `{"dates": n, "results": [{"date", "status": "ok" | "failed", ...}]}`.
 */
export class BackfillStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine

  constructor(scope: Construct, id: string, props: BackfillStateMachineProps) {
    super(scope, id)
    const runDate = new tasks.LambdaInvoke(this, 'RunDate', {
      lambdaFunction: props.reportFunction,
      payload: sfn.TaskInput.fromJsonPathAt('$'),
      // The retries below replace the task's default ones.
      retryOnServiceExceptions: false,
      // The function's own limit is 15 minutes.
      taskTimeout: sfn.Timeout.duration(Duration.minutes(16)),
      resultSelector: {
        'date.$': '$.Payload.dates[0]',
        status: 'ok',
        'poolsOk.$': '$.Payload.poolsOk',
        'poolsFailed.$': '$.Payload.poolsFailed',
        'emailsSent.$': '$.Payload.emailsSent',
      },
    })
    runDate.addRetry({ errors: [...BACKFILL_PERMANENT_ERRORS], maxAttempts: 0 })
    runDate.addRetry({
      errors: [...LAMBDA_TRANSIENT_ERRORS],
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    })
    // Anything else (an RPC outage, a run timeout): twice more, a minute and two apart.
    runDate.addRetry({
      errors: [sfn.Errors.ALL],
      interval: Duration.minutes(1),
      maxAttempts: 2,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    })
    const dateFailed = new sfn.Pass(this, 'DateFailed', {
      parameters: {
        'date.$': '$.date',
        status: 'failed',
        'error.$': '$.failure.Error',
        'cause.$': '$.failure.Cause',
      },
    })
    runDate.addCatch(dateFailed, { errors: [sfn.Errors.ALL], resultPath: '$.failure' })

    const dates = new sfn.DistributedMap(this, 'Dates', {
      itemsPath: sfn.JsonPath.stringAt('$.items'),
      maxConcurrencyPath: sfn.JsonPath.stringAt('$.concurrency'),
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: '$.results',
    })
    dates.itemProcessor(runDate)
    const summary = new sfn.Pass(this, 'Summary', {
      parameters: {
        'dates.$': 'States.ArrayLength($.results)',
        'results.$': '$.results',
      },
    })
    const withDefaults = new sfn.Pass(this, 'DefaultConcurrency', {
      parameters: { 'items.$': '$.items', concurrency: props.defaultConcurrency ?? 4 },
    })
    const definition = new sfn.Choice(this, 'ConcurrencyGiven')
      .when(sfn.Condition.isPresent('$.concurrency'), dates)
      .otherwise(withDefaults.next(dates))
    dates.next(summary)

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Backfill: runs the pool report for each date, a few at a time',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { retention: props.logRetention }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    })
    acknowledgeFindings(this.stateMachine, props.reportFunction)
  }
}

function acknowledgeFindings(stateMachine: sfn.StateMachine, reportFunction: IConstructLike) {
  const scope = stateMachine.role
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnInFinding(reportFunction)}:*]`,
    reason:
      'The state machine may invoke the report function and its versions (the CDK task grants function:*); no other function.',
  })
  Validations.of(scope).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray trace segments and CloudWatch Logs vended-log deliveries have no resource-level permissions.',
  })
  // The Distributed Map's policy on its child executions, as cdk-nag names them.
  const stack = Stack.of(stateMachine)
  const named = (value: string, pseudo: string) => (Token.isUnresolved(value) ? pseudo : value)
  const logicalId = stack.resolve(
    stack.getLogicalId(stateMachine.node.defaultChild as sfn.CfnStateMachine),
  )
  const executions = `arn:${named(stack.partition, '<AWS::Partition>')}:states:${named(stack.region, '<AWS::Region>')}:${named(stack.account, '<AWS::AccountId>')}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId}"}]}]}`
  for (const suffix of [':*', '/*:*'])
    Validations.of(stateMachine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${executions}${suffix}]`,
      reason:
        'The Distributed Map describes and stops the child executions it starts, whose names it chooses; only executions of this state machine.',
    })
}

type IConstructLike = Parameters<typeof arnInFinding>[0]
