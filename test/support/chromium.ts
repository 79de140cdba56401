import { execFileSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { type Browser, chromium } from 'playwright-core'

/** Where screenshots go: kept after the run as test artefacts (gitignored). */
export const ARTIFACTS_DIR = path.join(import.meta.dirname, '..', 'artifacts')

/** Debian's chromium (`.ci/run` installs it); Playwright drives it, it downloads no browser. */
export function chromiumPath(): string {
  return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim()
}

/** Starts headless chromium with the flags a container needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
}

/** What a page looks like at one width and colour scheme. */
export interface ScreenCheck {
  readonly width: number
  readonly scheme: 'light' | 'dark'
  readonly scrollWidth: number
  readonly innerWidth: number
  /** Body text and background colours, as computed. */
  readonly colors: { readonly text: string; readonly background: string }
  /** Images that did not load (a `cid:` without its part). */
  readonly brokenImages: number
  readonly screenshot: string
}

/**
 * Renders an email's HTML as a mail client would show it, its `cid:` images replaced by the
 * parts they name, at each width and colour scheme, and keeps a full-page screenshot of each.
 *
 * @param browser - a running chromium
 * @param name - file name stem of the screenshots
 * @param html - the HTML part
 * @param images - PNG parts by content id
 * @returns one check per width and scheme
 */
export async function checkScreens(
  browser: Browser,
  name: string,
  html: string,
  images: ReadonlyMap<string, Uint8Array>,
): Promise<ScreenCheck[]> {
  await mkdir(ARTIFACTS_DIR, { recursive: true })
  const inlined = html.replace(/src="cid:([^"]+)"/g, (whole, cid: string) => {
    const png = images.get(cid)
    return png ? `src="data:image/png;base64,${Buffer.from(png).toString('base64')}"` : whole
  })
  const checks: ScreenCheck[] = []
  for (const width of [390, 1280]) {
    for (const scheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme })
      try {
        await page.setContent(inlined, { waitUntil: 'load' })
        // A string, run in the page: the project's types have no DOM.
        const measured: Omit<ScreenCheck, 'width' | 'scheme' | 'screenshot'> =
          await page.evaluate(`(() => {
            const style = getComputedStyle(document.body)
            return {
              scrollWidth: document.documentElement.scrollWidth,
              innerWidth: window.innerWidth,
              colors: { text: style.color, background: style.backgroundColor },
              brokenImages: [...document.images].filter((image) => image.naturalWidth === 0).length,
            }
          })()`)
        const screenshot = path.join(ARTIFACTS_DIR, `${name}-${width}-${scheme}.png`)
        await page.screenshot({ path: screenshot, fullPage: true })
        // What the reader sees on opening it: the first screen.
        await page.screenshot({ path: screenshot.replace(/\.png$/, '-first-screen.png') })
        checks.push({ width, scheme, ...measured, screenshot })
      } finally {
        await page.close()
      }
    }
  }
  return checks
}

/**
 * The inline images of a raw message, by content id.
 *
 * @param eml - the message
 * @returns PNG bytes by `Content-ID`
 */
export function inlineImages(eml: string): Map<string, Uint8Array> {
  const images = new Map<string, Uint8Array>()
  for (const part of eml.split(/\r?\n--/)) {
    const id = /^Content-ID: <([^>]+)>$/m.exec(part)?.[1]
    if (!id || !/^Content-Type: image\/png/m.test(part)) continue
    const body = part.split(/\r?\n\r?\n/)[1] ?? ''
    images.set(id, Buffer.from(body.replace(/\s/g, ''), 'base64'))
  }
  return images
}

/**
 * Relative luminance contrast between two CSS `rgb()` colours (WCAG 2).
 *
 * @returns the ratio, from 1 to 21
 */
export function contrastRatio(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, bl] = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((channel) => {
      const c = Number(channel) / 255
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    }) as [number, number, number]
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl
  }
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (light + 0.05) / (dark + 0.05)
}
