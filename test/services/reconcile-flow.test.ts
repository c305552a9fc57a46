/**
 * The core use cases end to end on a real DynamoDB-compatible server (dynalite): real .eml
 * fixtures through ingestEmail, real order facts through importOrders, reconcileDue on the
 * sparse index, and the seller report the CLI prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OrderFacts, OrderPolicy } from '../../functions/domain/types';
import { contentId } from '../../functions/local/mail-folder';
import { importOrders } from '../../functions/services/import-orders';
import { ingestEmail } from '../../functions/services/ingest-email';
import { reconcileDue } from '../../functions/services/reconcile';
import { sellerReport } from '../../functions/services/seller-report';
import { recordCommands, useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const POLICY: OrderPolicy = { graceMinutes: 60 };
const MAIL = join(__dirname, '..', 'fixtures', 'mail');

function mail(file: string, sellerId = 'seller-a') {
  const raw = readFileSync(join(MAIL, file));
  return { sellerId, raw, messageId: contentId(raw), location: file, fallbackReceivedAt: '2026-11-28T00:00:00.000Z' };
}

/** The order named in us-sold-ship-now.eml (arrives 2026-11-27 15:11Z per its Received header). */
const US_ORDER: OrderFacts = {
  sellerId: 'seller-a',
  orderId: '112-4455667-1000001',
  marketplace: 'amazon.com',
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate: '2026-11-27T15:04:00.000Z',
  paymentsDate: '2026-11-27T15:10:00.000Z',
  source: 'report',
};
/** The order the forged email names; it has no genuine email. */
const FORGED_TARGET: OrderFacts = { ...US_ORDER, orderId: '112-4455667-1000002', purchaseDate: '2026-11-27T18:30:00.000Z', paymentsDate: undefined };

test('an email that arrives before its order is kept, then matched when the order arrives', async () => {
  const repo = ddb.repository;
  const r = await ingestEmail(repo, mail('us-sold-ship-now.eml'), '2026-11-27T16:00:00.000Z', POLICY);
  expect(r).toMatchObject({ outcome: 'accepted', duplicate: false, matched: [], unmatched: ['112-4455667-1000001'] });

  let report = await sellerReport(repo, 'seller-a', '2026-11-27T16:00:00.000Z', POLICY);
  expect(report.unmatchedNotifications).toEqual([expect.objectContaining({ orderId: '112-4455667-1000001' })]);

  const imported = await importOrders(repo, [US_ORDER], '2026-11-27T17:00:00.000Z', POLICY);
  expect(imported).toEqual({ written: 1, unchanged: 0, matchedEarlierEmail: 1 });

  report = await sellerReport(repo, 'seller-a', '2026-11-28T12:00:00.000Z', POLICY);
  expect(report.orders).toEqual([expect.objectContaining({ orderId: '112-4455667-1000001', status: 'notified' })]);
  expect(report.orders[0].notifiedAt).toMatch(/^2026-11-27T15:1\d/);
  expect(report.unmatchedNotifications).toEqual([]);
});

test('replaying the same email or the same order changes nothing', async () => {
  const repo = ddb.repository;
  await importOrders(repo, [US_ORDER], '2026-11-27T15:05:00.000Z', POLICY);
  const first = await ingestEmail(repo, mail('us-sold-ship-now.eml'), '2026-11-27T16:00:00.000Z', POLICY);
  expect(first).toMatchObject({ outcome: 'accepted', duplicate: false, matched: ['112-4455667-1000001'] });
  const stored = await repo.getOrder('seller-a', '112-4455667-1000001');

  const again = await ingestEmail(repo, mail('us-sold-ship-now.eml'), '2026-11-27T17:00:00.000Z', POLICY);
  expect(again).toMatchObject({ outcome: 'accepted', duplicate: true, matched: ['112-4455667-1000001'] });
  expect(await importOrders(repo, [US_ORDER], '2026-11-27T18:00:00.000Z', POLICY)).toEqual({ written: 0, unchanged: 1, matchedEarlierEmail: 0 });
  expect(await repo.getOrder('seller-a', '112-4455667-1000001')).toEqual(stored);
  expect(await repo.listNotifications('seller-a')).toHaveLength(1);
});

test.each(['forged-amazon-com.eml', 'us-spf-dkim-fail.eml', 'lookalike-amazon-de.eml', 'us-return-request.eml', 'truncated.eml'])(
  '%s never marks an order as notified and stores nothing',
  async (file) => {
    const repo = ddb.repository;
    const orders: OrderFacts[] = [US_ORDER, FORGED_TARGET, { ...US_ORDER, orderId: '112-4455667-2000020' }];
    await importOrders(repo, orders, '2026-11-27T19:00:00.000Z', POLICY);
    const before = await repo.listOrders('seller-a');
    const r = await ingestEmail(repo, mail(file), '2026-11-27T20:00:00.000Z', POLICY);
    expect(r.outcome).toBe('rejected');
    expect(await repo.listOrders('seller-a')).toEqual(before);
    expect(await repo.listNotifications('seller-a')).toEqual([]);
  },
);

test("one seller's email can never mark another seller's order with the same ID", async () => {
  const repo = ddb.repository;
  await importOrders(repo, [{ ...US_ORDER, sellerId: 'seller-b' }], '2026-11-27T15:05:00.000Z', POLICY);
  const r = await ingestEmail(repo, mail('us-sold-ship-now.eml', 'seller-a'), '2026-11-27T16:00:00.000Z', POLICY);
  expect(r).toMatchObject({ outcome: 'accepted', matched: [], unmatched: ['112-4455667-1000001'] });
  expect((await repo.getOrder('seller-b', '112-4455667-1000001'))?.notifiedAt).toBeUndefined();
});

describe('reconcileDue', () => {
  test('records the missing transition once, at the time it really happened, reading only due orders', async () => {
    const repo = ddb.repository;
    await importOrders(repo, [US_ORDER, FORGED_TARGET], '2026-11-27T18:31:00.000Z', POLICY);
    await ingestEmail(repo, mail('us-sold-ship-now.eml'), '2026-11-27T18:32:00.000Z', POLICY);

    // Before the grace period ends nothing is due.
    const early = await reconcileDue(repo, '2026-11-27T19:29:59.999Z', POLICY);
    expect(early).toMatchObject({ dueOrders: 0, itemsRead: 0, transitions: [] });

    // At expectedBy (purchase 18:30 + 60 min) the order without an email becomes missing.
    const recorder = recordCommands(ddb.client);
    const run = await reconcileDue(repo, '2026-11-27T19:30:00.000Z', POLICY);
    expect(run.dueOrders).toBe(1);
    expect(run.itemsRead).toBe(1);
    expect(run.readCapacityUnits).toBeGreaterThan(0);
    expect(run.transitions).toEqual([
      { sellerId: 'seller-a', orderId: '112-4455667-1000002', from: undefined, to: 'missing', at: '2026-11-27T19:30:00.000Z' },
    ]);
    expect(recorder.commands.map((c) => c.command)).not.toContain('ScanCommand');

    // A second run writes nothing: the order left the index on its transition.
    expect(await reconcileDue(repo, '2026-11-27T19:35:00.000Z', POLICY)).toMatchObject({ dueOrders: 0, transitions: [] });
    expect((await repo.getOrder('seller-a', '112-4455667-1000002'))?.status).toBe('missing');
  });

  test('two reconcilers running at once record each transition exactly once', async () => {
    const repo = ddb.repository;
    const orders = Array.from({ length: 20 }, (_, i): OrderFacts => ({
      ...FORGED_TARGET,
      orderId: `112-4455667-30000${String(i).padStart(2, '0')}`,
    }));
    await importOrders(repo, orders, '2026-11-27T18:31:00.000Z', POLICY);
    const other = ddb.repositoryWith({});
    const [a, b] = await Promise.all([
      reconcileDue(repo, '2026-11-27T20:00:00.000Z', POLICY),
      reconcileDue(other, '2026-11-27T20:00:00.000Z', POLICY),
    ]);
    const all = [...a.transitions, ...b.transitions];
    expect(all).toHaveLength(20);
    expect(new Set(all.map((t) => t.orderId)).size).toBe(20);
    // Every due order one run read but the other had already changed is skipped, not re-written.
    expect(a.skipped + b.skipped).toBe(a.dueOrders + b.dueOrders - 20);
    expect(a.failed).toEqual([]);
    expect(b.failed).toEqual([]);
  });

  test('a late email after the missing transition turns the order notified', async () => {
    const repo = ddb.repository;
    await importOrders(repo, [US_ORDER], '2026-11-27T15:05:00.000Z', POLICY);
    await reconcileDue(repo, '2026-11-27T16:10:00.000Z', POLICY);
    expect((await repo.getOrder('seller-a', US_ORDER.orderId))?.status).toBe('missing');
    await ingestEmail(repo, mail('us-sold-ship-now.eml'), '2026-11-27T17:00:00.000Z', POLICY);
    const report = await sellerReport(repo, 'seller-a', '2026-11-27T17:00:00.000Z', POLICY);
    expect(report.orders[0]).toMatchObject({ status: 'notified' });
  });
});
