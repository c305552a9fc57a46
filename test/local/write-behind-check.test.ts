/**
 * `check` on the write-behind store (decide in memory, write the table in batches) stores exactly
 * what the same services store request by request, and reports exactly the same; and the batch
 * writer re-sends what DynamoDB leaves unprocessed.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { benchOrderId, soldShipNowEmail, writeCheckData } from '../../bench/check-data';
import { fromAttributes, toAttributes } from '../../functions/adapters/dynamodb/table';
import { ConcurrentModificationError } from '../../functions/domain/errors';
import { DEFAULT_POLICY, type StoredOrder } from '../../functions/domain/types';
import { checkOnTable, runCheck, type CheckOutcome } from '../../functions/local/run-check';
import { WriteBehindStore } from '../../functions/local/write-behind-store';
import { STREAK_ID_CAP } from '../../functions/adapters/dynamodb/stats';
import { loadOrdersFile } from '../../functions/services/load-orders-file';
import { useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const NOW = '2026-11-28T12:00:00.000Z';
const ORDERS = 60;
const FIXTURES = join(__dirname, '..', 'fixtures', 'mail');

let dir: string;
let mailDir: string;
let reportFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'write-behind-'));
  ({ mailDir, reportFile } = await writeCheckData(dir, { orders: ORDERS, now: NOW }));
  const now = Date.parse(NOW);
  // The same message twice (one content, two files): the second is a duplicate.
  await copyFile(join(mailDir, `${benchOrderId(2)}.eml`), join(mailDir, 'copy-of-2.eml'));
  // Two emails for one order (odd, so it has no other): the earlier one marks it notified.
  await writeFile(join(mailDir, 'late-3.eml'), soldShipNowEmail(3, now, { laterSeconds: 900 }));
  await writeFile(join(mailDir, 'early-3.eml'), soldShipNowEmail(3, now, { laterSeconds: 60 }));
  // An email for an order the report does not have.
  await writeFile(join(mailDir, 'unknown.eml'), soldShipNowEmail(ORDERS + 7, now));
  // Mail that does not count, each for its own reason.
  for (const f of ['forged-amazon-com.eml', 'empty.eml', 'not-a-message.eml', 'us-return-request.eml', 'truncated.eml']) {
    await copyFile(join(FIXTURES, f), join(mailDir, f));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scan(client: DynamoDBClient, tableName: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, never> | undefined;
  do {
    const res = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const i of res.Items ?? []) items.push(fromAttributes(i));
    start = res.LastEvaluatedKey as typeof start;
  } while (start);
  return items.sort((a, b) => (`${a.pk}|${a.sk}` < `${b.pk}|${b.sk}` ? -1 : 1));
}

async function checkWith(writeBehind: boolean, mail = mailDir): Promise<{ outcome: CheckOutcome; items: Array<Record<string, unknown>> }> {
  const repository = await ddb.freshTable();
  const facts = (await loadOrdersFile(reportFile, { sellerId: 'local-seller' })).orders;
  const outcome = await checkOnTable({ client: ddb.client, tableName: ddb.tableName, repository }, facts, {
    orders: [reportFile],
    mailDir: mail,
    now: NOW,
    policy: DEFAULT_POLICY,
    sellerId: 'local-seller',
    writeBehind,
  });
  return { outcome, items: await scan(ddb.client, ddb.tableName) };
}

test('the write-behind store stores and reports exactly what request-by-request does', async () => {
  const direct = await checkWith(false);
  const batched = await checkWith(true);

  // Every item, attribute for attribute: orders, notifications, message records, rejections,
  // quarantine, counters, stats, last email, the seller.
  expect(batched.items).toEqual(direct.items);
  expect(batched.outcome.report).toEqual(direct.outcome.report);
  expect(batched.outcome.rejectedMail).toEqual(direct.outcome.rejectedMail);
  const { readCapacityUnits: _a, ...batchedReconcile } = batched.outcome.reconcile;
  const { readCapacityUnits: _b, ...directReconcile } = direct.outcome.reconcile;
  expect(batchedReconcile).toEqual(directReconcile);

  // And what both did is right: mail came first, its orders came later and were matched.
  const report = batched.outcome.report;
  const byId = new Map(report.orders.map((o) => [o.orderId, o]));
  for (let i = 2; i <= ORDERS; i += 2) expect(byId.get(benchOrderId(i))?.status).toMatch(/notified|awaiting/);
  expect(report.summary.notified).toBe(ORDERS / 2 + 1);
  expect(report.summary.missing).toBeGreaterThan(0);
  // Earliest email wins; the later one of the same order stays an unmatched notification.
  const order3 = batched.items.find((i) => i.sk === `ORDER#${benchOrderId(3)}`) as unknown as StoredOrder;
  const notes3 = batched.items.filter((i) => String(i.sk).startsWith(`NOTIF#${benchOrderId(3)}#`));
  expect(notes3).toHaveLength(2);
  const earliest = notes3.reduce((a, b) => (String(b.receivedAt) < String(a.receivedAt) ? b : a));
  expect(order3.notifiedAt).toBe(earliest.receivedAt);
  expect(order3.notificationId).toBe(earliest.messageId);
  expect(report.unmatchedNotifications.map((n) => n.orderId).sort()).toEqual([benchOrderId(3), benchOrderId(ORDERS + 7)].sort());
  // The copy is a duplicate (not rejected), the bad files are rejected or quarantined.
  expect(batched.outcome.rejectedMail.map((r) => r.file.split('/').pop()).sort()).toEqual(
    ['empty.eml', 'forged-amazon-com.eml', 'not-a-message.eml', 'truncated.eml', 'us-return-request.eml'].sort(),
  );
  expect(batched.items.filter((i) => String(i.pk).startsWith('MSG#'))).toHaveLength(ORDERS / 2 + 3 + 5);
});

test('no email at all: every order missing in one streak, stored the same both ways', async () => {
  const empty = join(dir, 'no-mail');
  await mkdir(empty);
  const direct = await checkWith(false, empty);
  const batched = await checkWith(true, empty);
  expect(batched.items).toEqual(direct.items);
  expect(batched.outcome.report).toEqual(direct.outcome.report);
  const streak = batched.items.find((i) => String(i.sk) === 'STREAK#never');
  expect(streak?.count).toBe(batched.outcome.report.summary.missing);
  expect((streak?.orderIds as string[]).length).toBe(batched.outcome.report.summary.missing);
});

test('check run twice on the same folder reports the same (replay is idempotent)', async () => {
  const opts = { orders: [reportFile], mailDir, now: NOW, policy: DEFAULT_POLICY };
  const first = await runCheck(opts);
  const second = await runCheck(opts);
  expect(second.report).toEqual(first.report);
  expect(second.rejectedMail).toEqual(first.rejectedMail);
});

test('intake replayed through the store: the second pass is all duplicates and writes nothing new', async () => {
  const repository = await ddb.freshTable();
  const store = new WriteBehindStore({ repository });
  const { intakeMailFolder } = await import('../../functions/local/folder-intake');
  await store.repository.putSeller({ sellerId: 'S', name: 'S', marketplaces: [], createdAt: NOW });
  const opts = { repo: store.repository, ledger: store.ledger, dir: mailDir, now: NOW, policy: DEFAULT_POLICY, sellerId: 'S', concurrency: 4 };
  await intakeMailFolder(opts);
  const first = await store.flush();
  const again = await intakeMailFolder(opts);
  expect(again.results.every((r) => r.result.outcome === 'duplicate')).toBe(true);
  expect((await store.flush()).items).toBe(0);
  expect(first.items).toBe((await scan(ddb.client, ddb.tableName)).length);
});

test('a write the store refuses is refused as DynamoDB would: stale version, second create', async () => {
  const repository = await ddb.freshTable();
  const store = new WriteBehindStore({ repository });
  const order: StoredOrder = {
    sellerId: 'S', orderId: '111-0000000-0000001', marketplace: 'amazon.com', fulfilledBy: 'MERCHANT', orderState: 'Unshipped',
    purchaseDate: '2026-11-28T08:00:00.000Z', source: 'report', firstSeenAt: NOW, version: 1,
  };
  await store.repository.saveOrder(order, null);
  await expect(store.repository.saveOrder(order, null)).rejects.toThrow(ConcurrentModificationError);
  await store.repository.saveOrder({ ...order, version: 2 }, 1);
  await expect(store.repository.saveOrder({ ...order, version: 3 }, 1)).rejects.toThrow(ConcurrentModificationError);
  await store.flush();
  expect(await repository.getOrder('S', order.orderId)).toEqual({ ...order, version: 2 });
});

test('writeBatch re-sends the items DynamoDB leaves unprocessed, until all are written', async () => {
  const repository = await ddb.freshTable();
  // DynamoDB under throttling processes part of a batch and returns the rest: here every first
  // attempt of a batch writes only its first 10 items and hands back the others.
  const seen: number[] = [];
  let partial = true;
  ddb.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = (args.input as { RequestItems: Record<string, WriteRequest[]> }).RequestItems;
      const [table, requests] = Object.entries(input)[0];
      seen.push(requests.length);
      if (!partial || requests.length <= 10) return next(args);
      const out = await next({ ...args, input: { RequestItems: { [table]: requests.slice(0, 10) } } });
      (out.output as { UnprocessedItems?: Record<string, WriteRequest[]> }).UnprocessedItems = { [table]: requests.slice(10) };
      return out;
    },
    { step: 'initialize', name: 'partialBatches' },
  );
  try {
    const items = Array.from({ length: 60 }, (_, i) => ({
      PutRequest: { Item: toAttributes({ pk: 'SELLER#S', sk: `ORDER#111-0000000-${String(i).padStart(7, '0')}`, n: i }) },
    }));
    const requests = await repository.writeBatch(items, { concurrency: 2 });
    // 25 + 25 + 10 items: each full batch takes three requests (25, then the 15 left, then 5).
    expect(requests).toBe(7);
    expect(seen.sort((a, b) => a - b)).toEqual([5, 5, 10, 15, 15, 25, 25]);
    const stored = await scan(ddb.client, ddb.tableName);
    expect(stored.map((i) => i.n).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 60 }, (_, i) => i));
  } finally {
    partial = false;
    ddb.client.middlewareStack.remove('partialBatches');
  }
});

test('writeBatch sends 25 items per BatchWriteItem request', async () => {
  const repository = await ddb.freshTable();
  const sizes: number[] = [];
  ddb.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchWriteItemCommand') {
        sizes.push(Object.values((args.input as { RequestItems: Record<string, unknown[]> }).RequestItems)[0].length);
      }
      return next(args);
    },
    { step: 'initialize', name: 'batchSizes' },
  );
  try {
    const n = await repository.writeBatch(
      Array.from({ length: 51 }, (_, i) => ({ PutRequest: { Item: toAttributes({ pk: 'P', sk: `S${i}` }) } })),
      { concurrency: 1 },
    );
    expect(n).toBe(3);
    expect(sizes).toEqual([25, 25, 1]);
  } finally {
    ddb.client.middlewareStack.remove('batchSizes');
  }
});


test('concurrent intake: a failing message (a bug, not bad input) fails the whole folder, after the others in flight', async () => {
  const repository = await ddb.freshTable();
  const store = new WriteBehindStore({ repository });
  const { intakeMailFolder } = await import('../../functions/local/folder-intake');
  await store.repository.putSeller({ sellerId: 'S', name: 'S', marketplaces: [], createdAt: NOW });
  const failing = Object.create(store.ledger) as typeof store.ledger;
  let claims = 0;
  failing.claimMessage = async (...args) => {
    if (++claims === 3) throw new Error('ledger broke');
    return store.ledger.claimMessage(...args);
  };
  await expect(
    intakeMailFolder({ repo: store.repository, ledger: failing, dir: mailDir, now: NOW, policy: DEFAULT_POLICY, sellerId: 'S', concurrency: 4 }),
  ).rejects.toThrow('ledger broke');
  // Nothing new was started once the failure was seen: at most the ones already in flight.
  expect(claims).toBeLessThan(3 + 4 + 1);
});

test('the embedded server in a worker thread serves the same table, and stops', async () => {
  const { startEmbeddedDynamoDb } = await import('../../functions/local/embedded-dynamodb');
  const db = await startEmbeddedDynamoDb({ thread: true });
  try {
    await db.repository.putSeller({ sellerId: 'T', name: 'T', marketplaces: [], createdAt: NOW });
    expect(await db.repository.getSeller('T')).toEqual({ sellerId: 'T', name: 'T', marketplaces: [], createdAt: NOW });
  } finally {
    await db.stop();
  }
  await expect(db.repository.getSeller('T')).rejects.toThrow();
});

test('a streak longer than the item can hold: exact, idempotent count, the same both ways, each item small', async () => {
  const total = STREAK_ID_CAP + 40;
  const expectedAt = (i: number) => new Date(Date.parse(NOW) - (total - i) * 60_000).toISOString();
  const run = async (writeBehind: boolean) => {
    const repository = await ddb.freshTable();
    const wb = writeBehind ? new WriteBehindStore({ repository }) : undefined;
    const store = wb ? wb.repository : repository;
    let last = { count: 0, orderIds: [] as string[] };
    // Every order once, then a retried run over the last 60 (across the cap) and the first 5.
    const calls = [...Array.from({ length: total }, (_, i) => i), ...Array.from({ length: 60 }, (_, i) => total - 60 + i), 0, 1, 2, 3, 4];
    for (const i of calls) last = await store.addToMissingStreak('S1', null, benchOrderId(i), expectedAt(i));
    if (wb) await wb.flush();
    return { last, items: await scan(ddb.client, ddb.tableName) };
  };
  const direct = await run(false);
  const batched = await run(true);
  expect(batched.items).toEqual(direct.items);
  expect(direct.last.count).toBe(total);
  expect(batched.last.count).toBe(total);
  expect(direct.last.orderIds).toEqual(Array.from({ length: STREAK_ID_CAP }, (_, i) => benchOrderId(i)));
  const streak = direct.items.find((i) => i.sk === 'STREAK#never');
  expect(streak?.count).toBe(total);
  expect((streak?.orderIds as string[]).length).toBe(STREAK_ID_CAP);
  expect(direct.items.filter((i) => String(i.sk).startsWith('STREAK#never#ORDER#'))).toHaveLength(40);
  // 1,000 IDs of 19 characters: about 24 KB, far from the 400 KB limit at any streak length.
  expect(JSON.stringify(streak).length).toBeLessThan(30_000);
});
