// The CDK app of `cdk.json`: `npx cdk synth`, `npx cdk deploy -c sender=… -c configFile=…`.
import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { addPoolReportStack } from './addPoolReportStack.ts'

const app = new App()
await addPoolReportStack(app)
// Synthesis fails on any AwsSolutions finding that is not acknowledged with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
app.synth()
