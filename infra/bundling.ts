import path from 'node:path'
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs'
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'

/** The repository root. */
export const ROOT = path.join(import.meta.dirname, '..')

/**
 * A `require` for the CommonJS dependencies that an ESM bundle inlines (esbuild turns their
 * `require('node:…')` calls into this).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"

/** esbuild target matching the functions' runtime (Node.js 24). */
export const BUNDLE_TARGET = 'node24'

/**
 * How both functions are bundled: one minified ESM file with its dependencies, the AWS SDK
 * included (the version the tests ran, not the runtime's), and a source map for stack
 * traces. Local esbuild does the work, so synthesis needs neither Docker nor the network.
 *
 * @param extra - additional options (command hooks)
 * @returns the NodejsFunction bundling options
 */
export function bundlingOptions(extra: Partial<BundlingOptions> = {}): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    banner: ESM_REQUIRE_BANNER,
    bundleAwsSDK: true,
    externalModules: [],
    forceDockerBundling: false,
    ...extra,
  }
}

/**
 * V8 flags of the report function: a 64 MiB young generation (Node's default on a 1 GB
 * function is 8 MiB), because a run allocates a stream of short-lived strings, buffers and
 * promises per call, which then die young instead of being promoted and collected by full
 * GCs. `npm run bench:run` (10,000 pools, 512 MB budget) took 73 s with 32 MiB and 62 s with
 * 64 MiB, at 383 and 446 MB peak RSS (before the calls' buffers and `tuneGarbageCollector`,
 * which sets the one flag `NODE_OPTIONS` refuses).
 */
export const REPORT_V8_FLAGS = ['--max-semi-space-size=64'] as const

/** The digest's chart drawer, a file of its own beside the report bundle (see `loadDrawCharts`). */
export const CHARTS_ENTRY = path.join('lambda', 'email', 'drawCharts.ts')
export const CHARTS_FILE = 'drawCharts.mjs'

/**
 * The shell command that bundles the chart drawer beside a function's bundle, as the bundle
 * itself is built (ECharts would otherwise weigh on every cold start; it loads only when a
 * digest is sent).
 *
 * @param inputDir - the repository root as the bundler sees it
 * @param outputDir - the function's bundle folder
 * @returns one shell command
 */
export function chartsBundleCommand(inputDir: string, outputDir: string): string {
  return [
    `"${inputDir}/node_modules/.bin/esbuild"`,
    `"${inputDir}/${CHARTS_ENTRY}"`,
    '--bundle --platform=node --format=esm --minify --log-level=error',
    `--target=${BUNDLE_TARGET} --main-fields=module,main`,
    `--outfile="${outputDir}/${CHARTS_FILE}"`,
  ].join(' ')
}
