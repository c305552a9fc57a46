/** `shipnow alerts channels`: list and clear a seller's broken alert channels on a persisted embedded store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { alertsCommand } from '../../functions/local/commands/alerts';
import { startEmbeddedDynamoDb } from '../../functions/local/embedded-dynamodb';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shipnow-alerts-'));
  const db = await startEmbeddedDynamoDb({ path: join(dir, 'dynamodb') });
  await db.repository.putSeller({ sellerId: 'S1', name: 'Seller', marketplaces: ['amazon.de'], createdAt: '2026-11-01T00:00:00.000Z' });
  const outbox = new DynamoDbOutbox({ client: db.client, tableName: db.tableName });
  await outbox.markBroken('S1', 'dingtalk-1', 'http-400: sign not match', '2026-11-28T10:00:00.000Z');
  await outbox.markBroken('S1', 'slack-ops', 'http-404: no_service', '2026-11-28T11:00:00.000Z');
  await db.stop();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('lists the broken channels and exits 1 while any is broken', async () => {
  const r = io();
  expect(await alertsCommand(['channels', '--seller', 'S1', '--data', dir], r.io)).toBe(1);
  expect(r.out).toEqual([
    expect.stringMatching(/^dingtalk-1\tbroken\tsince 2026-11-28T10:00:00.000Z\t.*sign not match$/),
    expect.stringMatching(/^slack-ops\tbroken\t.*no_service$/),
  ]);
});

test('--clear one leaves the other; --clear all clears every one and exits 0', async () => {
  const one = io();
  expect(await alertsCommand(['channels', '--seller', 'S1', '--clear', 'slack-ops', '--json', '--data', dir], one.io)).toBe(1);
  expect(JSON.parse(one.out[0])).toMatchObject({ cleared: ['slack-ops'], broken: [{ channelId: 'dingtalk-1' }, { channelId: 'slack-ops' }] });

  const all = io();
  expect(await alertsCommand(['channels', '--seller', 'S1', '--clear', 'all', '--data', dir], all.io)).toBe(0);
  const after = io();
  expect(await alertsCommand(['channels', '--seller', 'S1', '--data', dir], after.io)).toBe(0);
  expect(after.out).toEqual(['S1: no broken alert channel']);
});

test.each([
  [['channels', '--data', '/tmp/x']],
  [['nope']],
  [['channels', '--seller', 'S1', '--bogus']],
])('bad input %j: exit 2 and one line', async (args) => {
  const r = io();
  expect(await alertsCommand([...args.slice(0, 1), ...args.slice(1).map((a) => (a === '/tmp/x' ? dir : a))], r.io)).toBe(2);
  expect(r.err).toHaveLength(1);
});

test('an unknown seller is bad input', async () => {
  const r = io();
  expect(await alertsCommand(['channels', '--seller', 'NOPE', '--data', dir], r.io)).toBe(2);
  expect(r.err[0]).toMatch(/no seller 'NOPE'/);
});

describe('alerts ack', () => {
  const ORDER = '028-4455667-1000003';
  beforeEach(async () => {
    const db = await startEmbeddedDynamoDb({ path: join(dir, 'dynamodb') });
    await db.repository.saveOrder(
      { sellerId: 'S1', orderId: ORDER, marketplace: 'amazon.de', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: '2026-11-27T10:00:00.000Z', source: 'report', firstSeenAt: '2026-11-27T10:00:00.000Z', status: 'missing', version: 1 },
      null,
    );
    await db.stop();
  });

  const stored = async () => {
    const db = await startEmbeddedDynamoDb({ path: join(dir, 'dynamodb') });
    try {
      return await db.repository.getOrder('S1', ORDER);
    } finally {
      await db.stop();
    }
  };

  test('handled, then a snooze: stored on the order, which stays missing and unnotified', async () => {
    const r = io();
    expect(await alertsCommand(['ack', '--seller', 'S1', '--order', ORDER, '--data', dir], r.io)).toBe(0);
    expect(r.out).toEqual([`S1 ${ORDER}: handled; no more alerts or reminders about this order`]);
    expect((await stored())?.acknowledgement).toMatchObject({ kind: 'handled', via: 'cli' });

    const s = io();
    const before = Date.now();
    expect(await alertsCommand(['ack', '--seller', 'S1', '--order', ORDER, '--snooze', '4h', '--json', '--data', dir], s.io)).toBe(0);
    const out = JSON.parse(s.out[0]);
    expect(out.acknowledgement).toMatchObject({ kind: 'snoozed', via: 'cli' });
    expect(Date.parse(out.acknowledgement.until) - before).toBeGreaterThanOrEqual(4 * 3_600_000 - 1000);
    const o = await stored();
    expect(o).toMatchObject({ status: 'missing', acknowledgement: { kind: 'snoozed' } });
    expect(o?.notifiedAt).toBeUndefined();
  });

  test.each([
    [['ack', '--seller', 'S1'], /needs --seller ID and --order ID/],
    [['ack', '--seller', 'S1', '--order', '028-0000000-0000000'], /no order '028-0000000-0000000' of seller 'S1'/],
    [['ack', '--seller', 'NOPE', '--order', ORDER], /no seller 'NOPE'/],
    [['ack', '--seller', 'S1', '--order', ORDER, '--snooze', 'soon'], /--snooze: invalid snooze "soon"/],
  ])('%j: exit 2 with a clear message', async (args, message) => {
    const r = io();
    expect(await alertsCommand([...args, '--data', dir], r.io)).toBe(2);
    expect(r.err.join('\n')).toMatch(message);
  });
});
