import { expect, test } from 'vitest'
import { createLinkSigner, verifySignedLink } from '../../lambda/links/signedLink.ts'

const secret = 'a-test-key-of-enough-length-0123456789'
const issued = new Date('2026-11-24T01:30:00Z')
const sign = createLinkSigner({
  baseUrl: 'https://abc.lambda-url.eu-west-1.on.aws/',
  secret,
  ttlSeconds: 30 * 86_400,
  now: () => issued,
})

function parts(link: string) {
  const url = new URL(link)
  return {
    path: decodeURIComponent(url.pathname),
    expires: url.searchParams.get('expires') ?? '',
    signature: url.searchParams.get('signature') ?? '',
  }
}

test('a link names the file and verifies until it expires', () => {
  const link = sign('metrics/dt=2026-11-23/metrics.csv')
  expect(link).toMatch(
    /^https:\/\/abc\.lambda-url\.eu-west-1\.on\.aws\/metrics\/dt=2026-11-23\/metrics\.csv\?expires=1798075800&signature=[\w-]{43}$/,
  )
  const day = 86_400_000
  expect(verifySignedLink(parts(link), secret, new Date(issued.getTime() + 7 * day))).toEqual({
    key: 'metrics/dt=2026-11-23/metrics.csv',
  })
  expect(verifySignedLink(parts(link), secret, new Date(issued.getTime() + 31 * day))).toEqual({
    rejected: 'expired',
  })
})

test('a changed path, expiry or key is refused', () => {
  const link = parts(sign('balances/dt=2026-11-23/balances.csv'))
  expect(
    verifySignedLink({ ...link, path: '/balances/dt=2026-11-22/balances.csv' }, secret, issued),
  ).toEqual({ rejected: 'bad-signature' })
  expect(
    verifySignedLink({ ...link, expires: String(Number(link.expires) + 1) }, secret, issued),
  ).toEqual({ rejected: 'bad-signature' })
  expect(verifySignedLink(link, `${secret}x`, issued)).toEqual({ rejected: 'bad-signature' })
  const { signature: _, ...unsigned } = link
  expect(verifySignedLink(unsigned, secret, issued)).toEqual({ rejected: 'bad-signature' })
})

test('only the day’s CSVs are served: no manifest, no config, no climbing out', () => {
  for (const path of [
    '/runs/dt=2026-11-23/manifest.json',
    '/deploy/pools.json',
    '/metrics/dt=2026-11-23/../../deploy/pools.json',
    '/metrics/dt=2026-11-23/balances.csv',
  ])
    expect(verifySignedLink({ path, expires: '1', signature: 'x' }, secret, issued)).toEqual({
      rejected: 'not-found',
    })
  expect(() => sign('runs/dt=2026-11-23/manifest.json')).toThrow('not a report CSV')
})
