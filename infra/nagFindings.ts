import { type CfnElement, Stack, Validations } from 'aws-cdk-lib'
import type { IConstruct } from 'constructs'

/**
 * How cdk-nag names a resource's ARN in an IAM finding: `<LogicalId.Arn>`.
 *
 * @param resource - an L2 construct (its default child is the CloudFormation resource)
 * @returns the name, e.g. `<BucketData05616C16.Arn>`
 */
export function arnInFinding(resource: IConstruct): string {
  const stack = Stack.of(resource)
  const logicalId = stack.resolve(stack.getLogicalId(resource.node.defaultChild as CfnElement))
  return `<${logicalId}.Arn>`
}

/**
 * Acknowledges cdk-nag `AwsSolutions-IAM5` findings for object wildcards under given
 * folders of a bucket: keys carry the date, so a statement names the folder, not a key.
 *
 * @param scope - the role (or an ancestor of its policy)
 * @param bucket - the bucket construct
 * @param folders - object key prefixes ending in `/`, e.g. `reports/metrics/`
 * @param reason - why the function needs every key under them
 */
export function acknowledgeObjectWildcards(
  scope: IConstruct,
  bucket: IConstruct,
  folders: readonly string[],
  reason: string,
): void {
  for (const folder of folders)
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnInFinding(bucket)}/${folder}*]`,
      reason,
    })
}
