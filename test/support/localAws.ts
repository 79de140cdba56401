import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import S3rver from 's3rver'
// @ts-expect-error: s3rver ships no types; its S3Error renders the XML error S3 answers with.
import S3Error from 's3rver/lib/models/error.js'

/** Credentials s3rver accepts by default; the other local services accept any. */
export const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' }

export interface LocalService {
  /** `http://127.0.0.1:PORT`: an IP, so the S3 client addresses buckets path-style. */
  readonly endpoint: string
  readonly stop: () => Promise<void>
}

/** A request s3rver is about to serve, for `failWhen`. */
export interface S3Request {
  readonly method: string
  /** The object key, without the bucket. */
  readonly key: string
  /** A conditional write (`If-None-Match` or `If-Match`). */
  readonly conditional: boolean
}

/**
 * Starts s3rver on a free loopback port with the given buckets, in a fresh folder.
 *
 * s3rver 3.7 honours `If-None-Match` and `If-Match` on GET only and ignores them on PUT,
 * where S3 refuses the write with 412 PreconditionFailed when the key exists (for
 * `If-None-Match: *`) or has another ETag (for `If-Match`), 404 when an `If-Match` key is gone,
 * and 409 ConditionalRequestConflict while another conditional write to it is under way. The
 * delivery claim, the alert state and the date lock depend on that, so a first middleware adds S3's documented
 * behaviour. `failWhen` makes the server answer chosen requests with 500 InternalError, as S3
 * does in an outage (the SDK retries those, and gives up after its attempts).
 *
 * @param buckets - bucket names to create
 * @param directory - the folder to keep objects in (reuse it to restart a stopped server)
 * @returns the endpoint, the folder, a fault switch, and a stop function
 */
export async function startS3rver(
  buckets: readonly string[],
  directory?: string,
  port = 0,
): Promise<
  LocalService & {
    readonly directory: string
    readonly port: number
    /** Answers the requests the predicate picks with 500 (`undefined`: serve all again). */
    failWhen(predicate: ((request: S3Request) => boolean) | undefined): void
  }
> {
  const dir = directory ?? (await mkdtemp(path.join(tmpdir(), 's3rver-')))
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  })
  // s3rver is a Koa app; its types do not show the middleware stack and the store.
  const koa = server as unknown as S3rverInternals
  /** Conditional writes under way, by bucket and key, settled when done. */
  const creating = new Map<string, Promise<void>>()
  let failing: ((request: S3Request) => boolean) | undefined
  koa.middleware.unshift(async (ctx: S3rverContext, next: () => Promise<void>) => {
    const [bucket = '', ...path] = ctx.path.slice(1).split('/').map(decodeURIComponent)
    const key = path.join('/')
    const conditional = Boolean(ctx.headers['if-none-match'] || ctx.headers['if-match'])
    if (failing?.({ method: ctx.method, key, conditional })) {
      const outage = new S3Error(
        'InternalError',
        'We encountered an internal error. Please try again.',
      )
      outage.status = 500
      throw outage
    }
    const id = `${bucket}/${key}`
    // S3 reads are atomic; s3rver's are not while it rewrites an object: wait for the write.
    if (ctx.method === 'GET') await creating.get(id)
    const ifMatch = ctx.headers['if-match']
    if (ctx.method !== 'PUT' || (ctx.headers['if-none-match'] !== '*' && !ifMatch)) return next()
    // As in S3: a conditional write racing another one to the same key gets 409.
    if (creating.has(id)) {
      const conflict = new S3Error(
        'ConditionalRequestConflict',
        'A conflicting conditional operation is currently in progress against this resource.',
      )
      conflict.status = 409
      throw conflict
    }
    let written = () => {}
    creating.set(
      id,
      new Promise<void>((resolve) => {
        written = resolve
      }),
    )
    try {
      const exists = await koa.store.existsObject(bucket, key)
      if (ifMatch && !exists) {
        const gone = new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key })
        gone.status = 404
        throw gone
      }
      const holds = ifMatch ? (await koa.store.getMetadata(bucket, key)).etag === ifMatch : !exists
      if (!holds)
        throw new S3Error(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          { Condition: ifMatch ? 'If-Match' : 'If-None-Match' },
        )
      await next()
    } finally {
      creating.delete(id)
      written()
    }
  })
  // Outermost, so that it sees the errors of the middleware above.
  koa.middleware.unshift(async (ctx: S3rverContext, next: () => Promise<void>) => {
    try {
      await next()
    } catch (error) {
      // Answering before the body is read makes the client see a reset connection, not the error.
      if (!ctx.req.readableEnded) for await (const _chunk of ctx.req);
      throw error
    }
  })
  const address: AddressInfo = await server.run()
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    directory: dir,
    port: address.port,
    failWhen(predicate) {
      failing = predicate
    },
    stop: async () => {
      // Keep-alive connections outlive close(): drop them, or a pooled client still gets in.
      koa.httpServer?.closeAllConnections()
      await server.close()
    },
  }
}

interface S3rverInternals {
  readonly httpServer?: Server
  readonly middleware: ((ctx: S3rverContext, next: () => Promise<void>) => Promise<void>)[]
  readonly store: {
    existsObject(bucket: string, key: string): Promise<boolean>
    getMetadata(bucket: string, key: string): Promise<{ etag: string }>
  }
}

interface S3rverContext {
  readonly req: IncomingMessage
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string | undefined>
}

/** An email as aws-ses-v2-local stores it. */
export interface ReceivedEmail {
  readonly messageId: string
  readonly from: string
  readonly destination: { readonly to: readonly string[] }
  readonly subject: string
  readonly body: { readonly text?: string; readonly html?: string }
  /** Parts of a raw message besides its text and HTML; `content` in base64. */
  readonly attachments: readonly {
    readonly filename?: string
    readonly contentType: string
    readonly content: string
    /** An inline part of the HTML (`cid:` image), with its content id. */
    readonly related?: boolean
    readonly cid?: string
  }[]
  readonly at: number
}

/**
 * Starts aws-ses-v2-local on a free loopback port.
 *
 * @returns the endpoint, what it received (`GET /store`), a way to forget it, and stop
 */
export async function startSesLocal(
  port = 0,
): Promise<
  LocalService & { readonly port: number; readonly received: () => Promise<ReceivedEmail[]> }
> {
  // Required, not imported: its CommonJS `exports.default` interops differently under vitest.
  const { default: sesLocal } = createRequire(import.meta.url)(
    'aws-ses-v2-local',
  ) as typeof import('aws-ses-v2-local')
  const server = await sesLocal({ host: '127.0.0.1', port })
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    endpoint,
    port: (server.address() as AddressInfo).port,
    received: async () => {
      const response = await fetch(`${endpoint}/store`)
      return ((await response.json()) as { emails: ReceivedEmail[] }).emails
    },
    stop: () => closeServer(server),
  }
}

/**
 * A loopback endpoint that answers Secrets Manager's `GetSecretValue` (JSON 1.1 protocol)
 * from a fixed map. Secrets Manager has no local emulator on npm; this answers the one call
 * the functions make, so the real SDK client and its parsing run.
 *
 * @param secrets - secret id to value
 * @returns the endpoint, the ids asked for so far, and stop
 */
export async function startSecretsManagerLocal(
  secrets: Record<string, string>,
): Promise<LocalService & { readonly requested: string[] }> {
  const requested: string[] = []
  const server = createServer(async (request, response) => {
    const body = JSON.parse(await readBody(request)) as { SecretId?: string }
    const target = request.headers['x-amz-target']
    const id = body.SecretId ?? ''
    requested.push(id)
    const value = secrets[id]
    if (target !== 'secretsmanager.GetSecretValue' || value === undefined) {
      response.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' })
      response.end(
        JSON.stringify({
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        }),
      )
      return
    }
    response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' })
    response.end(
      JSON.stringify({
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`,
        Name: id,
        SecretString: value,
      }),
    )
  })
  return { ...(await listen(server)), requested }
}

/**
 * Serves a Lambda function URL handler on loopback: each HTTP request becomes the payload
 * format 2.0 event a function URL sends, the result becomes the response.
 *
 * @param handler - the function's handler
 * @returns the function URL (ends in `/`) and stop
 */
export async function serveFunctionUrl(
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>,
): Promise<LocalService & { readonly url: string }> {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const event = {
      version: '2.0',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      queryStringParameters: Object.fromEntries(url.searchParams),
      headers: request.headers,
      requestContext: { http: { method: request.method, path: url.pathname } },
      isBase64Encoded: false,
    }
    const result = await handler(event as unknown as APIGatewayProxyEventV2)
    response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>)
    response.end(result.body ?? '')
  })
  const service = await listen(server)
  return { ...service, url: `${service.endpoint}/` }
}

/**
 * Serves the Lambda `Invoke` API (`POST /2015-03-31/functions/NAME/invocations`) on
 * loopback, running the named handler in this process and answering as Lambda does,
 * including `X-Amz-Function-Error: Unhandled` with the error as the payload.
 *
 * @param functions - function name to handler
 * @returns the endpoint and stop
 */
export async function serveLambdaApi(
  functions: Record<string, (event: unknown) => Promise<unknown>>,
): Promise<LocalService> {
  const server = createServer(async (request, response) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? '')
    const handler = match ? functions[decodeURIComponent(match[1]!)] : undefined
    const payload = await readBody(request)
    if (!handler) {
      response.writeHead(404, {
        'Content-Type': 'application/json',
        'X-Amzn-ErrorType': 'ResourceNotFoundException',
      })
      response.end(JSON.stringify({ Type: 'User', Message: `Function not found: ${match?.[1]}` }))
      return
    }
    try {
      const result = await handler(payload ? JSON.parse(payload) : {})
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'X-Amz-Executed-Version': '$LATEST',
      })
      response.end(JSON.stringify(result ?? null))
    } catch (error) {
      const { name, message } = error as Error
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'X-Amz-Executed-Version': '$LATEST',
        'X-Amz-Function-Error': 'Unhandled',
      })
      response.end(JSON.stringify({ errorType: name, errorMessage: message, trace: [] }))
    }
  })
  return listen(server)
}

/** How one date of a scripted backfill ends, and after how many polls of the execution. */
export interface ScriptedDate {
  readonly finishesAtPoll: number
  /** The report function's result (`status: ok`, or `failed` with its error and cause). */
  readonly result: Record<string, unknown>
}

/**
 * A loopback endpoint that answers the Step Functions calls `pool-report backfill` makes
 * (JSON 1.0 protocol: `StartExecution`, `DescribeExecution`, `ListMapRuns`,
 * `ListExecutions` in pages of `pageSize`) for one scripted Distributed Map run: each poll of
 * the execution is a step of time, each date's child execution finishes at its step, and
 * the execution ends when every date has. No Step Functions emulator installs from npm;
 * this plays the service's side so that the real SDK client and the polling run.
 *
 * @param script - each date's outcome by date
 * @param pageSize - child executions per `ListExecutions` page
 * @returns the endpoint, the input the execution was started with, and stop
 */
export async function startStepFunctionsLocal(
  script: Record<string, ScriptedDate>,
  pageSize = 2,
): Promise<LocalService & { readonly started: () => unknown }> {
  const account = 'arn:aws:states:us-east-1:000000000000'
  const executionArn = `${account}:execution:backfill:run-1`
  const mapRunArn = `${account}:mapRun:backfill/Dates:run-1`
  let input: { items: { date: string }[] } | undefined
  let polls = 0
  const childArn = (date: string) => `${account}:execution:backfill/Dates:${date}`
  const childOf = (date: string) => {
    const finished = polls >= script[date]!.finishesAtPoll
    return {
      executionArn: childArn(date),
      status: finished ? 'SUCCEEDED' : 'RUNNING',
      input: JSON.stringify({ date }),
      ...(finished && { output: JSON.stringify({ date, ...script[date]!.result }) }),
    }
  }
  const answer = (target: string, body: Record<string, unknown>): unknown => {
    switch (target) {
      case 'StartExecution':
        input = JSON.parse(String(body.input))
        return { executionArn, startDate: Date.now() / 1000 }
      case 'DescribeExecution': {
        if (body.executionArn !== executionArn) {
          const date = String(body.executionArn).split(':').at(-1)!
          return childOf(date)
        }
        polls++
        const done = input!.items.every(({ date }) => polls >= script[date]!.finishesAtPoll)
        return { executionArn, status: done ? 'SUCCEEDED' : 'RUNNING' }
      }
      case 'ListMapRuns':
        // The map run exists from the second poll on, as the Map state takes a moment to start.
        return { mapRuns: polls < 2 ? [] : [{ executionArn, mapRunArn }] }
      case 'ListExecutions': {
        const from = Number(body.nextToken ?? 0)
        const page = input!.items.slice(from, from + pageSize)
        return {
          executions: page.map(({ date }) => {
            const { status, executionArn } = childOf(date)
            return { executionArn, status }
          }),
          ...(from + pageSize < input!.items.length && { nextToken: String(from + pageSize) }),
        }
      }
      default:
        throw new Error(`unexpected Step Functions call ${target}`)
    }
  }
  const server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target']).replace('AWSStepFunctions.', '')
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>
    response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' })
    response.end(JSON.stringify(answer(target, body)))
  })
  return { ...(await listen(server)), started: () => input }
}

async function listen(server: Server): Promise<LocalService> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => closeServer(server),
  }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  )
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Removes a folder made by `startS3rver`. */
export function removeFolder(directory: string): Promise<void> {
  return rm(directory, { recursive: true, force: true })
}
