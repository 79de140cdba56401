/**
 * `npm run devnet`: builds the devnet and keeps it running on 127.0.0.1:8545 (or $DEVNET_PORT),
 * so the CLI can be pointed at it by hand with `config/devnet.json`.
 */
import { addDays } from '../lambda/report/date.ts'
import { buildDevnet } from './buildDevnet.ts'
import { DEVNET_RPC_ENV } from './devnetConfig.ts'

const port = Number(process.env.DEVNET_PORT ?? 8545)
const devnet = await buildDevnet({ port })
const lastDay = addDays(new Date(Number(devnet.endTime) * 1000).toISOString().slice(0, 10), -1)
const firstDay = addDays(lastDay, 1 - devnet.days)
const env = port === 8545 ? '' : `${DEVNET_RPC_ENV}=${devnet.rpcUrl} `
process.stdout.write(`Devnet running at ${devnet.rpcUrl} with ${devnet.pools.length} pools; days ${firstDay} to ${lastDay} are simulated.

Report on any of them, for example:
  ${env}npm run report -- run --config config/devnet.json --date ${lastDay} --out out

Press Ctrl-C to stop.
`)
const stop = async () => {
  await devnet.anvil.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
