import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEVNET_RPC_ENV } from '../../devnet/devnetConfig.ts'
import { main } from '../../lambda/cli.ts'
import { drawCharts } from '../../lambda/email/drawCharts.ts'
import { loadDigestRenderer } from '../../lambda/email/renderDigest.ts'
import { addDays } from '../../lambda/report/date.ts'
import {
  checkScreens,
  contrastRatio,
  inlineImages,
  launchChromium,
  type ScreenCheck,
} from '../support/chromium.ts'
import { lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'
import { manyPoolsDigest } from '../support/manyPools.ts'

const devnet = sharedDevnet()
const date = lastSimulatedDay()
const CONFIG = path.join(import.meta.dirname, '..', '..', 'config', 'devnet.json')
let out: string
let browser: Browser

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'digest-screens-'))
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await rm(out, { recursive: true, force: true })
})

/** No horizontal scrolling, every image shown, text readable on its background. */
function expectReadable(checks: readonly ScreenCheck[]) {
  expect(checks.map(({ width, scheme }) => `${width} ${scheme}`)).toEqual([
    '390 light',
    '390 dark',
    '1280 light',
    '1280 dark',
  ])
  for (const check of checks) {
    const where = `${check.width} px, ${check.scheme}`
    expect(check.scrollWidth, where).toBeLessThanOrEqual(check.innerWidth)
    expect(check.brokenImages, where).toBe(0)
    expect(contrastRatio(check.colors.text, check.colors.background), where).toBeGreaterThan(7)
  }
  const [, dark] = checks
  // Dark mode is dark: a background darker than its text.
  expect(dark!.colors.background).not.toBe(checks[0]!.colors.background)
}

test('the devnet digest (all its pools) fits a phone and reads as a report, light and dark', async () => {
  const io = {
    stdout: () => {},
    stderr: () => {},
    env: { [DEVNET_RPC_ENV]: devnet.rpcUrl },
    now: () => new Date(Number(devnet.endTime) * 1000 + 3_600_000),
  }
  const args = ['run', '--config', CONFIG, '--out', out, '--date']
  expect(await main([...args, addDays(date, -1), '--no-email'], io)).toBe(0)
  expect(await main([...args, date], io)).toBe(0)
  const html = await readFile(path.join(out, `emails/dt=${date}/daily.html`), 'utf8')
  const eml = await readFile(path.join(out, `emails/dt=${date}/daily.eml`), 'utf8')
  console.log(`devnet pools: HTML ${Buffer.byteLength(html)} B, .eml ${Buffer.byteLength(eml)} B`)
  expect(Buffer.byteLength(html)).toBeLessThan(100 * 1024)
  expectReadable(await checkScreens(browser, 'digest-devnet', html, inlineImages(eml)))
})

test('the 10,000-pool digest fits a phone and reads as a report, light and dark', async () => {
  const { view } = manyPoolsDigest()
  const { html } = (await loadDigestRenderer())(view)
  const images = new Map(
    (await drawCharts(view.charts)).map((image) => [image.cid, image.content] as const),
  )
  expectReadable(await checkScreens(browser, 'digest-10000-pools', html, images))
})
