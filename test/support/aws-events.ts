/**
 * Event shapes as AWS delivers them to a function, for the handler tests and the bundled-handler
 * test: the S3 event notification S3 sends for a stored object (here: one SES stored), and an SQS
 * record carrying a message body.
 */
import type { SQSRecord } from 'aws-lambda';

/** The JSON S3 sends for ObjectCreated:Put of `key` (the key URL-encoded as S3 writes it, `/` kept). */
export function s3ObjectCreated(bucket: string, key: string, size: number, eventTime = '2026-11-28T07:45:10.000Z') {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime,
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:SES' },
        requestParameters: { sourceIPAddress: '10.0.0.1' },
        responseElements: { 'x-amz-request-id': 'R', 'x-amz-id-2': 'I' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'raw-mail',
          bucket: { name: bucket, ownerIdentity: { principalId: 'P' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size, eTag: 'e', sequencer: '0A1B2C' },
        },
      },
    ],
  };
}

/** An SQS record as the Lambda event source mapping delivers it. */
export function sqsRecord(body: string, messageId: string, queue = 'queue', sentTimestamp = '1795851910000'): SQSRecord {
  return {
    messageId,
    receiptHandle: 'rh',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: sentTimestamp, SenderId: 'S3', ApproximateFirstReceiveTimestamp: sentTimestamp },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
    awsRegion: 'us-east-1',
  };
}
