import { expect, test } from 'vitest'
import { parseReportEnvironment } from '../../lambda/aws/environment.ts'
import { redactSecrets } from '../../lambda/aws/redactSecrets.ts'
import { parseLinkEnvironment } from '../../lambda/links/linkEnvironment.ts'

const reportEnv = {
  REPORT_BUCKET: 'pool-report-data',
  REPORT_PREFIX: '/reports',
  LINK_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:links-AbCdEf',
  CONFIG_URI: 's3://cdk-assets/abc.json',
  RPC_SECRET_ID: 'rpc',
  LINK_BASE_URL: 'https://abc.lambda-url.eu-west-1.on.aws/',
  REPORT_SENDER: 'report@example.com',
}

test('the report function’s settings come from its environment, with defaults', () => {
  expect(
    parseReportEnvironment({ ...reportEnv, REPORT_RECIPIENTS: 'a@example.com, b@example.com' }),
  ).toEqual({
    bucket: 'pool-report-data',
    prefix: 'reports/',
    linkSecretId: reportEnv.LINK_SECRET_ID,
    configUri: 's3://cdk-assets/abc.json',
    rpcSecretId: 'rpc',
    linkBaseUrl: 'https://abc.lambda-url.eu-west-1.on.aws/',
    linkTtlSeconds: 30 * 86_400,
    sender: 'report@example.com',
    recipients: ['a@example.com', 'b@example.com'],
    maxBackfillDays: 31,
  })
  expect(parseLinkEnvironment({ ...reportEnv, REPORT_PREFIX: '' }).prefix).toBe('')
})

test('a missing or bad variable is named', () => {
  const { REPORT_BUCKET: _, ...missing } = reportEnv
  expect(() => parseReportEnvironment(missing)).toThrow('REPORT_BUCKET: Invalid input')
  expect(() => parseReportEnvironment({ ...reportEnv, LINK_TTL_DAYS: '3' })).toThrow(
    'LINK_TTL_DAYS: Too small',
  )
  expect(() => parseReportEnvironment({ ...reportEnv, CONFIG_URI: '/tmp/pools.json' })).toThrow(
    'CONFIG_URI: expected s3://bucket/key',
  )
})

test('secret values are taken out of an error’s message, stack and cause', () => {
  const url = 'https://eth-mainnet.example/v2/sk_live_0123456789'
  const wrapped = new Error('request failed', { cause: new Error(`URL: ${url}`) })
  const safe = redactSecrets(wrapped, [url])
  expect(safe).not.toBe(wrapped)
  expect(`${safe.message}${safe.stack}${String(safe.cause)}`).not.toContain('sk_live')
  const direct = redactSecrets(new TypeError(`fetch ${url} failed`), [url])
  expect(direct.name).toBe('TypeError')
  expect(direct.message).toBe('fetch <redacted> failed')
  const clean = new Error('nothing secret')
  expect(redactSecrets(clean, [url])).toBe(clean)
})
