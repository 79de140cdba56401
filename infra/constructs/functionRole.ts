import * as iam from 'aws-cdk-lib/aws-iam'
import type * as logs from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'

/**
 * An execution role that may write to its own log group and nothing else yet: no
 * `AWSLambdaBasicExecutionRole` managed policy, whose log permissions cover every group.
 *
 * @param scope - where the role goes
 * @param id - its id
 * @param logGroup - the function's log group
 * @returns the role; callers add what the function needs
 */
export function functionRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  })
  logGroup.grantWrite(role)
  return role
}
