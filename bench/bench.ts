/**
 * `npm run bench`: the speed targets of the core, measured, never asserted in unit tests.
 *
 * - reconcile: 10,000 and 100,000 stored orders with the same 100 due. Target: items read do
 *   not grow with stored orders (the sparse due index), measured with ReturnConsumedCapacity.
 * - parse: Sold, Ship Now emails understood per second (MIME + classification + authenticity).
 *   Target: at least 1,000 emails/s.
 *
 * Writes bench-results.json and prints a table.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY, type StoredOrder } from '../functions/domain/types';
import { startEmbeddedDynamoDb } from '../functions/local/embedded-dynamodb';
import { reconcileDue } from '../functions/services/reconcile';
import { understandEmail } from '../functions/services/understand-email';

const NOW = '2026-11-28T12:00:00.000Z';
const DUE = 100;
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const PARSE_EMAILS = Number(process.env.BENCH_PARSE_EMAILS ?? 5000);
const SEED_CHUNK = 10_000;

interface ReconcileRow {
  storedOrders: number;
  dueOrders: number;
  itemsRead: number;
  readCapacityUnits: number;
  ms: number;
}

function order(i: number, due: boolean): StoredOrder {
  const id = String(i).padStart(14, '0');
  const orderId = `111-${id.slice(0, 7)}-${id.slice(7)}`;
  const purchase = new Date(Date.parse(NOW) - 6 * 3600_000 - (i % 1000) * 1000).toISOString();
  const base: StoredOrder = {
    sellerId: `seller-${i % 50}`,
    orderId,
    marketplace: 'amazon.com',
    fulfilledBy: 'MERCHANT',
    orderState: 'Unshipped',
    purchaseDate: purchase,
    source: 'sp-api-2026',
    firstSeenAt: purchase,
    version: 1,
  };
  if (due) return { ...base, alertAfter: new Date(Date.parse(purchase) + 3600_000).toISOString() };
  // Most stored orders are settled (notified: out of the index); a tenth are waiting for an
  // email that is not due yet (in the index, alertAfter in the future) so the range condition
  // is exercised too.
  if (i % 10 === 0) {
    const future = new Date(Date.parse(NOW) + 3600_000 + (i % 3600) * 1000).toISOString();
    return { ...base, purchaseDate: NOW, alertAfter: future };
  }
  return { ...base, notifiedAt: new Date(Date.parse(purchase) + 300_000).toISOString(), notificationId: `m-${i}`, status: 'notified' };
}

async function benchReconcile(stored: number): Promise<ReconcileRow> {
  const db = await startEmbeddedDynamoDb();
  try {
    const t0 = performance.now();
    // Seeding is not what is measured: load with unconditional BatchWriteItem in chunks.
    for (let start = 0; start < stored; start += SEED_CHUNK) {
      const chunk = Array.from({ length: Math.min(SEED_CHUNK, stored - start) }, (_, k) => order(start + k, start + k < DUE));
      await db.repository.seedOrders(chunk, { concurrency: 8 });
    }
    const loadMs = performance.now() - t0;
    process.stderr.write(`  loaded ${stored} orders in ${(loadMs / 1000).toFixed(1)} s\n`);

    const start = performance.now();
    const r = await reconcileDue(db.repository, NOW, DEFAULT_POLICY);
    const ms = performance.now() - start;
    return {
      storedOrders: stored,
      dueOrders: r.dueOrders,
      itemsRead: r.itemsRead,
      readCapacityUnits: r.readCapacityUnits,
      ms: Math.round(ms),
    };
  } finally {
    await db.stop();
  }
}

async function benchParse(): Promise<{ emails: number; emailsPerSecond: number; sampleFiles: number }> {
  const dir = join(__dirname, '..', 'examples', 'mail');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(join(dir, f)));
  // Warm up the JIT and the charset tables before measuring.
  for (const raw of files) await understandEmail(raw);
  const start = performance.now();
  for (let i = 0; i < PARSE_EMAILS; i++) await understandEmail(files[i % files.length]);
  const seconds = (performance.now() - start) / 1000;
  return { emails: PARSE_EMAILS, emailsPerSecond: Math.round(PARSE_EMAILS / seconds), sampleFiles: files.length };
}

async function main(): Promise<void> {
  const reconcile: ReconcileRow[] = [];
  for (const n of SIZES) {
    process.stderr.write(`reconcile with ${n} stored orders, ${DUE} due...\n`);
    reconcile.push(await benchReconcile(n));
  }
  process.stderr.write(`parse ${PARSE_EMAILS} emails...\n`);
  const parse = await benchParse();
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    reconcile,
    parse,
  };
  writeFileSync('bench-results.json', JSON.stringify(results, null, 2) + '\n');

  console.log('reconcile (sparse due index)');
  console.table(reconcile);
  console.log('parse');
  console.table([parse]);
  const flat = reconcile.every((r) => r.itemsRead === reconcile[0].itemsRead);
  console.log(`items read ${flat ? 'do not grow' : 'GROW'} with stored orders; parsing ${parse.emailsPerSecond} emails/s (target >= 1000)`);
  console.log('written to bench-results.json');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
