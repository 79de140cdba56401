/**
 * `npm start`: the whole product on a laptop, with no AWS and no internet. Builds the devnet
 * (a simulated week of trading ending at the last UTC midnight), runs the daily report for
 * the last full day with `config/devnet.json`, prints the summary, and stops the chain.
 */
import path from 'node:path'
import { main } from '../lambda/cli.ts'
import { addDays } from '../lambda/report/date.ts'
import { buildDevnet } from './buildDevnet.ts'
import { DEVNET_RPC_ENV } from './devnetConfig.ts'

const started = performance.now()
process.stdout.write(
  'Building the devnet: anvil, Uniswap contracts, tokens and feeds, and a simulated market...\n',
)
const devnet = await buildDevnet()
const lastDay = addDays(new Date(Number(devnet.endTime) * 1000).toISOString().slice(0, 10), -1)
process.stdout.write(
  `Simulated ${devnet.days} days of trading up to ${lastDay}T24:00Z (${devnet.pools.length} pools) in ${seconds(started)} s.\n`,
)
try {
  const out = process.env.OUT_DIR ?? 'out'
  process.exitCode = await main(
    // --force: the demo always renders the digest afresh, even over an earlier run's.
    [
      'run',
      '--config',
      path.join('config', 'devnet.json'),
      '--date',
      lastDay,
      '--out',
      out,
      '--force',
    ],
    {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      env: { ...process.env, [DEVNET_RPC_ENV]: devnet.rpcUrl },
      now: () => new Date(),
    },
  )
  process.stdout.write(
    `\nOpen ${path.resolve(out, 'emails', `dt=${lastDay}`, 'daily.html')} to see the email digest.\n`,
  )
  process.stdout.write(`Done in ${seconds(started)} s.\n`)
} finally {
  await devnet.anvil.stop()
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1)
}
