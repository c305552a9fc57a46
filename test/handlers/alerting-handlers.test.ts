/**
 * The reconciler, alert-sender and sync-alerts Lambdas end to end on a real local DynamoDB, real
 * Powertools Logger/Metrics and middy; only the Lambda context is fake.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, EventBridgeEvent, ScheduledEvent } from 'aws-lambda';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { ENV } from '../../functions/constants';
import type { AlertChannel } from '../../functions/domain/ports';
import type { OrderFacts } from '../../functions/domain/types';
import { readAlertSenderConfig, readReconcilerConfig } from '../../functions/config';
import { makeHandler as makeSender } from '../../functions/handlers/alert-sender';
import { makeHandler as makeReconciler } from '../../functions/handlers/reconciler';
import { makeHandler as makeSyncAlerts } from '../../functions/handlers/sync-alerts';
import { importOrders } from '../../functions/services/import-orders';
import { useDynalite } from '../support/dynalite';

process.env.POWERTOOLS_DEV = 'true';
const ddb = useDynalite({ freshTablePerTest: true });
const POLICY = { graceMinutes: 60 };
const logger = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const metrics = () => new Metrics({ namespace: 'Test', serviceName: 'test' });
const context = (remainingMs: () => number): Context =>
  ({ functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: remainingMs, callbackWaitsForEmptyEventLoop: true }) as unknown as Context;
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-27T11:00:00Z', detail: {} } as unknown as ScheduledEvent;

const order = (i: number): OrderFacts => ({
  sellerId: 's1',
  orderId: `112-4455667-30000${i}`,
  marketplace: 'amazon.com',
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate: '2026-11-27T10:00:00.000Z',
  source: 'report',
});

test('reconciler: transitions and alerts; then the sender delivers them', async () => {
  await ddb.repository.putSeller({ sellerId: 's1', name: 'S', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z', alerting: { channels: [{ id: 'hook', type: 'webhook', url: 'https://example.com/h' }] } } as never);
  await importOrders(ddb.repository, [order(1)], '2026-11-27T10:01:00.000Z', POLICY);
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const reconcile = makeReconciler({ repo: ddb.repository, outbox, policy: POLICY, logger: logger(), metrics: metrics(), now: () => new Date('2026-11-27T11:10:00.000Z').toISOString() });
  const summary = await reconcile(scheduled, context(() => 60_000));
  expect(summary).toEqual({ now: '2026-11-27T11:10:00.000Z', dueOrders: 1, transitions: 1, alerts: 1, failed: 0, stoppedEarly: false });

  const delivered: string[] = [];
  const channel = (): AlertChannel => ({ id: 'hook', type: 'webhook', send: async (m) => void delivered.push(...m.alerts.map((a) => a.alertId)) });
  const send = makeSender({ outbox, health: outbox, sellers: ddb.repository, channels: channel, logger: logger(), metrics: metrics(), now: () => new Date('2026-11-27T11:11:00.000Z').toISOString() });
  const r = await send(scheduled, context(() => 60_000));
  expect(r).toMatchObject({ sent: 1 });
  expect(delivered).toEqual(['notification-missing:112-4455667-300001']);
});

test('reconciler stops taking new work shortly before the Lambda deadline', async () => {
  await importOrders(ddb.repository, [order(1), order(2)], '2026-11-27T10:01:00.000Z', POLICY);
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const reconcile = makeReconciler({ repo: ddb.repository, outbox, policy: POLICY, logger: logger(), metrics: metrics(), stopBeforeDeadlineMs: 10_000, now: () => new Date('2026-11-27T11:10:00.000Z').toISOString() });
  const summary = await reconcile(scheduled, context(() => 9_999));
  expect(summary).toMatchObject({ dueOrders: 2, transitions: 0, stoppedEarly: true });
});

test('sync-alerts: an order-sync "broken" event becomes one alert, a replay none', async () => {
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const h = makeSyncAlerts({ outbox, sellers: ddb.repository, logger: logger(), now: () => new Date('2026-11-27T11:00:00.000Z').toISOString() });
  const event = {
    source: 'shipnow.sentinel',
    'detail-type': 'Order sync broken',
    detail: { type: 'order-sync-broken', sellerId: 's1', marketplace: 'amazon.de', reason: 'invalid-grant', detail: 'refresh token revoked', since: '2026-11-27T10:55:00.000Z' },
  } as unknown as EventBridgeEvent<string, unknown>;
  expect(await h(event, context(() => 30_000))).toEqual({ alertId: 'sync-broken:amazon.de:2026-11-27T10:55:00.000Z', created: true });
  expect(await h(event, context(() => 30_000))).toEqual({ alertId: 'sync-broken:amazon.de:2026-11-27T10:55:00.000Z', created: false });
  await expect(h({ ...event, detail: { type: 'nonsense' } }, context(() => 30_000))).rejects.toThrow();
});

test('configuration is validated once, loudly', () => {
  expect(readReconcilerConfig({ [ENV.TABLE_NAME]: 't' })).toEqual({ tableName: 't', graceMinutes: 60, stopBeforeDeadlineMs: 10_000 });
  expect(() => readReconcilerConfig({})).toThrow(/reconciler configuration/);
  expect(readAlertSenderConfig({ [ENV.TABLE_NAME]: 't', [ENV.ALERT_TOPIC_ARN]: 'arn:aws:sns:us-east-1:1:t' })).toMatchObject({ tableName: 't', topicArn: 'arn:aws:sns:us-east-1:1:t' });
  expect(() => readAlertSenderConfig({ [ENV.TABLE_NAME]: 't', [ENV.ALERT_FROM_ADDRESS]: 'not-an-address' })).toThrow(/alert-sender configuration/);
});

test('reconciler: unknown-order notifications are swept on every run, whatever the schedule phase', async () => {
  await ddb.repository.putSeller({ sellerId: 's1', name: 'S', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z' });
  const n = {
    sellerId: 's1',
    orderId: '111-9999999-9999999',
    messageId: 'm1',
    marketplace: 'amazon.com',
    language: 'en',
    receivedAt: '2026-11-27T01:00:00.000Z',
    location: 'x',
    verdicts: { spf: 'pass' as const, dkim: 'pass' as const, dmarc: 'pass' as const },
  };
  await ddb.repository.putNotification(n);
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  let t = '2026-11-27T11:07:00.000Z'; // a rate(5 minutes) schedule that never fires in minutes 0-4
  const reconcile = makeReconciler({ repo: ddb.repository, outbox, policy: POLICY, logger: logger(), metrics: metrics(), now: () => new Date(t).toISOString() });
  expect((await reconcile(scheduled, context(() => 60_000))).alerts).toBe(1);
  expect((await outbox.listForSeller('s1')).map((i) => i.alert.alertId)).toEqual(['unknown-order:111-9999999-9999999:m1']);
  // A second one arrives at 11:00: due at 17:00 (6 h, the default), alerted by the first run after.
  await ddb.repository.putNotification({ ...n, orderId: '111-9999999-9999998', messageId: 'm2', receivedAt: '2026-11-27T11:00:00.000Z' });
  t = '2026-11-27T11:12:00.000Z';
  expect((await reconcile(scheduled, context(() => 60_000))).alerts).toBe(0);
  t = '2026-11-27T16:58:00.000Z';
  expect((await reconcile(scheduled, context(() => 60_000))).alerts).toBe(0);
  t = '2026-11-27T17:03:00.000Z';
  expect((await reconcile(scheduled, context(() => 60_000))).alerts).toBe(1);
});

test('sender: a bug in a channel is logged (name, message, cause) and fails the invocation, after the alert went out elsewhere; the longest wait is a metric', async () => {
  await ddb.repository.putSeller({
    sellerId: 's1',
    name: 'S',
    marketplaces: ['amazon.com'],
    createdAt: '2026-01-01T00:00:00.000Z',
    alerting: { channels: [{ id: 'hook', type: 'webhook', url: 'https://example.com/h' }, { id: 'slack', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }] },
  } as never);
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  await outbox.put({ alertId: 'unknown-order:111-9999999-9999999:m1', sellerId: 's1', kind: 'unknown-order', occurredAt: '2026-11-27T10:00:00.000Z', raisedAt: '2026-11-27T10:00:00.000Z' }, '2026-11-27T10:00:00.000Z');
  const delivered: string[] = [];
  const channels = (c: { id: string; type: 'webhook' | 'slack' }): AlertChannel => ({
    id: c.id,
    type: c.type,
    send: async (m) => {
      if (c.id === 'hook') throw new TypeError('payload.map is not a function', { cause: new Error('inner') });
      delivered.push(...m.alerts.map((a) => a.alertId));
    },
  });
  const lines: string[] = [];
  const errSpy = jest.spyOn(console, 'error').mockImplementation((l: unknown) => void lines.push(String(l)));
  const logSpy = jest.spyOn(console, 'log').mockImplementation((l: unknown) => void lines.push(String(l)));
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    const send = makeSender({
      outbox,
      health: outbox,
      sellers: ddb.repository,
      channels: channels as never,
      logger: new Logger({ serviceName: 'test', logLevel: 'ERROR' }),
      metrics: metrics(),
      now: () => new Date('2026-11-27T10:40:00.000Z').toISOString(),
    });
    await expect(send(scheduled, context(() => 60_000))).rejects.toThrow(/1 unexpected error/);
  } finally {
    errSpy.mockRestore();
    logSpy.mockRestore();
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  }
  expect(delivered).toEqual(['unknown-order:111-9999999-9999999:m1']);
  expect(await outbox.get('s1', 'unknown-order:111-9999999-9999999:m1')).toMatchObject({ status: 'sent', sentVia: ['slack'] });
  const parsed = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
  expect(parsed.find((l) => l.message === 'alert send error')).toMatchObject({
    level: 'ERROR',
    sellerId: 's1',
    channelId: 'hook',
    error: { name: 'TypeError', message: 'payload.map is not a function', cause: { name: 'Error', message: 'inner' } },
  });
  // Waited 40 minutes since it was due: over the default 30-minute alarm threshold.
  expect(parsed.find((l) => 'AlertOldestWaitingSeconds' in l)).toMatchObject({ AlertOldestWaitingSeconds: 2400, AlertSenderErrors: 1 });
});
