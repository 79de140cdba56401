import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'

/** A running anvil node. */
export interface Anvil {
  readonly rpcUrl: string
  /** The node's process id (the benchmark reads its CPU time). */
  readonly pid: number | undefined
  /** Stops the node (and writes `dumpState` if one was asked for). */
  stop(): Promise<void>
}

export interface StartAnvilOptions {
  /** Genesis block timestamp (seconds). */
  readonly genesisTimestamp?: bigint
  /** Load a state written by an earlier `dumpState`, with its historical states. */
  readonly loadState?: string
  /** Write the state, with historical states, to this file on stop. */
  readonly dumpState?: string
  /** Mine only on `evm_mine` (the simulation controls every block's timestamp). */
  readonly noMining?: boolean
  /** Loopback port; a free one by default. */
  readonly port?: number
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
}

/**
 * Starts anvil from the `@foundry-rs/anvil` npm package on a free loopback port. The binary
 * comes from the platform package directly, so no install script is needed.
 *
 * @param options - genesis time, state to load or dump, mining mode
 * @returns the node's RPC URL and a `stop` function
 */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const args = [
    ['--host', '127.0.0.1'],
    ['--port', String(options.port ?? 0)],
    ['--chain-id', '31337'],
    // Uniswap V4 needs Cancun (transient storage); pinned so a newer anvil builds the same chain.
    ['--hardfork', 'cancun'],
    // Room for a whole simulated hour of trades in one block, and big multicalls.
    ['--gas-limit', '1000000000'],
    ['--order', 'fifo'],
    ['--disable-code-size-limit'],
    options.genesisTimestamp !== undefined ? ['--timestamp', String(options.genesisTimestamp)] : [],
    options.noMining ? ['--no-mining'] : [],
    options.loadState ? ['--load-state', options.loadState] : [],
    options.dumpState ? ['--dump-state', options.dumpState] : [],
    options.loadState || options.dumpState ? ['--preserve-historical-states'] : [],
  ].flat()
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const rpcUrl = await listeningUrl(child)
  return {
    rpcUrl,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      // SIGINT is anvil's graceful shutdown, which writes --dump-state.
      child.kill('SIGINT')
      await exited
    },
  }
}

function anvilBinary(): string {
  const name = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`]
  if (!name) throw new Error(`anvil has no npm package for ${process.platform}-${process.arch}`)
  const binary = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  return createRequire(import.meta.url).resolve(`${name}/bin/${binary}`)
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Listening on ([\d.]+:\d+)/.exec(output)
      if (match) {
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(`http://${match[1]}`)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => reject(new Error(`anvil exited with code ${code}:\n${output}`)))
    child.once('error', reject)
  })
}
