import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type * as z from 'zod'
import { InvalidInputError } from '../errors.ts'
import { type Config, configSchema } from './schema.ts'

/**
 * Parses and validates a config object. Every problem is listed with its JSON path, so a
 * user can fix the file in one go.
 *
 * @param input - the parsed JSON
 * @param source - where it came from, for the error message
 * @returns the validated config, with addresses checksummed and defaults filled in
 * @throws InvalidInputError naming each bad field
 */
export function parseConfig(input: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(input)
  if (!result.success)
    throw new InvalidInputError(`Invalid ${source}`, formatIssues(result.error.issues))
  return result.data
}

/**
 * Reads, parses and validates a config file.
 *
 * @param file - path of the JSON file
 * @returns the validated config and a hash of its content (for the run manifest)
 */
export async function loadConfigFile(
  file: string,
): Promise<{ config: Config; configHash: string }> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    throw new InvalidInputError(`Cannot read config ${file}`, [(cause as Error).message])
  }
  return parseConfigText(text, file)
}

/**
 * Parses and validates the text of a config file, wherever it was read from.
 *
 * @param text - the file's content
 * @param source - where it came from (a path, an `s3://` URI), for error messages
 * @returns the validated config and a hash of the text (for the run manifest)
 * @throws InvalidInputError if the text is not JSON or not a valid config
 */
export function parseConfigText(
  text: string,
  source: string,
): { config: Config; configHash: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new InvalidInputError(`Config ${source} is not JSON`, [(cause as Error).message])
  }
  return { config: parseConfig(json, `config ${source}`), configHash: hashConfig(text) }
}

/** sha256 of the config text, short form. */
export function hashConfig(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}

/**
 * Turns zod issues into lines like `pools[2].address: "0xAbC…" has a wrong EIP-55 checksum`.
 *
 * @param issues - zod issues
 * @returns one line per issue
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${formatPath(issue.path) || '(top level)'}: ${issueMessage(issue)}`)
}

/** A bad record key says why (zod reports it as "Invalid key in record", the reason inside). */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_key' || issue.issues.length === 0) return issue.message
  return `invalid name: ${issue.issues.map((inner) => inner.message).join('; ')}`
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`
      const key = String(part)
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`
      return `[${JSON.stringify(key)}]`
    })
    .join('')
}
