import {
  CopyObjectCommand,
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
 * type. `putIfAbsent` and `putIfMatch` are S3 conditional writes (`If-None-Match: *`, `If-Match`);
 * `move` is a server-side copy (content type included) and a delete.
 *
 * @param options - client, bucket, prefix, link maker
 * @returns the store
 */
export function createS3Store({ client, bucket, prefix, linkFor }: S3StoreOptions): ObjectStore {
  const put = (
    key: string,
    body: string | Uint8Array,
    contentType: string,
    condition: { IfNoneMatch?: '*'; IfMatch?: string } = {},
  ) =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: prefix + key,
        Body: body,
        ContentType: contentType,
        ...condition,
      }),
    )
  const conditional = async (write: Promise<unknown>) => {
    try {
      await write
      return true
    } catch (error) {
      // 412: the condition failed (the object exists, changed or vanished); 409: a concurrent
      // conditional write to the same key won; 404: an If-Match on an object deleted meanwhile.
      if (error instanceof S3ServiceException && [404, 409, 412].includes(statusOf(error)))
        return false
      throw error
    }
  }
  const get = async (key: string) => {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + key }))
      return { text: await object.Body!.transformToString('utf-8'), etag: object.ETag ?? '' }
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined
      throw error
    }
  }
  return {
    async put(key, body, contentType) {
      await put(key, body, contentType)
    },
    putIfAbsent(key, body, contentType) {
      return conditional(put(key, body, contentType, { IfNoneMatch: '*' }))
    },
    putIfMatch(key, body, contentType, etag) {
      return conditional(put(key, body, contentType, { IfMatch: etag }))
    },
    getVersioned: get,
    async getText(key) {
      return (await get(key))?.text
    },
    async move(from, to) {
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: prefix + to,
          // Layout keys are URL-safe but for `=`; encodeURI keeps `/` and `=` as S3 reads them.
          CopySource: encodeURI(`${bucket}/${prefix}${from}`),
        }),
      )
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + from }))
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
