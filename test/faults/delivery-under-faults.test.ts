/**
 * Issue 10: every alert reaches the seller under crashes, hangs and broken channels.
 *
 * The real services (intakeMessage, reconcileDue, sendDueAlerts) and the real DynamoDB adapters on
 * dynalite, each "process" with its own client whose middleware crashes, fails or stalls the Nth
 * call of a command (./harness.ts), and channels that succeed, fail, hang, or answer and then
 * crash. Every scenario ends with fault-free redeliveries / later runs (after the leases ran out)
 * and counts: messages lost, alerts never sent, duplicate deliveries, cross-seller writes. The
 * table is printed at the end (the closing note of the issue quotes it).
 *
 * Time is fake (`now` passed in; leases of minutes cost nothing); a stalled call's process is
 * killed as soon as it is stuck; only a hung channel waits, for its 100 ms attempt timeout.
 */
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { DynamoDbRepository } from '../../functions/adapters/dynamodb/repository';
import { DynamoDbSyncState } from '../../functions/adapters/dynamodb/sync-state';
import { FolderMailStore } from '../../functions/adapters/folder-mail-store';
import type { Alert } from '../../functions/domain/alert-model';
import type { ChannelConfig } from '../../functions/domain/alert-settings';
import { ConcurrentModificationError } from '../../functions/domain/errors';
import { InvalidAliasError } from '../../functions/domain/inbound';
import type { IsoTime, OrderFacts, OrderPolicy } from '../../functions/domain/types';
import { importOrders } from '../../functions/services/import-orders';
import { intakeMessage, replayMessage, type IntakeDeps } from '../../functions/services/intake';
import { reconcileDue } from '../../functions/services/reconcile';
import { sendDueAlerts, type SendAlertsDeps, type SendAlertsOptions } from '../../functions/services/send-alerts';
import { useDynalite } from '../support/dynalite';
import { Channels, faultsFor, crossSellerItems, FaultyProcess, runIn, table, type Behaviour, type Fault, type Row } from './harness';

jest.setTimeout(120_000);

const ddb = useDynalite();
const POLICY: OrderPolicy = { graceMinutes: 60 };
const T0 = '2026-11-27T12:00:00.000Z';
const MAIL_AT = '2026-11-27T15:12:00.000Z';
const plus = (t: IsoTime, minutes: number): IsoTime => new Date(Date.parse(t) + minutes * 60_000).toISOString();

const DOMAIN = 'in.shipnow.example';
const ALIAS = 'demo-seller.k7q2m9';
const MAIL_ORDER = '112-4455667-1000001';
const FIXTURES = join(__dirname, '..', 'fixtures', 'mail');

const S1_CHANNELS: ChannelConfig[] = [
  { id: 's1-primary', type: 'slack', url: 'https://hooks.slack.com/services/T/B/1' },
  { id: 's1-backup', type: 'webhook', url: 'https://hooks.example.com/s1' },
];
const S2_CHANNELS: ChannelConfig[] = [{ id: 's2-primary', type: 'slack', url: 'https://hooks.slack.com/services/T/B/2' }];
const FALLBACK: ChannelConfig[] = [{ id: 'stack-topic', type: 'sns' }];
const SEND: SendAlertsOptions = { attemptTimeoutMs: 100, backoffMs: 1 };

const rows: Row[] = [];
let tablesMade = 0;
const processes: FaultyProcess[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) p.destroy();
});
afterAll(() => {
  process.stdout.write(`\nDelivery under faults (issue 10):\n\n${table(rows)}\n\n`);
});

// ---- the world ---------------------------------------------------------------------------------

function proc(name: string, faults: Fault[] = []): FaultyProcess {
  const p = new FaultyProcess(ddb.db.endpoint, name, faults);
  processes.push(p);
  return p;
}

function parts(p: FaultyProcess) {
  const tableName = ddb.tableName;
  return {
    repo: new DynamoDbRepository({ client: p.client, tableName }),
    outbox: new DynamoDbOutbox({ client: p.client, tableName }),
    ledger: new DynamoDbIntakeLedger({ client: p.client, tableName }),
  };
}

function senderDeps(p: FaultyProcess, channels: Channels, over: Partial<SendAlertsDeps> = {}): SendAlertsDeps {
  const { repo, outbox } = parts(p);
  return { outbox, health: outbox, sellers: repo, channels: channels.factory(p), fallbackChannels: FALLBACK, sleep: async () => undefined, orders: { repo, policy: POLICY }, ...over };
}

function intakeDeps(p: FaultyProcess, over: Partial<IntakeDeps> = {}): IntakeDeps {
  const { repo, ledger } = parts(p);
  return {
    repo,
    ledger,
    mailStore: new FolderMailStore(FIXTURES),
    config: { inboundDomain: DOMAIN, maxMessageBytes: 10 * 1024 * 1024, requireVerdicts: false, policy: POLICY },
    ...over,
  };
}

const reconcile = (p: FaultyProcess, at: IsoTime) => {
  const { repo, outbox, ledger } = parts(p);
  return reconcileDue(repo, at, POLICY, { alerting: { outbox, lastEmails: ledger } });
};

const deliverMail = (p: FaultyProcess, at: IsoTime, over: Partial<IntakeDeps> = {}) =>
  intakeMessage(intakeDeps(p, over), { messageId: 'ses-1', location: 'us-sold-ship-now.eml', receivedAt: at, now: at, leaseUntil: plus(at, 1) });

/** A fresh table with two sellers: s1 (the mail's alias) and s2, each with their own channels. */
async function world(s1Channels: ChannelConfig[] = S1_CHANNELS): Promise<void> {
  // One table per scenario; the previous one is dropped (dynalite keeps every table in memory).
  const previous = tablesMade > 0 ? ddb.tableName : undefined;
  const repo = await ddb.freshTable();
  tablesMade++;
  if (previous) await ddb.client.send(new DeleteTableCommand({ TableName: previous }));
  await repo.putSeller({ sellerId: 's1', name: 'S1', marketplaces: ['amazon.com'], inboundAlias: ALIAS, createdAt: '2026-01-01T00:00:00.000Z', alerting: { channels: s1Channels } } as never);
  await repo.putSeller({ sellerId: 's2', name: 'S2', marketplaces: ['amazon.com'], inboundAlias: 'other-shop', createdAt: '2026-01-01T00:00:00.000Z', alerting: { channels: S2_CHANNELS } } as never);
}

const order = (sellerId: string, orderId: string, purchaseDate = plus(T0, -120)): OrderFacts => ({
  sellerId,
  orderId,
  marketplace: 'amazon.com',
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate,
  latestShipDate: plus(T0, 5 * 24 * 60),
  lastUpdated: purchaseDate,
  source: 'sp-api-2026',
});
const orderId = (i: number) => `112-4455667-30000${String(i).padStart(2, '0')}`;

/** s1: `n` orders that go missing at T0 (channel-down after 3); s2: one. */
async function seedMissing(n = 3): Promise<void> {
  await importOrders(ddb.repository, Array.from({ length: n }, (_, i) => order('s1', orderId(i))), plus(T0, -119), POLICY);
  await importOrders(ddb.repository, [order('s2', orderId(90))], plus(T0, -119), POLICY);
}

/** The same order ID for both sellers, bought before the mail came: only s1's may be notified. */
async function seedMailOrders(): Promise<void> {
  await importOrders(ddb.repository, [order('s1', MAIL_ORDER, '2026-11-27T15:00:00.000Z'), order('s2', MAIL_ORDER, '2026-11-27T15:00:00.000Z')], '2026-11-27T15:01:00.000Z', POLICY);
}

const alert = (sellerId: string, i: number): Alert => ({
  alertId: `unknown-order:${orderId(i)}:m${i}`,
  sellerId,
  kind: 'unknown-order',
  occurredAt: T0,
  raisedAt: T0,
});

/** s1: four alerts (one digest); s2: one. */
async function seedOutbox(): Promise<string[]> {
  const o = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const all = [...[1, 2, 3, 4].map((i) => alert('s1', i)), alert('s2', 5)];
  for (const a of all) await o.put(a, T0);
  return all.map((a) => `${a.sellerId}/${a.alertId}`);
}

/** Later runs without faults (reconcile, then send), 16 min apart, until nothing is left to send. */
async function drain(channels: Channels, start: IsoTime, opts: { reconcile?: boolean; rounds?: number } = {}): Promise<void> {
  let at = start;
  for (let round = 0; round < (opts.rounds ?? 8); round++) {
    const p = proc(`drain-${round}`);
    if (opts.reconcile !== false) await reconcile(p, at);
    await sendDueAlerts(senderDeps(p, channels), at, SEND);
    if (await settled()) return;
    at = plus(at, 16);
  }
}

async function settled(): Promise<boolean> {
  const o = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  for (const s of ['s1', 's2']) if ((await o.listForSeller(s)).some((i) => i.status === 'pending' || i.status === 'sending')) return false;
  return true;
}

async function outboxKeys(): Promise<Set<string>> {
  const o = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const keys = new Set<string>();
  for (const s of ['s1', 's2']) for (const i of await o.listForSeller(s)) keys.add(`${s}/${i.alert.alertId}`);
  return keys;
}

const crossSeller = async () => (await crossSellerItems(ddb.client, ddb.tableName)).length;

/** Each call of a run as a fault point: the Nth call of its command. */
function steps(calls: string[]): Array<{ command: string; nth: number }> {
  const seen = new Map<string, number>();
  return calls.map((command) => {
    const nth = (seen.get(command) ?? 0) + 1;
    seen.set(command, nth);
    return { command, nth };
  });
}

/** For each call of a baseline run and each fault worth injecting there: a fresh seeded world, then `each`. */
async function atEveryStep(points: Array<{ command: string; nth: number }>, seed: () => Promise<unknown>, each: (fault: Fault, name: string) => Promise<void>): Promise<void> {
  for (const point of points) {
    for (const kind of faultsFor(point.command)) {
      await world();
      await seed();
      await each({ ...point, kind }, `${point.command}#${point.nth}-${kind}`);
    }
  }
}

type Tally = Omit<Row, 'scenario' | 'namedCase'>;
const tally = (): Tally => ({ runs: 0, lost: 0, neverSent: 0, duplicates: 0, crossSeller: 0 });

async function add(t: Tally, c: { lost: number; neverSent: number }, channels: Channels): Promise<void> {
  t.runs++;
  t.lost += c.lost;
  t.neverSent += c.neverSent;
  t.duplicates += channels.duplicates();
  t.crossSeller += channels.crossSeller() + (await crossSeller());
}

/** Alerts expected but never delivered; alerts expected but not even in the outbox (lost). */
function count(expected: Iterable<string>, channels: Channels, inOutbox: Set<string>): { neverSent: number; lost: number } {
  const delivered = channels.deliveredCounts();
  let neverSent = 0;
  let lost = 0;
  for (const k of expected) {
    if (!delivered.has(k)) neverSent++;
    if (!inOutbox.has(k)) lost++;
  }
  return { neverSent, lost };
}

// ---- intake ------------------------------------------------------------------------------------

async function intakeState() {
  const ledger = new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName });
  const msg = await ledger.getMessage('ses-1');
  const s1 = await ddb.repository.listNotifications('s1');
  const s2 = await ddb.repository.listNotifications('s2');
  const o1 = await ddb.repository.getOrder('s1', MAIL_ORDER);
  const o2 = await ddb.repository.getOrder('s2', MAIL_ORDER);
  return {
    record: { status: msg?.status, outcome: msg?.outcome, sellerId: msg?.sellerId, marketplace: msg?.marketplace, orderIds: msg?.orderIds, hasFacts: msg?.facts !== undefined },
    notifications: s1.map((n) => `${n.orderId}/${n.messageId}`).sort(),
    s1Notified: o1?.notifiedAt !== undefined,
    quarantined: (await ledger.listQuarantine()).length,
    crossSeller: s2.length + (o2?.notifiedAt ? 1 : 0),
  };
}

describe('intake', () => {
  test('a crash, a throttle or a stall at every step of intake; redelivered after the lease, and once more', async () => {
    await world();
    await seedMailOrders();
    const base = proc('baseline');
    expect(await deliverMail(base, MAIL_AT)).toMatchObject({ outcome: 'accepted', sellerId: 's1', matched: [MAIL_ORDER] });
    const expected = await intakeState();
    expect(expected).toMatchObject({ record: { status: 'completed', outcome: 'accepted', sellerId: 's1', hasFacts: true }, s1Notified: true, crossSeller: 0 });
    const points = steps(base.calls);
    expect(points.length).toBeGreaterThanOrEqual(8);

    const t = tally();
    await atEveryStep(points, seedMailOrders, async (fault, name) => {
      const a = proc(`intake-${name}`, [fault]);
      await runIn(a, () => deliverMail(a, MAIL_AT));
      // SQS redelivers after the visibility timeout (the lease has run out), then once more.
      for (const [i, at] of [plus(MAIL_AT, 2), plus(MAIL_AT, 4)].entries()) {
        const b = proc(`intake-redelivery-${i}`);
        const r = await runIn(b, () => deliverMail(b, at));
        expect([name, r.outcome]).toEqual([name, 'ok']);
      }
      const got = await intakeState();
      t.runs++;
      if (JSON.stringify(got.record) !== JSON.stringify(expected.record) || !got.s1Notified || got.quarantined !== 0) t.lost++;
      t.duplicates += Math.max(0, got.notifications.length - expected.notifications.length);
      t.crossSeller += got.crossSeller + (await crossSeller());
      expect({ name, ...got }).toEqual({ name, ...expected });
    });
    rows.push({ scenario: `intake: crash before/after, throttle, stall at each of its ${points.length} DynamoDB calls; redelivery after the lease`, ...t });
  });

  test('5. a stale worker whose lease ran out wakes up: it can neither release nor complete the new owner\'s claim; a replay keeps the record', async () => {
    await world();
    await seedMailOrders();
    const base = proc('baseline');
    await deliverMail(base, MAIL_AT);
    const expected = await intakeState();
    const lastUpdate = steps(base.calls).filter((s) => s.command === 'UpdateItemCommand').pop()!;

    await world();
    await seedMailOrders();
    const stale = proc('stale', [{ ...lastUpdate, kind: 'pause' }]);
    const staleRun = deliverMail(stale, MAIL_AT);
    await stale.paused; // its completion is on the wire, held
    // The lease ran out: the redelivery takes over, and is held right after its claim.
    const afterClaim = steps(base.calls)[1];
    const fresh = proc('fresh', [{ ...afterClaim, kind: 'pause' }]);
    const freshRun = deliverMail(fresh, plus(MAIL_AT, 2));
    await fresh.paused;
    // The stale worker wakes up: its completion and its release must leave the new claim alone.
    stale.resume();
    await expect(staleRun).rejects.toBeInstanceOf(ConcurrentModificationError);
    const ledger = new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName });
    expect(await ledger.getMessage('ses-1')).toMatchObject({ status: 'in-progress', attempts: 2 });
    fresh.resume();
    expect(await freshRun).toMatchObject({ outcome: 'accepted' });
    const after = await intakeState();
    expect(after).toEqual(expected);

    // A replay that changes nothing keeps the whole record (seller, marketplace, orders, facts).
    const r = await replayMessage(intakeDeps(proc('replay')), 'ses-1', plus(MAIL_AT, 60));
    expect(r).toMatchObject({ outcome: 'duplicate' });
    expect(await intakeState()).toEqual(expected);
    rows.push({ scenario: '5. intake: stale worker wakes after the takeover; replay of an accepted message', runs: 2, lost: JSON.stringify(after) === JSON.stringify(expected) ? 0 : 1, neverSent: 0, duplicates: 0, crossSeller: (await crossSeller()) + after.crossSeller });
  });

  test('6. an alias with "+" cannot be registered (it would receive another seller\'s mail)', async () => {
    await world();
    await seedMailOrders();
    await expect(ddb.repository.putSeller({ sellerId: 's3', name: 'S3', marketplaces: ['amazon.com'], inboundAlias: `${ALIAS}+x`, createdAt: T0 })).rejects.toBeInstanceOf(InvalidAliasError);
    expect(await ddb.repository.getSeller('s3')).toBeUndefined();
    const p = proc('mail');
    expect(await deliverMail(p, MAIL_AT)).toMatchObject({ outcome: 'accepted', sellerId: 's1' });
    const cross = (await crossSeller()) + (await intakeState()).crossSeller + (await ddb.repository.listNotifications('s3')).length;
    expect(cross).toBe(0);
    rows.push({ scenario: '6. alias "<alias>+x" registered by another seller', runs: 1, lost: 0, neverSent: 0, duplicates: 0, crossSeller: cross });
  });

  test('7. a bug in intake is not bad mail: thrown (not quarantined), and the redelivery after the fix is accepted', async () => {
    await world();
    await seedMailOrders();
    const p = proc('buggy');
    const { repo } = parts(p);
    const buggy = Object.create(repo) as DynamoDbRepository;
    buggy.putNotification = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'orderId')");
    };
    const r = await runIn(p, () => deliverMail(p, MAIL_AT, { repo: buggy }));
    expect(r).toMatchObject({ outcome: 'threw', error: expect.any(TypeError) });
    expect((await intakeState()).quarantined).toBe(0);
    expect(await deliverMail(proc('fixed'), plus(MAIL_AT, 1))).toMatchObject({ outcome: 'accepted', sellerId: 's1' });
    const got = await intakeState();
    expect(got).toMatchObject({ record: { status: 'completed', outcome: 'accepted' }, s1Notified: true, quarantined: 0 });
    rows.push({ scenario: '7. intake: a TypeError while storing (bug, not bad mail)', runs: 1, lost: 0, neverSent: 0, duplicates: 0, crossSeller: (await crossSeller()) + got.crossSeller });
  });
});

// ---- sync lease --------------------------------------------------------------------------------

describe('order-sync lease', () => {
  test('5. a stale sync run whose lease ran out cannot release the lease of the run that took over', async () => {
    await world();
    const state = (p: FaultyProcess) => new DynamoDbSyncState({ client: p.client, tableName: ddb.tableName });
    const t = Date.parse(T0);
    const stale = proc('stale-sync');
    expect(await state(stale).acquireLease('s1', 'run-a/msg-1', t, t + 60_000)).toEqual({ acquired: true });
    const fresh = proc('fresh-sync');
    // Before the lease runs out nobody else gets it; after, the next run does.
    expect(await state(fresh).acquireLease('s1', 'run-b/msg-1', t + 30_000, t + 120_000)).toMatchObject({ acquired: false, heldBy: 'run-a/msg-1' });
    expect(await state(fresh).acquireLease('s1', 'run-b/msg-1', t + 61_000, t + 120_000)).toEqual({ acquired: true });
    // The stale run finishes late and releases "its" lease: conditional on its owner token, a no-op.
    await state(stale).releaseLease('s1', 'run-a/msg-1');
    expect(await state(proc('third')).acquireLease('s1', 'run-c/msg-2', t + 62_000, t + 180_000)).toMatchObject({ acquired: false, heldBy: 'run-b/msg-1' });
    await state(fresh).releaseLease('s1', 'run-b/msg-1');
    expect(await state(proc('fourth')).acquireLease('s1', 'run-c/msg-2', t + 63_000, t + 180_000)).toEqual({ acquired: true });
    rows.push({ scenario: '5. order-sync lease: stale run releases after the takeover', runs: 1, lost: 0, neverSent: 0, duplicates: 0, crossSeller: await crossSeller() });
  });
});

// ---- reconcile ---------------------------------------------------------------------------------

describe('reconcile', () => {
  async function baseline(): Promise<{ expected: string[]; points: Array<{ command: string; nth: number }> }> {
    await world();
    await seedMissing();
    const p = proc('baseline');
    const r = await reconcile(p, T0);
    expect(r.failed).toEqual([]);
    const channels = new Channels();
    await drain(channels, plus(T0, 16));
    const expected = [...channels.deliveredCounts().keys()].sort();
    expect(expected).toEqual(
      [`s1/channel-down:never`, ...[0, 1, 2].map((i) => `s1/notification-missing:${orderId(i)}`), `s2/notification-missing:${orderId(90)}`].sort(),
    );
    return { expected, points: steps(p.calls) };
  }

  test('a crash, a throttle or a stall at every step of reconcile (4. channel-down included; 9. counters)', async () => {
    const { expected, points } = await baseline();
    const t = tally();
    await atEveryStep(points, seedMissing, async (fault, name) => {
      const a = proc(`reconcile-${name}`, [fault]);
      await runIn(a, () => reconcile(a, T0));
      const channels = new Channels();
      await drain(channels, plus(T0, 16));
      const c = count(expected, channels, await outboxKeys());
      await add(t, c, channels);
      expect({ name, ...c, duplicates: channels.duplicates() }).toEqual({ name, lost: 0, neverSent: 0, duplicates: 0 });
    });
    rows.push({ scenario: `reconcile: crash before/after, throttle, stall at each of its ${points.length} DynamoDB calls; next run`, ...t });
  });

  test('4. the reconciler dies right before the channel-down put: the next run raises it from the stored streak', async () => {
    const { expected } = await baseline();
    await world();
    await seedMissing();
    // The channel-down put is the run's first PutItem (before any order write).
    const a = proc('before-channel-down', [{ command: 'PutItemCommand', nth: 1, kind: 'crash-before' }]);
    expect((await runIn(a, () => reconcile(a, T0))).outcome).toBe('died');
    expect([...(await outboxKeys())]).toEqual([]);
    const channels = new Channels();
    await drain(channels, plus(T0, 5));
    const c = count(expected, channels, await outboxKeys());
    expect(c).toEqual({ lost: 0, neverSent: 0 });
    rows.push({ scenario: '4. reconciler dies before the channel-down put', runs: 1, ...c, duplicates: channels.duplicates(), crossSeller: channels.crossSeller() + (await crossSeller()) });
  });

  test.each([2, 3, 4, 5])('%i reconcilers, then as many senders, at once: one alert per transition, each delivered once', async (n) => {
    await world();
    await importOrders(ddb.repository, Array.from({ length: 12 }, (_, i) => order('s1', orderId(i))), plus(T0, -119), POLICY);
    await importOrders(ddb.repository, [order('s2', orderId(90)), order('s2', orderId(91))], plus(T0, -119), POLICY);
    await Promise.all(Array.from({ length: n }, (_, i) => proc(`reconciler-${i}`)).map((p) => reconcile(p, T0)));
    const channels = new Channels();
    await Promise.all(Array.from({ length: n }, (_, i) => proc(`sender-${i}`)).map((p) => sendDueAlerts(senderDeps(p, channels), plus(T0, 1), SEND)));
    await drain(channels, plus(T0, 17), { reconcile: false });
    const expected = [`s1/channel-down:never`, ...Array.from({ length: 12 }, (_, i) => `s1/notification-missing:${orderId(i)}`), `s2/notification-missing:${orderId(90)}`, `s2/notification-missing:${orderId(91)}`];
    const inOutbox = await outboxKeys();
    expect([...inOutbox].sort()).toEqual([...expected].sort());
    const c = count(expected, channels, inOutbox);
    expect({ ...c, duplicates: channels.duplicates() }).toEqual({ lost: 0, neverSent: 0, duplicates: 0 });
    rows.push({ scenario: `${n} concurrent reconcilers, then ${n} concurrent senders`, runs: 1, ...c, duplicates: channels.duplicates(), crossSeller: channels.crossSeller() + (await crossSeller()) });
  });
});

// ---- sender ------------------------------------------------------------------------------------

describe('sender', () => {
  test('a crash, a throttle or a stall at every step of a sender run; the next run after the lease', async () => {
    await world();
    const expected = await seedOutbox();
    const base = proc('baseline');
    const first = new Channels();
    expect(await sendDueAlerts(senderDeps(base, first), T0, SEND)).toMatchObject({ sent: 5, messages: 2, digests: 1, errors: [] });
    const points = steps(base.calls);
    // The delivery records are the run's only PutItems: one per message (s1's digest, s2's alert).
    expect(points.filter((p) => p.command === 'PutItemCommand')).toHaveLength(2);

    const plain = tally();
    const namedCase = tally();
    await atEveryStep(points, seedOutbox, async (fault, name) => {
      const channels = new Channels();
      const a = proc(`sender-${name}`, [fault]);
      await runIn(a, () => sendDueAlerts(senderDeps(a, channels), T0, SEND));
      await drain(channels, plus(T0, 6), { reconcile: false });
      // The named case: the channel answered, the process died before the delivery record.
      const named = fault.command === 'PutItemCommand' && (fault.kind === 'crash-before' || fault.kind === 'stall');
      const c = count(expected, channels, await outboxKeys());
      await add(named ? namedCase : plain, c, channels);
      expect({ name, ...c }).toEqual({ name, lost: 0, neverSent: 0 });
      // At most one extra delivery (the message re-sent once), and only in the named case.
      expect({ name, duplicates: channels.duplicates(), maxPerAlert: channels.maxPerAlert() }).toEqual({ name, duplicates: named ? 1 : 0, maxPerAlert: named ? 2 : 1 });
    });
    rows.push({ scenario: `sender: crash before/after, throttle, stall at each of its ${points.length} DynamoDB calls; next run after the lease`, ...plain });
    rows.push({ scenario: 'sender: dies (crash or stall) between the channel\'s answer and the delivery record', ...namedCase, namedCase: true });
  });

  /** One scenario on the seeded outbox: `first` runs with its own options, then the world drains. */
  async function scenario(
    name: string,
    behaviours: Record<string, Behaviour[]>,
    first: (channels: Channels) => Promise<void>,
    opts: { named?: boolean; maxDuplicates?: number } = {},
  ): Promise<Channels> {
    await world();
    const expected = await seedOutbox();
    const channels = new Channels(behaviours);
    await first(channels);
    await drain(channels, plus(T0, 6), { reconcile: false });
    const c = count(expected, channels, await outboxKeys());
    expect(c).toEqual({ lost: 0, neverSent: 0 });
    expect(channels.duplicates()).toBeLessThanOrEqual(opts.maxDuplicates ?? 0);
    expect(channels.maxPerAlert()).toBeLessThanOrEqual(1 + (opts.maxDuplicates ?? 0));
    rows.push({ scenario: name, runs: 1, ...c, duplicates: channels.duplicates(), crossSeller: channels.crossSeller() + (await crossSeller()), ...(opts.named ? { namedCase: true } : {}) });
    return channels;
  }

  test('1. a channel that hangs: its attempt times out, it is marked broken, the next channel takes the alert in the same run', async () => {
    let run: Awaited<ReturnType<typeof sendDueAlerts>> | undefined;
    const channels = await scenario('1. seller\'s first channel hangs', { 's1-primary': ['hang'] }, async (ch) => {
      const p = proc('hang');
      run = await sendDueAlerts(senderDeps(p, ch), T0, SEND);
    });
    expect(run).toMatchObject({ sent: 5, stoppedEarly: false });
    expect(run!.brokenChannels).toEqual([expect.objectContaining({ sellerId: 's1', channelId: 's1-primary', reason: 's1-primary: no answer within 100 ms' })]);
    expect(channels.deliveries.filter((d) => d.sellerId === 's1').map((d) => d.channelId)).toEqual(['s1-backup']);
  });

  test('1. out of Lambda time before an attempt: the claims are given back at once, the next run sends them', async () => {
    let run: Awaited<ReturnType<typeof sendDueAlerts>> | undefined;
    await scenario('1. no time left for another attempt (Lambda deadline near)', {}, async (ch) => {
      const p = proc('late');
      run = await sendDueAlerts(senderDeps(p, ch), T0, { ...SEND, remainingMs: () => 1_000, reserveMs: 2_000 });
    });
    expect(run).toMatchObject({ sent: 0, stoppedEarly: true });
  });

  test('2. every channel failing for a while: retried with back-off until one works, never failed for good', async () => {
    const fail3 = (): Behaviour[] => ['transient', 'transient', 'transient', 'ok'];
    let run: Awaited<ReturnType<typeof sendDueAlerts>> | undefined;
    await scenario('2. all channels (and the stack topic) down for one run', { 's1-primary': fail3(), 's1-backup': fail3(), 's2-primary': fail3(), 'stack-topic': ['transient', 'transient', 'transient', 'transient', 'transient', 'transient', 'ok'] }, async (ch) => {
      run = await sendDueAlerts(senderDeps(proc('down'), ch), T0, SEND);
    });
    expect(run).toMatchObject({ sent: 0, failed: 0, retried: 5 });
  });

  test('2. the only channel is cooling off after a failure: tried anyway, the alert goes out', async () => {
    await world([{ id: 's1-only', type: 'slack', url: 'https://hooks.slack.com/services/T/B/9' }]);
    const expected = await seedOutbox();
    await new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName }).markBroken('s1', 's1-only', 'HTTP 404', plus(T0, -60));
    const channels = new Channels();
    const p = proc('cooling');
    const r = await sendDueAlerts(senderDeps(p, channels, { fallbackChannels: [] }), T0, SEND);
    expect(r).toMatchObject({ sent: 5, failed: 0 });
    const c = count(expected, channels, await outboxKeys());
    expect(c).toEqual({ lost: 0, neverSent: 0 });
    rows.push({ scenario: '2. only channel cooling off, no fallback', runs: 1, ...c, duplicates: channels.duplicates(), crossSeller: channels.crossSeller() + (await crossSeller()) });
  });

  test('3. a digest is one delivery record: dying after it, before the alerts are marked, re-sends nothing', async () => {
    const base = proc('baseline-3');
    await world();
    await seedOutbox();
    await sendDueAlerts(senderDeps(base, new Channels()), T0, SEND);
    const calls = steps(base.calls);
    const firstMark = calls.slice(calls.findIndex((s) => s.command === 'PutItemCommand')).find((s) => s.command === 'UpdateItemCommand')!;
    for (const kind of ['crash-before', 'crash-after', 'stall'] as const) {
      await scenario(`3. dies ${kind === 'crash-after' ? 'after the first' : 'before the first'} "mark sent" of the digest (${kind})`, {}, async (ch) => {
        const p = proc(`digest-${kind}`, [{ ...firstMark, kind }]);
        await runIn(p, () => sendDueAlerts(senderDeps(p, ch), T0, SEND));
      });
    }
    await scenario('3. "mark sent" throttled: the write is retried, not the send', {}, async (ch) => {
      const p = proc('throttled-mark', [{ ...firstMark, kind: 'fail' }]);
      expect(await sendDueAlerts(senderDeps(p, ch), T0, SEND)).toMatchObject({ sent: 5, errors: [] });
    });
  });

  test('the named case: a channel answers and the process dies before the record: at most one extra delivery', async () => {
    await scenario('answer-then-crash channel', { 's1-primary': ['answer-then-crash', 'ok'] }, async (ch) => {
      const p = proc('answer-then-crash');
      await runIn(p, () => sendDueAlerts(senderDeps(p, ch), T0, SEND));
    }, { named: true, maxDuplicates: 1 });
  });

  test('7. a bug in a channel adapter is reported, not taken for an outage: the next channel takes the alert', async () => {
    let run: Awaited<ReturnType<typeof sendDueAlerts>> | undefined;
    await scenario('7. a channel adapter throws a TypeError', { 's1-primary': ['bug'] }, async (ch) => {
      run = await sendDueAlerts(senderDeps(proc('bug'), ch), T0, SEND);
    });
    expect(run).toMatchObject({ sent: 5 });
    expect(run!.errors).toEqual([expect.objectContaining({ sellerId: 's1', channelId: 's1-primary', error: expect.any(TypeError) })]);
    expect(run!.brokenChannels).toEqual([]);
  });

  test('redelivery after a lease runs out: a sender that hangs on its claims is taken over', async () => {
    await scenario('sender stalls after claiming; taken over after the lease', {}, async (ch) => {
      const p = proc('stalled', [{ command: 'QueryCommand', nth: 5, kind: 'stall' }]); // the channel-health read
      expect((await runIn(p, () => sendDueAlerts(senderDeps(p, ch), T0, SEND))).outcome).toBe('killed');
      // Before the lease runs out the stalled run's claims (s1's four) are not even due; s2's was never claimed.
      expect(await sendDueAlerts(senderDeps(proc('too-early'), ch), plus(T0, 4), SEND)).toMatchObject({ due: 1, claimed: 1, sent: 1 });
    });
  });
});
