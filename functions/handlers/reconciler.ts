/**
 * The reconciler Lambda (EventBridge schedule, every minute): one reconciler pass over the due
 * orders, alerts to the outbox; then notifications for unknown orders that stayed unmatched (also
 * read from the due index). When it wrote alerts it starts the alert sender at once (`sender`), so
 * an alert leaves within about a minute of its order's grace period ending (issue 13).
 * Thin: read the clock, call the services, log and count. It stops taking new work
 * `stopBeforeDeadlineMs` before the Lambda deadline (context.getRemainingTimeInMillis), so a run
 * never dies half-way through an order; what is left stays due for the next run.
 *
 * Unexpected errors (DynamoDB unavailable) throw, so the invocation fails, is retried, and the
 * schedule's DLQ keeps the event. A broken order never fails the run: it is logged and pushed back.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { AlertOutbox, LastEmailSource, MailboxStateStore } from '../domain/ports';
import type { SentinelRepository } from '../domain/ports';
import type { Clock, OrderPolicy } from '../domain/types';
import type { AlertSenderTrigger } from '../adapters/lambda-sender-trigger';
import { RECONCILER_METRICS } from '../metrics';
import { raiseUnknownOrderAlerts } from '../services/alert-sources';
import { reconcileDue } from '../services/reconcile';
import { systemClock, wireReconciler } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';

const METRIC = RECONCILER_METRICS;

export interface ReconcilerDeps {
  repo: SentinelRepository;
  outbox: AlertOutbox;
  lastEmails?: LastEmailSource;
  /** issue 14: the mailbox probe's findings, added to missing alerts and reminders. */
  mailboxFindings?: Pick<MailboxStateStore, 'getFinding'>;
  policy: OrderPolicy;
  logger: Logger;
  metrics: Metrics;
  /** Stop taking new work this long before the deadline. Default 10 s. */
  stopBeforeDeadlineMs?: number;
  now?: Clock;
  /** Started after a run that wrote alerts (absent: the sender's own schedule picks them up). */
  sender?: AlertSenderTrigger;
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
  const clock = deps.now ?? systemClock;
  const margin = deps.stopBeforeDeadlineMs ?? 10_000;

  const base = async (_event: ScheduledEvent, context: Context): Promise<ReconcilerSummary> => {
    const now = clock();
    const shouldStop = () => (context.getRemainingTimeInMillis?.() ?? Infinity) < margin;
    // Real elapsed time, not the injected clock (tests freeze `now`).
    const started = performance.now();
    const r = await reconcileDue(deps.repo, now, deps.policy, { shouldStop, alerting: { outbox: deps.outbox, ...(deps.lastEmails ? { lastEmails: deps.lastEmails } : {}), ...(deps.mailboxFindings ? { mailboxFindings: deps.mailboxFindings } : {}) } });
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
    if (alerts > 0 && deps.sender) {
      try {
        await deps.sender.start({ alerts });
      } catch (err) {
        // Not lost: the alerts are in the outbox and the sender's schedule runs within the minute.
        logger.warn('could not start the alert sender; its schedule will send the alerts', { alerts, error: err as Error });
      }
    }
    const summary = { now, dueOrders: r.dueOrders, transitions: r.transitions.length, alerts, failed: r.failed.length, stoppedEarly: r.stoppedEarly };
    logger.info('reconciled', { ...summary, itemsRead: r.itemsRead, readCapacityUnits: r.readCapacityUnits, skipped: r.skipped });
    return summary;
  };

  return lambdaChain(base, { logger, metrics });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireReconciler(process.env)));
