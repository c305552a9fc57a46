/**
 * A simulated seller-day on the real adapters (embedded dynalite, the repository, sync state,
 * intake ledger and outbox the Lambdas use), counting every request each unit of work makes and
 * timing it: the measured basis of `npm run cost` (bench/cost.ts).
 *
 * One seller, one marketplace, 10 merchant-fulfilled orders a day, each with its Sold, Ship Now
 * email (a real MIME message, the fixture with the order ID changed), shipped 6 hours later;
 * order sync every 15 minutes (96 runs, each with a fresh credentials cache, as a lone seller's
 * worker is usually a new execution environment); the reconciler and the alert sender every
 * minute (1,440 runs each). Separately: one order whose email never comes (it turns missing,
 * its alert is written, the sender is started and delivers it), the per-alert increment.
 *
 * SSM, Secrets Manager and SQS have no local equivalent: their clients are stand-ins that count the
 * requests the real adapters send (the dispatcher's SendMessageBatch, the credentials' GetParameter
 * and GetSecretValue). S3 reads are counted on the mail store the intake reads through.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { SecretsManagerCredentials } from '../../functions/adapters/secrets';
import { SsmSellerSecretStore } from '../../functions/adapters/ssm-seller-secrets';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { DynamoDbSyncState } from '../../functions/adapters/dynamodb/sync-state';
import type { AlertChannel, OrdersApi } from '../../functions/domain/ports';
import { DEFAULT_POLICY, type OrderFacts } from '../../functions/domain/types';
import { dispatch } from '../../functions/handlers/sync-dispatcher';
import { pollAll } from '../../functions/handlers/mailbox-poller';
import { DynamoDbMailboxState } from '../../functions/adapters/dynamodb/mailbox-state';
import { runWeeklyReports } from '../../functions/services/weekly-report';
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../functions/local/embedded-dynamodb';
import { intakeMailFolder } from '../../functions/local/folder-intake';
import { raiseUnknownOrderAlerts } from '../../functions/services/alert-sources';
import { reconcileDue } from '../../functions/services/reconcile';
import { sendDueAlerts } from '../../functions/services/send-alerts';
import { syncSellerOrders } from '../../functions/services/sync-orders';

/** Requests and capacity one unit of work used, and its wall time. */
export interface Usage {
  dynamodb: { requests: number; rru: number; wru: number };
  ssm: number;
  secretsManager: number;
  sqs: number;
  s3Get: number;
  sesSend: number;
  /** Median wall time of one run (ms), measured here on the local servers. */
  medianMs: number;
  runs: number;
}

export interface SellerDay {
  orders: number;
  emails: number;
  /** Per sync run (96 a day). */
  syncRun: Usage;
  /** Alert messages the sender delivered during the simulated day (should be 0: every email came). */
  sellerAlertsInDay: number;
  /** Per dispatcher run, per seller (the SendMessageBatch share). */
  dispatchPerSeller: Usage;
  /** Per email (intake). */
  email: Usage;
  /** One reconciler run with nothing due, and one sender run with nothing due (the fixed part). */
  emptyReconcile: Usage;
  emptySend: Usage;
  /** One mailbox-poller run and one weekly-report run with no connected mailbox and no seller due (the fixed part). */
  emptyMailboxPoll: Usage;
  emptyWeekly: Usage;
  /** The whole day of reconciler and sender runs for this seller, minus the empty runs. */
  reconcileDayExtra: Usage;
  sendDayExtra: Usage;
  /** One order turning missing: the reconciler run that writes it and the sender run that delivers it. */
  missingAlert: Usage;
}

const SELLER = { sellerId: 'A1COSTSIM', name: 'Cost sim', marketplaces: ['amazon.com'], createdAt: '2026-11-01T00:00:00.000Z', inboundAlias: 'cost.sim001' };
const DAY = '2026-11-30';
const FIXTURE = join(__dirname, '..', '..', 'test', 'fixtures', 'mail', 'us-sold-ship-now.eml');
const FIXTURE_ORDER = '112-4455667-1000001';

const median = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Counts DynamoDB requests and the capacity DynamoDB (here dynalite) reports for each, reads and writes apart. */
function meter(db: EmbeddedDynamoDb) {
  const m = { requests: 0, rru: 0, wru: 0 };
  db.client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      m.requests++;
      const read = /^(Get|BatchGet|Query|Scan)/.test(String(context.commandName));
      const caps = ([] as Array<{ CapacityUnits?: number }>).concat(((out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity ?? []) as never);
      // DynamoDB bills at least 0.5 RRU for a read (an eventually consistent read of up to 4 KB,
      // even when it finds nothing) and 1 WRU for a write; dynalite reports 0 for empty reads.
      const reported = caps.reduce((t, c) => t + (c.CapacityUnits ?? 0), 0);
      const units = Math.max(reported, read ? 0.5 : 1);
      if (read) m.rru += units;
      else m.wru += units;
      return out;
    },
    { step: 'initialize', name: 'costMeter', override: true },
  );
  return m;
}

interface Counters {
  ssm: number;
  secretsManager: number;
  sqs: number;
  s3Get: number;
  sesSend: number;
}

/** Runs `units` times `work`, and reports the requests and the median time per unit. */
async function measure(ddb: ReturnType<typeof meter>, counters: Counters, units: number, work: (i: number) => Promise<number | void>): Promise<Usage> {
  const before = { ...ddb, ...counters };
  const times: number[] = [];
  for (let i = 0; i < units; i++) {
    const t0 = performance.now();
    await work(i);
    times.push(performance.now() - t0);
  }
  const per = (a: number, b: number) => (a - b) / Math.max(units, 1);
  return {
    dynamodb: { requests: per(ddb.requests, before.requests), rru: per(ddb.rru, before.rru), wru: per(ddb.wru, before.wru) },
    ssm: per(counters.ssm, before.ssm),
    secretsManager: per(counters.secretsManager, before.secretsManager),
    sqs: per(counters.sqs, before.sqs),
    s3Get: per(counters.s3Get, before.s3Get),
    sesSend: per(counters.sesSend, before.sesSend),
    medianMs: median(times),
    runs: units,
  };
}

const minus = (a: Usage, b: Usage, times: number): Usage => ({
  dynamodb: { requests: a.dynamodb.requests - b.dynamodb.requests * times, rru: a.dynamodb.rru - b.dynamodb.rru * times, wru: a.dynamodb.wru - b.dynamodb.wru * times },
  ssm: a.ssm - b.ssm * times,
  secretsManager: a.secretsManager - b.secretsManager * times,
  sqs: a.sqs - b.sqs * times,
  s3Get: a.s3Get - b.s3Get * times,
  sesSend: a.sesSend - b.sesSend * times,
  medianMs: a.medianMs,
  runs: a.runs,
});

export async function simulateSellerDay(options: { ordersPerDay?: number } = {}): Promise<SellerDay> {
  const ordersPerDay = options.ordersPerDay ?? 10;
  const db = await startEmbeddedDynamoDb();
  const dir = mkdtempSync(join(tmpdir(), 'shipnow-cost-'));
  const counters: Counters = { ssm: 0, secretsManager: 0, sqs: 0, s3Get: 0, sesSend: 0 };
  try {
    const ddb = meter(db);
    const { repository: repo, client, tableName } = db;
    const state = new DynamoDbSyncState({ client, tableName });
    const ledger = new DynamoDbIntakeLedger({ client, tableName });
    const outbox = new DynamoDbOutbox({ client, tableName });
    await repo.putSeller(SELLER);

    // The day's orders: placed through the day, each shipped 6 hours after it was placed.
    const start = Date.parse(`${DAY}T00:00:00.000Z`);
    const orders = Array.from({ length: ordersPerDay }, (_, i) => {
      const placed = start + Math.round(((i + 0.5) * 86_400_000) / ordersPerDay);
      return { orderId: `112-4455667-10${String(i + 100).padStart(5, '0')}`, placed, shipped: placed + 6 * 3600_000 };
    });
    const facts = (o: (typeof orders)[number], at: number): OrderFacts => ({
      sellerId: SELLER.sellerId,
      orderId: o.orderId,
      marketplace: 'amazon.com',
      fulfilledBy: 'MERCHANT',
      orderState: at >= o.shipped ? 'Shipped' : 'Unshipped',
      purchaseDate: new Date(o.placed).toISOString(),
      latestShipDate: new Date(o.placed + 2 * 86_400_000).toISOString(),
      lastUpdated: new Date(at >= o.shipped ? o.shipped : o.placed).toISOString(),
      source: 'sp-api-2026',
    });
    let clock = start;
    const api: OrdersApi = {
      listOrders: async (_v, req) => ({
        orders: orders.filter((o) => o.placed <= clock).map((o) => facts(o, clock)).filter((f) => (f.lastUpdated ?? '') > req.lastUpdatedAfter),
        throttled: 0,
      }),
    };
    // The credentials as the worker builds them, on counting stand-ins for SSM and Secrets Manager.
    const ssm = {
      send: async (cmd: unknown) => {
        counters.ssm++;
        if (!(cmd instanceof GetParameterCommand)) throw new Error('unexpected SSM call');
        return { Parameter: { Value: '{"refreshToken":"Atzr|sim"}' } };
      },
    };
    const sm = {
      send: async (cmd: unknown) => {
        counters.secretsManager++;
        if (!(cmd instanceof GetSecretValueCommand)) throw new Error('unexpected Secrets Manager call');
        return { SecretString: '{"clientId":"c","clientSecret":"s"}' };
      },
    };
    const credentials = () => new SecretsManagerCredentials({ client: sm as never, sellerSecrets: new SsmSellerSecretStore({ client: ssm as never }) });
    const syncDeps = () => ({ repo, state, api, credentials: credentials(), events: { publish: async () => undefined }, now: () => clock, sleep: async (ms: number) => void (clock += ms), policy: DEFAULT_POLICY });

    // Emails: the fixture with this day's order ID and a message ID of its own.
    const template = readFileSync(FIXTURE, 'utf8');
    const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');
    const mdy = (ms: number) => new Date(ms).toISOString().replace(/^(\d+)-(\d+)-(\d+).*/, '$2/$3/$1');
    const emlFor = (o: (typeof orders)[number], i: number, arrival: number) =>
      template
        .split(FIXTURE_ORDER)
        .join(o.orderId)
        .replace(/Message-ID: <[^>]+>/, `Message-ID: <cost-sim-${i}@us-west-2.amazonses.com>`)
        .split('Fri, 27 Nov 2026 15:11:41 +0000')
        .join(rfc2822(arrival))
        .split('Fri, 27 Nov 2026 15:11:37 +0000')
        .join(rfc2822(arrival - 4_000))
        .split('11/27/2026')
        .join(mdy(o.placed))
        .split('11/30/2026')
        .join(mdy(o.placed + 2 * 86_400_000));

    // ---- the day, minute by minute -----------------------------------------------------------------
    const syncTimes: number[] = [];
    const emailTimes: number[] = [];
    let emailDdb = { requests: 0, rru: 0, wru: 0 };
    let emailsTaken = 0;
    const reconcileTimes: number[] = [];
    const sendTimes: number[] = [];
    let reconcileAcc = { requests: 0, rru: 0, wru: 0 };
    let sendAcc = { requests: 0, rru: 0, wru: 0 };
    const channel: AlertChannel = {
      id: 'email-1',
      type: 'email',
      send: async (m) => {
        counters.sesSend++;
        void m;
      },
    };
    const senderDeps = { outbox, health: outbox, sellers: repo, channels: () => channel, fallbackChannels: [{ id: 'email-1', type: 'email' } as never], orders: { repo, policy: DEFAULT_POLICY } };
    let syncCounters = { ssm: 0, secretsManager: 0 };
    let syncDdb = { requests: 0, rru: 0, wru: 0 };
    for (let minute = 0; minute < 1440; minute++) {
      clock = start + minute * 60_000;
      if (minute % 15 === 0) {
        const c0 = { ...counters };
        const d0 = { ...ddb };
        const t0 = performance.now();
        await syncSellerOrders(syncDeps(), { sellerId: SELLER.sellerId, owner: `run-${minute}`, deadlineMs: clock + 240_000, overlapMs: 10 * 60_000 });
        syncTimes.push(performance.now() - t0);
        syncCounters = { ssm: syncCounters.ssm + counters.ssm - c0.ssm, secretsManager: syncCounters.secretsManager + counters.secretsManager - c0.secretsManager };
        syncDdb = { requests: syncDdb.requests + ddb.requests - d0.requests, rru: syncDdb.rru + ddb.rru - d0.rru, wru: syncDdb.wru + ddb.wru - d0.wru };
      }
      // Each order's email arrives 4 minutes after the order is placed.
      for (const [i, o] of orders.entries()) {
        if (Math.floor((o.placed + 4 * 60_000 - start) / 60_000) !== minute) continue;
        const folder = join(dir, `mail-${i}`);
        mkdirSync(folder);
        const file = join(folder, 'message.eml');
        writeFileSync(file, emlFor(o, i, clock));
        const d0 = { ...ddb };
        const t0 = performance.now();
        const out = await intakeMailFolder({ repo, ledger, dir: folder, now: new Date(clock).toISOString(), policy: DEFAULT_POLICY, sellerId: SELLER.sellerId });
        emailTimes.push(performance.now() - t0);
        emailDdb = { requests: emailDdb.requests + ddb.requests - d0.requests, rru: emailDdb.rru + ddb.rru - d0.rru, wru: emailDdb.wru + ddb.wru - d0.wru };
        counters.s3Get++; // the intake reads the object SES stored (once per message)
        rmSync(folder, { recursive: true });
        const outcome = out.results[0]?.result.outcome;
        if (outcome !== 'accepted') throw new Error(`the simulated email for ${o.orderId} was ${outcome ?? 'not read'}: the cost basis needs accepted emails`);
        emailsTaken++;
      }
      const now = new Date(clock).toISOString();
      const r0 = { ...ddb };
      let t0 = performance.now();
      await reconcileDue(repo, now, DEFAULT_POLICY, { alerting: { outbox, lastEmails: ledger } });
      await raiseUnknownOrderAlerts({ repo, outbox }, now);
      reconcileTimes.push(performance.now() - t0);
      reconcileAcc = { requests: reconcileAcc.requests + ddb.requests - r0.requests, rru: reconcileAcc.rru + ddb.rru - r0.rru, wru: reconcileAcc.wru + ddb.wru - r0.wru };
      const s0 = { ...ddb };
      t0 = performance.now();
      await sendDueAlerts(senderDeps, now);
      sendTimes.push(performance.now() - t0);
      sendAcc = { requests: sendAcc.requests + ddb.requests - s0.requests, rru: sendAcc.rru + ddb.rru - s0.rru, wru: sendAcc.wru + ddb.wru - s0.wru };
    }
    const syncRuns = syncTimes.length;
    // ---- the fixed part: runs with nothing due, on an empty table --------------------------------
    const emptyDb = await startEmbeddedDynamoDb();
    let emptyReconcile: Usage;
    let emptySend: Usage;
    let emptyMailboxPoll: Usage;
    let emptyWeekly: Usage;
    try {
      const e = meter(emptyDb);
      const eOutbox = new DynamoDbOutbox({ client: emptyDb.client, tableName: emptyDb.tableName });
      const eLedger = new DynamoDbIntakeLedger({ client: emptyDb.client, tableName: emptyDb.tableName });
      const now = `${DAY}T12:00:00.000Z`;
      emptyReconcile = await measure(e, counters, 25, async () => {
        await reconcileDue(emptyDb.repository, now, DEFAULT_POLICY, { alerting: { outbox: eOutbox, lastEmails: eLedger } });
        await raiseUnknownOrderAlerts({ repo: emptyDb.repository, outbox: eOutbox }, now);
      });
      emptySend = await measure(e, counters, 25, async () => {
        await sendDueAlerts({ ...senderDeps, outbox: eOutbox, health: eOutbox, sellers: emptyDb.repository, orders: { repo: emptyDb.repository, policy: DEFAULT_POLICY } }, now);
      });
      // The poller with nobody connected reads the sellers and the due index, and opens no mailbox.
      const never = () => {
        throw new Error('no mailbox is connected in the cost simulation');
      };
      emptyMailboxPoll = await measure(e, counters, 25, async () => {
        await pollAll(
          {
            repo: emptyDb.repository,
            ledger: eLedger,
            outbox: eOutbox,
            state: new DynamoDbMailboxState({ client: emptyDb.client, tableName: emptyDb.tableName }),
            secrets: { getSellerSecret: never },
            client: { connect: never } as never,
            policy: DEFAULT_POLICY,
            logger: new Logger({ logLevel: 'SILENT' }),
            now: () => now,
          },
          { getRemainingTimeInMillis: () => 300_000 },
        );
      });
      emptyWeekly = await measure(e, counters, 25, async () => {
        await runWeeklyReports({ repo: emptyDb.repository, outbox: eOutbox }, now);
      });
    } finally {
      await emptyDb.stop();
    }

    // ---- the dispatcher's share per seller (one SendMessageBatch per 10 sellers) ----------------
    const sqs = { send: async (cmd: { input: { Entries?: Array<{ Id?: string }> } }) => ({ Successful: (counters.sqs++, cmd.input.Entries ?? []).map((x) => ({ Id: x.Id })), Failed: [] }) };
    const dispatchUsage = await measure(ddb, counters, 5, async () => {
      await dispatch({ repo, state, sqs: sqs as never, queueUrl: 'https://sqs.local/q', logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'CostSim' }), now: () => new Date(clock).toISOString() });
    });

    // ---- one order that turns missing: its alert written and delivered ---------------------------
    clock = start + 86_400_000 + 2 * 3600_000;
    const missing = { orderId: '112-4455667-1099999', placed: clock - 5 * 60_000, shipped: clock + 86_400_000 };
    // Whatever else is due by then is settled first, so the measurement holds this order alone.
    await syncSellerOrders(syncDeps(), { sellerId: SELLER.sellerId, owner: 'settle', deadlineMs: clock + 240_000, overlapMs: 10 * 60_000 });
    await reconcileDue(repo, new Date(clock).toISOString(), DEFAULT_POLICY, { alerting: { outbox, lastEmails: ledger } });
    await sendDueAlerts(senderDeps, new Date(clock + 3600_000).toISOString());
    const sesBefore = counters.sesSend;
    orders.push(missing);
    await syncSellerOrders(syncDeps(), { sellerId: SELLER.sellerId, owner: 'missing', deadlineMs: clock + 240_000, overlapMs: 10 * 60_000 });
    const missingAlert = await measure(ddb, counters, 1, async () => {
      // Its grace period has ended (the grace counts from when the order is first known, at the latest).
      clock += 2 * 3600_000;
      const now = new Date(clock).toISOString();
      const r = await reconcileDue(repo, now, DEFAULT_POLICY, { alerting: { outbox, lastEmails: ledger } });
      if (r.alerts.length !== 1) throw new Error(`expected the missing order to raise one alert, got ${JSON.stringify(r.alerts.map((a) => [a.kind, a.alertId]))}`);
      // The sender started at once by the reconciler (after quiet hours, if the seller's settings defer it).
      const [item] = (await outbox.listForSeller(SELLER.sellerId)).filter((a) => a.status === 'pending' && a.alert.alertId === r.alerts[0].alertId);
      const at = new Date(Math.max(Date.parse(item.deliverAt), clock + 1_000)).toISOString();
      const s = await sendDueAlerts(senderDeps, at);
      if (s.sent !== 1) throw new Error(`expected the alert to be sent, got ${JSON.stringify(s)}`);
    });

    const usage = (d: { requests: number; rru: number; wru: number }, runs: number, times: number[], extra: Partial<Counters> = {}): Usage => ({
      dynamodb: { requests: d.requests / runs, rru: d.rru / runs, wru: d.wru / runs },
      ssm: (extra.ssm ?? 0) / runs,
      secretsManager: (extra.secretsManager ?? 0) / runs,
      sqs: (extra.sqs ?? 0) / runs,
      s3Get: (extra.s3Get ?? 0) / runs,
      sesSend: (extra.sesSend ?? 0) / runs,
      medianMs: median(times),
      runs,
    });
    const reconcileDay = usage(reconcileAcc, 1, reconcileTimes);
    const sendDay = usage(sendAcc, 1, sendTimes);
    return {
      orders: ordersPerDay,
      emails: emailsTaken,
      syncRun: usage(syncDdb, syncRuns, syncTimes, syncCounters),
      dispatchPerSeller: dispatchUsage,
      sellerAlertsInDay: sesBefore,
      email: usage(emailDdb, emailsTaken, emailTimes, { s3Get: emailsTaken }),
      emptyReconcile,
      emptySend,
      emptyMailboxPoll,
      emptyWeekly,
      reconcileDayExtra: minus(reconcileDay, emptyReconcile, 1440),
      sendDayExtra: minus(sendDay, emptySend, 1440),
      missingAlert,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.stop();
  }
}
