/**
 * The alert sender Lambda (EventBridge schedule, every minute): claims due outbox alerts, sends
 * them through each seller's channels, publishes every alert to the event bus. Thin: the
 * algorithm is services/send-alerts.ts. The time left is checked before every channel attempt
 * (each attempt has its own timeout, the SES and SNS clients a request timeout); what it could
 * not try is given back for the next run. Every unexpected error is logged once with its name,
 * message and cause, counted, and fails the invocation (the function's error alarm), after the
 * other sellers were served.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { SentinelError } from '../domain/errors';
import type { Clock } from '../domain/types';
import { ALERT_SENDER_METRICS, CHANNEL_DIMENSION } from '../metrics';
import { sendDueAlerts, type SendAlertsDeps, type SendAlertsResult } from '../services/send-alerts';
import { systemClock, wireAlertSender } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';
import { describeError } from './log-errors';

const METRIC = ALERT_SENDER_METRICS;

export interface AlertSenderDeps extends SendAlertsDeps {
  logger: Logger;
  metrics: Metrics;
  stopBeforeDeadlineMs?: number;
  /** Per channel attempt (ms); default 10 s. */
  attemptTimeoutMs?: number;
  now?: Clock;
}

/** What the invocation fails with when a run had unexpected errors (each was logged on its own). */
export class AlertSendError extends SentinelError {
  constructor(count: number, options?: { cause?: unknown }) {
    super(`${count} unexpected error(s) while sending alerts (each logged above)`, options);
    this.name = 'AlertSendError';
  }
}

export function makeHandler(deps: AlertSenderDeps) {
  const { logger, metrics } = deps;
  const clock = deps.now ?? systemClock;
  const margin = deps.stopBeforeDeadlineMs ?? 10_000;

  const base = async (_event: ScheduledEvent, context: Context): Promise<SendAlertsResult> => {
    const now = clock();
    const remainingMs = () => context.getRemainingTimeInMillis?.() ?? Infinity;
    const r = await sendDueAlerts(deps, now, {
      remainingMs,
      reserveMs: margin,
      ...(deps.attemptTimeoutMs !== undefined ? { attemptTimeoutMs: deps.attemptTimeoutMs } : {}),
    });
    metrics.addMetric(METRIC.SENT, MetricUnit.Count, r.sent);
    metrics.addMetric(METRIC.RETRIED, MetricUnit.Count, r.retried);
    metrics.addMetric(METRIC.FAILED, MetricUnit.Count, r.failed);
    metrics.addMetric(METRIC.DIGESTS, MetricUnit.Count, r.digests);
    metrics.addMetric(METRIC.CHANNEL_BROKEN, MetricUnit.Count, r.brokenChannels.length);
    for (const [type, counts] of Object.entries(r.byChannel)) {
      for (const [name, value] of [
        [METRIC.DELIVERIES, counts.delivered],
        [METRIC.DELIVERY_FAILURES, counts.failed],
      ] as const) {
        if (value === 0) continue;
        const single = metrics.singleMetric();
        single.addDimension(CHANNEL_DIMENSION, type);
        single.addMetric(name, MetricUnit.Count, value);
      }
    }
    metrics.addMetric(METRIC.OLDEST_WAITING, MetricUnit.Seconds, r.oldestWaiting?.seconds ?? 0);
    metrics.addMetric(METRIC.ERRORS, MetricUnit.Count, r.errors.length);
    for (const b of r.brokenChannels) logger.warn('alert channel broken', b);
    for (const e of r.errors) {
      logger.error('alert send error', { sellerId: e.sellerId, alertIds: e.alertIds, channelId: e.channelId, error: describeError(e.error) });
    }
    if (r.oldestWaiting) logger.info('oldest waiting alert', r.oldestWaiting);
    logger.info('alerts sent', {
      now,
      due: r.due,
      claimed: r.claimed,
      sent: r.sent,
      retried: r.retried,
      failed: r.failed,
      messages: r.messages,
      alreadyDelivered: r.alreadyDelivered,
      stoppedEarly: r.stoppedEarly,
    });
    if (r.errors.length > 0) throw new AlertSendError(r.errors.length, { cause: r.errors[0].error });
    return r;
  };

  return lambdaChain(base, { logger, metrics });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireAlertSender(process.env)));
