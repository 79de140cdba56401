import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startAnvil } from '../../devnet/anvil.ts'
import { buildDevnet, lastUtcMidnight } from '../../devnet/buildDevnet.ts'
import { type DevnetInfo, toDevnetInfo } from './devnetInfo.ts'

const ROOT = path.join(import.meta.dirname, '..', '..')
const CACHE_DIR = path.join(ROOT, '.devnet', 'cache')
/** What the simulated chain depends on: a change to any of these rebuilds it. */
const SOURCES = [
  'devnet',
  'lambda/chain',
  'lambda/protocols',
  'lambda/metrics',
  'package-lock.json',
]

/**
 * Builds and simulates the devnet once for the whole integration run, then serves it from a
 * state dump (with historical states, so reads at past blocks work). The dump is cached per
 * UTC day and source hash, so a second run the same day skips the simulation.
 */
export default async function setup(project: TestProject) {
  const endTime = lastUtcMidnight(new Date())
  const key = `${endTime}-${await hashSources()}`
  const stateFile = path.join(CACHE_DIR, `devnet-${key}.state.json`)
  const infoFile = path.join(CACHE_DIR, `devnet-${key}.info.json`)
  let info: Omit<DevnetInfo, 'rpcUrl'>
  try {
    // The info file is written after the dump is complete, so it marks a usable cache.
    info = JSON.parse(await readFile(infoFile, 'utf8'))
    await stat(stateFile)
  } catch {
    await rm(CACHE_DIR, { recursive: true, force: true })
    await mkdir(CACHE_DIR, { recursive: true })
    const devnet = await buildDevnet({ endTime, dumpState: stateFile })
    await devnet.anvil.stop()
    info = toDevnetInfo(devnet, '', stateFile)
    await writeFile(infoFile, JSON.stringify(info))
  }
  const shared = await startAnvil({ loadState: stateFile })
  project.provide('devnet', { ...info, rpcUrl: shared.rpcUrl })
  return async () => {
    await shared.stop()
  }
}

async function hashSources(): Promise<string> {
  const hash = createHash('sha256')
  const visit = async (relative: string) => {
    const absolute = path.join(ROOT, relative)
    if ((await stat(absolute)).isDirectory()) {
      for (const entry of (await readdir(absolute)).sort()) {
        if (entry !== 'build') await visit(path.join(relative, entry))
      }
    } else {
      hash.update(relative).update(await readFile(absolute))
    }
  }
  for (const source of SOURCES) await visit(source)
  return hash.digest('hex').slice(0, 12)
}
