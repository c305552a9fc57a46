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
