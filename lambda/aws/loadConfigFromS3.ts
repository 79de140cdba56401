import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { parseConfigText } from '../config/loadConfig.ts'
import type { Config } from '../config/schema.ts'
import { InvalidInputError } from '../errors.ts'

/**
 * Reads and validates the pool config from S3: the stack deploys it as an object, so a new
 * config is a deploy with another file, not a code change.
 *
 * @param client - the S3 client
 * @param uri - `s3://bucket/key`
 * @returns the config and the hash of its text (for the manifest)
 */
export async function loadConfigFromS3(
  client: S3Client,
  uri: string,
): Promise<{ config: Config; configHash: string }> {
  const { bucket, key } = parseS3Uri(uri)
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const text = await object.Body!.transformToString('utf-8')
  return parseConfigText(text, uri)
}

function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)
  if (!match)
    throw new InvalidInputError('Bad config location', [`"${uri}" is not s3://bucket/key`])
  return { bucket: match[1]!, key: match[2]! }
}
