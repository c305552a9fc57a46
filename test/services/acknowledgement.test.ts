/**
 * The reminder stop on a real local DynamoDB (dynalite): the AcknowledgementStore writes the
 * seller's answer on the order item (conditional on the order existing, bumping its version), the
 * reconciler then raises nothing more for a handled order and nothing before the end of a snooze,
 * and the sender drops (or holds back) what was already in the outbox. An answer never marks the
 * order notified or shipped.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbAcknowledgements } from '../../functions/adapters/dynamodb/acknowledgements';
import { orderKey } from '../../functions/adapters/dynamodb/keys';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { fromAttributes, toAttributes } from '../../functions/adapters/dynamodb/table';
import { acknowledgementOf, parseSnooze } from '../../functions/domain/acknowledgement';
import type { ChannelConfig } from '../../functions/domain/alert-settings';
import { computeStatus } from '../../functions/domain/order-status';
import type { AlertChannel, OutgoingMessage } from '../../functions/domain/ports';
import type { OrderFacts, OrderPolicy } from '../../functions/domain/types';
import { importOrders } from '../../functions/services/import-orders';
import { reconcileDue } from '../../functions/services/reconcile';
import { sendDueAlerts } from '../../functions/services/send-alerts';
import { useDynalite } from '../support/dynalite';
import { order } from '../support/seller-data';

const ddb = useDynalite({ freshTablePerTest: true });
const POLICY: OrderPolicy = { graceMinutes: 60 };
const ID = '112-4455667-3000001';

// Ship-by 2026-11-29T08:00Z: reminders at 24 h (11-28T08:00), 12 h (11-28T20:00), 4 h (11-29T04:00).
const facts = (over: Partial<OrderFacts> = {}): OrderFacts => {
  const { version: _v, firstSeenAt: _f, ...base } = order('s1', ID, {
    latestShipDate: '2026-11-29T08:00:00.000Z',
    lastUpdated: '2026-11-27T10:00:00.000Z',
    source: 'sp-api-2026',
  });
  return { ...base, ...over };
};

const outbox = () => new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
const acks = () => new DynamoDbAcknowledgements({ client: ddb.client, tableName: ddb.tableName });
const reconcile = (now: string) => reconcileDue(ddb.repository, now, POLICY, { alerting: { outbox: outbox() } });
const alertIds = async () => (await outbox().listForSeller('s1')).map((i) => i.alert.alertId).sort();

/** Imported at 10:01, missing at 11:00 (its alert raised): the state every test starts from. */
async function missingOrder(alerting?: { channels: ChannelConfig[] }): Promise<void> {
  await ddb.repository.putSeller({ sellerId: 's1', name: 'S1', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z', ...(alerting ? { alerting } : {}) } as never);
  await importOrders(ddb.repository, [facts()], '2026-11-27T10:01:00.000Z', POLICY);
  const r = await reconcile('2026-11-27T11:00:00.000Z');
  expect(r.alerts.map((a) => a.kind)).toEqual(['notification-missing']);
}

describe('DynamoDbAcknowledgements', () => {
  test('stored on the order item, version bumped, nothing else changed; an unknown order creates nothing', async () => {
    await missingOrder();
    const before = (await ddb.repository.getOrder('s1', ID))!;
    const ack = acknowledgementOf('2026-11-27T12:00:00Z', 'link');
    expect(await acks().acknowledge('s1', ID, ack)).toBe('applied');
    const after = (await ddb.repository.getOrder('s1', ID))!;
    expect(after).toEqual({ ...before, version: before.version + 1, acknowledgement: { kind: 'handled', at: '2026-11-27T12:00:00.000Z', via: 'link' } });
    // Not notified, not shipped, still missing: the email never came.
    expect(after.notifiedAt).toBeUndefined();
    expect(computeStatus(after, '2026-11-27T12:00:00.000Z', POLICY)).toBe('missing');
    // The raw item keeps its due-index keys (the reconciler moves the checkpoint).
    const raw = await ddb.client.send(new GetItemCommand({ TableName: ddb.tableName, Key: toAttributes(orderKey('s1', ID)) }));
    expect(fromAttributes(raw.Item!)).toMatchObject({ duePk: expect.stringMatching(/^DUE#/), alertAfter: before.alertAfter });

    expect(await acks().acknowledge('s1', '112-0000000-0000000', ack)).toBe('unknown-order');
    expect(await acks().acknowledge('other-seller', ID, ack)).toBe('unknown-order');
    expect(await ddb.repository.getOrder('s1', '112-0000000-0000000')).toBeUndefined();
    expect(await ddb.repository.getOrder('other-seller', ID)).toBeUndefined();
  });

  test('the repository is an AcknowledgementStore too; a snooze is stored with its end; a bad snooze is refused', async () => {
    await missingOrder();
    expect(await ddb.repository.acknowledge('s1', ID, acknowledgementOf('2026-11-27T12:00:00.000Z', 'cli', parseSnooze('4h')))).toBe('applied');
    expect((await ddb.repository.getOrder('s1', ID))!.acknowledgement).toEqual({
      kind: 'snoozed',
      at: '2026-11-27T12:00:00.000Z',
      until: '2026-11-27T16:00:00.000Z',
      via: 'cli',
    });
    await expect(acks().acknowledge('s1', ID, { kind: 'snoozed', at: '2026-11-27T12:00:00.000Z', until: '2026-11-27T11:00:00.000Z', via: 'cli' })).rejects.toThrow(/must end after/);
  });

  test('a writer that read the order before the answer loses its race instead of writing the answer away', async () => {
    await missingOrder();
    const read = (await ddb.repository.getOrder('s1', ID))!;
    await acks().acknowledge('s1', ID, acknowledgementOf('2026-11-27T12:00:00.000Z', 'link'));
    await expect(ddb.repository.saveOrder({ ...read, lastUpdated: '2026-11-27T12:01:00.000Z', version: read.version + 1 }, read.version)).rejects.toThrow(
      /concurrent|modified|version/i,
    );
    // Order sources merge onto what is stored: the answer survives a sync update.
    await importOrders(ddb.repository, [facts({ lastUpdated: '2026-11-27T13:00:00.000Z' })], '2026-11-27T13:00:00.000Z', POLICY);
    expect((await ddb.repository.getOrder('s1', ID))!.acknowledgement?.kind).toBe('handled');
  });
});

describe('the reconciler after an answer', () => {
  test('handled: no reminder at any instant, no "resolved" when it ships; the order leaves the due index', async () => {
    await missingOrder();
    await acks().acknowledge('s1', ID, acknowledgementOf('2026-11-27T12:00:00.000Z', 'link'));
    for (const now of ['2026-11-28T08:00:00.000Z', '2026-11-28T20:00:00.000Z', '2026-11-29T04:00:00.000Z']) {
      const r = await reconcile(now);
      expect(r.alerts).toEqual([]);
    }
    expect((await ddb.repository.getOrder('s1', ID))!.alertAfter).toBeUndefined();
    // It ships later: the status is tracked, the seller hears nothing more about it.
    await importOrders(ddb.repository, [facts({ orderState: 'Shipped', lastUpdated: '2026-11-29T05:00:00.000Z' })], '2026-11-29T05:00:00.000Z', POLICY);
    expect((await reconcile('2026-11-29T05:01:00.000Z')).alerts).toEqual([]);
    const o = (await ddb.repository.getOrder('s1', ID))!;
    expect(o).toMatchObject({ orderState: 'Shipped', status: 'missing' });
    expect(o.notifiedAt).toBeUndefined();
    expect(o.alertAfter).toBeUndefined();
    expect(await alertIds()).toEqual([`notification-missing:${ID}`]);
  });

  test('snoozed: nothing before the end; at the end the latest passed reminder; then the schedule goes on', async () => {
    await missingOrder();
    // Snoozed 07:00 for 14 h: the 24 h reminder (08:00) falls inside, the 12 h one (20:00) too.
    await acks().acknowledge('s1', ID, acknowledgementOf('2026-11-28T07:00:00.000Z', 'link', 14 * 60));
    expect((await reconcile('2026-11-28T08:00:00.000Z')).alerts).toEqual([]);
    expect((await ddb.repository.getOrder('s1', ID))!.alertAfter).toBe('2026-11-28T21:00:00.000Z');
    expect((await reconcile('2026-11-28T20:59:59.999Z')).dueOrders).toBe(0);
    const end = await reconcile('2026-11-28T21:00:00.000Z');
    expect(end.alerts.map((a) => a.alertId)).toEqual([`deadline-reminder:${ID}:ship-by-12h`]);
    expect((await ddb.repository.getOrder('s1', ID))!.alertAfter).toBe('2026-11-29T04:00:00.000Z');
    expect((await reconcile('2026-11-29T04:00:00.000Z')).alerts.map((a) => a.alertId)).toEqual([`deadline-reminder:${ID}:ship-by-4h`]);
  });

  test('a snooze past the deadline sends nothing stale when it ends', async () => {
    await missingOrder();
    await acks().acknowledge('s1', ID, acknowledgementOf('2026-11-29T03:00:00.000Z', 'cli', 6 * 60)); // until 09:00, ship-by 08:00
    expect((await reconcile('2026-11-29T04:00:00.000Z')).alerts).toEqual([]);
    const end = await reconcile('2026-11-29T09:00:00.000Z');
    expect(end.alerts.filter((a) => a.kind === 'deadline-reminder')).toEqual([]);
  });

  test('an order snoozed before it went missing: its missing alert waits in the outbox for the end of the snooze', async () => {
    await ddb.repository.putSeller({ sellerId: 's1', name: 'S1', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z' });
    await importOrders(ddb.repository, [facts()], '2026-11-27T10:01:00.000Z', POLICY);
    await acks().acknowledge('s1', ID, acknowledgementOf('2026-11-27T10:30:00.000Z', 'cli', 120));
    const r = await reconcile('2026-11-27T11:00:00.000Z');
    expect(r.transitions.map((t) => t.to)).toEqual(['missing']);
    const [item] = await outbox().listForSeller('s1');
    expect(item).toMatchObject({ alert: { kind: 'notification-missing' }, deliverAt: '2026-11-27T12:30:00.000Z' });
  });
});

describe('the sender after an answer', () => {
  const CH: ChannelConfig = { id: 'hook', type: 'webhook', url: 'https://example.test/hook' };
  function deps(sent: OutgoingMessage[]) {
    const box = outbox();
    const channel = (c: ChannelConfig): AlertChannel => ({ id: c.id, type: c.type, send: async (m) => void sent.push(m) });
    return { outbox: box, health: box, sellers: ddb.repository, channels: channel, orders: { repo: ddb.repository, policy: POLICY }, sleep: async () => {} };
  }

  test('an alert still in the outbox when the seller answers "handled" is not sent (suppressed:acknowledged)', async () => {
    await missingOrder({ channels: [CH] });
    await acks().acknowledge('s1', ID, acknowledgementOf('2026-11-27T11:00:30.000Z', 'link'));
    const sent: OutgoingMessage[] = [];
    const r = await sendDueAlerts(deps(sent), '2026-11-27T11:01:00.000Z');
    expect(sent).toEqual([]);
    expect(r).toMatchObject({ claimed: 1, suppressed: 1, sent: 0 });
    expect((await outbox().get('s1', `notification-missing:${ID}`))).toMatchObject({ status: 'sent', sentVia: ['suppressed:acknowledged'] });
  });

  test('snoozed: held back until the snooze ends, then sent', async () => {
    await missingOrder({ channels: [CH] });
    await acks().acknowledge('s1', ID, acknowledgementOf('2026-11-27T11:00:30.000Z', 'link', 60));
    const sent: OutgoingMessage[] = [];
    const r = await sendDueAlerts(deps(sent), '2026-11-27T11:01:00.000Z');
    expect(sent).toEqual([]);
    expect(r.retried).toBe(1);
    expect(await outbox().get('s1', `notification-missing:${ID}`)).toMatchObject({ status: 'pending', deliverAt: '2026-11-27T12:00:30.000Z' });
    expect((await sendDueAlerts(deps(sent), '2026-11-27T12:00:00.000Z')).claimed).toBe(0);
    await sendDueAlerts(deps(sent), '2026-11-27T12:00:30.000Z');
    expect(sent.map((m) => m.alerts.map((a) => a.alertId))).toEqual([[`notification-missing:${ID}`]]);
  });
});

test('parseSnooze', () => {
  expect(parseSnooze('4h')).toBe(240);
  expect(parseSnooze('30m')).toBe(30);
  expect(parseSnooze('1h30m')).toBe(90);
  expect(parseSnooze('2d')).toBe(2880);
  for (const bad of ['', '0h', '4', 'soon', '8d', '-1h']) expect(() => parseSnooze(bad)).toThrow(/invalid snooze/);
});
