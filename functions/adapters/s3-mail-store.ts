/**
 * MailStore on the S3 bucket SES writes raw messages to. One GetObject per message; the size is
 * checked from ContentLength before the body is read, so an oversized message is never loaded
 * into the Lambda's memory.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type MailStore, type StoredMail } from '../domain/ports';
import { MailNotFoundError, MailTooLargeError } from '../domain/errors';

export class S3MailStore implements MailStore {
  constructor(private readonly opts: { client: S3Client; bucket: string }) {
    if (!opts.bucket) throw new TypeError('S3MailStore: bucket is required');
  }

  get bucket(): string {
    return this.opts.bucket;
  }

  async get(location: string, maxBytes: number): Promise<StoredMail> {
    let res;
    try {
      res = await this.opts.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: location }));
    } catch (err) {
      if (err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound')) {
        throw new MailNotFoundError(location, { cause: err });
      }
      throw err;
    }
    const size = res.ContentLength;
    if (size !== undefined && size > maxBytes) {
      // Release the socket without reading the body.
      await destroyBody(res.Body);
      throw new MailTooLargeError(location, size, maxBytes);
    }
    if (!res.Body) throw new MailNotFoundError(location);
    const raw = Buffer.from(await res.Body.transformToByteArray());
    if (raw.length > maxBytes) throw new MailTooLargeError(location, raw.length, maxBytes);
    return { raw, size: raw.length };
  }
}

async function destroyBody(body: unknown): Promise<void> {
  const b = body as { destroy?: () => void; cancel?: () => Promise<void> } | undefined;
  if (b?.destroy) b.destroy();
  else if (b?.cancel) await b.cancel().catch(() => undefined);
}
