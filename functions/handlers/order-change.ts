/**
 * SQS queue Amazon delivers SP-API ORDER_CHANGE notifications to -> update the order at once.
 * Partial batch failures: a message that cannot be parsed or applied is returned to the queue and
 * ends in the DLQ after maxReceiveCount, which keeps it for diagnosis. A notification for a
 * seller we do not know is consumed and counted (it will never succeed).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SentinelRepository } from '../domain/ports';
import type { Clock, OrderPolicy } from '../domain/types';
import { ORDER_SYNC_METRICS } from '../metrics';
import { applyOrderChange, parseOrderChange } from '../services/order-change';
import { wireOrderChange } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';
import { loggingFailures } from './log-errors';

export interface OrderChangeDeps {
  repo: SentinelRepository;
  policy: OrderPolicy;
  logger: Logger;
  metrics: Metrics;
  now: Clock;
}

export function makeHandler(deps: OrderChangeDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  return lambdaChain(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const recordHandler = loggingFailures(deps.logger, async (record: SQSRecord) => {
      const notification = parseOrderChange(record.body, `ORDER_CHANGE message ${record.messageId}`);
      const r = await applyOrderChange(deps.repo, notification, deps.now(), deps.policy);
      deps.metrics.addMetric(
        r.outcome === 'applied' ? ORDER_SYNC_METRICS.ORDER_CHANGES_APPLIED : ORDER_SYNC_METRICS.ORDER_CHANGES_IGNORED,
        MetricUnit.Count,
        1,
      );
      deps.logger.info('ORDER_CHANGE', { ...r, notificationId: notification.NotificationMetadata?.NotificationId });
      return r.outcome;
    });
    // Every record is reported on its own (each failure was logged): a whole batch failing is
    // answered with all of them in batchItemFailures, never hidden behind FullBatchFailureError.
    return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
  }, { logger: deps.logger, metrics: deps.metrics, coldStartMetric: false });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireOrderChange(process.env)));
