/**
 * Issue 11 moved each protocol into one folder (reads, day metrics, math) behind an adapter,
 * meant to change no byte of the report. This test holds that: it extracts the code before the
 * move from git (`PRE_MOVE_COMMIT`, with `git archive`), runs its report and the current one
 * on the shared devnet for the same date and pools, and compares every file they write.
 * When a later change alters the report's files on purpose, this test has served: delete it.
 * The digest (`emails/`) and its alert state (`state/`) changed on purpose since (issue 13), so
 * they are left out of the comparison: the data files still must not change by a byte.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEVNET_RPC_ENV } from '../../devnet/devnetConfig.ts'
import type { CliIo } from '../../lambda/cli.ts'
import { lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'

/** The last commit before the move (main at the time). */
const PRE_MOVE_COMMIT = '6bb63ae22a5e355d7c4c3d62bb06c811a53959e5'
const ROOT = path.join(import.meta.dirname, '..', '..')
// Inside the repository, so the old code resolves the same node_modules.
const OLD_TREE = path.join(ROOT, '.devnet', `pre-move-${PRE_MOVE_COMMIT}`)

const devnet = sharedDevnet()
const date = lastSimulatedDay()
let work: string

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'pool-report-move-'))
  await rm(OLD_TREE, { recursive: true, force: true })
  await mkdir(OLD_TREE, { recursive: true })
  const archive = path.join(work, 'pre-move.tar')
  execFileSync(
    'git',
    ['archive', '-o', archive, PRE_MOVE_COMMIT, 'lambda', 'templates', 'package.json'],
    {
      cwd: ROOT,
    },
  )
  execFileSync('tar', ['-xf', archive, '-C', OLD_TREE])
})
afterAll(async () => {
  await rm(OLD_TREE, { recursive: true, force: true })
  await rm(work, { recursive: true, force: true })
})

type Main = (args: string[], io: CliIo) => Promise<number>

async function runFiles(main: Main, config: string, out: string): Promise<Map<string, Buffer>> {
  const io: CliIo = {
    stdout: () => {},
    stderr: () => {},
    env: { [DEVNET_RPC_ENV]: devnet.rpcUrl },
    now: () => new Date(Number(devnet.endTime) * 1000 + 3_600_000),
  }
  await rm(out, { recursive: true, force: true })
  expect(await main(['run', '--config', config, '--date', date, '--out', out], io)).toBe(0)
  const entries = await readdir(out, { recursive: true, withFileTypes: true })
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(out, path.join(entry.parentPath, entry.name)))
    .sort()
  const data = files.filter((file) => !file.startsWith('emails/') && !file.startsWith('state/'))
  return new Map(
    await Promise.all(
      data.map(async (file) => [file, await readFile(path.join(out, file))] as const),
    ),
  )
}

test('the report of the devnet pools is byte-identical before and after the move', async () => {
  const oldCli = (await import(path.join(OLD_TREE, 'lambda', 'cli.ts'))) as { main: Main }
  const oldSchema = (await import(path.join(OLD_TREE, 'lambda', 'config', 'schema.ts'))) as {
    PROTOCOLS: readonly string[]
  }
  // The pools the old code can read: protocols added since are left out of both runs.
  const config = JSON.parse(await readFile(path.join(ROOT, 'config', 'devnet.json'), 'utf8'))
  config.pools = config.pools.filter((pool: { protocol: string }) =>
    oldSchema.PROTOCOLS.includes(pool.protocol),
  )
  const configFile = path.join(work, 'config.json')
  await writeFile(configFile, JSON.stringify(config))
  // One output folder for both runs: the digest links to it.
  const out = path.join(work, 'out')
  const before = await runFiles(oldCli.main, configFile, out)
  const { main } = await import('../../lambda/cli.ts')
  const after = await runFiles(main, configFile, out)

  expect([...after.keys()]).toEqual([...before.keys()])
  expect(before.get(`metrics/dt=${date}/metrics.csv`)?.toString()).toContain('curve-steth')
  for (const [file, content] of after) {
    if (file.includes('/deliveries/')) {
      // A delivery record holds the wall-clock time of the send: everything else must match.
      const { at: _atAfter, ...record } = JSON.parse(content.toString())
      const { at: _atBefore, ...recordBefore } = JSON.parse(before.get(file)!.toString())
      expect(record, file).toEqual(recordBefore)
    } else {
      expect(content.equals(before.get(file)!), file).toBe(true)
    }
  }
})
