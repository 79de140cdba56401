import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import type { ObjectStore } from './objectStore.ts'

export interface S3StoreOptions {
  readonly client: S3Client
  readonly bucket: string
  /** Prepended to every layout key: `''` or ending in `/`, e.g. `reports/`. */
  readonly prefix: string
  /** The download link of a layout key (see `createLinkSigner`). */
  readonly linkFor: (key: string) => string
}

/**
 * An `ObjectStore` on an S3 bucket: the layout under a prefix, each object with its content
 * type. `putIfAbsent` is an S3 conditional write (`If-None-Match: *`).
 *
 * @param options - client, bucket, prefix, link maker
 * @returns the store
 */
export function createS3Store({ client, bucket, prefix, linkFor }: S3StoreOptions): ObjectStore {
  const put = (key: string, body: string | Uint8Array, contentType: string, ifNoneMatch?: '*') =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: prefix + key,
        Body: body,
        ContentType: contentType,
        ...(ifNoneMatch && { IfNoneMatch: ifNoneMatch }),
      }),
    )
  return {
    async put(key, body, contentType) {
      await put(key, body, contentType)
    },
    async putIfAbsent(key, body, contentType) {
      try {
        await put(key, body, contentType, '*')
        return true
      } catch (error) {
        // 412: the object exists; 409: a concurrent conditional write to the same key won.
        if (error instanceof S3ServiceException && [409, 412].includes(statusOf(error)))
          return false
        throw error
      }
    },
    async getText(key) {
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: prefix + key }),
        )
        return await object.Body!.transformToString('utf-8')
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined
        throw error
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + key }))
    },
    async linkFor(key) {
      return linkFor(key)
    },
  }
}

function statusOf(error: S3ServiceException): number {
  return error.$metadata.httpStatusCode ?? 0
}
