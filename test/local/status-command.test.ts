/** `shipnow status` in process: on a persisted embedded store (`--data`) and on a table (`--table --endpoint`). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { ordersCommand } from '../../functions/local/commands/orders';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { DynamoDbSyncState } from '../../functions/adapters/dynamodb/sync-state';
import { statusCommand } from '../../functions/local/commands/status';
import { buildStatus, type StatusReport } from '../../functions/services/seller-status';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../functions/local/embedded-dynamodb';
import type { OrderFacts } from '../../functions/domain/types';
import { importOrders } from '../../functions/services/import-orders';
import { reconcileDue } from '../../functions/services/reconcile';
import { recordCommands } from '../support/dynalite';

const NOW = '2026-11-28T12:00:00.000Z';
const POLICY = { graceMinutes: 60 };

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

const order = (orderId: string, purchaseDate: string, marketplace = 'amazon.com'): OrderFacts => ({
  sellerId: 'A1ST',
  orderId,
  marketplace,
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate,
  latestShipDate: '2026-11-30T08:00:00.000Z',
  lastUpdated: purchaseDate,
  source: 'sp-api-2026',
});

/** Two sellers: A1ST with a missing order, a broken sync and an alert sent; B2OK healthy. */
async function seed(db: EmbeddedDynamoDb): Promise<void> {
  const { repository: repo, client, tableName } = db;
  await repo.putSeller({ sellerId: 'A1ST', name: 'Store One', marketplaces: ['amazon.com', 'amazon.de'], createdAt: '2026-11-01T00:00:00.000Z' });
  await repo.putSeller({ sellerId: 'B2OK', name: 'Store Two', marketplaces: ['amazon.com'], createdAt: '2026-11-01T00:00:00.000Z' });
  const sync = new DynamoDbSyncState({ client, tableName });
  await sync.markSuccess('A1ST', 'amazon.com', '2026-11-28T11:50:00.000Z');
  await sync.markBroken('A1ST', 'amazon.de', 'invalid-grant', 'refresh token revoked', '2026-11-28T09:00:00.000Z');
  await sync.markSuccess('B2OK', 'amazon.com', '2026-11-28T11:55:00.000Z');
  await importOrders(repo, [order('111-0000001-0000001', '2026-11-28T08:00:00.000Z'), order('111-0000001-0000002', '2026-11-28T11:45:00.000Z')], '2026-11-28T08:01:00.000Z', POLICY);
  const outbox = new DynamoDbOutbox({ client, tableName });
  await reconcileDue(repo, '2026-11-28T10:00:00.000Z', POLICY, { alerting: { outbox } });
  const [item] = await outbox.listForSeller('A1ST');
  const claimed = await outbox.claim('A1ST', item.alert.alertId, '2026-11-28T10:01:00.000Z', '2026-11-28T10:06:00.000Z');
  await outbox.markSent(claimed!, '2026-11-28T10:01:00.000Z', ['email-1']);
}

describe('shipnow status', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shipnow-status-'));
    const db = await startEmbeddedDynamoDb({ path: join(dir, 'dynamodb') });
    await seed(db);
    await db.stop();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('--json: per seller and marketplace, sync, last email, awaiting / missing, alerts in 24 h, cause; exit 1', async () => {
    const t = io();
    const code = await statusCommand(['--data', dir, '--json', '--now', NOW], t.io);
    expect(t.err).toEqual([]);
    expect(code).toBe(1);
    const r = JSON.parse(t.out[0]) as StatusReport;
    expect(r.ok).toBe(false);
    expect(r.sellers.map((s) => [s.sellerId, s.ok])).toEqual([
      ['A1ST', false],
      ['B2OK', true],
    ]);
    const [a] = r.sellers;
    expect(a.alertsSent24h).toBe(1);
    const com = a.marketplaces.find((m) => m.marketplace === 'amazon.com')!;
    expect(com).toEqual(
      expect.objectContaining({ lastOrderSync: { at: '2026-11-28T11:50:00.000Z' }, lastEmailAt: null, awaiting: 1, missing: 1, alertsSent24h: 1, ok: false }),
    );
    expect(com.cause).toMatch(/1 order\(s\) missing their email — likely cause: no Sold, Ship Now email arrives at all/);
    const de = a.marketplaces.find((m) => m.marketplace === 'amazon.de')!;
    expect(de).toEqual(expect.objectContaining({ ok: false, lastOrderSync: expect.objectContaining({ at: null, broken: { reason: 'invalid-grant', since: '2026-11-28T09:00:00.000Z' } }) }));
    expect(de.remedy).toMatch(/authorize the ShipNow Sentinel app again/);
    expect(r.sellers[1].marketplaces).toEqual([expect.objectContaining({ marketplace: 'amazon.com', ok: true, missing: 0, awaiting: 0 })]);
  });

  test('text: a table per seller and "What to do" lines under the problems', async () => {
    const t = io();
    await statusCommand(['--data', dir, '--now', NOW], t.io);
    const text = t.out.join('\n');
    expect(text).toMatch(/^ShipNow Sentinel status at 2026-11-28T12:00:00.000Z \(embedded store in /);
    expect(text).toMatch(/A1ST {2}Store One {2}— NEEDS ATTENTION; alerts sent in the last 24 h: 1/);
    expect(text).toMatch(/amazon\.com +10 min ago +never +1 +1 +1 +PROBLEM/);
    expect(text).toMatch(/amazon\.de +BROKEN/);
    expect(text).toMatch(/! amazon\.de: order sync broken since 2026-11-28T09:00:00.000Z \(invalid-grant\)\n {4}What to do: /);
    expect(text).toMatch(/B2OK {2}Store Two {2}— OK/);
  });

  test('--seller narrows to one seller (exit 0 when it is well); a stale sync is a problem too', async () => {
    let t = io();
    expect(await statusCommand(['--data', dir, '--seller', 'B2OK', '--now', NOW, '--json'], t.io)).toBe(0);
    expect((JSON.parse(t.out[0]) as StatusReport).sellers.map((s) => s.sellerId)).toEqual(['B2OK']);
    t = io();
    expect(await statusCommand(['--data', dir, '--seller', 'B2OK', '--now', '2026-11-28T14:00:00.000Z', '--json'], t.io)).toBe(1);
    expect((JSON.parse(t.out[0]) as StatusReport).sellers[0].marketplaces[0].cause).toMatch(/^orders stale: last success 2 h ago/);
  });

  test('embedded store, orders from `orders import` only: the missing emails are diagnosed, imports count as orders received, no AWS advice', async () => {
    const data = mkdtempSync(join(tmpdir(), 'shipnow-status-import-'));
    try {
      const db = await startEmbeddedDynamoDb({ path: join(data, 'dynamodb') });
      await db.repository.putSeller({ sellerId: 'C3IMP', name: 'Importer', marketplaces: ['amazon.com'], createdAt: '2026-11-01T00:00:00.000Z' });
      await db.stop();
      const report = join(data, 'report.txt');
      writeFileSync(report, ['order-id\tpurchase-date\tpayments-date', '111-0000003-0000001\t2026-11-28T08:00:00+00:00\t2026-11-28T08:01:00+00:00'].join('\n'));
      expect(await ordersCommand(['import', report, '--seller', 'C3IMP', '--data', data], io().io, { now: () => Date.parse('2026-11-28T11:30:00.000Z'), progress: false })).toBe(0);

      // Imported 30 minutes ago: fresh; the one problem is the missing email, with its likely cause.
      let t = io();
      expect(await statusCommand(['--data', data, '--now', NOW, '--json'], t.io)).toBe(1);
      let [m] = (JSON.parse(t.out[0]) as StatusReport).sellers[0].marketplaces;
      expect(m).toMatchObject({ lastOrderSync: { at: null }, lastOrderImportAt: '2026-11-28T11:30:00.000Z', lastOrdersReceivedAt: '2026-11-28T11:30:00.000Z', missing: 1, ok: false });
      expect(m.cause).toMatch(/^1 order\(s\) missing their email — likely cause: /);
      expect(m.problems).toHaveLength(1);

      // Hours later: stale orders AND the missing email, both reported; no dashboard advice.
      t = io();
      expect(await statusCommand(['--data', data, '--now', '2026-11-28T15:00:00.000Z', '--json'], t.io)).toBe(1);
      [m] = (JSON.parse(t.out[0]) as StatusReport).sellers[0].marketplaces;
      expect(m.problems?.map((p) => p.cause)).toEqual([expect.stringMatching(/^1 order\(s\) missing their email — likely cause: /), 'orders stale: last import 4 h ago']);
      expect(m.problems?.[1].remedy).toMatch(/shipnow orders import FILE --seller C3IMP/);
      expect(JSON.stringify(m)).not.toMatch(/dashboard|SyncDlq|Dispatcher/);

      t = io();
      await statusCommand(['--data', data, '--now', '2026-11-28T15:00:00.000Z'], t.io);
      const text = t.out.join('\n');
      expect(text).toMatch(/amazon\.com +4 h ago \(import\) +never +0 +1 /);
      expect(text).toMatch(/! amazon\.com: 1 order\(s\) missing their email[^\n]*\n {4}What to do: [^\n]*\n {2}! amazon\.com: orders stale: last import 4 h ago\n {4}What to do: /);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  test('bad input: exit 2 with a message', async () => {
    for (const args of [['--seller', 'NOPE'], ['--now', 'yesterday'], ['--bogus'], ['--endpoint', 'http://x']]) {
      const t = io();
      expect(await statusCommand(['--data', dir, ...args], t.io)).toBe(2);
      expect(t.err[0]).toMatch(/^shipnow: /);
    }
  });

  test('--table --endpoint: a deployed (here: local) table, reads only: Query and GetItem', async () => {
    const db = await startEmbeddedDynamoDb({ tableName: 'sentinel-deployed' });
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' });
    try {
      await seed(db);
      const t = io();
      const code = await statusCommand(['--table', 'sentinel-deployed', '--endpoint', db.endpoint, '--now', NOW, '--json'], t.io);
      expect(t.err).toEqual([]);
      expect(code).toBe(1);
      const r = JSON.parse(t.out[0]) as StatusReport;
      expect(r.store).toBe(`table sentinel-deployed at ${db.endpoint}`);
      expect(r.sellers.find((s) => s.sellerId === 'A1ST')?.alertsSent24h).toBe(1);

      // What it asks of DynamoDB: reads only, and never a Scan.
      const rec = recordCommands(db.client);
      const { client, tableName, repository } = db;
      await buildStatus(
        { repo: repository, ledger: new DynamoDbIntakeLedger({ client, tableName }), outbox: new DynamoDbOutbox({ client, tableName }), sync: new DynamoDbSyncState({ client, tableName }) },
        { now: NOW },
      );
      expect(new Set(rec.commands.map((c) => c.command))).toEqual(new Set(['QueryCommand', 'GetItemCommand']));
    } finally {
      process.env = saved;
      await db.stop();
    }
  });
});
