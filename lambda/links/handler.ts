import { Logger } from '@aws-lambda-powertools/logger'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { readSecretString } from '../aws/readSecret.ts'
import { TELEMETRY } from '../aws/telemetry.ts'
import { type LinkEnvironment, parseLinkEnvironment } from './linkEnvironment.ts'
import { type LinkRejection, verifySignedLink } from './signedLink.ts'

const logger = new Logger({ serviceName: `${TELEMETRY.serviceName}-links` })
const s3 = new S3Client({})
const secretsManager = new SecretsManagerClient({})
/** Seconds the redirect target works: it is followed at once. */
const PRESIGNED_TTL_SECONDS = 300

let environment: LinkEnvironment | undefined
let linkSecret: Promise<string> | undefined

const REFUSALS: Record<LinkRejection, { statusCode: number; body: string }> = {
  'not-found': { statusCode: 404, body: 'Not found.\n' },
  'bad-signature': { statusCode: 403, body: 'This download link is not valid.\n' },
  expired: {
    statusCode: 403,
    body: 'This download link has expired. The file is still in the report bucket.\n',
  },
}

/**
 * The download-link function (behind a Lambda function URL): checks a link made by
 * `createLinkSigner` and redirects to a presigned S3 URL that works for five minutes. The
 * presigned URL is signed now, with this function's current credentials, so a link from
 * an email a week old still works.
 *
 * @param event - the function URL request
 * @returns a 302 to the object, or 403/404/405 with a short text
 */
export async function handler(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  environment ??= parseLinkEnvironment(process.env)
  const env = environment
  const method = event.requestContext.http.method
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'Only GET.\n', { Allow: 'GET, HEAD' })
  const verdict = verifySignedLink(
    {
      path: decodePath(event.rawPath),
      ...(event.queryStringParameters?.expires && {
        expires: event.queryStringParameters.expires,
      }),
      ...(event.queryStringParameters?.signature && {
        signature: event.queryStringParameters.signature,
      }),
    },
    await readLinkSecret(env),
    new Date(),
  )
  if ('rejected' in verdict) {
    logger.info('Link refused', { path: event.rawPath, reason: verdict.rejected })
    const refusal = REFUSALS[verdict.rejected]
    return text(refusal.statusCode, refusal.body)
  }
  const [folder, partition] = verdict.key.split('/')
  const location = await getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: env.bucket,
      Key: env.prefix + verdict.key,
      ResponseContentDisposition: `attachment; filename="${folder}-${partition!.slice(3)}.csv"`,
    }),
    { expiresIn: PRESIGNED_TTL_SECONDS },
  )
  logger.info('Link served', { key: verdict.key })
  return {
    statusCode: 302,
    headers: { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
  }
}

/** The HMAC key, read once per cold start; a failed read is retried by the next request. */
function readLinkSecret(env: LinkEnvironment): Promise<string> {
  linkSecret ??= readSecretString(secretsManager, env.linkSecretId).catch((error: unknown) => {
    linkSecret = undefined
    throw error
  })
  return linkSecret
}

function text(
  statusCode: number,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      ...headers,
    },
    body,
  }
}

/** The URL path decoded; a malformed escape gives a path no link matches. */
function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath)
  } catch {
    return ''
  }
}
