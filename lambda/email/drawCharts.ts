import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { initWasm, Resvg } from '@resvg/resvg-wasm'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import type { ChartSpec } from './digestView.ts'

echarts.use([LineChart, BarChart, GridComponent, SVGRenderer])

/** A chart as an inline image part of the email. */
export interface ChartImage {
  readonly cid: string
  readonly filename: string
  readonly content: Uint8Array
  readonly contentType: 'image/png'
}

/** Pixel sizes at 1x; the PNGs are drawn at 2x for sharp screens. */
const SIZES = { history: { width: 120, height: 40 }, composition: { width: 480, height: 16 } }
const SCALE = 2
const IMBALANCE_COLOR = '#f04438'
const TVL_COLOR = '#2e90fa'

/**
 * resvg's module can be initialised once per process, while this module may be loaded more
 * than once (a second copy of the function in tests): the promise is kept process-wide.
 */
const WASM_READY = Symbol.for('pool-imbalance-report.resvg-wasm')
const processWide = globalThis as { [WASM_READY]?: Promise<void> }

/**
 * Where resvg's WebAssembly module is: `RESVG_WASM_PATH` (set in the Lambda bundle, which has
 * no node_modules) or the installed package.
 */
export function resvgWasmPath(): string {
  return (
    process.env.RESVG_WASM_PATH ??
    createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm')
  )
}

/**
 * Draws a digest's charts as PNGs: ECharts renders each to SVG on the server (no DOM, no
 * canvas), resvg (WebAssembly, the same on x86 and arm64) rasterises it. The charts carry no
 * text, so no font is needed; their words are in the HTML beside them. The background is
 * transparent, so a chart reads on light and dark mail clients alike.
 *
 * @param charts - the view's chart specs
 * @returns one PNG per spec, in order
 */
export async function drawCharts(charts: readonly ChartSpec[]): Promise<ChartImage[]> {
  if (charts.length === 0) return []
  processWide[WASM_READY] ??= readFile(resvgWasmPath()).then((module) => initWasm(module))
  await processWide[WASM_READY]
  return charts.map((chart) => {
    const { width, height } = SIZES[chart.kind]
    const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
    try {
      instance.setOption(chart.kind === 'history' ? historyOption(chart) : compositionOption(chart))
      const svg = instance.renderToSVGString()
      const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: SCALE } }).render().asPng()
      return {
        cid: chart.cid,
        filename: `${chart.cid.split('@')[0]}.png`,
        content: png,
        contentType: 'image/png',
      }
    } finally {
      instance.dispose()
    }
  })
}

/** Imbalance above, TVL below, each scaled to its own range; `null` days are gaps. */
function historyOption(chart: Extract<ChartSpec, { kind: 'history' }>): echarts.EChartsCoreOption {
  const days = chart.imbalancePp.map((_, index) => index)
  const axis = (gridIndex: number) => ({ type: 'category', show: false, data: days, gridIndex })
  const values = (gridIndex: number) => ({ type: 'value', show: false, scale: true, gridIndex })
  const line = (data: readonly (number | null)[], index: number, color: string) => ({
    type: 'line',
    data: [...data],
    xAxisIndex: index,
    yAxisIndex: index,
    connectNulls: false,
    showSymbol: true,
    symbol: 'circle',
    symbolSize: 3,
    lineStyle: { width: 1.5, color },
    itemStyle: { color },
  })
  return {
    animation: false,
    grid: [
      { left: 3, right: 3, top: 3, height: 15 },
      { left: 3, right: 3, bottom: 3, height: 15 },
    ],
    xAxis: [axis(0), axis(1)],
    yAxis: [values(0), values(1)],
    series: [line(chart.imbalancePp, 0, IMBALANCE_COLOR), line(chart.tvlUsd, 1, TVL_COLOR)],
  }
}

/** One stacked bar of the value shares, largest first, full width = 100%. */
function compositionOption(
  chart: Extract<ChartSpec, { kind: 'composition' }>,
): echarts.EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 0, right: 0, top: 0, bottom: 0 },
    xAxis: { type: 'value', show: false, min: 0, max: 1 },
    yAxis: { type: 'category', show: false, data: [''] },
    series: chart.shares.map((share, index) => ({
      type: 'bar',
      stack: 'shares',
      data: [share],
      barWidth: '100%',
      itemStyle: { color: chart.colors[index], borderColor: 'transparent' },
    })),
  }
}
