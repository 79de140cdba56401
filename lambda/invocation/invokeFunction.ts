import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda'
import { ReportError } from '../errors.ts'
import type { ManualPayload } from './parseInvocation.ts'

/** The function's answer: its summary, or the error it failed with. */
export type InvokeResult =
  | { readonly ok: true; readonly summary: unknown }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string }

/**
 * Invokes the deployed report function synchronously with a manual payload, as
 * `aws lambda invoke` does.
 *
 * @param client - the Lambda client
 * @param functionName - name or ARN of the function
 * @param payload - the manual payload
 * @returns the summary, or the function's error
 */
export async function invokeFunction(
  client: LambdaClient,
  functionName: string,
  payload: ManualPayload,
): Promise<InvokeResult> {
  const response = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  )
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : 'null'
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ReportError(`Function ${functionName} answered with something that is not JSON`, {
      details: text.slice(0, 500),
    })
  }
  if (!response.FunctionError) return { ok: true, summary: body }
  const error = (body ?? {}) as { errorType?: string; errorMessage?: string }
  return {
    ok: false,
    errorType: error.errorType ?? response.FunctionError,
    errorMessage: error.errorMessage ?? text,
  }
}
