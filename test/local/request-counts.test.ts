/**
 * The DynamoDB requests each unit of work makes, measured on the real adapters (dynalite with the
 * command recorder): the basis of the cost per seller-month in docs/operations.md. Each test pins
 * an upper bound so a change that makes a path chattier shows up here and in the cost table.
 *
 * Run `npx jest test/local/request-counts -t counts --verbose` and read the logged table.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { DynamoDbSyncState } from '../../functions/adapters/dynamodb/sync-state';
import { StaticCredentials } from '../../functions/adapters/secrets';
import type { AlertChannel } from '../../functions/domain/ports';
import type { OrdersApi } from '../../functions/domain/ports';
import { DEFAULT_POLICY, type OrderFacts } from '../../functions/domain/types';
import { intakeMailFolder } from '../../functions/local/folder-intake';
import { importOrders } from '../../functions/services/import-orders';
import { reconcileDue } from '../../functions/services/reconcile';
import { sendDueAlerts } from '../../functions/services/send-alerts';
import { syncSellerOrders } from '../../functions/services/sync-orders';
import { recordCommands, useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const SELLER = { sellerId: 'S1', name: 'S1', marketplaces: ['amazon.com'], createdAt: '2026-11-01T00:00:00.000Z' };
const counts: Record<string, Record<string, number>> = {};

function measure(label: string, rec: ReturnType<typeof recordCommands>): Record<string, number> {
  const byCommand: Record<string, number> = {};
  for (const c of rec.commands) byCommand[c.command.replace(/Command$/, '')] = (byCommand[c.command.replace(/Command$/, '')] ?? 0) + 1;
  counts[label] = byCommand;
  rec.clear();
  return byCommand;
}
const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);

const order = (orderId: string, purchaseDate = '2026-11-28T08:00:00.000Z'): OrderFacts => ({
  sellerId: 'S1',
  orderId,
  marketplace: 'amazon.com',
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate,
  latestShipDate: '2026-11-30T08:00:00.000Z',
  lastUpdated: purchaseDate,
  source: 'sp-api-2026',
});

afterAll(() => {
  // The table docs/operations.md's cost model is built from.
  console.log(`DynamoDB requests per unit of work:\n${Object.entries(counts).map(([k, v]) => `  ${k}: ${total(v)} ${JSON.stringify(v)}`).join('\n')}`);
});

describe('counts', () => {
  test('an order sync run for one seller with nothing new (the 96-times-a-day path)', async () => {
    await ddb.repository.putSeller(SELLER);
    const state = new DynamoDbSyncState({ client: ddb.client, tableName: ddb.tableName });
    const api: OrdersApi = { listOrders: async () => ({ orders: [], throttled: 0 }) };
    let t = Date.parse('2026-11-28T12:00:00.000Z');
    const deps = {
      repo: ddb.repository,
      state,
      api,
      credentials: new StaticCredentials({ clientId: 'c', clientSecret: 's' }, { S1: 'Atzr|x' }),
      events: { publish: async () => undefined },
      now: () => t,
      sleep: async (ms: number) => void (t += ms),
      policy: DEFAULT_POLICY,
    };
    await syncSellerOrders(deps, { sellerId: 'S1', owner: 'warm', deadlineMs: t + 60_000, overlapMs: 0 });
    t += 15 * 60_000;
    const rec = recordCommands(ddb.client);
    const r = await syncSellerOrders(deps, { sellerId: 'S1', owner: 'run', deadlineMs: t + 60_000, overlapMs: 0 });
    expect(r.status).toBe('synced');
    expect(total(measure('sync run, no new orders', rec))).toBeLessThanOrEqual(12);
  });

  test('a new order written by the sync (once per order)', async () => {
    await ddb.repository.putSeller(SELLER);
    const rec = recordCommands(ddb.client);
    await importOrders(ddb.repository, [order('111-0000000-0000001')], '2026-11-28T08:05:00.000Z', DEFAULT_POLICY);
    expect(total(measure('new order imported', rec))).toBeLessThanOrEqual(6);
    await importOrders(ddb.repository, [{ ...order('111-0000000-0000001'), orderState: 'Shipped', lastUpdated: '2026-11-28T15:00:00.000Z' }], '2026-11-28T15:05:00.000Z', DEFAULT_POLICY);
    expect(total(measure('order update (shipped)', rec))).toBeLessThanOrEqual(6);
  });

  test('one Sold, Ship Now email taken in (once per order)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'counts-'));
    try {
      copyFileSync(join(__dirname, '..', 'fixtures', 'mail', 'us-sold-ship-now.eml'), join(dir, 'us-sold-ship-now.eml'));
      await ddb.repository.putSeller(SELLER);
      const ledger = new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName });
      const probe = await intakeMailFolder({ repo: ddb.repository, ledger, dir, now: '2026-11-28T09:00:00.000Z', policy: DEFAULT_POLICY, sellerId: 'S1' });
      const res = probe.results[0].result;
      expect(res.outcome).toBe('accepted');
      const orderIds = res.outcome === 'accepted' ? res.orderIds : [];
      // Again on a fresh table, with the order known first (the usual order of events).
      const repo = await ddb.freshTable();
      await repo.putSeller(SELLER);
      await importOrders(repo, orderIds.map((id) => order(id)), '2026-11-28T08:05:00.000Z', DEFAULT_POLICY);
      const rec = recordCommands(ddb.client);
      const fresh = new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName });
      const out = await intakeMailFolder({ repo, ledger: fresh, dir, now: '2026-11-28T09:00:00.000Z', policy: DEFAULT_POLICY, sellerId: 'S1' });
      expect(out.results[0].result.outcome).toBe('accepted');
      expect(total(measure(`email accepted and matched (${orderIds.length} order)`, rec))).toBeLessThanOrEqual(12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a reconciler run with nothing due (288 runs a day, whatever the number of sellers)', async () => {
    const rec = recordCommands(ddb.client);
    const r = await reconcileDue(ddb.repository, '2026-11-28T12:00:00.000Z', DEFAULT_POLICY);
    expect(r.dueOrders).toBe(0);
    expect(total(measure('reconciler run, nothing due', rec))).toBeLessThanOrEqual(16);
  });

  test('an order turning missing, its alert raised and sent', async () => {
    await ddb.repository.putSeller(SELLER);
    await importOrders(ddb.repository, [order('111-0000000-0000002')], '2026-11-28T08:05:00.000Z', DEFAULT_POLICY);
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    const rec = recordCommands(ddb.client);
    const r = await reconcileDue(ddb.repository, '2026-11-28T12:00:00.000Z', DEFAULT_POLICY, { alerting: { outbox } });
    expect(r.alerts).toHaveLength(1);
    const reconcile = measure('reconciler run, 1 order turns missing (+ alert in outbox)', rec);
    const channel: AlertChannel = { id: 'email-1', type: 'email', send: async () => undefined };
    // After quiet hours, if the seller's settings put the alert off.
    const [item] = await outbox.listForSeller('S1');
    const at = new Date(Math.max(Date.parse(item.deliverAt), Date.parse('2026-11-28T12:01:00.000Z'))).toISOString();
    rec.clear();
    const s = await sendDueAlerts({ outbox, health: outbox, sellers: ddb.repository, channels: () => channel, fallbackChannels: [{ id: 'email-1', type: 'email' } as never], orders: { repo: ddb.repository, policy: DEFAULT_POLICY } }, at);
    expect(s.sent).toBe(1);
    const send = measure('alert sender run, 1 alert sent', rec);
    expect(total(reconcile)).toBeLessThanOrEqual(20);
    expect(total(send)).toBeLessThanOrEqual(10);
    await sendDueAlerts({ outbox, health: outbox, sellers: ddb.repository, channels: () => channel }, at);
    expect(total(measure('alert sender run, nothing due', rec))).toBeLessThanOrEqual(4);
  });
});
