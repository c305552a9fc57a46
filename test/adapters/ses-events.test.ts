/**
 * The tolerant event schemas against the published samples in test/fixtures/reference/ses/ (see
 * test/fixtures/reference/SOURCES.md), and the S3-event path the intake runs on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SesSchema } from '@aws-lambda-powertools/parser/schemas/ses';
import {
  SesLambdaEventSchema,
  SesNotificationSchema,
  UnrecognisedEventError,
  decodeS3Key,
  messageIdFromKey,
  parseSqsBody,
  receiptFacts,
} from '../../functions/adapters/ses-events';
import { SES_REFERENCE } from '../support/reference';

const REF = SES_REFERENCE;
const sample = (name: string): unknown => JSON.parse(readFileSync(join(REF, name), 'utf8'));

describe('SES event schemas against the reference samples', () => {
  test("the AWS docs' Lambda-action event (no dmarcPolicy) parses; Powertools' SesSchema rejects it", () => {
    const event = sample('lambda-action-event.awsdocs.json');
    expect(SesSchema.safeParse(event).success).toBe(false);
    const parsed = SesLambdaEventSchema.parse(event);
    const receipt = parsed.Records[0].ses.receipt;
    expect(receipt.dmarcPolicy).toBeUndefined();
    expect(receiptFacts(receipt)).toEqual({
      recipients: ['recipient@example.com'],
      receivedAt: '2019-08-05T21:30:02.028Z',
      verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'none', spam: 'pass', virus: 'pass', authservId: 'ses-receipt' },
    });
  });

  test("Powertools' own fixture (with dmarcPolicy) parses too", () => {
    const parsed = SesLambdaEventSchema.parse(sample('lambda-action-event.powertools-parser-base.json'));
    expect(parsed.Records[0].ses.receipt.dmarcPolicy).toBe('reject');
  });

  test('SNS-action notifications parse', () => {
    for (const name of ['sns-action-notification-message.awsdocs.json', 'sns-action-notification-example2.awsdocs.json']) {
      expect(SesNotificationSchema.safeParse(sample(name)).success).toBe(true);
    }
  });

  test('an S3-action notification names the stored object, with the receipt verdicts', () => {
    const body = readFileSync(join(REF, 's3-action-alert-notification.awsdocs.json'), 'utf8');
    expect(parseSqsBody(body)).toEqual({
      kind: 'arrivals',
      arrivals: [
        {
          bucket: 'my-S3-bucket',
          // The published sample's objectKey is not its messageId (see SOURCES.md): the key is read
          // from objectKey, the idempotency key is SES's messageId.
          key: '\\email',
          messageId: 'd6iitobk75ur44p8kdnnp7g2n800',
          eventTime: '2015-09-11T20:32:33.936Z',
          receipt: {
            recipients: ['recipient@example.com'],
            receivedAt: '2015-09-11T20:32:33.936Z',
            verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'none', spam: 'pass', virus: 'pass', authservId: 'ses-receipt' },
          },
        },
      ],
    });
    // The same inside an SNS envelope (SNS -> SQS without raw delivery).
    const enveloped = JSON.stringify({ Type: 'Notification', MessageId: 'm', Message: body });
    expect(parseSqsBody(enveloped)).toEqual(parseSqsBody(body));
  });

  test('the verbatim published S3-action sample is not JSON and is refused, not guessed at', () => {
    const verbatim = readFileSync(join(REF, 's3-action-alert-notification.awsdocs.verbatim.txt'), 'utf8');
    expect(() => parseSqsBody(verbatim)).toThrow(UnrecognisedEventError);
  });

  test('an SES notification of a non-S3 action has no stored message to read', () => {
    expect(() => parseSqsBody(JSON.stringify(sample('sns-action-notification-message.awsdocs.json')))).toThrow(/SNS action/);
  });
});

describe('S3 event notifications', () => {
  const record = (key: string, eventName = 'ObjectCreated:Put') => ({
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    eventTime: '2026-11-28T07:45:10.000Z',
    eventName,
    s3: { bucket: { name: 'raw-mail' }, object: { key, size: 1234 } },
  });

  test('object created under the prefix -> one arrival, message ID from the key', () => {
    expect(parseSqsBody(JSON.stringify({ Records: [record('inbound/0100abc')] }))).toEqual({
      kind: 'arrivals',
      arrivals: [{ bucket: 'raw-mail', key: 'inbound/0100abc', messageId: '0100abc', size: 1234, eventTime: '2026-11-28T07:45:10.000Z' }],
    });
  });

  test('keys are URL-decoded', () => {
    expect(decodeS3Key('inbound/a+b%3Dc')).toBe('inbound/a b=c');
    expect(messageIdFromKey('inbound/x/y')).toBe('y');
    expect(() => messageIdFromKey('inbound/')).toThrow(UnrecognisedEventError);
  });

  test("the s3:TestEvent, SES's setup object and non-creation events are ignored; garbage is refused", () => {
    expect(parseSqsBody(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' }))).toEqual({ kind: 'ignored', why: 's3:TestEvent' });
    expect(parseSqsBody(JSON.stringify({ Records: [record('inbound/x', 'ObjectRemoved:Delete')] }))).toMatchObject({ kind: 'ignored' });
    expect(parseSqsBody(JSON.stringify({ Records: [record('inbound/AMAZON_SES_SETUP_NOTIFICATION')] }))).toMatchObject({ kind: 'ignored' });
    expect(() => parseSqsBody('not json')).toThrow(UnrecognisedEventError);
    expect(() => parseSqsBody('{"Records":[{"eventSource":"aws:sqs"}]}')).toThrow(UnrecognisedEventError);
  });
});
