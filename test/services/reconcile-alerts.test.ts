/**
 * The reconciler with the outbox on a real local DynamoDB (dynalite): one alert per transition
 * across duplicate and concurrent runs, reminders over time, resolution, channel-down, and one
 * broken order that does not stop the run.
 */
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import type { OrderFacts, OrderPolicy } from '../../functions/domain/types';
import { importOrders } from '../../functions/services/import-orders';
import { reconcileDue } from '../../functions/services/reconcile';
import { useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const POLICY: OrderPolicy = { graceMinutes: 60 };

const order = (i: number, over: Partial<OrderFacts> = {}): OrderFacts => ({
  sellerId: 's1',
  orderId: `112-4455667-20000${String(i).padStart(2, '0')}`,
  marketplace: 'amazon.com',
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate: '2026-11-27T10:00:00.000Z',
  latestShipDate: '2026-11-29T08:00:00.000Z',
  lastUpdated: '2026-11-27T10:00:00.000Z',
  source: 'sp-api-2026',
  ...over,
});

const outbox = () => new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
const ids = async (sellerId = 's1') => (await outbox().listForSeller(sellerId)).map((i) => i.alert.alertId).sort();

beforeEach(async () => {
  await ddb.repository.putSeller({ sellerId: 's1', name: 'S1', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z' });
});

test('duplicate runs: the transition alerts once; a second run at the same or a later time adds nothing', async () => {
  await importOrders(ddb.repository, [order(1)], '2026-11-27T10:01:00.000Z', POLICY);
  const first = await reconcileDue(ddb.repository, '2026-11-27T11:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(first.alerts.map((a) => a.alertId)).toEqual(['notification-missing:112-4455667-2000001']);
  const again = await reconcileDue(ddb.repository, '2026-11-27T11:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  const later = await reconcileDue(ddb.repository, '2026-11-27T11:05:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect([...again.alerts, ...later.alerts]).toEqual([]);
  expect(await ids()).toEqual(['notification-missing:112-4455667-2000001']);
  const item = (await outbox().listForSeller('s1'))[0];
  expect(item).toMatchObject({ status: 'pending', deliverAt: '2026-11-27T11:00:00.000Z', alert: { occurredAt: '2026-11-27T11:00:00.000Z' } });
});

test('two reconcilers at the same time: exactly one alert per transition', async () => {
  const orders = Array.from({ length: 12 }, (_, i) => order(i));
  await importOrders(ddb.repository, orders, '2026-11-27T10:01:00.000Z', POLICY);
  const [a, b] = await Promise.all([
    reconcileDue(ddb.repository, '2026-11-27T12:00:00.000Z', POLICY, { alerting: { outbox: outbox() } }),
    reconcileDue(ddb.repositoryWith({}), '2026-11-27T12:00:00.000Z', POLICY, { alerting: { outbox: outbox() } }),
  ]);
  expect(a.failed).toEqual([]);
  expect(b.failed).toEqual([]);
  expect(a.transitions.length + b.transitions.length).toBe(12);
  const missing = (await ids()).filter((id) => id.startsWith('notification-missing:'));
  expect(missing).toHaveLength(12);
  // Alerts counted by the runs that created them: 12 missing, plus at most one channel-down.
  const created = [...a.alerts, ...b.alerts].filter((x) => x.kind === 'notification-missing');
  expect(created).toHaveLength(12);
  expect((await ids()).filter((id) => id.startsWith('channel-down:'))).toHaveLength(1);
});

test('a crash between the outbox write and the order write: the next run finds the alert there', async () => {
  await importOrders(ddb.repository, [order(1)], '2026-11-27T10:01:00.000Z', POLICY);
  const repo = ddb.repositoryWith({});
  const save = repo.saveOrder.bind(repo);
  repo.saveOrder = async () => {
    throw new Error('crash');
  };
  const crashed = await reconcileDue(repo, '2026-11-27T11:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(crashed.failed).toHaveLength(1);
  repo.saveOrder = save;
  const next = await reconcileDue(ddb.repository, '2026-11-27T11:05:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(next.transitions).toHaveLength(1);
  expect(next.alerts).toEqual([]); // already in the outbox
  expect(await ids()).toEqual(['notification-missing:112-4455667-2000001']);
});

test('reminders come due through the index at their instants, then resolution when the email arrives late', async () => {
  await importOrders(ddb.repository, [order(1)], '2026-11-27T10:01:00.000Z', POLICY);
  await reconcileDue(ddb.repository, '2026-11-27T11:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  const stored = await ddb.repository.getOrder('s1', order(1).orderId);
  expect(stored?.alertAfter).toBe('2026-11-28T08:00:00.000Z'); // 24 h before ship-by
  expect((await reconcileDue(ddb.repository, '2026-11-28T07:59:59.999Z', POLICY, { alerting: { outbox: outbox() } })).dueOrders).toBe(0);
  const r = await reconcileDue(ddb.repository, '2026-11-28T08:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(r.alerts.map((a) => a.alertId)).toEqual(['deadline-reminder:112-4455667-2000001:ship-by-24h']);

  // The email arrives late; the order is marked notified and becomes due; resolved once.
  const o = (await ddb.repository.getOrder('s1', order(1).orderId))!;
  await ddb.repository.saveOrder({ ...o, notifiedAt: '2026-11-28T09:00:00.000Z', alertAfter: '2026-11-28T09:00:00.000Z', version: o.version + 1 }, o.version);
  const res = await reconcileDue(ddb.repository, '2026-11-28T09:01:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(res.alerts.map((a) => [a.kind, a.resolvedReason])).toEqual([['resolved', 'email-arrived-late']]);
  expect((await ddb.repository.getOrder('s1', order(1).orderId))?.alertAfter).toBeUndefined();
});

test('missing alerts carry the diagnosis; several missing in a row with no email raise channel-down', async () => {
  await importOrders(ddb.repository, [order(1), order(2, { purchaseDate: '2026-11-27T10:30:00.000Z' }), order(3, { purchaseDate: '2026-11-27T10:40:00.000Z' })], '2026-11-27T10:41:00.000Z', POLICY);
  const r = await reconcileDue(ddb.repository, '2026-11-27T12:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  const missing = r.alerts.filter((a) => a.kind === 'notification-missing');
  expect(missing).toHaveLength(3);
  expect(missing[0].diagnosis).toMatchObject({ cause: 'mail-blocked', evidence: [{ marketplace: 'amazon.com', expected: 3, arrived: 0 }] });
  expect(r.alerts.filter((a) => a.kind === 'channel-down')).toEqual([
    expect.objectContaining({ alertId: 'channel-down:never', channel: expect.objectContaining({ missingInARow: 3 }) }),
  ]);
});

test('one broken order is recorded and pushed back; the others go on', async () => {
  await importOrders(ddb.repository, [order(1), order(2)], '2026-11-27T10:01:00.000Z', POLICY);
  const repo = ddb.repositoryWith({});
  const save = repo.saveOrder.bind(repo);
  let refused = false;
  repo.saveOrder = async (o, expected) => {
    // The first write of order 2 fails for a reason other than a lost race (e.g. an item too large).
    if (o.orderId === order(2).orderId && !refused) {
      refused = true;
      throw new Error('ValidationException: Item size has exceeded the maximum allowed size');
    }
    return save(o, expected);
  };
  const r = await reconcileDue(repo, '2026-11-27T11:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(r.failed).toEqual([expect.objectContaining({ sellerId: 's1', orderId: order(2).orderId })]);
  expect(r.transitions.map((t) => t.orderId)).toEqual([order(1).orderId]);
  expect((await ddb.repository.getOrder('s1', order(2).orderId))?.alertAfter).toBe('2026-11-27T11:15:00.000Z');
  expect((await reconcileDue(ddb.repository, '2026-11-27T11:10:00.000Z', POLICY)).dueOrders).toBe(0);
  expect((await reconcileDue(ddb.repository, '2026-11-27T11:15:00.000Z', POLICY, { alerting: { outbox: outbox() } })).transitions).toHaveLength(1);
});

test('invalid alert settings never silence an alert: defaults are used and the error reported', async () => {
  await ddb.repository.putSeller({ sellerId: 'typo', name: 'T', marketplaces: [], createdAt: '2026-01-01T00:00:00.000Z', alerting: { quietHour: 1 } } as never);
  await importOrders(ddb.repository, [order(1, { sellerId: 'typo' })], '2026-11-27T10:01:00.000Z', POLICY);
  const r = await reconcileDue(ddb.repository, '2026-11-27T11:00:00.000Z', POLICY, { alerting: { outbox: outbox() } });
  expect(r.failed).toEqual([]);
  expect(r.alerts.map((a) => a.kind)).toEqual(['notification-missing']);
  expect(r.settingsErrors).toEqual([expect.objectContaining({ sellerId: 'typo' })]);
});

test('stops taking new orders when told to (the Lambda deadline is near)', async () => {
  await importOrders(ddb.repository, [order(1), order(2)], '2026-11-27T10:01:00.000Z', POLICY);
  let calls = 0;
  const r = await reconcileDue(ddb.repository, '2026-11-27T11:00:00.000Z', POLICY, { shouldStop: () => ++calls > 1, alerting: { outbox: outbox() } });
  expect(r.stoppedEarly).toBe(true);
  expect(r.transitions).toHaveLength(1);
  // The rest stays due for the next run.
  expect((await reconcileDue(ddb.repository, '2026-11-27T11:01:00.000Z', POLICY, { alerting: { outbox: outbox() } })).transitions).toHaveLength(1);
});
