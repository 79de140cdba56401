import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { App, Stack } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import * as s3 from 'aws-cdk-lib/aws-s3'
import { AwsSolutionsChecks } from 'cdk-nag'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addPoolReportStack } from '../../infra/addPoolReportStack.ts'
import { BALANCES_COLUMNS } from '../../lambda/output/balancesCsv.ts'
import { METRICS_COLUMNS } from '../../lambda/output/metricsCsv.ts'

const ROOT = path.join(import.meta.dirname, '..', '..')
/** cdk.json's context (feature flags and defaults), as the CLI passes it, with test values. */
const context = {
  ...JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context,
  configFile: 'config/devnet.json',
  sender: 'reports@pools.example.org',
  recipients: 'risk@example.org,ops@example.org',
  prefix: 'daily',
  schedule: 'cron(15 6 * * ? *)',
  scheduleTimeZone: 'Europe/Zurich',
  alarmEmail: 'oncall@example.org',
  // What the CDK CLI sets: the asset metadata points at each function's bundle.
  'aws:cdk:enable-asset-metadata': true,
}
let outdir: string
let app: App
let template: Template

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'cdk-out-'))
  app = new App({ context, outdir })
  const stack = await addPoolReportStack(app)
  // Synthesizes the stack, which bundles both functions with the local esbuild.
  template = Template.fromStack(stack)
})
afterAll(async () => {
  await rm(outdir, { recursive: true, force: true })
})

/** The logical id of the only resource of a type whose properties match. */
function logicalId(type: string, properties: Record<string, unknown> = {}): string {
  const found = Object.keys(
    template.findResources(type, { Properties: Match.objectLike(properties) }),
  )
  expect(found, `${type} ${JSON.stringify(properties)}`).toHaveLength(1)
  return found[0]!
}

const reportFunction = () =>
  logicalId('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ CONFIG_URI: Match.anyValue() }) },
  })
const linkFunction = () =>
  logicalId('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('download link') })
const dataBucket = () =>
  logicalId('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } })
const deadLetterQueue = () => logicalId('AWS::SQS::Queue')

test('the schedule runs daily at the configured time, with retries and a dead-letter queue', () => {
  template.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: 'cron(15 6 * * ? *)',
    ScheduleExpressionTimezone: 'Europe/Zurich',
    State: 'ENABLED',
    Target: {
      Arn: { 'Fn::GetAtt': [reportFunction(), 'Arn'] },
      Input: JSON.stringify({
        source: 'pool-report.schedule',
        scheduledTime: '<aws.scheduler.scheduled-time>',
      }),
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetterQueue(), 'Arn'] } },
    },
  })
  // The scheduler invokes asynchronously: a failed run is retried by Lambda, then parked.
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: reportFunction() },
    MaximumRetryAttempts: 2,
    DestinationConfig: {
      OnFailure: { Destination: { 'Fn::GetAtt': [deadLetterQueue(), 'Arn'] } },
    },
  })
})

test('the functions run Node.js 24 on arm64, bundled with the templates', () => {
  const report = template.toJSON().Resources[reportFunction()]
  expect(report.Properties).toMatchObject({
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Handler: 'index.handler',
    Timeout: 900,
    Environment: {
      Variables: {
        REPORT_PREFIX: 'daily/',
        REPORT_SENDER: 'reports@pools.example.org',
        REPORT_RECIPIENTS: 'risk@example.org,ops@example.org',
        TEMPLATES_DIR: '/var/task/templates',
        RESVG_WASM_PATH: '/var/task/resvg.wasm',
        CHARTS_MODULE: '/var/task/drawCharts.mjs',
        LINK_TTL_DAYS: '30',
        MAX_BACKFILL_DAYS: '31',
      },
    },
  })
  const bundle = path.join(outdir, report.Metadata['aws:asset:path'])
  for (const file of [
    'index.mjs',
    'drawCharts.mjs',
    'templates/digest.html.hbs',
    'templates/partials/poolTable.html.hbs',
    'resvg.wasm',
  ])
    expect(existsSync(path.join(bundle, file)), file).toBe(true)
  template.hasResourceProperties('AWS::Lambda::Function', {
    Description: Match.stringLikeRegexp('download link'),
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
  })
  template.hasResourceProperties('AWS::Lambda::Url', {
    AuthType: 'NONE',
    TargetFunctionArn: { 'Fn::GetAtt': [linkFunction(), 'Arn'] },
  })
})

describe('IAM is scoped to the resources', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown }
  function statementsOf(functionId: string): Statement[] {
    const role = template.toJSON().Resources[functionId].Properties.Role['Fn::GetAtt'][0]
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: role }] },
    })
    return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement)
  }
  /** Every resource an action is allowed on, across statements (policies are minimized). */
  function allowed(statements: Statement[], action: string): string[] {
    return statements
      .filter(
        (statement) => statement.Effect === 'Allow' && [statement.Action].flat().includes(action),
      )
      .flatMap((statement) => [statement.Resource].flat())
      .map((resource) => JSON.stringify(resource))
      .sort()
  }
  const objects = (...folders: string[]) =>
    folders
      .map((folder) =>
        JSON.stringify({
          'Fn::Join': ['', [{ 'Fn::GetAtt': [dataBucket(), 'Arn'] }, `/daily/${folder}/*`]],
        }),
      )
      .sort()
  const bucketArn = () => JSON.stringify({ 'Fn::GetAtt': [dataBucket(), 'Arn'] })
  const secret = (id: string) => JSON.stringify({ Ref: id })

  test('the report function writes its prefix, reads its config, sends as the sender', () => {
    const statements = statementsOf(reportFunction())
    expect(allowed(statements, 's3:PutObject')).toEqual(
      objects('metrics', 'balances', 'runs', 'state'),
    )
    expect(allowed(statements, 's3:DeleteObject')).toEqual(objects('runs'))
    expect(allowed(statements, 's3:ListBucket')).toEqual([bucketArn()])
    const reads = allowed(statements, 's3:GetObject')
    expect(reads).toHaveLength(3)
    expect(reads).toEqual(expect.arrayContaining(objects('runs', 'state')))
    expect(reads.find((arn) => !objects('runs', 'state').includes(arn))).toMatch(
      /cdk-hnb659fds-assets-.*\/[0-9a-f]{64}\.json"/,
    )
    const identities = allowed(statements, 'ses:SendRawEmail')
    expect(identities.map((arn) => /:identity\/([^"]+)"/.exec(arn)?.[1])).toEqual([
      'pools.example.org',
      'reports@pools.example.org',
    ])
    expect(allowed(statements, 'secretsmanager:GetSecretValue')).toEqual(
      [
        secret(
          logicalId('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('HMAC') }),
        ),
        secret(
          logicalId('AWS::SecretsManager::Secret', {
            Description: Match.stringLikeRegexp('RPC URLs'),
          }),
        ),
      ].sort(),
    )
  })

  test('the link function reads the day CSVs and its key, nothing else', () => {
    const statements = statementsOf(linkFunction())
    expect(allowed(statements, 's3:GetObject')).toEqual(objects('metrics', 'balances'))
    expect(
      statements
        .flatMap((statement) => [statement.Action].flat())
        .filter((action) => action.startsWith('s3:')),
    ).toEqual(['s3:GetObject'])
    expect(allowed(statements, 'secretsmanager:GetSecretValue')).toEqual([
      secret(
        logicalId('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('HMAC') }),
      ),
    ])
  })

  test('no policy allows every action or every resource', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[],
    )
    expect(statements.length).toBeGreaterThan(5)
    for (const statement of statements) {
      expect(
        [statement.Action].flat().some((action) => String(action).endsWith(':*') || action === '*'),
        JSON.stringify(statement),
      ).toBe(false)
      // Except what has no resource-level permissions: X-Ray segments and the state
      // machine's log deliveries.
      if ([statement.Action].flat().every((action) => /^(xray|logs):/.test(String(action))))
        continue
      expect([statement.Resource].flat(), JSON.stringify(statement)).not.toContain('*')
    }
  })
})

test('the bucket is private, encrypted, TLS only, versioned, with lifecycle rules', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    VersioningConfiguration: { Status: 'Enabled' },
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'data/' }),
    LifecycleConfiguration: {
      Rules: Match.arrayWith([
        Match.objectLike({
          NoncurrentVersionExpiration: { NoncurrentDays: 90 },
          Status: 'Enabled',
        }),
        Match.objectLike({ Prefix: 'athena-results/', ExpirationInDays: 30 }),
      ]),
    },
  })
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: dataBucket() },
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    },
  })
})

test('log groups keep the logs for the configured days', () => {
  const groups = template.findResources('AWS::Logs::LogGroup')
  // The report function, the link function and the backfill state machine.
  expect(Object.values(groups).map((group) => group.Properties.RetentionInDays)).toEqual([
    90, 90, 90,
  ])
})

test('alarms on failed runs, dead letters and failed pools notify an encrypted topic', () => {
  const topic = logicalId('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() })
  const notify = { AlarmActions: [{ Ref: topic }] }
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    ...notify,
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: reportFunction() } }],
    Threshold: 1,
  })
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    ...notify,
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
  })
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    ...notify,
    Namespace: 'PoolImbalanceReport',
    MetricName: 'PoolsFailed',
    Dimensions: [{ Name: 'service', Value: 'pool-report' }],
    Statistic: 'Sum',
    Threshold: 1,
  })
  template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    Endpoint: 'oncall@example.org',
    TopicArn: { Ref: topic },
  })
})

test('Glue tables over metrics/ and balances/ project the dt partitions', () => {
  for (const [name, columns] of [
    ['metrics', METRICS_COLUMNS],
    ['balances', BALANCES_COLUMNS],
  ] as const) {
    const location = { 'Fn::Join': ['', ['s3://', { Ref: dataBucket() }, `/daily/${name}/`]] }
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'pool_report',
      TableInput: {
        Name: name,
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        Parameters: Match.objectLike({
          'skip.header.line.count': '1',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'storage.location.template': {
            'Fn::Join': ['', ['s3://', { Ref: dataBucket() }, `/daily/${name}/dt=\${dt}/`]],
          },
        }),
        StorageDescriptor: Match.objectLike({
          Location: location,
          Columns: columns.map((column) => Match.objectLike({ Name: column })),
          SerdeInfo: Match.objectLike({
            SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
          }),
        }),
      },
    })
  }
  template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'pool_report' } })
})

test('the intraday columns are typed for Athena: numbers, the sample count an integer', () => {
  template.hasResourceProperties('AWS::Glue::Table', {
    TableInput: Match.objectLike({
      Name: 'metrics',
      StorageDescriptor: Match.objectLike({
        Columns: Match.arrayWith([
          { Name: 'alerts', Type: 'string' },
          { Name: 'samples', Type: 'int' },
          { Name: 'imbalance_pp_max', Type: 'double' },
          { Name: 'price_deviation_pct_peak', Type: 'double' },
          { Name: 'hours_over_deviation', Type: 'double' },
          { Name: 'lvr_usd_est', Type: 'double' },
        ]),
      }),
    }),
  })
})

test('outputs name the bucket, the function and a ready invoke command', () => {
  template.hasOutput('BucketName', { Value: { Ref: dataBucket() } })
  template.hasOutput('ReportFunctionName', { Value: { Ref: reportFunction() } })
  template.hasOutput('InvokeCommand', {
    Value: {
      'Fn::Join': [
        '',
        [
          'aws lambda invoke --function-name ',
          { Ref: reportFunction() },
          Match.stringLikeRegexp('--payload .*"date":"YYYY-MM-DD"'),
        ],
      ],
    },
  })
})

describe('cdk-nag AwsSolutions', () => {
  test('the stack has no finding that is not acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app)
    const findings = report.violations.map(
      (violation) =>
        `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.resourceLogicalId).join(', ')}`,
    )
    expect(findings).toEqual([])
  })

  test('the same checks find a plain bucket’s problems (the check is live)', () => {
    const probe = new App()
    new s3.Bucket(new Stack(probe, 'Probe'), 'Plain')
    const rules = new AwsSolutionsChecks()
      .validateScope(probe)
      .violations.map((violation) => violation.ruleName)
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.stringContaining('AwsSolutions-S1'),
        expect.stringContaining('AwsSolutions-S10'),
      ]),
    )
  })
})

describe('the backfill state machine', () => {
  const definition = () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))
    const body = machine!.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] }
    // The definition is a JSON string joined with tokens (the partition, the function's
    // ARN): each becomes the marker ARN.
    return JSON.parse(
      body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'ARN')).join(''),
    ) as {
      StartAt: string
      States: Record<string, Record<string, unknown>>
    }
  }

  test('a Distributed Map runs the report function per date, 4 at a time by default', () => {
    const { StartAt, States } = definition()
    expect(StartAt).toBe('ConcurrencyGiven')
    expect(States.DefaultConcurrency).toMatchObject({
      Parameters: { 'items.$': '$.items', concurrency: 4 },
      Next: 'Dates',
    })
    expect(States.Dates).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrencyPath: '$.concurrency',
      ResultPath: '$.results',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'RunDate',
      },
      Next: 'Summary',
    })
    const task = (
      States.Dates!.ItemProcessor as { States: Record<string, Record<string, unknown>> }
    ).States.RunDate!
    expect(task).toMatchObject({
      Resource: 'arn:ARN:states:::lambda:invoke',
      Parameters: { FunctionName: 'ARN', 'Payload.$': '$' },
    })
    expect(States.Summary).toMatchObject({
      Type: 'Pass',
      Parameters: { 'dates.$': 'States.ArrayLength($.results)', 'results.$': '$.results' },
      End: true,
    })
  })

  test('retries transient errors, never a bad payload, and turns a failed date into a result', () => {
    const { States } = definition()
    const processor = States.Dates!.ItemProcessor as {
      States: Record<string, Record<string, unknown>>
    }
    const task = processor.States.RunDate!
    expect(task.Retry).toEqual([
      { ErrorEquals: ['InvalidInputError', 'DayNotAvailableError'], MaxAttempts: 0 },
      {
        ErrorEquals: [
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
        ],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
      {
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 60,
        MaxAttempts: 2,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
    ])
    expect(task.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'DateFailed' },
    ])
    expect(processor.States.DateFailed).toMatchObject({
      Parameters: { 'date.$': '$.date', status: 'failed', 'error.$': '$.failure.Error' },
      End: true,
    })
  })

  test('its role invokes the report function and runs its own map, nothing else', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine')
    const [machineId] = Object.keys(machines)
    const role = machines[machineId!]!.Properties.RoleArn['Fn::GetAtt'][0]
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
    ).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Action: string | string[]
          Resource: unknown
        }[],
    )
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort()
    expect(actions).toEqual(
      expect.arrayContaining(['lambda:InvokeFunction', 'states:StartExecution']),
    )
    for (const statement of statements) {
      const resources = JSON.stringify(statement.Resource)
      for (const action of [statement.Action].flat()) {
        if (action === 'lambda:InvokeFunction') expect(resources).toContain(reportFunction())
        else if (action.startsWith('states:')) expect(resources).toContain(machineId)
        // X-Ray segments and log deliveries have no resource-level permissions.
        else expect(action).toMatch(/^(xray|logs):/)
      }
    }
  })

  test('the stack outputs its ARN for pool-report backfill', () => {
    template.hasOutput('BackfillStateMachineArn', {
      Value: { Ref: Match.stringLikeRegexp('^BackfillStateMachine') },
    })
  })
})
