/**
 * The SES intake Lambda: SQS (S3 "object created" events for the raw mail SES stored) -> the
 * intake service, with partial batch failures. Thin: parse the event, call the service, count.
 *
 * - Each SQS record is processed on its own (Powertools `processPartialResponse`): a record that
 *   throws is reported in `batchItemFailures` and retried by SQS (then kept in the DLQ); the
 *   others are deleted. A poison *message* (oversized, virus, malformed MIME, parser exception)
 *   is not a failure: the service quarantines it, and the record succeeds.
 * - Unexpected errors (DynamoDB or S3 unavailable, another worker holding the message, a bug)
 *   throw, so the record is retried: nothing is swallowed, nothing is lost. Each failed record is
 *   logged once with its SQS message ID, error name, message and cause (handlers/log-errors.ts).
 * - Logs and metrics carry IDs, outcomes and reasons only: never subject, body or names.
 *
 * `makeHandler(deps)` builds it from its dependencies (tests pass local DynamoDB and S3); the
 * exported `handler` wires the real clients from the environment, read and validated once.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbIntakeLedger } from '../adapters/dynamodb/intake-ledger';
import { DynamoDbRepository, retentionFromEnv } from '../adapters/dynamodb/repository';
import { S3MailStore } from '../adapters/s3-mail-store';
import { parseSqsBody, UnrecognisedEventError, type MailArrival } from '../adapters/ses-events';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../constants';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../domain/inbound';
import { DEFAULT_POLICY } from '../domain/types';
import { reasonCode } from '../adapters/dynamodb/keys';
import { intakeMessage, type IntakeDeps, type IntakeResult } from '../services/intake';
import { loggingFailures } from './log-errors';

export const METRIC = {
  ACCEPTED: 'MailAccepted',
  DUPLICATE: 'MailDuplicate',
  REJECTED: 'MailRejected',
  QUARANTINED: 'MailQuarantined',
  /** Seconds from the order's purchase/payment time to the email's arrival (matched orders). */
  ARRIVAL_DELAY: 'MailArrivalDelay',
  /** Seconds from the Date header to arrival: time in transit (forwarding, greylisting). */
  TRANSIT_DELAY: 'MailTransitDelay',
  /** Orders named by accepted Sold, Ship Now emails (the "notified" step of the dashboard funnel). */
  ORDERS_NOTIFIED: 'OrdersNotified',
} as const;

/** The one dimension of the per-reason metrics (a fixed set of reason codes, never a seller). */
export const REASON_DIMENSION = 'reason';

export interface InboundMailDeps {
  intake: IntakeDeps;
  /** The bucket SES writes to; an event naming another bucket is refused (never read). */
  bucket: string;
  logger: Logger;
  metrics: Metrics;
  /** Wall clock; injected so tests can freeze time. */
  now?: () => Date;
}

export function makeHandler(deps: InboundMailDeps) {
  const { logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const processor = new BatchProcessor(EventType.SQS);

  const processArrival = async (arrival: MailArrival, context: Context): Promise<IntakeResult> => {
    if (arrival.bucket !== deps.bucket) {
      throw new UnrecognisedEventError(`event for bucket ${arrival.bucket}, expected ${deps.bucket}`);
    }
    const at = now();
    // The claim lasts until this invocation's deadline: after that a crashed attempt is taken over.
    const remaining = Math.max(context.getRemainingTimeInMillis?.() ?? 60_000, 1_000);
    return intakeMessage(deps.intake, {
      messageId: arrival.messageId,
      location: arrival.key,
      ...(arrival.size === undefined ? {} : { size: arrival.size }),
      receivedAt: arrival.receipt?.receivedAt ?? arrival.eventTime,
      ...(arrival.receipt ? { receipt: arrival.receipt } : {}),
      now: at.toISOString(),
      leaseUntil: new Date(at.getTime() + remaining).toISOString(),
    });
  };

  const recordHandler = loggingFailures(logger, async (record: SQSRecord, context: Context): Promise<void> => {
    const content = parseSqsBody(record.body);
    if (content.kind === 'ignored') {
      logger.info('event ignored', { sqsMessageId: record.messageId, why: content.why });
      return;
    }
    for (const arrival of content.arrivals) {
      const result = await processArrival(arrival, context);
      countAndLog(result);
    }
  });

  const countAndLog = (r: IntakeResult): void => {
    switch (r.outcome) {
      case 'accepted':
        metrics.addMetric(METRIC.ACCEPTED, MetricUnit.Count, 1);
        metrics.addMetric(METRIC.ORDERS_NOTIFIED, MetricUnit.Count, r.orderIds.length);
        if (r.facts.orderDelaySeconds !== null) metrics.addMetric(METRIC.ARRIVAL_DELAY, MetricUnit.Seconds, r.facts.orderDelaySeconds);
        if (r.facts.transitSeconds !== null) metrics.addMetric(METRIC.TRANSIT_DELAY, MetricUnit.Seconds, r.facts.transitSeconds);
        logger.info('mail accepted', {
          messageId: r.messageId,
          sellerId: r.sellerId,
          marketplace: r.marketplace,
          orders: r.orderIds.length,
          matched: r.matched.length,
          forwarded: r.facts.forwarding.forwarded,
          spf: r.facts.spf,
          dkim: r.facts.dkim,
          dmarc: r.facts.dmarc,
        });
        return;
      case 'duplicate':
        metrics.addMetric(METRIC.DUPLICATE, MetricUnit.Count, 1);
        logger.info('mail duplicate', { messageId: r.messageId, previous: r.previous });
        return;
      case 'rejected':
        reasonMetric(METRIC.REJECTED, r.reason);
        logger.info('mail rejected', { messageId: r.messageId, reason: r.reason, sellerId: r.sellerId });
        return;
      case 'quarantined':
        reasonMetric(METRIC.QUARANTINED, r.reason);
        logger.warn('mail quarantined', { messageId: r.messageId, reason: r.reason, detail: r.detail, sellerId: r.sellerId });
        return;
    }
  };

  const reasonMetric = (name: string, reason: string): void => {
    // Total without dimension (for alarms), and one per reason code (for diagnosis).
    metrics.addMetric(name, MetricUnit.Count, 1);
    const single = metrics.singleMetric();
    single.addDimension(REASON_DIMENSION, reasonCode(reason));
    single.addMetric(name, MetricUnit.Count, 1);
  };

  const base = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, {
      context,
      // Keep going after a failed record: the others of the batch must not wait for it.
      throwOnFullBatchFailure: false,
    });

  return middy(base)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

// ---- configuration and wiring ------------------------------------------------------------------

const positiveInt = z.coerce.number().int().positive();

export const InboundMailConfigSchema = z.object({
  [ENV.TABLE_NAME]: z.string().min(1),
  [ENV.MAIL_BUCKET]: z.string().min(1),
  [ENV.INBOUND_DOMAIN]: z.string().min(3),
  [ENV.MAX_MESSAGE_BYTES]: positiveInt.default(DEFAULT_MAX_MESSAGE_BYTES),
  [ENV.GRACE_MINUTES]: z.coerce.number().int().nonnegative().default(DEFAULT_POLICY.graceMinutes),
  [ENV.TRUSTED_AUTHSERV_ID]: z.string().min(1).optional(),
  [ENV.INTAKE_RETENTION_DAYS]: positiveInt.default(45),
});

export interface InboundMailConfig {
  tableName: string;
  bucket: string;
  inboundDomain: string;
  maxMessageBytes: number;
  graceMinutes: number;
  trustedAuthservId?: string;
  retentionDays: number;
}

/** Validate the environment once; a typo or a missing variable fails the cold start loudly. */
export function readInboundMailConfig(env: NodeJS.ProcessEnv): Readonly<InboundMailConfig> {
  const parsed = InboundMailConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`inbound-mail configuration: ${problems}`);
  }
  const e = parsed.data;
  return Object.freeze({
    tableName: e[ENV.TABLE_NAME],
    bucket: e[ENV.MAIL_BUCKET],
    inboundDomain: e[ENV.INBOUND_DOMAIN].toLowerCase(),
    maxMessageBytes: e[ENV.MAX_MESSAGE_BYTES],
    graceMinutes: e[ENV.GRACE_MINUTES],
    ...(e[ENV.TRUSTED_AUTHSERV_ID] ? { trustedAuthservId: e[ENV.TRUSTED_AUTHSERV_ID] } : {}),
    retentionDays: e[ENV.INTAKE_RETENTION_DAYS],
  });
}

export function wire(config: InboundMailConfig, clients: { dynamodb: DynamoDBClient; s3: S3Client }): InboundMailDeps {
  return {
    bucket: config.bucket,
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
    intake: {
      repo: new DynamoDbRepository({ client: clients.dynamodb, tableName: config.tableName, retention: retentionFromEnv(process.env) }),
      ledger: new DynamoDbIntakeLedger({
        client: clients.dynamodb,
        tableName: config.tableName,
        retention: { messageDays: config.retentionDays, rejectionDays: config.retentionDays, quarantineDays: config.retentionDays },
      }),
      mailStore: new S3MailStore({ client: clients.s3, bucket: config.bucket }),
      config: {
        inboundDomain: config.inboundDomain,
        maxMessageBytes: config.maxMessageBytes,
        ...(config.trustedAuthservId ? { trustedAuthservId: config.trustedAuthservId } : {}),
        requireVerdicts: true,
        policy: { ...DEFAULT_POLICY, graceMinutes: config.graceMinutes },
      },
    },
  };
}

let wired: ReturnType<typeof makeHandler> | undefined;

/**
 * The Lambda entry point. Built on the first invocation (the cold start), then reused: clients and
 * configuration are created once per container, not per invocation, and importing this module
 * (as the tests do) has no side effects.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  wired ??= makeHandler(wire(readInboundMailConfig(process.env), { dynamodb: new DynamoDBClient({}), s3: new S3Client({}) }));
  return wired(event, context);
};
