/**
 * `npm run bench`: the speed targets of the core, measured, never asserted in unit tests.
 *
 * - reconcile: 10,000 and 100,000 stored orders with the same 100 due, alerting on (outbox,
 *   intake ledger; every due order goes missing, so every seller gets a diagnosis and a
 *   channel-down check). Target: items read do not grow with stored orders. `itemsRead` counts
 *   EVERY read request of the run (a middleware on the client adds ReturnConsumedCapacity to each
 *   and sums what it reports), not only the due-index query the reconciler reports itself.
 * - parse: Sold, Ship Now emails understood per second (MIME + classification + authenticity).
 *   Target: at least 1,000 emails/s.
 * - check: `shipnow check --json` as a user runs it (a new process, the embedded dynalite) on an
 *   Unshipped Orders report of 5,000 and 50,000 orders with a Sold, Ship Now email (.eml, real
 *   MIME) for half of them, generated in a temp folder (bench/check-data.ts). "Beyond startup"
 *   is the median time minus the median of the same command on a one-order report with its one
 *   email. Target: within 1 ms per order beyond startup.
 * - bundles: every Lambda bundle as `cdk deploy` uploads it (the stack synthesised in a temp
 *   folder): kB, and load ms beyond an empty node, median of 5 fresh processes
 *   (bench/handler-bundle.ts). Target: each bundle <= 800 kB and <= 60 ms.
 *
 * - time to alert: grace period ended -> alert leaves the sender, worst case on the default
 *   schedules, from the measured reconciler and sender runs (bench/time-to-alert.ts). Target: 120 s.
 *
 * - mailbox: the probe of 10 missing orders in a 50,000-message mailbox on a local Dovecot
 *   (bench/mailbox-probe.ts; BENCH_MAILBOX_MESSAGES, 0 to skip). Target: within seconds.
 *
 * Writes bench-results.json and prints a table. `BENCH_SECTIONS=bundles` (comma-separated:
 * reconcile, parse, check, bundles, time-to-alert, mailbox, weekly) runs only those sections.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbIntakeLedger } from '../functions/adapters/dynamodb/intake-ledger';
import { DynamoDbOutbox } from '../functions/adapters/dynamodb/outbox';
import { DEFAULT_POLICY, type StoredOrder } from '../functions/domain/types';
import { startEmbeddedDynamoDb } from '../functions/local/embedded-dynamodb';
import { reconcileDue } from '../functions/services/reconcile';
import { understandEmail } from '../functions/services/understand-email';
import { writeCheckData } from './check-data';
import { benchBundles, BUNDLE_TARGET_KB, BUNDLE_TARGET_MS, type BundleRow } from './handler-bundle';
import { benchTimeToAlert, timeToAlertArithmetic } from './time-to-alert';
import { benchMailboxProbe } from './mailbox-probe';
import { benchWeekly } from './weekly';
import { seedOrders } from '../test/support/seed';

const NOW = '2026-11-28T12:00:00.000Z';
const DUE = 100;
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').filter(Boolean).map(Number);
const PARSE_EMAILS = Number(process.env.BENCH_PARSE_EMAILS ?? 5000);
const SEED_CHUNK = 10_000;
// A quick run (BENCH_SIZES set) checks 5,000 orders only, unless BENCH_CHECK_SIZES says otherwise.
const CHECK_SIZES = (process.env.BENCH_CHECK_SIZES ?? (process.env.BENCH_SIZES ? '5000' : '5000,50000')).split(',').filter(Boolean).map(Number);
const CHECK_RUNS = Number(process.env.BENCH_CHECK_RUNS ?? 3);
const SELLERS = 50;

interface ReconcileRow {
  storedOrders: number;
  dueOrders: number;
  /** Every item read by the run, all requests included (due index, profiles, history, ...). */
  itemsRead: number;
  readCapacityUnits: number;
  /** Items read by the due-index query alone (what the reconciler reports itself). */
  dueIndexItemsRead: number;
  alerts: number;
  ms: number;
}

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);

/**
 * Count EVERY read the run makes, whichever adapter sends it: a middleware on the shared client
 * asks for ConsumedCapacity on each read request and adds up the items and capacity it reports.
 */
function readMeter(client: DynamoDBClient): { itemsRead: number; readCapacityUnits: number; requests: number; on: boolean } {
  const meter = { itemsRead: 0, readCapacityUnits: 0, requests: 0, on: false };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      if (!meter.on || !READ_COMMANDS.has(name)) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const res = out.output as unknown as Record<string, unknown> & { ConsumedCapacity?: unknown };
      meter.requests++;
      if (name === 'GetItemCommand') meter.itemsRead += res.Item ? 1 : 0;
      else if (name === 'BatchGetItemCommand') {
        for (const items of Object.values((res.Responses ?? {}) as Record<string, unknown[]>)) meter.itemsRead += items.length;
      } else meter.itemsRead += Number(res.ScannedCount ?? res.Count ?? 0);
      const caps = ([] as Array<{ CapacityUnits?: number; ReadCapacityUnits?: number }>).concat((res.ConsumedCapacity ?? []) as never);
      for (const c of caps) meter.readCapacityUnits += c.CapacityUnits ?? c.ReadCapacityUnits ?? 0;
      return out;
    },
    { step: 'initialize', name: 'benchReadMeter', override: true },
  );
  return meter;
}

function order(i: number, due: boolean): StoredOrder {
  const id = String(i).padStart(14, '0');
  const orderId = `111-${id.slice(0, 7)}-${id.slice(7)}`;
  const purchase = new Date(Date.parse(NOW) - 6 * 3600_000 - (i % 1000) * 1000).toISOString();
  const base: StoredOrder = {
    sellerId: `seller-${i % SELLERS}`,
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
      await seedOrders(db.repository, chunk, { concurrency: 8 });
    }
    // What alerting reads per seller, as it would be after a week of traffic: the profile, a
    // week of per-day order stats and the intake ledger's last email. Constant per seller.
    const ledger = new DynamoDbIntakeLedger({ client: db.client, tableName: db.tableName });
    for (let k = 0; k < SELLERS; k++) {
      const sellerId = `seller-${k}`;
      await db.repository.putSeller({ sellerId, name: sellerId, marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z' });
      for (let d = 1; d <= 7; d++) {
        const day = new Date(Date.parse(NOW) - d * 86_400_000).toISOString();
        await db.repository.addOrderStats(sellerId, 'amazon.com', day, { notified: Math.floor(stored / SELLERS / 30) + 1 }, day);
      }
      const receivedAt = new Date(Date.parse(NOW) - 20 * 3600_000).toISOString();
      await ledger.recordLastEmail({
        sellerId,
        marketplace: 'amazon.com',
        messageId: `last-${k}`,
        receivedAt,
        facts: { receivedAt, transitSeconds: 2, orderDelaySeconds: 60, spf: 'pass', dkim: 'pass', dmarc: 'pass', forwarding: { forwarded: false, evidence: [], receivedHops: 2 } },
      });
    }
    const loadMs = performance.now() - t0;
    process.stderr.write(`  loaded ${stored} orders in ${(loadMs / 1000).toFixed(1)} s\n`);

    // Alerting on, as the reconciler Lambda wires it: outbox, intake ledger (last emails).
    const alerting = { outbox: new DynamoDbOutbox({ client: db.client, tableName: db.tableName }), lastEmails: ledger };
    const meter = readMeter(db.client);
    meter.on = true;
    const start = performance.now();
    const r = await reconcileDue(db.repository, NOW, DEFAULT_POLICY, { alerting });
    const ms = performance.now() - start;
    meter.on = false;
    return {
      storedOrders: stored,
      dueOrders: r.dueOrders,
      itemsRead: meter.itemsRead,
      readCapacityUnits: Math.round(meter.readCapacityUnits * 10) / 10,
      dueIndexItemsRead: r.itemsRead,
      alerts: r.alerts.length,
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

interface CheckRow {
  orders: number;
  emails: number;
  /** Median wall time of the whole command (process start to exit). */
  ms: number;
  /** Milliseconds per order beyond startup: (ms - startupMs) / orders. */
  msPerOrder: number;
  /** Median of the same command on a one-order report with one email. */
  startupMs: number;
  beyondStartupMs: number;
  /**
   * The same in CPU time of the command (user + system, all its threads; Linux only, else null):
   * unlike wall time, hardly changed by other work on the machine.
   */
  cpuMs: number | null;
  cpuMsPerOrder: number | null;
  runs: number;
  /** Every run's wall time, for the spread. */
  allMs: number[];
}

/** CPU time of this process's exited children so far (Linux /proc/self/stat cutime + cstime), ms. */
function childrenCpuMs(): number | null {
  try {
    // Fields after the parenthesised command name: state is field 3, cutime 16 and cstime 17.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * (1000 / CLOCK_TICKS);
  } catch {
    return null;
  }
}

/** USER_HZ: the unit of /proc times; 100 on every Linux that matters. */
const CLOCK_TICKS = 100;

const CLI = join(__dirname, '..', 'bin', 'shipnow.js');

interface Timing {
  ms: number;
  cpuMs: number | null;
}

/** One `shipnow check --json` as a child process: wall and CPU time (exit 1 = missing orders). */
function timeCheck(reportFile: string, mailDir: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs();
    const start = performance.now();
    const child = spawn(process.execPath, [CLI, 'check', '--orders', reportFile, '--mail', mailDir, '--now', NOW, '--json'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      const cpuAfter = childrenCpuMs();
      const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
      if (code === 0 || code === 1) resolve({ ms, cpuMs });
      else reject(new Error(`shipnow check exited ${code}: ${stderr.trim()}`));
    });
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function medianOrNull(values: Array<number | null>): number | null {
  return values.some((v) => v === null) ? null : median(values as number[]);
}

async function benchCheck(): Promise<CheckRow[]> {
  const root = await mkdtemp(join(tmpdir(), 'shipnow-bench-'));
  try {
    const one = await writeCheckData(join(root, 'one'), { orders: 1, now: NOW });
    const startup: Timing[] = [];
    // The first run warms the file cache and tsx's compile cache; it is not counted.
    await timeCheck(one.reportFile, one.mailDir);
    for (let r = 0; r < CHECK_RUNS; r++) startup.push(await timeCheck(one.reportFile, one.mailDir));
    const startupMs = median(startup.map((t) => t.ms));
    const startupCpu = medianOrNull(startup.map((t) => t.cpuMs));
    process.stderr.write(`  startup (1 order, 1 email): ${startup.map((t) => Math.round(t.ms)).join(', ')} ms\n`);
    const rows: CheckRow[] = [];
    for (const n of CHECK_SIZES) {
      const data = await writeCheckData(join(root, String(n)), { orders: n, now: NOW });
      process.stderr.write(`check ${n} orders, ${data.emails} emails...\n`);
      const all: Timing[] = [];
      for (let r = 0; r < CHECK_RUNS; r++) {
        all.push(await timeCheck(data.reportFile, data.mailDir));
        process.stderr.write(`  run ${r + 1}: ${Math.round(all[r].ms)} ms (cpu ${all[r].cpuMs ?? '?'} ms)\n`);
      }
      const ms = median(all.map((t) => t.ms));
      const cpu = medianOrNull(all.map((t) => t.cpuMs));
      const beyond = ms - startupMs;
      const perOrder = (v: number) => Math.round((v / n) * 1000) / 1000;
      rows.push({
        orders: n,
        emails: data.emails,
        ms: Math.round(ms),
        msPerOrder: perOrder(beyond),
        startupMs: Math.round(startupMs),
        beyondStartupMs: Math.round(beyond),
        cpuMs: cpu === null ? null : Math.round(cpu),
        cpuMsPerOrder: cpu === null || startupCpu === null ? null : perOrder(cpu - startupCpu),
        runs: CHECK_RUNS,
        allMs: all.map((t) => Math.round(t.ms)),
      });
    }
    return rows;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'reconcile,parse,check,bundles,time-to-alert,mailbox,weekly').split(',').filter(Boolean));

async function main(): Promise<void> {
  const reconcile: ReconcileRow[] = [];
  for (const n of SECTIONS.has('reconcile') ? SIZES : []) {
    process.stderr.write(`reconcile with ${n} stored orders, ${DUE} due...\n`);
    reconcile.push(await benchReconcile(n));
  }
  if (SECTIONS.has('parse')) process.stderr.write(`parse ${PARSE_EMAILS} emails...\n`);
  const parse = SECTIONS.has('parse') ? await benchParse() : undefined;
  const check = SECTIONS.has('check') && CHECK_SIZES.length > 0 ? await benchCheck() : [];
  if (SECTIONS.has('bundles')) process.stderr.write('bundles (synthesising the stack)...\n');
  const bundles: BundleRow[] = SECTIONS.has('bundles') ? await benchBundles() : [];
  if (SECTIONS.has('time-to-alert')) process.stderr.write('time to alert...\n');
  const timeToAlert = SECTIONS.has('time-to-alert') ? await benchTimeToAlert() : [];
  const mailboxMessages = SECTIONS.has('mailbox') ? Number(process.env.BENCH_MAILBOX_MESSAGES ?? 50_000) : 0;
  if (mailboxMessages > 0) process.stderr.write(`mailbox probe on ${mailboxMessages} messages...\n`);
  const mailbox = mailboxMessages > 0 ? await benchMailboxProbe(mailboxMessages) : undefined;
  if (SECTIONS.has('weekly')) process.stderr.write('weekly stats and chart...\n');
  const weekly = SECTIONS.has('weekly') ? await benchWeekly() : undefined;
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    /** 1-minute load average when the bench ended: other work on the machine slows every row. */
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
    reconcile,
    parse,
    check,
    bundles,
    timeToAlert,
    ...(mailbox ? { mailbox } : {}),
    ...(weekly ? { weekly } : {}),
  };
  writeFileSync('bench-results.json', JSON.stringify(results, null, 2) + '\n');

  if (reconcile.length > 0) {
    console.log('reconcile (sparse due index, alerting on; itemsRead = every read of the run)');
    console.table(reconcile);
  }
  if (parse) {
    console.log('parse');
    console.table([parse]);
  }
  if (check.length > 0) {
    console.log(`check (shipnow check --json, a new process each run; median of ${CHECK_RUNS}; startup = the same on 1 order)`);
    console.table(check.map(({ allMs: _all, ...row }) => row));
    for (const r of check) {
      const cpu = r.cpuMsPerOrder === null ? '' : ` (CPU: ${r.cpuMsPerOrder} ms per order)`;
      console.log(`check ${r.orders} orders / ${r.emails} emails: ${r.ms} ms, ${r.beyondStartupMs} ms beyond startup = ${r.msPerOrder} ms per order${cpu} (target <= 1)`);
    }
  }
  if (bundles.length > 0) {
    console.log(`bundles (as synthesised; loadMs = beyond an empty node, median of ${bundles[0].runs} fresh processes, on ${process.version})`);
    console.table(bundles);
    const over = bundles.filter((b) => !b.withinTargets).map((b) => b.name);
    console.log(`bundles: ${over.length === 0 ? 'all' : `${bundles.length - over.length} of ${bundles.length}`} within <= ${BUNDLE_TARGET_KB} kB and <= ${BUNDLE_TARGET_MS} ms${over.length ? ` (over: ${over.join(', ')})` : ''}`);
  }
  if (reconcile.length > 0) {
    const flat = reconcile.every((r) => r.itemsRead === reconcile[0].itemsRead);
    console.log(`items read ${flat ? 'do not grow' : 'GROW'} with stored orders`);
  }
  if (parse) console.log(`parsing ${parse.emailsPerSecond} emails/s (target >= 1000)`);
  if (timeToAlert.length > 0) {
    console.log('time to alert (grace period ended -> alert leaves the sender; reconciler every minute starts the sender)');
    console.table(timeToAlert);
    for (const r of timeToAlert) console.log(timeToAlertArithmetic(r));
  }
  if (mailbox && 'skipped' in mailbox) console.log(`mailbox probe: skipped (${mailbox.skipped})`);
  else if (mailbox) {
    console.log(`mailbox probe: ${mailbox.missingOrders} missing orders in ${mailbox.messages} messages (${mailbox.fromAmazon} from Amazon): ${mailbox.probeMs} ms median (runs ${mailbox.allProbeMs.join(', ')} ms; ${mailbox.found} found in Junk); intake first scan ${mailbox.intakeScanMs} ms; first index by Dovecot ${mailbox.indexMs} ms (not part of a probe)`);
  }
  if (weekly) {
    console.log("weekly (a busy seller's week: re-binning, the SVG chart in en / zh-CN, medians; the chart's minified bundle)");
    console.table([weekly]);
  }
  console.log('written to bench-results.json');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
