import path from 'node:path'
import type { App } from 'aws-cdk-lib'
import { loadConfigFile } from '../lambda/config/loadConfig.ts'
import { ROOT } from './bundling.ts'
import { PoolReportStack } from './poolReportStack.ts'
import { parseSettings, SETTING_KEYS } from './settings.ts'

/**
 * Adds the pool report stack to an app, from the app's context: the deployment settings,
 * `stackName` (default `PoolReport`), and the pool config file, validated here so a bad
 * config fails the deploy, not the first run.
 *
 * @param app - the CDK app
 * @returns the stack
 */
export async function addPoolReportStack(app: App): Promise<PoolReportStack> {
  const settings = parseSettings(
    Object.fromEntries(SETTING_KEYS.map((key) => [key, app.node.tryGetContext(key)])),
  )
  const { config } = await loadConfigFile(path.resolve(ROOT, settings.configFile))
  const account = process.env.CDK_DEFAULT_ACCOUNT
  const region = process.env.CDK_DEFAULT_REGION
  return new PoolReportStack(app, app.node.tryGetContext('stackName') ?? 'PoolReport', {
    description: 'Daily AMM pool imbalance report (pool-imbalance-report)',
    settings,
    config,
    ...((account || region) && {
      env: { ...(account && { account }), ...(region && { region }) },
    }),
  })
}
