import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Abi, Hex } from 'viem'

/** ABI and creation bytecode of one compiled contract. */
export interface Artifact {
  readonly abi: Abi
  readonly bytecode: Hex
}

const CONTRACTS_DIR = path.join(import.meta.dirname, 'contracts')
const BUILD_DIR = path.join(import.meta.dirname, 'build')

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[]
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
}

/**
 * Compiles the devnet's Solidity contracts with solc from npm, and caches the result under
 * `devnet/build/`, keyed by the sources and the compiler version (compiling takes seconds).
 *
 * @returns artifacts by contract name
 */
export async function compileContracts(): Promise<Record<string, Artifact>> {
  const files = (await readdir(CONTRACTS_DIR)).filter((file) => file.endsWith('.sol')).sort()
  const sources: Record<string, { content: string }> = {}
  for (const file of files)
    sources[file] = { content: await readFile(path.join(CONTRACTS_DIR, file), 'utf8') }

  const solc = createRequire(import.meta.url)('solc') as {
    version(): string
    compile(input: string): string
  }
  const key = createHash('sha256')
    .update(solc.version())
    .update(JSON.stringify(sources))
    .digest('hex')
    .slice(0, 16)
  const cacheFile = path.join(BUILD_DIR, `contracts-${key}.json`)
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, Artifact>
  } catch {
    // Not cached yet: compile below.
  }

  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error')
  if (errors.length > 0) {
    throw new Error(`solc failed:\n${errors.map((error) => error.formattedMessage).join('\n')}`)
  }
  const artifacts: Record<string, Artifact> = {}
  for (const contracts of Object.values(output.contracts)) {
    for (const [name, contract] of Object.entries(contracts)) {
      if (contract.evm.bytecode.object)
        artifacts[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` }
    }
  }
  await mkdir(BUILD_DIR, { recursive: true })
  await writeFile(cacheFile, JSON.stringify(artifacts))
  return artifacts
}
