/**
 * The alert sender Lambda (EventBridge schedule, every minute): claims due outbox alerts, sends
 * them through each seller's channels, publishes every alert to the event bus. Thin: the
 * algorithm is services/send-alerts.ts. The time left is checked before every channel attempt
 * (each attempt has its own timeout, the SES and SNS clients a request timeout); what it could
 * not try is given back for the next run. Every unexpected error is logged once with its name,
 * message and cause, counted, and fails the invocation (the function's error alarm), after the
 * other sellers were served.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { EventBridgeAlertPublisher } from '../adapters/channels/aws';
import { makeChannelFactory } from '../adapters/channels/factory';
import { DynamoDbOutbox } from '../adapters/dynamodb/outbox';
import { DynamoDbRepository, retentionFromEnv } from '../adapters/dynamodb/repository';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../constants';
import { DEFAULT_POLICY } from '../domain/types';
import { ALERT_SENDER_METRICS, CHANNEL_DIMENSION } from './alert-metrics';
import { describeError } from './log-errors';
import { sendDueAlerts, type SendAlertsDeps, type SendAlertsResult } from '../services/send-alerts';

export const METRIC = ALERT_SENDER_METRICS;

export interface AlertSenderDeps extends SendAlertsDeps {
  logger: Logger;
  metrics: Metrics;
  stopBeforeDeadlineMs?: number;
  /** Per channel attempt (ms); default 10 s. */
  attemptTimeoutMs?: number;
  now?: () => Date;
}

/** What the invocation fails with when a run had unexpected errors (each was logged on its own). */
export class AlertSendError extends Error {
  constructor(count: number, options?: { cause?: unknown }) {
    super(`${count} unexpected error(s) while sending alerts (each logged above)`, options);
    this.name = 'AlertSendError';
  }
}

/** The SDK clients of the channels get a timeout of their own (an SDK call has none by default). */
export const CHANNEL_CLIENT_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 8_000 } as const;

export function makeHandler(deps: AlertSenderDeps) {
  const { logger, metrics } = deps;
  const clock = deps.now ?? (() => new Date());
  const margin = deps.stopBeforeDeadlineMs ?? 10_000;

  const base = async (_event: ScheduledEvent, context: Context): Promise<SendAlertsResult> => {
    const now = clock().toISOString();
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

  return middy(base)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

export const AlertSenderConfigSchema = z.object({
  [ENV.TABLE_NAME]: z.string().min(1),
  [ENV.ALERT_FROM_ADDRESS]: z.string().email().optional(),
  [ENV.ALERT_SES_CONFIGURATION_SET]: z.string().min(1).optional(),
  [ENV.ALERT_TOPIC_ARN]: z.string().startsWith('arn:').optional(),
  [ENV.ALERT_EVENT_BUS]: z.string().min(1).optional(),
  [ENV.STOP_BEFORE_DEADLINE_MS]: z.coerce.number().int().nonnegative().default(10_000),
  [ENV.GRACE_MINUTES]: z.coerce.number().int().nonnegative().default(DEFAULT_POLICY.graceMinutes),
});

export interface AlertSenderConfig {
  tableName: string;
  fromAddress?: string;
  configurationSet?: string;
  topicArn?: string;
  eventBus?: string;
  stopBeforeDeadlineMs: number;
  graceMinutes: number;
}

export function readAlertSenderConfig(env: NodeJS.ProcessEnv): Readonly<AlertSenderConfig> {
  const parsed = AlertSenderConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`alert-sender configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    tableName: e[ENV.TABLE_NAME],
    ...(e[ENV.ALERT_FROM_ADDRESS] ? { fromAddress: e[ENV.ALERT_FROM_ADDRESS] } : {}),
    ...(e[ENV.ALERT_SES_CONFIGURATION_SET] ? { configurationSet: e[ENV.ALERT_SES_CONFIGURATION_SET] } : {}),
    ...(e[ENV.ALERT_TOPIC_ARN] ? { topicArn: e[ENV.ALERT_TOPIC_ARN] } : {}),
    ...(e[ENV.ALERT_EVENT_BUS] ? { eventBus: e[ENV.ALERT_EVENT_BUS] } : {}),
    stopBeforeDeadlineMs: e[ENV.STOP_BEFORE_DEADLINE_MS],
    graceMinutes: e[ENV.GRACE_MINUTES],
  });
}

export function wire(
  config: AlertSenderConfig,
  clients: { dynamodb: DynamoDBClient; ses: SESv2Client; sns: SNSClient; eventbridge: EventBridgeClient },
): AlertSenderDeps {
  const outbox = new DynamoDbOutbox({ client: clients.dynamodb, tableName: config.tableName });
  const repo = new DynamoDbRepository({ client: clients.dynamodb, tableName: config.tableName, retention: retentionFromEnv(process.env) });
  return {
    outbox,
    health: outbox,
    sellers: repo,
    orders: { repo, policy: { ...DEFAULT_POLICY, graceMinutes: config.graceMinutes } },
    channels: makeChannelFactory({
      ...(config.fromAddress
        ? { ses: { client: clients.ses, from: config.fromAddress, ...(config.configurationSet ? { configurationSetName: config.configurationSet } : {}) } }
        : {}),
      sns: { client: clients.sns, ...(config.topicArn ? { defaultTopicArn: config.topicArn } : {}) },
    }),
    ...(config.eventBus ? { events: new EventBridgeAlertPublisher(clients.eventbridge, config.eventBus) } : {}),
    // The stack's topic is every seller's last resort: an alert never depends on one mailbox.
    ...(config.topicArn ? { fallbackChannels: [{ id: 'stack-topic', type: 'sns' as const }] } : {}),
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
    stopBeforeDeadlineMs: config.stopBeforeDeadlineMs,
  };
}

let wired: ReturnType<typeof makeHandler> | undefined;

export const handler = async (event: ScheduledEvent, context: Context): Promise<SendAlertsResult> => {
  wired ??= makeHandler(
    wire(readAlertSenderConfig(process.env), {
      dynamodb: new DynamoDBClient({}),
      ses: new SESv2Client({ requestHandler: CHANNEL_CLIENT_TIMEOUTS }),
      sns: new SNSClient({ requestHandler: CHANNEL_CLIENT_TIMEOUTS }),
      eventbridge: new EventBridgeClient({}),
    }),
  );
  return wired(event, context);
};
