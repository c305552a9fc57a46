/**
 * SQS (one message per seller, from the dispatcher) -> sync that seller's orders.
 *
 * Partial batch failures: a record fails only on an unexpected error (storage, a bug, an event
 * that could not be published); SQS then redelivers it and, after maxReceiveCount, the DLQ keeps
 * it. Known SP-API failures (throttled, 5xx, invalid_grant) are not failures of the message: they
 * are recorded in the sync health, counted in metrics, and the next schedule tries again.
 * Each record gets the time left in the invocation minus a margin; the sync saves its page token
 * and stops before that.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { FAILURE_REASON_DIMENSION, ORDER_SYNC_METRICS } from '../metrics';
import { syncSellerOrders, type SyncOrdersDeps, type SyncOrdersResult } from '../services/sync-orders';
import { wireSyncWorker } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';
import { loggingFailures } from './log-errors';

export interface WorkerDeps {
  sync: SyncOrdersDeps;
  logger: Logger;
  metrics: Metrics;
  overlapMs: number;
  /** Stop this long before the Lambda deadline (default 15 s). */
  marginMs?: number;
}

const MessageSchema = z.object({ sellerId: z.string().min(1) });

export function recordMetrics(metrics: Metrics, r: SyncOrdersResult): void {
  metrics.addMetric(ORDER_SYNC_METRICS.ORDERS_SYNCED, MetricUnit.Count, r.ordersSeen);
  metrics.addMetric(ORDER_SYNC_METRICS.ORDERS_WRITTEN, MetricUnit.Count, r.ordersWritten);
  metrics.addMetric(ORDER_SYNC_METRICS.THROTTLED_CALLS, MetricUnit.Count, r.throttledCalls);
  for (const reason of r.failures) {
    const m = metrics.singleMetric();
    m.addDimension(FAILURE_REASON_DIMENSION, reason);
    m.addMetric(ORDER_SYNC_METRICS.SYNC_FAILURES, MetricUnit.Count, 1);
  }
}

export function makeHandler(deps: WorkerDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  return lambdaChain(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const recordHandler = loggingFailures(deps.logger, async (record: SQSRecord) => {
      const { sellerId } = MessageSchema.parse(JSON.parse(record.body));
      const deadlineMs = deps.sync.now() + context.getRemainingTimeInMillis() - (deps.marginMs ?? 15_000);
      const result = await syncSellerOrders(deps.sync, {
        sellerId,
        // The message ID, not the request ID: a redelivery of the same message while the first
        // delivery still runs is another owner and finds the lease taken.
        owner: `${context.awsRequestId}/${record.messageId}`,
        deadlineMs,
        overlapMs: deps.overlapMs,
      });
      recordMetrics(deps.metrics, result);
      deps.logger.info('order sync', {
        sellerId: result.sellerId,
        status: result.status,
        pages: result.pages,
        ordersSeen: result.ordersSeen,
        ordersWritten: result.ordersWritten,
        throttledCalls: result.throttledCalls,
        regions: result.regions,
      });
      return result.status;
    });
    // Every record is reported on its own (each failure was logged): a whole batch failing is
    // answered with all of them in batchItemFailures, never hidden behind FullBatchFailureError.
    return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
  }, { logger: deps.logger, metrics: deps.metrics, coldStartMetric: false });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireSyncWorker(process.env)));
