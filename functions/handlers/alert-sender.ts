/**
 * The alert sender Lambda (EventBridge schedule, every minute): claims due outbox alerts, sends
 * them through each seller's channels, publishes every alert to the event bus. Thin: the
 * algorithm is services/send-alerts.ts. Stops taking new sellers shortly before the deadline;
 * claims it could not finish expire and are taken by the next run.
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
import { DynamoDbOutbox } from '../adapters/dynamodb-outbox';
import { DynamoDbRepository, retentionFromEnv } from '../adapters/dynamodb-repository';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../constants';
import { DEFAULT_POLICY } from '../domain/types';
import { ALERT_SENDER_METRICS, CHANNEL_DIMENSION } from './alert-metrics';
import { sendDueAlerts, type SendAlertsDeps, type SendAlertsResult } from '../services/send-alerts';

export const METRIC = ALERT_SENDER_METRICS;

export interface AlertSenderDeps extends SendAlertsDeps {
  logger: Logger;
  metrics: Metrics;
  stopBeforeDeadlineMs?: number;
  now?: () => Date;
}

export function makeHandler(deps: AlertSenderDeps) {
  const { logger, metrics } = deps;
  const clock = deps.now ?? (() => new Date());
  const margin = deps.stopBeforeDeadlineMs ?? 10_000;

  const base = async (_event: ScheduledEvent, context: Context): Promise<SendAlertsResult> => {
    const now = clock().toISOString();
    const r = await sendDueAlerts(deps, now, { shouldStop: () => (context.getRemainingTimeInMillis?.() ?? Infinity) < margin });
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
    for (const b of r.brokenChannels) logger.warn('alert channel broken', b);
    logger.info('alerts sent', { now, due: r.due, claimed: r.claimed, sent: r.sent, retried: r.retried, failed: r.failed, messages: r.messages });
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
      ses: new SESv2Client({}),
      sns: new SNSClient({}),
      eventbridge: new EventBridgeClient({}),
    }),
  );
  return wired(event, context);
};
