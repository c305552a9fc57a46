/**
 * Tolerant zod schemas for what reaches the intake Lambda, and their translation into one
 * technology-free `MailArrival` per stored message.
 *
 * The production path is SES receipt rule -> S3 action -> S3 event notification -> SQS -> Lambda,
 * so an SQS record body is normally an S3 event notification (or the `s3:TestEvent` S3 sends when
 * the notification is configured, which is acknowledged and ignored). Bodies carrying an SES
 * notification (an SES S3 action with an SNS topic, delivered to SQS with raw delivery or inside
 * an SNS envelope) and the SES Lambda-action event are understood too, because they carry the
 * receipt with its verdicts and recipients.
 *
 * Why not Powertools' `SesSchema`: it requires `receipt.dmarcPolicy`, which SES sends only when
 * the message fails DMARC, so it rejects the AWS documentation's own sample
 * (test/fixtures/reference/ses, see its SOURCES.md), and it fixes `action.type` to `Lambda`. These schemas
 * require only what the intake needs and let every other field through (`z.looseObject`).
 */
import * as z from 'zod';
import { verdictsFromSesReceipt } from '../domain/authenticity';
import { SentinelError } from '../domain/errors';
import type { AuthVerdicts } from '../domain/types';

// ---- SES receipt ------------------------------------------------------------------------------

const Verdict = z.looseObject({ status: z.string() });

export const SesReceiptSchema = z.looseObject({
  timestamp: z.string(),
  processingTimeMillis: z.number().optional(),
  recipients: z.array(z.string()),
  spamVerdict: Verdict.optional(),
  virusVerdict: Verdict.optional(),
  spfVerdict: Verdict.optional(),
  dkimVerdict: Verdict.optional(),
  dmarcVerdict: Verdict.optional(),
  /** Present only when the message fails DMARC (AWS docs), so optional. */
  dmarcPolicy: z.string().optional(),
  action: z.looseObject({
    type: z.string(),
    bucketName: z.string().optional(),
    objectKey: z.string().optional(),
    objectKeyPrefix: z.string().optional(),
    topicArn: z.string().optional(),
    functionArn: z.string().optional(),
    invocationType: z.string().optional(),
  }),
});
export type SesReceipt = z.infer<typeof SesReceiptSchema>;

export const SesMailSchema = z.looseObject({
  timestamp: z.string(),
  source: z.string().optional(),
  messageId: z.string().min(1),
  destination: z.array(z.string()).optional(),
  headersTruncated: z.boolean().optional(),
  headers: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  commonHeaders: z.looseObject({}).optional(),
});

/** The event of an SES receipt rule's Lambda action. */
export const SesLambdaEventSchema = z.looseObject({
  Records: z.array(
    z.looseObject({
      eventSource: z.literal('aws:ses'),
      eventVersion: z.string().optional(),
      ses: z.looseObject({ mail: SesMailSchema, receipt: SesReceiptSchema }),
    }),
  ),
});

/** An SES "Received" notification (SNS action, or an S3 action with a topic). */
export const SesNotificationSchema = z.looseObject({
  notificationType: z.literal('Received'),
  mail: SesMailSchema,
  receipt: SesReceiptSchema,
  content: z.string().optional(),
});

// ---- S3 event notification --------------------------------------------------------------------

export const S3EventRecordSchema = z.looseObject({
  eventSource: z.literal('aws:s3'),
  eventName: z.string(),
  eventTime: z.string(),
  awsRegion: z.string().optional(),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(1), arn: z.string().optional() }),
    object: z.looseObject({
      key: z.string().min(1),
      size: z.number().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

export const S3EventNotificationSchema = z.looseObject({ Records: z.array(S3EventRecordSchema) });

/** What S3 sends once when a notification configuration is created. Carries no object. */
export const S3TestEventSchema = z.looseObject({ Service: z.literal('Amazon S3'), Event: z.literal('s3:TestEvent') });

const SnsEnvelopeSchema = z.looseObject({ Type: z.literal('Notification'), Message: z.string() });

// ---- translation ------------------------------------------------------------------------------

/** Verdicts as the SES receipt gives them, when the trigger carried one. */
export interface ReceiptFacts {
  recipients: string[];
  verdicts: AuthVerdicts;
  /** When SES received the message. */
  receivedAt: string;
}

/** One stored raw message to process. */
export interface MailArrival {
  bucket: string;
  key: string;
  /** SES message ID: the idempotency key (the last segment of the S3 object key). */
  messageId: string;
  /** Size in bytes, when the event says (S3 events do). */
  size?: number;
  /** When the object was stored / the message was received. */
  eventTime: string;
  receipt?: ReceiptFacts;
}

export type SqsBodyContent =
  | { kind: 'arrivals'; arrivals: MailArrival[] }
  /** Acknowledged and dropped: an S3 test event, or an S3 event that is not an object creation. */
  | { kind: 'ignored'; why: string };

/** The body does not have any known shape: a poison record, kept by the queue for inspection. */
export class UnrecognisedEventError extends SentinelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnrecognisedEventError';
  }
}

/**
 * Understand one SQS record body. Throws UnrecognisedEventError for anything else, so the record
 * fails, is retried and ends in the DLQ: a body we cannot read never silently disappears.
 */
export function parseSqsBody(body: string): SqsBodyContent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new UnrecognisedEventError('SQS body is not JSON', { cause: err });
  }
  const envelope = SnsEnvelopeSchema.safeParse(json);
  if (envelope.success) {
    try {
      json = JSON.parse(envelope.data.Message);
    } catch (err) {
      throw new UnrecognisedEventError('SNS Message is not JSON', { cause: err });
    }
  }
  if (S3TestEventSchema.safeParse(json).success) return { kind: 'ignored', why: 's3:TestEvent' };

  const s3 = S3EventNotificationSchema.safeParse(json);
  if (s3.success) {
    const arrivals: MailArrival[] = [];
    for (const r of s3.data.Records) {
      if (!r.eventName.startsWith('ObjectCreated:')) continue;
      const key = decodeS3Key(r.s3.object.key);
      // SES writes this object under the prefix when the rule is created, to test its access.
      if (key.endsWith(SES_SETUP_NOTIFICATION)) continue;
      arrivals.push({
        bucket: r.s3.bucket.name,
        key,
        messageId: messageIdFromKey(key),
        ...(r.s3.object.size === undefined ? {} : { size: r.s3.object.size }),
        eventTime: r.eventTime,
      });
    }
    return arrivals.length > 0 ? { kind: 'arrivals', arrivals } : { kind: 'ignored', why: 'no new message in the S3 event' };
  }

  const ses = SesNotificationSchema.safeParse(json);
  if (ses.success) {
    const { mail, receipt } = ses.data;
    const bucket = receipt.action.bucketName;
    if (receipt.action.type !== 'S3' || !bucket) {
      throw new UnrecognisedEventError(`SES notification of a ${receipt.action.type} action: no stored message to read`);
    }
    // SES stores the message at objectKeyPrefix + messageId; `objectKey` says so when present.
    const key = receipt.action.objectKey ?? `${receipt.action.objectKeyPrefix ?? ''}${mail.messageId}`;
    return {
      kind: 'arrivals',
      arrivals: [{ bucket, key, messageId: mail.messageId, eventTime: receipt.timestamp, receipt: receiptFacts(receipt) }],
    };
  }

  const shape = s3.error.issues[0];
  throw new UnrecognisedEventError(
    `SQS body is neither an S3 event notification nor an SES notification (${shape ? `${shape.path.join('.')}: ${shape.message}` : 'unknown shape'})`,
  );
}

/** The object SES writes when an S3 action is created or updated; not a message. */
export const SES_SETUP_NOTIFICATION = 'AMAZON_SES_SETUP_NOTIFICATION';

/** S3 event keys are URL-encoded with `+` for spaces. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** SES writes the object as `<prefix><messageId>`: the message ID is the last path segment. */
export function messageIdFromKey(key: string): string {
  const id = key.slice(key.lastIndexOf('/') + 1);
  if (!id) throw new UnrecognisedEventError(`S3 key ${JSON.stringify(key)} names no message`);
  return id;
}

/**
 * The receipt's recipients and verdicts. The verdict mapping is the email-understanding one
 * (functions/domain/authenticity.ts `verdictsFromSesReceipt`), so both trigger paths agree.
 */
export function receiptFacts(receipt: SesReceipt): ReceiptFacts {
  return {
    recipients: receipt.recipients.map((r) => r.toLowerCase()),
    receivedAt: receipt.timestamp,
    verdicts: verdictsFromSesReceipt(receipt),
  };
}
