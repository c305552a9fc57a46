/**
 * The history behind the diagnosis and channel-down, on a real local DynamoDB: per-seller,
 * per-marketplace, per-day counters updated exactly once per order transition, read with a
 * bounded number of items — the reconciler never lists a seller's orders or notifications, so
 * what it reads does not grow with stored orders.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { renderAlert } from '../../functions/domain/alert-message';
import { alertSettings } from '../../functions/domain/alert-settings';
import type { NotificationRecord, OrderFacts, OrderPolicy, StoredOrder } from '../../functions/domain/types';
import { importOrders, markNotified } from '../../functions/services/import-orders';
import { reconcileDue } from '../../functions/services/reconcile';
import { recordCommands, useDynalite } from '../support/dynalite';
import { seedOrders } from '../support/seed';

const ddb = useDynalite({ freshTablePerTest: true });
const POLICY: OrderPolicy = { graceMinutes: 60 };
const NOW = '2026-11-28T12:00:00.000Z';
const outbox = () => new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });

let seq = 0;
const order = (over: Partial<OrderFacts> = {}): OrderFacts => ({
  sellerId: 's1',
  orderId: `112-4455667-${String(3000000 + ++seq)}`,
  marketplace: 'amazon.com',
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate: '2026-11-27T10:00:00.000Z',
  latestShipDate: '2026-12-01T08:00:00.000Z',
  lastUpdated: '2026-11-27T10:00:00.000Z',
  source: 'sp-api-2026',
  ...over,
});

const email = (o: OrderFacts, receivedAt: string, messageId = `m-${o.orderId}`): NotificationRecord => ({
  sellerId: o.sellerId,
  orderId: o.orderId,
  messageId,
  marketplace: o.marketplace ?? 'amazon.com',
  language: 'en',
  receivedAt,
  location: 'x',
  verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
});

/** As intake does: keep the notification, then mark its order. */
async function notify(n: NotificationRecord, now: string): Promise<boolean> {
  await ddb.repository.putNotification(n);
  return markNotified(ddb.repository, n, now, POLICY);
}

const stats = async (sellerId = 's1') =>
  (await ddb.repository.recentOrderStats(sellerId, NOW, 7)).days.map((d) => `${d.day} ${d.marketplace} notified=${d.notified} missing=${d.missing}`);

/** Items every read request returned or scanned (GetItem, Query, BatchGetItem), via ConsumedCapacity-free counting. */
function readMeter(client: DynamoDBClient) {
  const meter = { items: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const res = out.output as unknown as Record<string, unknown>;
      const name = String(context.commandName);
      if (name === 'GetItemCommand') meter.items += res.Item ? 1 : 0;
      else if (name === 'QueryCommand' || name === 'ScanCommand') meter.items += Number(res.ScannedCount ?? res.Count ?? 0);
      return out;
    },
    { step: 'initialize', name: 'historyReadMeter', override: true },
  );
  return meter;
}

beforeEach(async () => {
  await ddb.repository.putSeller({ sellerId: 's1', name: 'S1', marketplaces: ['amazon.com', 'amazon.de'], createdAt: '2026-01-01T00:00:00.000Z', language: 'en', timeZone: 'Europe/Berlin' });
});

test('the reconciler with alerting reads a bounded history, never the seller\'s orders or notifications', async () => {
  // 400 settled orders with their emails: the stored history the old diagnosis listed in full.
  const settled: StoredOrder[] = Array.from({ length: 400 }, (_, i) => ({
    sellerId: 's1',
    orderId: `111-0000000-${String(1000000 + i)}`,
    marketplace: 'amazon.com',
    fulfilledBy: 'MERCHANT',
    orderState: 'Shipped',
    purchaseDate: '2026-11-20T10:00:00.000Z',
    source: 'sp-api-2026',
    firstSeenAt: '2026-11-20T10:00:00.000Z',
    notifiedAt: '2026-11-20T10:05:00.000Z',
    status: 'notified',
    version: 1,
  }));
  await seedOrders(ddb.repository, settled);
  for (const o of settled.slice(0, 50)) await ddb.repository.putNotification(email({ ...order(), orderId: o.orderId }, '2026-11-20T10:05:00.000Z'));
  const due = [order(), order(), order()];
  await importOrders(ddb.repository, due, '2026-11-27T10:01:00.000Z', POLICY);

  const rec = recordCommands(ddb.client);
  const meter = readMeter(ddb.client);
  const r = await reconcileDue(ddb.repository, NOW, POLICY, { alerting: { outbox: outbox() } });
  expect(r.alerts.map((a) => a.kind).sort()).toEqual(['channel-down', 'notification-missing', 'notification-missing', 'notification-missing']);

  const prefixes = rec.commands
    .filter((c) => c.command === 'QueryCommand')
    .map((c) => JSON.stringify((c.input as { ExpressionAttributeValues?: unknown }).ExpressionAttributeValues ?? {}));
  expect(prefixes.filter((v) => v.includes('"ORDER#"') || v.includes('"NOTIF#"'))).toEqual([]);
  expect(rec.commands.map((c) => c.command)).not.toContain('ScanCommand');
  // 3 due orders, 1 profile, a few stats items; nothing proportional to the 400 stored orders.
  expect(meter.items).toBeLessThanOrEqual(10);
});

test('counters move exactly once per transition: replays, duplicate and concurrent runs, late emails', async () => {
  const onTime = order();
  const late = order();
  const others = [order(), order(), order(), order()];
  await importOrders(ddb.repository, [onTime, late, ...others], '2026-11-27T10:01:00.000Z', POLICY);

  // The on-time email, then the same email replayed and a second email for the same order.
  expect(await notify(email(onTime, '2026-11-27T10:20:00.000Z'), '2026-11-27T10:20:00.000Z')).toBe(true);
  await notify(email(onTime, '2026-11-27T10:20:00.000Z'), '2026-11-27T10:21:00.000Z');
  await notify(email(onTime, '2026-11-27T10:30:00.000Z', 'm-second'), '2026-11-27T10:31:00.000Z');
  expect(await stats()).toEqual(['2026-11-27 amazon.com notified=1 missing=0']);

  // Two reconcilers at once, then a duplicate run: each missing transition counted once.
  await Promise.all([
    reconcileDue(ddb.repository, '2026-11-27T11:30:00.000Z', POLICY, { alerting: { outbox: outbox() } }),
    reconcileDue(ddb.repositoryWith({}), '2026-11-27T11:30:00.000Z', POLICY, { alerting: { outbox: outbox() } }),
  ]);
  await reconcileDue(ddb.repository, '2026-11-27T11:30:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(await stats()).toEqual(['2026-11-27 amazon.com notified=1 missing=5']);

  // The late email: notified, no longer missing; its replay changes nothing.
  await notify(email(late, '2026-11-27T13:00:00.000Z'), '2026-11-27T13:00:00.000Z');
  await notify(email(late, '2026-11-27T13:00:00.000Z'), '2026-11-27T13:05:00.000Z');
  expect(await stats()).toEqual(['2026-11-27 amazon.com notified=2 missing=4']);

  // A missing order cancelled: it no longer expected an email.
  await importOrders(ddb.repository, [{ ...others[0], orderState: 'Canceled', lastUpdated: '2026-11-27T14:00:00.000Z' }], '2026-11-27T14:00:00.000Z', POLICY);
  await reconcileDue(ddb.repository, '2026-11-27T14:01:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(await stats()).toEqual(['2026-11-27 amazon.com notified=2 missing=3']);
});

test('one marketplace silent for days: "amazon.de: 0 of 7 orders had an email since Tuesday"', async () => {
  const com = ['2026-11-24T09:00:00.000Z', '2026-11-25T09:00:00.000Z', '2026-11-26T09:00:00.000Z', '2026-11-27T09:00:00.000Z'].map((t) => order({ purchaseDate: t, lastUpdated: t }));
  await importOrders(ddb.repository, com, '2026-11-24T08:00:00.000Z', POLICY);
  for (const o of com) await notify(email(o, new Date(Date.parse(o.purchaseDate) + 300_000).toISOString()), NOW);
  // Seven amazon.de orders since Tuesday morning, none with an email; two went missing earlier.
  const deTimes = ['2026-11-24T08:00:00.000Z', '2026-11-24T15:00:00.000Z', '2026-11-25T10:00:00.000Z', '2026-11-26T10:00:00.000Z', '2026-11-27T10:00:00.000Z', '2026-11-28T08:00:00.000Z', '2026-11-28T09:00:00.000Z'];
  const de = deTimes.map((t) => order({ marketplace: 'amazon.de', purchaseDate: t, lastUpdated: t }));
  await importOrders(ddb.repository, de.slice(0, 2), '2026-11-24T16:00:00.000Z', POLICY);
  await reconcileDue(ddb.repository, '2026-11-24T17:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  await importOrders(ddb.repository, de.slice(2), '2026-11-28T09:01:00.000Z', POLICY);

  const r = await reconcileDue(ddb.repository, NOW, POLICY, { alerting: { outbox: outbox() } });
  const missing = r.alerts.filter((a) => a.kind === 'notification-missing');
  expect(missing).toHaveLength(5);
  expect(missing[0].diagnosis).toEqual({
    cause: 'notification-preferences',
    marketplace: 'amazon.de',
    evidence: [{ marketplace: 'amazon.de', expected: 7, arrived: 0, since: '2026-11-24T09:00:00.000Z' }],
  });
  const settings = alertSettings(await ddb.repository.getSeller('s1'));
  expect(renderAlert(missing[0], settings, NOW).text).toContain('amazon.de: 0 of 7 orders had an email since Tuesday 24 Nov');
});

test('channel-down counts only orders expected after the last email, in one episode per last email', async () => {
  const first = order({ purchaseDate: '2026-11-27T08:00:00.000Z', lastUpdated: '2026-11-27T08:00:00.000Z' });
  await importOrders(ddb.repository, [first], '2026-11-27T08:01:00.000Z', POLICY);
  await notify(email(first, '2026-11-27T08:05:00.000Z'), '2026-11-27T08:05:00.000Z');
  // Two orders placed before that email, three after it: only the three are "since the last email".
  const before = [order({ purchaseDate: '2026-11-27T07:00:00.000Z' }), order({ purchaseDate: '2026-11-27T07:30:00.000Z' })];
  const after = [order({ purchaseDate: '2026-11-27T09:00:00.000Z' }), order({ purchaseDate: '2026-11-27T09:10:00.000Z' })];
  await importOrders(ddb.repository, [...before, ...after], '2026-11-27T09:11:00.000Z', POLICY);
  const r1 = await reconcileDue(ddb.repository, '2026-11-27T10:30:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(r1.alerts.filter((a) => a.kind === 'channel-down')).toEqual([]);

  const third = order({ purchaseDate: '2026-11-27T09:20:00.000Z' });
  await importOrders(ddb.repository, [third], '2026-11-27T09:21:00.000Z', POLICY);
  const r2 = await reconcileDue(ddb.repository, '2026-11-27T10:40:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(r2.alerts.filter((a) => a.kind === 'channel-down')).toEqual([
    expect.objectContaining({
      alertId: 'channel-down:2026-11-27T08:05:00.000Z',
      channel: { missingInARow: 3, orderIds: [third.orderId, after[1].orderId, after[0].orderId], lastEmailAt: '2026-11-27T08:05:00.000Z' },
    }),
  ]);
  // A later run adds nothing: one alert per episode.
  const r3 = await reconcileDue(ddb.repository, '2026-11-27T11:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(r3.alerts).toEqual([]);
});
