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
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbRepository, retentionFromEnv } from '../adapters/dynamodb/repository';
import { DynamoDbSyncState } from '../adapters/dynamodb/sync-state';
import { EventBridgeSyncEvents } from '../adapters/eventbridge-sync-events';
import { SecretsManagerCredentials } from '../adapters/secrets';
import { SpApiClient } from '../adapters/sp-api-client';
import { syncSellerOrders, type SyncOrdersDeps, type SyncOrdersResult } from '../services/sync-orders';
import { loadOrderSyncConfig } from '../order-sync-config';
import { FAILURE_REASON_DIMENSION, ORDER_SYNC_METRICS } from './order-sync-metrics';
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
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
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
  })
    .use(injectLambdaContext(deps.logger))
    .use(logMetrics(deps.metrics));
}

function wire(): WorkerDeps {
  const config = loadOrderSyncConfig();
  const ddb = new DynamoDBClient({});
  return {
    sync: {
      repo: new DynamoDbRepository({ client: ddb, tableName: config.tableName, retention: retentionFromEnv(process.env) }),
      state: new DynamoDbSyncState({ client: ddb, tableName: config.tableName }),
      api: new SpApiClient(),
      credentials: new SecretsManagerCredentials({ client: new SecretsManagerClient({}), prefix: config.secretsPrefix }),
      events: new EventBridgeSyncEvents(new EventBridgeClient({}), config.eventBusName),
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      policy: config.policy,
    },
    logger: new Logger(),
    metrics: new Metrics(),
    overlapMs: config.overlapMinutes * 60_000,
  };
}

// Wired on the first invocation (once per cold start), so importing this module has no side effects.
let wired: ReturnType<typeof makeHandler> | undefined;
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => (wired ??= makeHandler(wire()))(event, context);
