/**
 * Alerts from outside the due orders on a real local DynamoDB: sync events and the unknown-order
 * sweep survive one seller's invalid settings or failing read; unmatched notifications come due
 * through the due index, so the sweep reads only what is due.
 */
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import type { NotificationRecord, Seller } from '../../functions/domain/types';
import { raiseSyncAlert, raiseUnknownOrderAlerts } from '../../functions/services/alert-sources';
import { recordCommands, useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const NOW = '2026-11-28T12:00:00.000Z';
const outbox = () => new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });

const seller = (sellerId: string, alerting: object = {}): Seller =>
  ({ sellerId, name: sellerId, marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z', alerting }) as never;

const notification = (sellerId: string, i: number): NotificationRecord => ({
  sellerId,
  orderId: `111-9999999-999999${i}`,
  messageId: `m${i}`,
  marketplace: 'amazon.com',
  language: 'en',
  receivedAt: '2026-11-28T01:00:00.000Z',
  location: 'x',
  verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
});

describe('invalid settings never stop alerts', () => {
  test('sync-broken: defaults are used and the error returned for the log (no throw, no DLQ)', async () => {
    await ddb.repository.putSeller(seller('typo', { quietHour: { start: '23:00', end: '07:00' } }));
    const r = await raiseSyncAlert(
      { outbox: outbox(), sellers: ddb.repository },
      { type: 'order-sync-broken', sellerId: 'typo', marketplace: 'amazon.de', reason: 'invalid-grant', detail: 'x', since: '2026-11-28T11:00:00.000Z' },
      NOW,
    );
    expect(r).toMatchObject({ created: true, settingsError: expect.objectContaining({ name: 'InvalidAlertSettingsError', sellerId: 'typo' }) });
    expect(await outbox().get('typo', r.alert.alertId)).toMatchObject({ status: 'pending', deliverAt: NOW });
  });

  test('unknown-order sweep: a seller with a typo is swept with the defaults, and the sellers after it too', async () => {
    // Profiles are listed in seller ID order: the broken one comes first.
    await ddb.repository.putSeller(seller('a-typo', { unknownOrderHour: 6 }));
    await ddb.repository.putSeller(seller('b-fine'));
    await ddb.repository.putNotification(notification('a-typo', 1));
    await ddb.repository.putNotification(notification('b-fine', 2));
    const r = await raiseUnknownOrderAlerts({ repo: ddb.repository, outbox: outbox() }, NOW);
    expect(r.raised.map((a) => [a.sellerId, a.alertId])).toEqual([
      ['a-typo', 'unknown-order:111-9999999-9999991:m1'],
      ['b-fine', 'unknown-order:111-9999999-9999992:m2'],
    ]);
    expect(r.created).toBe(2);
    expect(r.settingsErrors).toEqual([expect.objectContaining({ sellerId: 'a-typo' })]);
    expect(r.failed).toEqual([]);
  });

  test('unknown-order sweep: one seller failing is recorded; the others are still swept', async () => {
    await ddb.repository.putSeller(seller('a-broken'));
    await ddb.repository.putSeller(seller('b-fine'));
    await ddb.repository.putNotification(notification('a-broken', 1));
    await ddb.repository.putNotification(notification('b-fine', 2));
    const repo = ddb.repositoryWith({});
    const get = repo.getSeller.bind(repo);
    repo.getSeller = async (sellerId) => {
      if (sellerId === 'a-broken') throw new Error('ProvisionedThroughputExceededException');
      return get(sellerId);
    };
    const r = await raiseUnknownOrderAlerts({ repo, outbox: outbox() }, NOW);
    expect(r.failed).toEqual([expect.objectContaining({ sellerId: 'a-broken' })]);
    expect(r.raised.map((a) => a.sellerId)).toEqual(['b-fine']);
  });
});

describe('unknown-order sweep through the due index: reads only what is due', () => {
  const at = (h: number) => new Date(Date.parse('2026-11-28T00:00:00.000Z') + h * 3_600_000).toISOString();

  test('due at arrival, checked again at the seller\'s threshold, alerted once, then out of the index', async () => {
    await ddb.repository.putSeller(seller('s1', { unknownOrderHours: 2 }));
    const n = { ...notification('s1', 1), receivedAt: at(1) };
    await ddb.repository.putNotification(n);
    const sweep = (t: string) => raiseUnknownOrderAlerts({ repo: ddb.repository, outbox: outbox() }, t);

    expect(await sweep(at(1))).toMatchObject({ raised: [], itemsRead: 1 }); // first look: rescheduled to 03:00
    expect(await sweep(at(2))).toMatchObject({ raised: [], itemsRead: 0 });
    const r = await sweep(at(3));
    expect(r.raised.map((a) => [a.alertId, a.occurredAt])).toEqual([['unknown-order:111-9999999-9999991:m1', at(3)]]);
    expect(await sweep(at(4))).toMatchObject({ raised: [], itemsRead: 0 });
    // The notification itself is kept (for matching and reports).
    expect(await ddb.repository.listNotifications('s1')).toHaveLength(1);
  });

  test('a notification matched before its threshold leaves the index and raises nothing', async () => {
    await ddb.repository.putSeller(seller('s1'));
    const n = { ...notification('s1', 1), receivedAt: at(1) };
    await ddb.repository.putNotification(n);
    await ddb.repository.markNotificationMatched(n, at(2));
    const r = await raiseUnknownOrderAlerts({ repo: ddb.repository, outbox: outbox() }, at(12));
    expect(r).toMatchObject({ raised: [], itemsRead: 0 });
  });

  test('cost follows due notifications, not stored ones: no per-seller listing', async () => {
    for (let k = 0; k < 5; k++) await ddb.repository.putSeller(seller(`s${k}`));
    for (let k = 0; k < 5; k++) {
      for (let i = 0; i < 20; i++) {
        const n = { ...notification(`s${k}`, i), receivedAt: at(1) };
        await ddb.repository.putNotification(n);
        await ddb.repository.markNotificationMatched(n, at(1)); // the usual case: matched on arrival
      }
    }
    await ddb.repository.putNotification({ ...notification('s3', 99), orderId: '111-9999999-0000099', receivedAt: at(1) });
    const rec = recordCommands(ddb.client);
    const r = await raiseUnknownOrderAlerts({ repo: ddb.repository, outbox: outbox() }, at(12));
    expect(r.raised.map((a) => a.sellerId)).toEqual(['s3']);
    expect(r.itemsRead).toBe(1);
    const queried = rec.commands.filter((c) => c.command === 'QueryCommand').map((c) => JSON.stringify(c.input));
    expect(queried.every((q) => q.includes('"IndexName":"due"'))).toBe(true);
  });
});
