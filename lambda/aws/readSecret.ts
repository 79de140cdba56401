import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { ReportError } from '../errors.ts'

/**
 * Reads a secret's string value. The value is never part of an error or a log.
 *
 * @param client - the Secrets Manager client
 * @param secretId - name or ARN of the secret
 * @returns the value
 */
export async function readSecretString(
  client: SecretsManagerClient,
  secretId: string,
): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }))
  if (!SecretString) throw new ReportError(`Secret ${secretId} has no string value`)
  return SecretString
}

/**
 * Reads a secret holding a JSON object of strings, e.g. the RPC URLs
 * `{"RPC_URL_ETHEREUM": "https://…"}` keyed by the config's `rpcUrlEnv` names.
 *
 * @param client - the Secrets Manager client
 * @param secretId - name or ARN of the secret
 * @returns the object
 * @throws ReportError when the value is not such an object (the message names no value)
 */
export async function readSecretMap(
  client: SecretsManagerClient,
  secretId: string,
): Promise<Record<string, string>> {
  const text = await readSecretString(client, secretId)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !Object.values(value).every((entry) => typeof entry === 'string')
  ) {
    throw new ReportError(
      `Secret ${secretId} must be a JSON object of strings, e.g. {"RPC_URL_ETHEREUM": "https://…"}`,
    )
  }
  return value as Record<string, string>
}
