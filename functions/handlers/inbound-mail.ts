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
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { reasonCode } from '../adapters/dynamodb/keys';
import { parseSqsBody, UnrecognisedEventError, type MailArrival } from '../adapters/ses-events';
import type { Clock } from '../domain/types';
import { INBOUND_MAIL_METRICS, REASON_DIMENSION } from '../metrics';
import { intakeMessage, type IntakeDeps, type IntakeResult } from '../services/intake';
import { systemClock, wireInboundMail } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';
import { loggingFailures } from './log-errors';

const METRIC = INBOUND_MAIL_METRICS;

export interface InboundMailDeps {
  intake: IntakeDeps;
  /** The bucket SES writes to; an event naming another bucket is refused (never read). */
  bucket: string;
  logger: Logger;
  metrics: Metrics;
  /** Wall clock; injected so tests can freeze time. */
  now?: Clock;
}

export function makeHandler(deps: InboundMailDeps) {
  const { logger, metrics } = deps;
  const now = deps.now ?? systemClock;
  const processor = new BatchProcessor(EventType.SQS);

  const processArrival = async (arrival: MailArrival, context: Context): Promise<IntakeResult> => {
    if (arrival.bucket !== deps.bucket) {
      throw new UnrecognisedEventError(`event for bucket ${arrival.bucket}, expected ${deps.bucket}`);
    }
    const at = now();
    const atMs = Date.parse(at);
    // The claim lasts until this invocation's deadline: after that a crashed attempt is taken over.
    const remaining = Math.max(context.getRemainingTimeInMillis?.() ?? 60_000, 1_000);
    return intakeMessage(deps.intake, {
      messageId: arrival.messageId,
      location: arrival.key,
      ...(arrival.size === undefined ? {} : { size: arrival.size }),
      receivedAt: arrival.receipt?.receivedAt ?? arrival.eventTime,
      ...(arrival.receipt ? { receipt: arrival.receipt } : {}),
      now: at,
      leaseUntil: new Date(atMs + remaining).toISOString(),
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

  return lambdaChain(base, { logger, metrics });
}

/**
 * The Lambda entry point. Built on the first invocation (the cold start), then reused: clients and
 * configuration are created once per container, not per invocation (functions/wiring.ts).
 */
export const handler = builtOnColdStart(() => makeHandler(wireInboundMail(process.env)));
