/**
 * The intake Lambda end to end: real SQS-delivered S3 event notifications, the real MIME fixtures
 * (as SES stores them, with its Received/X-SES-* headers) in a local S3-compatible server
 * (s3rver), a real local DynamoDB (dynalite), real Powertools Logger/Metrics/batch and middy.
 * Only the Lambda context is fake.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { S3MailStore } from '../../functions/adapters/s3-mail-store';
import { readInboundMailConfig } from '../../functions/config';
import { makeHandler, type InboundMailDeps } from '../../functions/handlers/inbound-mail';
import type { OrderFacts } from '../../functions/domain/types';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import { importOrders } from '../../functions/services/import-orders';
import { replayMessage } from '../../functions/services/intake';
import { s3ObjectCreated, sqsRecord } from '../support/aws-events';
import { useDynalite } from '../support/dynalite';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

// EMF to the global console.log, so the test can read the metrics (dev mode alone disables them).
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';

const FIXTURES = join(__dirname, '..', 'fixtures', 'mail');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const BUCKET = 'sentinel-mail-test';
const PREFIX = 'inbound/';
const DOMAIN = 'in.shipnow.example';
const ALIAS = 'demo-seller.k7q2m9';
const SELLER = 'demo-seller';
const NOW = new Date('2026-11-28T12:00:00.000Z');

const ddb = useDynalite({ freshTablePerTest: true });

let s3server: InstanceType<typeof S3rver>;
let s3: S3Client;
let s3dir: string;
let s3requests: Array<{ command: string; input: Record<string, unknown> }>;

beforeAll(async () => {
  s3dir = mkdtempSync(join(tmpdir(), 'sentinel-s3-'));
  s3server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3dir });
  const { port } = await s3server.run();
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      s3requests.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'requestRecorder' },
  );
  s3requests = [];
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3.destroy();
  await s3server.close();
  rmSync(s3dir, { recursive: true, force: true });
});

let emf: Array<Record<string, unknown>>;
let logSpy: jest.SpyInstance;
beforeEach(() => {
  s3requests = [];
  emf = [];
  logSpy = jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
    if (typeof line === 'string' && line.includes('"_aws"')) emf.push(JSON.parse(line) as Record<string, unknown>);
  });
});
afterEach(() => logSpy.mockRestore());

/** Values of one metric over every EMF document printed, with each document's `reason` dimension. */
function metric(name: string): Array<{ value: unknown; reason?: unknown }> {
  return emf.filter((d) => name in d).map((d) => ({ value: d[name], ...('reason' in d ? { reason: d.reason } : {}) }));
}

function deps(over: { maxMessageBytes?: number } = {}): InboundMailDeps {
  return {
    bucket: BUCKET,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    now: () => NOW.toISOString(),
    intake: {
      repo: ddb.repository,
      ledger: new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName }),
      mailStore: new S3MailStore({ client: s3, bucket: BUCKET }),
      config: {
        inboundDomain: DOMAIN,
        maxMessageBytes: over.maxMessageBytes ?? 10 * 1024 * 1024,
        requireVerdicts: true,
        policy: DEFAULT_POLICY,
      },
    },
  };
}

function ledger(): DynamoDbIntakeLedger {
  return new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName });
}

const context = {
  functionName: 'inbound-mail',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:inbound-mail',
  memoryLimitInMB: '512',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/inbound-mail',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 55_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as unknown as Context;

async function store(messageId: string, raw: Buffer): Promise<string> {
  const key = PREFIX + messageId;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: raw }));
  return key;
}

/** An SQS record carrying the S3 event notification S3 sends for an object SES stored. */
function s3Record(key: string, size: number, sqsId = `sqs-${key}`): SQSRecord {
  return sqsRecord(JSON.stringify(s3ObjectCreated(BUCKET, key, size)), sqsId, 'inbound-mail');
}

async function deliver(messageId: string, raw: Buffer, d = deps()) {
  const key = await store(messageId, raw);
  return makeHandler(d)({ Records: [s3Record(key, raw.length)] } as SQSEvent, context);
}

async function addSeller(alias = ALIAS, sellerId = SELLER): Promise<void> {
  await ddb.repository.putSeller({
    sellerId,
    name: 'Demo seller',
    marketplaces: ['amazon.com', 'amazon.de'],
    inboundAlias: alias,
    createdAt: '2026-11-01T00:00:00.000Z',
  });
}

const US_ORDER: OrderFacts = {
  sellerId: SELLER,
  orderId: '112-4455667-1000001',
  marketplace: 'amazon.com',
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate: '2026-11-27T15:10:00.000Z',
  paymentsDate: '2026-11-27T15:11:00.000Z',
  source: 'report',
};

describe('inbound-mail handler', () => {
  test('accepted: an authentic Sold, Ship Now email is recorded for the seller its alias names', async () => {
    await addSeller();
    await importOrders(ddb.repository, [US_ORDER], NOW.toISOString(), DEFAULT_POLICY);

    const res = await deliver('ses-accepted-1', fixture('us-sold-ship-now.eml'));

    expect(res).toEqual({ batchItemFailures: [] });
    const order = await ddb.repository.getOrder(SELLER, US_ORDER.orderId);
    expect(order?.notifiedAt).toBe('2026-11-27T15:11:41.000Z');
    const notifs = await ddb.repository.listNotifications(SELLER);
    expect(notifs.map((n) => [n.orderId, n.messageId, n.location])).toEqual([
      [US_ORDER.orderId, 'ses-accepted-1', `${PREFIX}ses-accepted-1`],
    ]);
    // Exactly the one GetObject of the stored message.
    expect(s3requests.filter((r) => r.command !== 'PutObjectCommand')).toEqual([{ command: 'GetObjectCommand', input: { Bucket: BUCKET, Key: `${PREFIX}ses-accepted-1` } }]);

    const msg = await ledger().getMessage('ses-accepted-1');
    expect(msg).toMatchObject({ status: 'completed', outcome: 'accepted', sellerId: SELLER, marketplace: 'amazon.com', attempts: 1 });
    const last = await ledger().lastEmails(SELLER);
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({
      marketplace: 'amazon.com',
      messageId: 'ses-accepted-1',
      receivedAt: '2026-11-27T15:11:41.000Z',
      facts: {
        spf: 'pass',
        dkim: 'pass',
        dmarc: 'pass',
        spam: 'pass',
        virus: 'pass',
        transitSeconds: 4,
        orderDelaySeconds: 41,
        forwarding: { forwarded: false, evidence: [], receivedHops: 1 },
      },
    });
    expect(metric('MailAccepted')).toEqual([{ value: 1 }]);
    expect(metric('MailArrivalDelay')).toEqual([{ value: 41 }]);
  });

  test('no buyer personal data in the intake records: no subject, body or names', async () => {
    await addSeller();
    await deliver('ses-privacy-1', fixture('us-sold-ship-now.eml'));
    const stored = JSON.stringify([await ledger().getMessage('ses-privacy-1'), await ledger().lastEmails(SELLER)]);
    expect(stored).not.toMatch(/Kettle|Dear|Demo Seller|Seller Notifications|seller-notification@/);
  });

  test('forwarding is recognised from X-Forwarded-* headers and hops', async () => {
    await addSeller();
    await deliver('ses-forwarded-1', fixture('us-auto-forwarded.eml'));
    const [last] = await ledger().lastEmails(SELLER);
    expect(last.facts.forwarding).toEqual({
      forwarded: true,
      evidence: ['x-forwarded-for', 'x-forwarded-to'],
      receivedHops: 2,
    });
    expect(last.facts.spf).toBe('softfail');
  });

  test('duplicate delivery: recorded once, counted as duplicate', async () => {
    await addSeller();
    const raw = fixture('us-sold-ship-now.eml');
    await deliver('ses-dup-1', raw);
    const again = await deliver('ses-dup-1', raw);

    expect(again).toEqual({ batchItemFailures: [] });
    expect(await ddb.repository.listNotifications(SELLER)).toHaveLength(1);
    expect(metric('MailAccepted')).toEqual([{ value: 1 }]);
    expect(metric('MailDuplicate')).toEqual([{ value: 1 }]);
    expect((await ledger().getMessage('ses-dup-1'))?.attempts).toBe(1);
  });

  test('replay of an accepted message changes nothing and is a duplicate', async () => {
    await addSeller();
    await deliver('ses-replay-1', fixture('us-sold-ship-now.eml'));
    const d = deps();
    const r = await replayMessage(d.intake, 'ses-replay-1', NOW.toISOString());
    expect(r).toEqual({ outcome: 'duplicate', messageId: 'ses-replay-1', previous: 'accepted' });
    expect(await ddb.repository.listNotifications(SELLER)).toHaveLength(1);
    expect(await ledger().getMessage('ses-replay-1')).toMatchObject({ status: 'completed', outcome: 'accepted', attempts: 2 });
  });

  test('unknown alias: recorded and counted, touches no seller', async () => {
    await addSeller('someone-else.x1', SELLER);
    await deliver('ses-unknown-1', fixture('us-sold-ship-now.eml'));

    expect(await ddb.repository.listNotifications(SELLER)).toEqual([]);
    expect(await ledger().listRejections()).toEqual([
      { messageId: 'ses-unknown-1', reason: 'unknown-alias', location: `${PREFIX}ses-unknown-1`, rejectedAt: NOW.toISOString() },
    ]);
    expect(await ledger().rejectionCounts()).toEqual({ 'unknown-alias': 1 });
    // The per-reason metric is emitted at once (single metric), the total at the end of the batch.
    expect(metric('MailRejected')).toEqual([{ value: 1, reason: 'unknown-alias' }, { value: 1 }]);
    // Redelivered: still counted once.
    await deliver('ses-unknown-1', fixture('us-sold-ship-now.eml'));
    expect(await ledger().rejectionCounts()).toEqual({ 'unknown-alias': 1 });
  });

  test("one seller's mail never marks another seller's order, even with the same order ID", async () => {
    await addSeller();
    await addSeller('other-shop.z9', 'other-seller');
    await importOrders(ddb.repository, [{ ...US_ORDER, sellerId: 'other-seller' }], NOW.toISOString(), DEFAULT_POLICY);

    await deliver('ses-tenant-1', fixture('us-sold-ship-now.eml')); // addressed to demo-seller's alias

    expect((await ddb.repository.getOrder('other-seller', US_ORDER.orderId))?.notifiedAt).toBeUndefined();
    expect(await ddb.repository.listNotifications('other-seller')).toEqual([]);
    expect((await ddb.repository.listNotifications(SELLER)).map((n) => n.orderId)).toEqual([US_ORDER.orderId]);
  });

  test('a message addressed to two sellers is refused rather than guessed', async () => {
    await addSeller();
    await addSeller('other-shop.z9', 'other-seller');
    const raw = Buffer.from(
      fixture('us-sold-ship-now.eml')
        .toString('latin1')
        .replace(`\n for ${ALIAS}@${DOMAIN};`, '')
        .replace(`To: ${ALIAS}@${DOMAIN}`, `To: ${ALIAS}@${DOMAIN}, other-shop.z9@${DOMAIN}`),
      'latin1',
    );
    await deliver('ses-two-1', raw);
    expect(await ledger().rejectionCounts()).toEqual({ 'ambiguous-recipient': 1 });
    expect(await ddb.repository.listNotifications(SELLER)).toEqual([]);
  });

  test('plus-addressing and case still route to the seller', async () => {
    await addSeller();
    const raw = Buffer.from(
      fixture('us-sold-ship-now.eml').toString('latin1').replace(`for ${ALIAS}@${DOMAIN};`, `for ${ALIAS.toUpperCase()}+us@IN.SHIPNOW.EXAMPLE;`),
      'latin1',
    );
    await deliver('ses-plus-1', raw);
    expect(await ddb.repository.listNotifications(SELLER)).toHaveLength(1);
  });

  test('forged: DMARC fail is rejected with its reason and never marks an order', async () => {
    await addSeller();
    await importOrders(ddb.repository, [US_ORDER], NOW.toISOString(), DEFAULT_POLICY);
    await deliver('ses-forged-1', fixture('forged-amazon-com.eml'));

    expect(await ddb.repository.listNotifications(SELLER)).toEqual([]);
    expect((await ddb.repository.getOrder(SELLER, US_ORDER.orderId))?.notifiedAt).toBeUndefined();
    expect(await ledger().rejectionCounts()).toEqual({ 'dmarc-fail': 1 });
    expect(await ledger().getMessage('ses-forged-1')).toMatchObject({ outcome: 'rejected', reason: 'dmarc-fail', sellerId: SELLER });
  });

  test('virus verdict FAIL: quarantined with its reason and S3 key, nothing recorded', async () => {
    await addSeller();
    const raw = Buffer.from(fixture('us-sold-ship-now.eml').toString('latin1').replace('X-SES-Virus-Verdict: PASS', 'X-SES-Virus-Verdict: FAIL'), 'latin1');
    const res = await deliver('ses-virus-1', raw);

    expect(res).toEqual({ batchItemFailures: [] });
    expect(await ddb.repository.listNotifications(SELLER)).toEqual([]);
    expect(await ledger().listQuarantine()).toEqual([
      expect.objectContaining({ messageId: 'ses-virus-1', reason: 'virus', location: `${PREFIX}ses-virus-1` }),
    ]);
    expect(metric('MailQuarantined')).toEqual([{ value: 1, reason: 'virus' }, { value: 1 }]);
  });

  test('oversized (size from the event): quarantined without downloading it', async () => {
    await addSeller();
    const raw = fixture('us-sold-ship-now.eml');
    const res = await deliver('ses-big-1', raw, deps({ maxMessageBytes: 1000 }));

    expect(res).toEqual({ batchItemFailures: [] });
    expect(s3requests.map((r) => r.command)).toEqual(['PutObjectCommand']); // the test's own upload only
    expect(await ledger().getQuarantine('ses-big-1')).toMatchObject({ reason: 'oversized', size: raw.length, location: `${PREFIX}ses-big-1` });
  });

  test('oversized (size only known from the object): quarantined, body not read', async () => {
    await addSeller();
    const raw = fixture('us-sold-ship-now.eml');
    const key = await store('ses-big-2', raw);
    const record = s3Record(key, 10); // an event that understates the size
    const res = await makeHandler(deps({ maxMessageBytes: 1000 }))({ Records: [record] } as SQSEvent, context);
    expect(res).toEqual({ batchItemFailures: [] });
    expect(await ledger().getQuarantine('ses-big-2')).toMatchObject({ reason: 'oversized', size: raw.length });
  });

  test('malformed MIME: quarantined', async () => {
    await addSeller();
    await deliver('ses-malformed-1', fixture('not-a-message.eml'));
    expect(await ledger().getQuarantine('ses-malformed-1')).toMatchObject({ reason: 'malformed-mime' });
    expect(await ledger().getMessage('ses-malformed-1')).toMatchObject({ status: 'completed', outcome: 'quarantined' });
  });

  test('a batch with one poison message: the others succeed, the poison is quarantined, no batch failure', async () => {
    await addSeller();
    const good1 = await store('ses-batch-1', fixture('us-sold-ship-now.eml'));
    const poison = await store('ses-batch-2', fixture('truncated.eml'));
    const good2 = await store('ses-batch-3', fixture('de-artikel-verkauft.eml'));
    const res = await makeHandler(deps())(
      { Records: [s3Record(good1, 10), s3Record(poison, 10), s3Record(good2, 10)] } as SQSEvent,
      context,
    );

    expect(res).toEqual({ batchItemFailures: [] });
    const orderIds = (await ddb.repository.listNotifications(SELLER)).map((n) => n.orderId).sort();
    expect(orderIds).toEqual(['028-4455667-1000003', '112-4455667-1000001']);
    expect((await ledger().listQuarantine()).map((q) => [q.messageId, q.reason])).toEqual([['ses-batch-2', 'malformed-mime']]);
  });

  test('a record whose body cannot be read fails alone (retried, then kept by the DLQ)', async () => {
    await addSeller();
    const good = await store('ses-body-1', fixture('us-sold-ship-now.eml'));
    const bad: SQSRecord = { ...s3Record(good, 10, 'sqs-bad'), body: '{"not":"an event"}' };
    const res = await makeHandler(deps())({ Records: [bad, s3Record(good, 10, 'sqs-good')] } as SQSEvent, context);
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-bad' }] });
    expect(await ddb.repository.listNotifications(SELLER)).toHaveLength(1);
  });

  test("S3's test event is acknowledged and ignored", async () => {
    const record: SQSRecord = {
      ...s3Record('x', 1),
      body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-28T00:00:00.000Z', Bucket: BUCKET }),
    };
    expect(await makeHandler(deps())({ Records: [record] } as SQSEvent, context)).toEqual({ batchItemFailures: [] });
  });

  test('concurrent duplicate: two Lambdas racing on one message record it once', async () => {
    await addSeller();
    const raw = fixture('us-sold-ship-now.eml');
    const key = await store('ses-race-1', raw);
    const event = { Records: [s3Record(key, raw.length)] } as SQSEvent;
    const results = await Promise.all([makeHandler(deps())(event, context), makeHandler(deps())(event, context), makeHandler(deps())(event, context)]);

    expect(await ddb.repository.listNotifications(SELLER)).toHaveLength(1);
    expect(metric('MailAccepted')).toEqual([{ value: 1 }]);
    // Each loser either saw it completed (duplicate) or in progress (failed: SQS retries it).
    const failed = results.filter((r) => r.batchItemFailures.length > 0).length;
    expect(metric('MailDuplicate').length + failed).toBe(2);
    // The retry of a loser is a duplicate.
    expect(await makeHandler(deps())(event, context)).toEqual({ batchItemFailures: [] });
    expect(metric('MailAccepted')).toEqual([{ value: 1 }]);
    expect((await ledger().getMessage('ses-race-1'))?.attempts).toBe(1);
  });

  test('a crashed attempt (lease expired) is taken over by the next delivery', async () => {
    await addSeller();
    // A worker claimed it an hour ago and died.
    await ledger().claimMessage('ses-crash-1', `${PREFIX}ses-crash-1`, '2026-11-28T11:00:00.000Z', '2026-11-28T11:01:00.000Z');
    const res = await deliver('ses-crash-1', fixture('us-sold-ship-now.eml'));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(await ledger().getMessage('ses-crash-1')).toMatchObject({ status: 'completed', outcome: 'accepted', attempts: 2 });
  });

  test('a live claim held by another worker fails the record so SQS retries it later', async () => {
    await addSeller();
    await ledger().claimMessage('ses-held-1', `${PREFIX}ses-held-1`, NOW.toISOString(), '2026-11-28T12:01:00.000Z');
    const key = await store('ses-held-1', fixture('us-sold-ship-now.eml'));
    const res = await makeHandler(deps())({ Records: [s3Record(key, 10, 'sqs-held')] } as SQSEvent, context);
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-held' }] });
    expect(await ddb.repository.listNotifications(SELLER)).toEqual([]);
  });

  test('a bug is not bad mail: it fails the record (no quarantine), and each failed record is logged as JSON with its cause', async () => {
    await addSeller();
    // Issue 10: intake used to quarantine any non-SDK error as "parser-exception". A TypeError in
    // the storage step is a bug: it is thrown, SQS retries the record and finally keeps it in the DLQ.
    const repo = ddb.repository;
    const buggy = Object.create(repo) as typeof repo;
    buggy.putNotification = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'orderId')", { cause: new RangeError('index 3 out of range') });
    };
    const lines: string[] = [];
    const errSpy = jest.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      const d = deps();
      d.logger = new Logger({ serviceName: 'test', logLevel: 'ERROR' });
      d.intake.repo = buggy;
      const a = await store('ses-bug-1', fixture('us-sold-ship-now.eml'));
      const b = await store('ses-bug-2', fixture('de-artikel-verkauft.eml'));
      // The whole batch fails: every record is reported, none hidden behind FullBatchFailureError.
      const res = await makeHandler(d)({ Records: [s3Record(a, 10, 'sqs-bug-1'), s3Record(b, 10, 'sqs-bug-2')] } as SQSEvent, context);
      // Records are processed concurrently: failures are reported in the order they finish.
      const failed = (res as { batchItemFailures: Array<{ itemIdentifier: string }> }).batchItemFailures;
      expect([...failed].sort((x, y) => x.itemIdentifier.localeCompare(y.itemIdentifier))).toEqual([{ itemIdentifier: 'sqs-bug-1' }, { itemIdentifier: 'sqs-bug-2' }]);
      expect(Object.keys(res as object)).toEqual(['batchItemFailures']);
    } finally {
      errSpy.mockRestore();
    }
    expect(await ledger().listQuarantine()).toEqual([]);
    // The claim was given back: the retry takes it at once.
    expect(await ledger().getMessage('ses-bug-1')).toBeUndefined();
    const logged = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.message === 'record failed');
    expect(logged.map((l) => l.sqsMessageId).sort()).toEqual(['sqs-bug-1', 'sqs-bug-2']);
    expect(logged.find((l) => l.sqsMessageId === 'sqs-bug-1')).toMatchObject({
      level: 'ERROR',
      error: { name: 'TypeError', message: "Cannot read properties of undefined (reading 'orderId')", cause: { name: 'RangeError', message: 'index 3 out of range' } },
    });
  });

  test('replay of a quarantined message after the cause is fixed processes it and leaves quarantine', async () => {
    await addSeller();
    await deliver('ses-fix-1', fixture('us-sold-ship-now.eml'), deps({ maxMessageBytes: 1000 }));
    expect(await ledger().listQuarantine()).toHaveLength(1);

    const r = await replayMessage(deps().intake, 'ses-fix-1', NOW.toISOString());
    expect(r).toMatchObject({ outcome: 'accepted', sellerId: SELLER });
    expect(await ledger().listQuarantine()).toEqual([]);
    expect(await ddb.repository.listNotifications(SELLER)).toHaveLength(1);
  });
});

describe('configuration', () => {
  test('read once from the environment, validated, with defaults', () => {
    const c = readInboundMailConfig({
      SENTINEL_TABLE_NAME: 't',
      SENTINEL_MAIL_BUCKET: 'b',
      SENTINEL_INBOUND_DOMAIN: 'In.Example.com',
    });
    expect(c).toEqual({ tableName: 't', bucket: 'b', inboundDomain: 'in.example.com', maxMessageBytes: 10485760, graceMinutes: 60, retentionDays: 45 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  test('a missing or malformed variable fails loudly', () => {
    expect(() => readInboundMailConfig({ SENTINEL_TABLE_NAME: 't', SENTINEL_MAIL_BUCKET: 'b' })).toThrow(/SENTINEL_INBOUND_DOMAIN/);
    expect(() =>
      readInboundMailConfig({ SENTINEL_TABLE_NAME: 't', SENTINEL_MAIL_BUCKET: 'b', SENTINEL_INBOUND_DOMAIN: 'x.com', SENTINEL_MAX_MESSAGE_BYTES: 'ten' }),
    ).toThrow(/SENTINEL_MAX_MESSAGE_BYTES/);
  });
});
