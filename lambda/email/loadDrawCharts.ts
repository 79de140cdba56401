import { pathToFileURL } from 'node:url'
import type { drawCharts } from './drawCharts.ts'

/**
 * Loads the chart drawer on first use. In Lambda it is a file of its own beside the bundle
 * (`CHARTS_MODULE`), so ECharts stays out of the function's bundle and cold start and loads
 * only when a digest is sent; elsewhere it is this source tree's module. The specifier is a
 * variable so that esbuild leaves the import to run time.
 *
 * @returns `drawCharts`
 */
export async function loadDrawCharts(): Promise<typeof drawCharts> {
  const file = process.env.CHARTS_MODULE
  const specifier = file ? pathToFileURL(file).href : './drawCharts.ts'
  const module = (await import(specifier)) as typeof import('./drawCharts.ts')
  return module.drawCharts
}
