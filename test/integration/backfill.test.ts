import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEVNET_RPC_ENV } from '../../devnet/devnetConfig.ts'
import { type CliIo, main } from '../../lambda/cli.ts'
import { addDays } from '../../lambda/report/date.ts'
import { lastSimulatedDay, sharedDevnet } from '../support/devnet.ts'

const devnet = sharedDevnet()
const CONFIG = path.join(import.meta.dirname, '..', '..', 'config', 'devnet.json')
const lastDay = lastSimulatedDay()
const firstDay = addDays(lastDay, 1 - devnet.days)
/** Three simulated days, and the day before them, which starts before the chain's genesis. */
const days = [firstDay, addDays(firstDay, 1), addDays(firstDay, 2)]
const beforeGenesis = addDays(firstDay, -1)
let root: string

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pool-report-backfill-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function cli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    env: { [DEVNET_RPC_ENV]: devnet.rpcUrl },
    now: () => new Date(Number(devnet.endTime) * 1000 + 3_600_000),
  }
  return { status: await main(args, io), stdout, stderr }
}

/** Every file under a folder with its bytes, but the delivery records (they hold the time they were claimed). */
async function files(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const paths = entries
    .filter((entry) => entry.isFile() && !entry.parentPath.endsWith('deliveries'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort()
  return new Map(
    await Promise.all(
      paths.map(async (file) => [file, await readFile(path.join(dir, file))] as const),
    ),
  )
}

test('a local backfill writes the files of single-date runs, and lists the date that failed', async () => {
  // Both runs write to the same folder (the emails link to their files by path).
  const out = path.join(root, 'out')
  for (const day of days) {
    const single = await cli(['run', '--config', CONFIG, '--date', day, '--out', out])
    expect(single.status, single.stderr).toBe(0)
  }
  const singleOut = path.join(root, 'single')
  await rename(out, singleOut)

  const backfill = await cli([
    'backfill',
    '--local',
    '--config',
    CONFIG,
    '--out',
    out,
    '--from',
    beforeGenesis,
    '--to',
    days[2]!,
    '--concurrency',
    '2',
  ])
  expect(backfill.stderr).toBe('')
  // One date failed: the exit status says so, and the other dates stand.
  expect(backfill.status).toBe(1)
  const lines = backfill.stdout.trim().split('\n')
  // Not a terminal: a plain line per finished date, with its position, and no bar.
  expect(backfill.stdout).not.toContain('\r')
  const progress = lines.filter((line) => /^\[\d\/4\] /.test(line))
  expect(progress.map((line) => line.slice(0, 5))).toEqual(['[1/4]', '[2/4]', '[3/4]', '[4/4]'])
  // Every devnet pool but the one misconfigured on purpose.
  const readable =
    (JSON.parse(await readFile(CONFIG, 'utf8')) as { pools: unknown[] }).pools.length - 1
  for (const day of days)
    expect(progress).toContainEqual(
      `[${progress.findIndex((line) => line.includes(day)) + 1}/4] ${day} ok: ${readable} pools reported, 1 could not be read`,
    )
  expect(progress.find((line) => line.includes(beforeGenesis))).toMatch(
    new RegExp(
      `^\\[\\d/4\\] ${beforeGenesis} FAILED: cannot report ${beforeGenesis} on devnet: the day starts before the chain existed`,
    ),
  )
  expect(lines).toContain('3 of 4 dates reported.')
  expect(lines).toContainEqual(
    expect.stringMatching(new RegExp(`^  ${beforeGenesis} failed: cannot report`)),
  )

  const expected = await files(singleOut)
  const actual = await files(out)
  expect([...actual.keys()]).toEqual([...expected.keys()])
  // Seven files per date (the digest's alert state under state/ is shared by the dates).
  expect([...actual.keys()].filter((file) => file.includes('/dt=')).length).toBe(days.length * 7)
  // The dates' own files; the alert state (state/) follows the order the dates finish in, which
  // a concurrent backfill does not fix.
  for (const [file, bytes] of expected)
    if (file.includes('/dt=')) expect(actual.get(file)?.equals(bytes), file).toBe(true)
})

test('a backfill with a bad range fails before anything runs', async () => {
  const reversed = await cli([
    'backfill',
    '--local',
    '--config',
    CONFIG,
    '--from',
    days[1]!,
    '--to',
    days[0]!,
  ])
  expect(reversed.status).toBe(2)
  expect(reversed.stderr).toContain(`--to: ${days[0]} is before --from (${days[1]})`)
  const noTarget = await cli(['backfill', '--from', days[0]!, '--to', days[1]!])
  expect(noTarget.status).toBe(2)
  expect(noTarget.stderr).toContain('--state-machine ARN is required')
  const badConcurrency = await cli([
    'backfill',
    '--local',
    '--config',
    CONFIG,
    '--from',
    days[0]!,
    '--to',
    days[1]!,
    '--concurrency',
    '0',
  ])
  expect(badConcurrency.stderr).toContain('--concurrency: "0" is not a whole number from 1 to 40')
})
