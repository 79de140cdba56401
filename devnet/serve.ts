/**
 * `npm run devnet`: builds the devnet, keeps it running on 127.0.0.1:8545 (or $DEVNET_PORT),
 * and writes `.devnet/config.json`, its report config with the node's URL, so the CLI can
 * be pointed at it by hand.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { addDays } from '../lambda/report/date.ts'
import { buildDevnet } from './buildDevnet.ts'
import { devnetConfig } from './devnetConfig.ts'

const port = Number(process.env.DEVNET_PORT ?? 8545)
const devnet = await buildDevnet({ port })
const config = devnetConfig(devnet)
config.chains.devnet = { chainId: 31337, rpcUrl: devnet.rpcUrl }
const configFile = path.join('.devnet', 'config.json')
await mkdir(path.dirname(configFile), { recursive: true })
await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`)

const lastDay = addDays(new Date(Number(devnet.endTime) * 1000).toISOString().slice(0, 10), -1)
const firstDay = addDays(lastDay, 1 - devnet.days)
process.stdout.write(`Devnet running at ${devnet.rpcUrl} with ${devnet.pools.length} pools; days ${firstDay} to ${lastDay} are simulated.
Config for it: ${configFile} (config/devnet.json is the same, with the default URL).

Report on any of those days, for example:
  npm run report -- run --config ${configFile} --date ${lastDay} --out out

Press Ctrl-C to stop.
`)
const stop = async () => {
  await devnet.anvil.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
