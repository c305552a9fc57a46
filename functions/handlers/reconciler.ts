/**
 * The reconciler Lambda (EventBridge schedule, every 5 minutes): one reconciler pass over the due
 * orders, alerts to the outbox; then notifications for unknown orders that stayed unmatched (also
 * read from the due index).
 * Thin: read the clock, call the services, log and count. It stops taking new work
 * `stopBeforeDeadlineMs` before the Lambda deadline (context.getRemainingTimeInMillis), so a run
 * never dies half-way through an order; what is left stays due for the next run.
 *
 * Unexpected errors (DynamoDB unavailable) throw, so the invocation fails, is retried, and the
 * schedule's DLQ keeps the event. A broken order never fails the run: it is logged and pushed back.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbIntakeLedger } from '../adapters/dynamodb/intake-ledger';
import { DynamoDbOutbox } from '../adapters/dynamodb/outbox';
import { DynamoDbRepository, retentionFromEnv } from '../adapters/dynamodb/repository';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../constants';
import type { AlertOutbox, LastEmailSource } from '../domain/ports';
import type { SentinelRepository } from '../domain/ports';
import { DEFAULT_POLICY, type OrderPolicy } from '../domain/types';
import { raiseUnknownOrderAlerts } from '../services/alert-sources';
import { reconcileDue } from '../services/reconcile';

export const METRIC = {
  DUE: 'ReconcileDueOrders',
  TRANSITIONS: 'ReconcileTransitions',
  ALERTS: 'AlertsRaised',
  FAILED: 'ReconcileFailedOrders',
  SKIPPED: 'ReconcileSkippedOrders',
  STOPPED_EARLY: 'ReconcileStoppedEarly',
  /** Orders that turned `missing` in this run (their Sold, Ship Now email did not come in time). */
  ORDERS_MISSING: 'OrdersMissing',
  /** Wall-clock duration of the reconcile pass (ms). */
  DURATION: 'ReconcileDuration',
  /** Items read from the due index (the reconciler's DynamoDB read cost grows with it). */
  ITEMS_READ: 'ReconcileItemsRead',
} as const;

export interface ReconcilerDeps {
  repo: SentinelRepository;
  outbox: AlertOutbox;
  lastEmails?: LastEmailSource;
  policy: OrderPolicy;
  logger: Logger;
  metrics: Metrics;
  /** Stop taking new work this long before the deadline. Default 10 s. */
  stopBeforeDeadlineMs?: number;
  now?: () => Date;
}

export interface ReconcilerSummary {
  now: string;
  dueOrders: number;
  transitions: number;
  alerts: number;
  failed: number;
  stoppedEarly: boolean;
}

export function makeHandler(deps: ReconcilerDeps) {
  const { logger, metrics } = deps;
  const clock = deps.now ?? (() => new Date());
  const margin = deps.stopBeforeDeadlineMs ?? 10_000;

  const base = async (_event: ScheduledEvent, context: Context): Promise<ReconcilerSummary> => {
    const now = clock().toISOString();
    const shouldStop = () => (context.getRemainingTimeInMillis?.() ?? Infinity) < margin;
    // Real elapsed time, not the injected clock (tests freeze `now`).
    const started = performance.now();
    const r = await reconcileDue(deps.repo, now, deps.policy, { shouldStop, alerting: { outbox: deps.outbox, ...(deps.lastEmails ? { lastEmails: deps.lastEmails } : {}) } });
    for (const e of r.settingsErrors) logger.warn('invalid alert settings; defaults used', { sellerId: e.sellerId, error: e.error.message });
    for (const f of r.failed) {
      logger.error('order failed; pushed back', { sellerId: f.sellerId, orderId: f.orderId, error: f.error as Error });
    }
    let alerts = r.alerts.length;
    // Unknown-order notifications, on every run: unmatched notifications come due through the due
    // index (receivedAt + the seller's unknownOrderHours), so this reads only what is due, and no
    // run depends on the schedule's phase (a rate() schedule fires at no particular minute).
    if (!shouldStop()) {
      const u = await raiseUnknownOrderAlerts({ repo: deps.repo, outbox: deps.outbox }, now, { shouldStop });
      for (const e of u.settingsErrors) logger.warn('invalid alert settings; defaults used', { sellerId: e.sellerId, error: e.error.message });
      for (const f of u.failed) logger.error('unknown-order sweep failed for a seller', { sellerId: f.sellerId, error: f.error as Error });
      alerts += u.created;
    }
    metrics.addMetric(METRIC.DUE, MetricUnit.Count, r.dueOrders);
    metrics.addMetric(METRIC.ORDERS_MISSING, MetricUnit.Count, r.transitions.filter((t) => t.to === 'missing').length);
    metrics.addMetric(METRIC.ITEMS_READ, MetricUnit.Count, r.itemsRead);
    metrics.addMetric(METRIC.DURATION, MetricUnit.Milliseconds, Math.round(performance.now() - started));
    metrics.addMetric(METRIC.TRANSITIONS, MetricUnit.Count, r.transitions.length);
    metrics.addMetric(METRIC.ALERTS, MetricUnit.Count, alerts);
    metrics.addMetric(METRIC.FAILED, MetricUnit.Count, r.failed.length);
    metrics.addMetric(METRIC.SKIPPED, MetricUnit.Count, r.skipped);
    if (r.stoppedEarly) metrics.addMetric(METRIC.STOPPED_EARLY, MetricUnit.Count, 1);
    const summary = { now, dueOrders: r.dueOrders, transitions: r.transitions.length, alerts, failed: r.failed.length, stoppedEarly: r.stoppedEarly };
    logger.info('reconciled', { ...summary, itemsRead: r.itemsRead, readCapacityUnits: r.readCapacityUnits, skipped: r.skipped });
    return summary;
  };

  return middy(base)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

// ---- configuration and wiring ------------------------------------------------------------------

export const ReconcilerConfigSchema = z.object({
  [ENV.TABLE_NAME]: z.string().min(1),
  [ENV.GRACE_MINUTES]: z.coerce.number().int().nonnegative().default(DEFAULT_POLICY.graceMinutes),
  [ENV.STOP_BEFORE_DEADLINE_MS]: z.coerce.number().int().nonnegative().default(10_000),
});

export interface ReconcilerConfig {
  tableName: string;
  graceMinutes: number;
  stopBeforeDeadlineMs: number;
}

export function readReconcilerConfig(env: NodeJS.ProcessEnv): Readonly<ReconcilerConfig> {
  const parsed = ReconcilerConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`reconciler configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return Object.freeze({ tableName: e[ENV.TABLE_NAME], graceMinutes: e[ENV.GRACE_MINUTES], stopBeforeDeadlineMs: e[ENV.STOP_BEFORE_DEADLINE_MS] });
}

export function wire(config: ReconcilerConfig, clients: { dynamodb: DynamoDBClient }): ReconcilerDeps {
  const tableName = config.tableName;
  return {
    repo: new DynamoDbRepository({ client: clients.dynamodb, tableName, retention: retentionFromEnv(process.env) }),
    outbox: new DynamoDbOutbox({ client: clients.dynamodb, tableName }),
    // Read-only use of the intake ledger's "last email per marketplace".
    lastEmails: new DynamoDbIntakeLedger({ client: clients.dynamodb, tableName }),
    policy: { ...DEFAULT_POLICY, graceMinutes: config.graceMinutes },
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
    stopBeforeDeadlineMs: config.stopBeforeDeadlineMs,
  };
}

let wired: ReturnType<typeof makeHandler> | undefined;

export const handler = async (event: ScheduledEvent, context: Context): Promise<ReconcilerSummary> => {
  wired ??= makeHandler(wire(readReconcilerConfig(process.env), { dynamodb: new DynamoDBClient({}) }));
  return wired(event, context);
};
