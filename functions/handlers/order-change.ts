/**
 * SQS queue Amazon delivers SP-API ORDER_CHANGE notifications to -> update the order at once.
 * Partial batch failures: a message that cannot be parsed or applied is returned to the queue and
 * ends in the DLQ after maxReceiveCount, which keeps it for diagnosis. A notification for a
 * seller we do not know is consumed and counted (it will never succeed).
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbRepository, retentionFromEnv } from '../adapters/dynamodb/repository';
import type { SentinelRepository } from '../domain/ports';
import type { OrderPolicy } from '../domain/types';
import { applyOrderChange, parseOrderChange } from '../services/order-change';
import { loadOrderSyncConfig } from '../order-sync-config';
import { ORDER_SYNC_METRICS } from './order-sync-metrics';
import { loggingFailures } from './log-errors';

export interface OrderChangeDeps {
  repo: SentinelRepository;
  policy: OrderPolicy;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
}

export function makeHandler(deps: OrderChangeDeps) {
  const processor = new BatchProcessor(EventType.SQS);
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const recordHandler = loggingFailures(deps.logger, async (record: SQSRecord) => {
      const notification = parseOrderChange(record.body, `ORDER_CHANGE message ${record.messageId}`);
      const r = await applyOrderChange(deps.repo, notification, new Date(deps.now()).toISOString(), deps.policy);
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
  })
    .use(injectLambdaContext(deps.logger))
    .use(logMetrics(deps.metrics));
}

function wire(): OrderChangeDeps {
  const config = loadOrderSyncConfig();
  return {
    repo: new DynamoDbRepository({ client: new DynamoDBClient({}), tableName: config.tableName, retention: retentionFromEnv(process.env) }),
    policy: config.policy,
    logger: new Logger(),
    metrics: new Metrics(),
    now: Date.now,
  };
}

let wired: ReturnType<typeof makeHandler> | undefined;
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => (wired ??= makeHandler(wire()))(event, context);
