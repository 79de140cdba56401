/**
 * `npm run bench:cold-start`: bundles both functions exactly as the stack does (see
 * `infra/bundling.ts`) and prints, for each, the bundle size (raw and zipped, which is what
 * Lambda downloads) and how long a fresh Node.js process takes to import it: the part of a
 * cold start that the code controls. Measured on this machine's Node, not Lambda's.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { build } from 'esbuild'
import { BUNDLE_TARGET, CHARTS_ENTRY, ESM_REQUIRE_BANNER, ROOT } from '../infra/bundling.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 9)
const FUNCTIONS = {
  report: path.join(ROOT, 'lambda', 'handler.ts'),
  links: path.join(ROOT, 'lambda', 'links', 'handler.ts'),
}

const out = await mkdtemp(path.join(tmpdir(), 'cold-start-'))
try {
  for (const [name, entry] of Object.entries(FUNCTIONS)) {
    const outfile = path.join(out, name, 'index.mjs')
    const { metafile } = await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLE_TARGET,
      mainFields: ['module', 'main'],
      minify: true,
      sourcemap: 'external',
      sourcesContent: false,
      banner: { js: ESM_REQUIRE_BANNER },
      metafile: true,
      logLevel: 'error',
    })
    const code = await readFile(outfile)
    const importMs = Array.from({ length: RUNS }, () => timeImport(outfile)).sort((a, b) => a - b)
    console.log(`${name} function`)
    console.log(`  bundle      ${kib(code.length)} (zipped ${kib(deflateRawSync(code).length)})`)
    console.log(
      `  import      median ${importMs[RUNS >> 1]!.toFixed(0)} ms, min ${importMs[0]!.toFixed(0)} ms, max ${importMs.at(-1)!.toFixed(0)} ms (${RUNS} fresh processes, Node ${process.versions.node})`,
    )
    console.log(`  largest     ${largestPackages(metafile, outfile).join(', ')}`)
  }
  // The report's chart drawer is a file of its own, loaded only when a digest is sent.
  const charts = path.join(out, 'charts.mjs')
  await build({
    entryPoints: [path.join(ROOT, CHARTS_ENTRY)],
    outfile: charts,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    minify: true,
    logLevel: 'error',
  })
  const chartsCode = await readFile(charts)
  console.log('report chart drawer (loaded when a digest is sent)')
  console.log(
    `  bundle      ${kib(chartsCode.length)} (zipped ${kib(deflateRawSync(chartsCode).length)})`,
  )
} finally {
  await rm(out, { recursive: true, force: true })
}

/** Milliseconds a fresh `node` process spends in `import(file)`. */
function timeImport(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t)`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
  })
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`)
  return Number(result.stdout.trim())
}

/** The five packages (or source folders) that weigh most in the bundle. */
function largestPackages(
  metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> },
  outfile: string,
): string[] {
  const output = Object.entries(metafile.outputs).find(
    ([file]) => path.resolve(file) === path.resolve(outfile),
  )![1]
  const bytes = new Map<string, number>()
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
    const key = match ? match[1]! : input.split('/').slice(0, 2).join('/')
    bytes.set(key, (bytes.get(key) ?? 0) + bytesInOutput)
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, size]) => `${name} ${kib(size)}`)
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`
}
