/**
 * What is deployed, invoked: the stack is synthesised once with bundling (CDK runs the local
 * esbuild, as `cdk deploy` does) into a temp cloud assembly, and every NodejsFunction's asset
 * index.js is loaded and invoked in a fresh node process (the asset folder as working directory,
 * the function's environment from the template, NODE_OPTIONS included) with the event shapes AWS
 * delivers. Behind the SDK's `AWS_ENDPOINT_URL_<SERVICE>` variables: dynalite (DynamoDB), s3rver
 * (S3) and, for SQS / Secrets Manager / SSM / EventBridge that have no local stand-in, a recording
 * JSON-protocol endpoint (test/support/aws-json-fake.ts) whose requests are asserted. The SP-API
 * is the local fake over HTTP (the bundle's fetch to the production hosts is redirected to it),
 * and an alert goes to a local webhook.
 *
 * New functions are found in the template: each must load (first test) and have a scenario here
 * (second test).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSRecord } from 'aws-lambda';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { DynamoDbMailboxState } from '../../functions/adapters/dynamodb/mailbox-state';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { DynamoDbSyncState } from '../../functions/adapters/dynamodb/sync-state';
import { LWA_TOKEN_URL, SP_API_ENDPOINTS } from '../../functions/adapters/sp-api-client';
import { DEFAULT_SELLER_SECRETS_PREFIX, sellerParameterName } from '../../functions/adapters/ssm-seller-secrets';
import { ENV } from '../../functions/constants';
import { linkClaims, signLink, verifyLink } from '../../functions/domain/signed-links';
import { DEFAULT_POLICY, type OrderFacts } from '../../functions/domain/types';
import { importOrders } from '../../functions/services/import-orders';
import { s3ObjectCreated, sqsRecord } from '../support/aws-events';
import { startAwsJsonFake, type AwsJsonFake, type AwsJsonRequest } from '../support/aws-json-fake';
import { invokeBundle, lambdaEnvironment, synthesiseBundles, type DeployedBundle, type InvokeOptions, type SynthesisedBundles } from '../support/deployed-bundles';
import { useDynalite } from '../support/dynalite';
import { FakeSpApi, sandboxOrderChangeExample, sandboxOrders2026, variant2026 } from '../support/fake-sp-api';
import { startWebhookServer, type ReceivedRequest, type WebhookServer } from '../support/local-servers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const BUCKET = 'sentinel-bundle-test';
const INBOUND_DOMAIN = 'in.shipnow.example';
const SECRETS_PREFIX = 'sentinel-test/';
const FIXTURES = join(__dirname, '..', 'fixtures', 'mail');
// The seller web's link key: a secret the stack generates (64 characters, no punctuation); the
// template's value of SENTINEL_LINK_KEY_SECRET is a reference to it, its ARN once deployed.
const LINK_KEY_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:SellerWebLinkKeyA1B2C3-AbCdEf';
const LINK_KEY = 'Kq7'.repeat(21) + 'x';
// The seller web's Function URL, where the links in alerts lead.
const WEB_DOMAIN = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws';

const ddb = useDynalite({ freshTablePerTest: true });

let synth: SynthesisedBundles;
let s3server: InstanceType<typeof S3rver>;
let s3dir: string;
let s3: S3Client;
let s3endpoint: string;
let aws: AwsJsonFake;
let secrets: Record<string, unknown>;
let parameters: Record<string, unknown>;
let spApi: FakeSpApi;
let hook: WebhookServer;
let hookRequests: ReceivedRequest[];

beforeAll(async () => {
  synth = synthesiseBundles();
  s3dir = mkdtempSync(join(tmpdir(), 'sentinel-bundle-s3-'));
  s3server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3dir });
  s3endpoint = `http://127.0.0.1:${(await s3server.run()).port}`;
  s3 = new S3Client({ endpoint: s3endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  aws = await startAwsJsonFake((r) => {
    if (r.target === 'AmazonSSM.GetParameter') {
      const name = String(r.body.Name);
      if (!(name in parameters)) return { status: 400, body: { __type: 'ParameterNotFound', message: `Parameter ${name} not found.` } };
      return { body: { Parameter: { Name: name, Type: 'SecureString', Value: JSON.stringify(parameters[name]), Version: 1 } } };
    }
    if (r.target !== 'secretsmanager.GetSecretValue') return undefined;
    const id = String(r.body.SecretId);
    if (!(id in secrets)) return { status: 400, body: { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret.` } };
    // A JSON secret (the LWA app) as its JSON text; a generated one (the link key) is its plain text.
    const value = secrets[id];
    return { body: { ARN: id.startsWith('arn:') ? id : `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}`, Name: id.replace(/^arn:.*:secret:/, ''), SecretString: typeof value === 'string' ? value : JSON.stringify(value), VersionId: 'v1' } };
  });
  spApi = await new FakeSpApi().start();
  hook = await startWebhookServer((r, res) => {
    hookRequests.push(r);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
}, 240_000);

afterAll(async () => {
  s3?.destroy();
  await s3server?.close();
  await aws?.close();
  await spApi?.stop();
  await hook?.close();
  if (s3dir) rmSync(s3dir, { recursive: true, force: true });
  synth?.cleanup();
});

beforeEach(() => {
  aws.requests.length = 0;
  hookRequests = [];
  secrets = {};
  parameters = {};
});

function bundle(name: string): DeployedBundle {
  const b = synth.bundles.find((x) => x.name === name);
  if (!b) throw new Error(`no bundle ${name} in the synthesised stack (${synth.bundles.map((x) => x.name).join(', ')})`);
  return b;
}

/** The function's environment from the template, its AWS endpoints and table pointed here. */
function env(b: DeployedBundle, overrides: Record<string, string> = {}): Record<string, string> {
  return lambdaEnvironment(b, {
    SENTINEL_TABLE_NAME: ddb.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: ddb.db.endpoint,
    AWS_ENDPOINT_URL_S3: s3endpoint,
    AWS_ENDPOINT_URL_SQS: aws.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
    AWS_ENDPOINT_URL_SSM: aws.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
    AWS_ENDPOINT_URL_SNS: aws.endpoint,
    AWS_ENDPOINT_URL_SESV2: aws.endpoint,
    // s3rver's own key pair (dynalite and the JSON fake take any).
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    ...overrides,
  });
}

async function invoke(name: string, event: unknown, overrides: Record<string, string> = {}, options: Partial<InvokeOptions> = {}): Promise<unknown> {
  const b = bundle(name);
  const r = await invokeBundle(b, event, { env: env(b, overrides), ...options });
  if (r.loadError) throw new Error(`${name} failed to load: ${r.loadError.stack || r.loadError.message}\n--- stderr\n${r.stderr}`);
  // On the runtime's Node the SDK has nothing to warn about (on Node 20 its clients warn that
  // releases after early January 2027 need Node 22 or newer).
  expect(r.stderr).not.toContain('NodeVersionSupportWarning');
  if (r.error) throw new Error(`${name} threw ${r.error.name}: ${r.error.message}\n${r.error.stack}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r.result;
}

function record(body: string, i: number, queue: string): SQSRecord {
  return sqsRecord(body, `00000000-0000-4000-8000-00000000000${i}`, queue, String(Date.now()));
}

/** The S3 event notification S3 puts on the queue for an object SES stored. */
function s3Notification(key: string, size: number): string {
  return JSON.stringify(s3ObjectCreated(BUCKET, key, size, new Date().toISOString()));
}

/** An EventBridge scheduled event, as the stack's schedule rules deliver it (at `time`, default now). */
function scheduledEvent(time = new Date().toISOString()): Record<string, unknown> {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: time.replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/schedule'],
    detail: {},
  };
}

const hoursAgo = (h: number): string => new Date(Date.now() - h * 3600_000).toISOString();

// What each scenario below covers; a function of the template without one fails the second test.
const SCENARIOS = ['inbound-mail', 'reconciler', 'alert-sender', 'sync-alerts', 'sync-dispatcher', 'sync-worker', 'order-change', 'report-import', 'mailbox-poller', 'seller-web', 'weekly-report'];

describe('the synthesised bundles', () => {
  test("jest runs on the Lambda runtime's Node major (npm test puts the `node` dev dependency first on PATH)", () => {
    const runtimes = new Set(synth.bundles.map((b) => b.runtime));
    expect(runtimes).toEqual(new Set([`nodejs${process.versions.node.split('.')[0]}.x`]));
  });

  test('every function of the template loads in a fresh node from its asset folder and exports its handler', async () => {
    expect(synth.bundles.length).toBeGreaterThanOrEqual(SCENARIOS.length);
    for (const b of synth.bundles) {
      const r = await invokeBundle(b, null, { env: env(b), loadOnly: true });
      expect({ name: b.name, loadError: r.loadError }).toEqual({ name: b.name, loadError: undefined });
      // Loading prints nothing (no deprecation or experimental warning of the runtime's Node).
      expect({ name: b.name, stderr: r.stderr }).toEqual({ name: b.name, stderr: '' });
      // The source map ships beside the bundle, and the runtime is told to use it.
      expect({ name: b.name, map: b.mapBytes > 0, options: b.environment.NODE_OPTIONS }).toEqual({ name: b.name, map: true, options: '--enable-source-maps' });
    }
  });

  test('every function of the template has an invocation scenario in this file', () => {
    expect(synth.bundles.map((b) => b.name).filter((n) => !SCENARIOS.includes(n))).toEqual([]);
  });

  test('what only one handler needs stays in its bundle: no ECharts or imapflow elsewhere; the others within 800 kB', () => {
    // Only the seller web draws charts, only the mailbox poller speaks IMAP (their wiring is in
    // wiring-web.ts / wiring-mailbox.ts for that reason); the intake and the poller carry the mail
    // libraries. Every other bundle is within the 800 kB target (docs/bundles.md).
    const heavy: Record<string, RegExp> = { 'seller-web': /node_modules\/(echarts|zrender)\//, 'mailbox-poller': /node_modules\/imapflow\// };
    for (const b of synth.bundles) {
      const map = JSON.parse(readFileSync(`${b.file}.map`, 'utf8')) as { sources: string[] };
      for (const [owner, re] of Object.entries(heavy)) {
        if (b.name !== owner) expect({ name: b.name, [owner]: map.sources.filter((s) => re.test(s)).length }).toEqual({ name: b.name, [owner]: 0 });
      }
      if (!['inbound-mail', 'mailbox-poller', 'seller-web'].includes(b.name)) expect({ name: b.name, withinTarget: b.bytes <= 800 * 1024 }).toEqual({ name: b.name, withinTarget: true });
    }
  });

  test('one copy of libmime; no charset table, html-to-text, credential chain or zod locale inside a bundle; minified', () => {
    for (const b of synth.bundles) {
      const map = JSON.parse(readFileSync(`${b.file}.map`, 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      const libmime = map.sources.filter((s) => /node_modules\/libmime\/.*libmime\.js$/.test(s));
      expect({
        name: b.name,
        libmime: libmime.length <= 1,
        tables: map.sources.filter((s) => s.includes('iconv-lite/encodings/tables/')),
        htmlToText: map.sources.filter((s) => s.includes('node_modules/html-to-text/')),
        // Credentials from the environment only (infra/bundling/lambda-credentials.ts), not the Node default chain.
        credentialChain: map.sources.filter((s) => /credential-provider-(node|ini|sso|process|web-identity)\/|nested-clients\//.test(s)),
        // `import * as z from 'zod'` (not `import { z }`, which keeps every locale of zod's namespace).
        zodLocales: map.sources.filter((s) => /zod\/v4\/locales\/(?!en\.js$|index\.js$)/.test(s)).length,
        sourcesContent: map.sourcesContent ?? null,
      }).toEqual({ name: b.name, libmime: true, tables: [], htmlToText: [], credentialChain: [], zodLocales: 0, sourcesContent: null });
      // iconv-lite's tables ship beside the bundles that read them, and only there.
      const readsTables = readFileSync(b.file, 'utf8').includes('./tables/');
      expect({ name: b.name, tables: existsSync(join(b.assetDir, 'tables', 'cp936.json')) }).toEqual({ name: b.name, tables: readsTables });
      if (b.name === 'inbound-mail') expect(readsTables).toBe(true);
      // Minified: a few very long lines, not tens of thousands of short ones.
      expect({ name: b.name, lines: readFileSync(b.file, 'utf8').split('\n').length < 2000 }).toEqual({ name: b.name, lines: true });
    }
  });
});

describe('inbound-mail: S3 events in SQS for messages SES stored', () => {
  const SELLER = 'demo-seller';
  const UK: OrderFacts = { sellerId: SELLER, orderId: '205-4455667-1000004', marketplace: 'amazon.co.uk', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: '2026-11-28T07:00:00.000Z', source: 'report' };
  const JP: OrderFacts = { sellerId: SELLER, orderId: '250-4455667-1000008', marketplace: 'amazon.co.jp', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: '2026-11-28T02:00:00.000Z', source: 'report' };

  test('windows-1252 and ISO-2022-JP notifications are recorded against their orders; a GBK hand-forward is rejected as not from Amazon', async () => {
    await ddb.repository.putSeller({ sellerId: SELLER, name: 'Demo seller', marketplaces: ['amazon.co.uk', 'amazon.co.jp'], inboundAlias: 'demo-seller.k7q2m9', createdAt: '2026-11-01T00:00:00.000Z' });
    await importOrders(ddb.repository, [UK, JP], '2026-11-28T07:30:00.000Z', DEFAULT_POLICY);
    const messages: Array<[id: string, file: string]> = [
      ['bundle-uk-windows-1252', 'uk-sold-dispatch-now.eml'],
      ['bundle-jp-iso-2022-jp', 'jp-chumon-kakutei.eml'],
      ['bundle-cn-gbk', 'cn-forward-gbk.eml'],
    ];
    const records: SQSRecord[] = [];
    for (const [i, [id, file]] of messages.entries()) {
      const raw = readFileSync(join(FIXTURES, file));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `inbound/${id}`, Body: raw }));
      records.push(record(s3Notification(`inbound/${id}`, raw.length), i, 'inbound-mail'));
    }

    const out = await invoke('inbound-mail', { Records: records }, { SENTINEL_MAIL_BUCKET: BUCKET, SENTINEL_INBOUND_DOMAIN: INBOUND_DOMAIN });

    expect(out).toEqual({ batchItemFailures: [] });
    const notifications = await ddb.repository.listNotifications(SELLER);
    expect(notifications.map((n) => [n.orderId, n.messageId, n.marketplace, n.language, n.location]).sort()).toEqual([
      [UK.orderId, 'bundle-uk-windows-1252', 'amazon.co.uk', 'en', 'inbound/bundle-uk-windows-1252'],
      [JP.orderId, 'bundle-jp-iso-2022-jp', 'amazon.co.jp', 'ja', 'inbound/bundle-jp-iso-2022-jp'],
    ].sort());
    expect((await ddb.repository.getOrder(SELLER, UK.orderId))?.notifiedAt).toBe('2026-11-28T07:02:52.000Z');
    expect((await ddb.repository.getOrder(SELLER, JP.orderId))?.notifiedAt).toBe('2026-11-28T02:03:19.000Z');
    const ledger = new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName });
    expect((await ledger.listRejections()).map((r) => [r.messageId, r.reason, r.sellerId])).toEqual([['bundle-cn-gbk', 'sender-not-amazon', SELLER]]);
    expect(await ledger.listQuarantine()).toEqual([]);
    for (const [id] of messages) expect((await ledger.getMessage(id))?.status).toBe('completed');
  });
});

describe('scheduled functions and alerting', () => {
  test('reconciler (scheduled event) marks an order missing and queues its alert; alert-sender (scheduled) delivers it to the seller\'s webhook', async () => {
    const order: OrderFacts = { sellerId: 's-rec', orderId: '112-4455667-3000001', marketplace: 'amazon.com', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: hoursAgo(3), source: 'report' };
    await ddb.repository.putSeller({ sellerId: 's-rec', name: 'S', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z', alerting: { channels: [{ id: 'hook', type: 'webhook', url: 'https://hooks.seller.example/sentinel' }] } } as never);
    await importOrders(ddb.repository, [order], hoursAgo(3), DEFAULT_POLICY);

    const summary = await invoke('reconciler', scheduledEvent());
    expect(summary).toMatchObject({ dueOrders: 1, transitions: 1, alerts: 1, failed: 0, stoppedEarly: false });
    expect((await ddb.repository.getOrder('s-rec', order.orderId))?.status).toBe('missing');
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    expect((await outbox.listForSeller('s-rec')).map((i) => [i.alert.alertId, i.status])).toEqual([[`notification-missing:${order.orderId}`, 'pending']]);

    // The sender signs the alert's links to the seller web with the web's link key (Secrets Manager).
    secrets = { [LINK_KEY_SECRET]: `${LINK_KEY}\n` };
    const sent = await invoke('alert-sender', scheduledEvent(), { [ENV.LINK_KEY_SECRET]: LINK_KEY_SECRET, [ENV.WEB_BASE_URL]: `https://${WEB_DOMAIN}` }, { fetchRedirects: [['https://hooks.seller.example/', `${hook.base}/`]] });
    expect(sent).toMatchObject({ sent: 1 });
    expect(hookRequests.map((r) => r.path)).toEqual(['/sentinel']);
    const delivered = JSON.stringify(hookRequests[0]!.body);
    expect(delivered).toContain(order.orderId);
    // Its acknowledge link opens the seller web, signed with that key for that seller and order.
    const ackToken = new RegExp(`https://${WEB_DOMAIN.replace(/\./g, '\\.')}/ack\\?[^"\\s]*?\\btoken=([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`).exec(delivered)?.[1];
    expect(ackToken).toBeDefined();
    expect(verifyLink(ackToken!, [new Uint8Array(Buffer.from(LINK_KEY))], Date.now(), ['ack'])).toMatchObject({ ok: true, claims: { sellerId: 's-rec', orderId: order.orderId } });
    expect((await outbox.listForSeller('s-rec')).map((i) => [i.alert.alertId, i.status, i.sentVia])).toEqual([[`notification-missing:${order.orderId}`, 'sent', ['hook']]]);
    // Nothing went to SNS or SES (the seller's own channel took it); the link key was read once;
    // the "alert sent" event went to the stack's bus.
    expect(aws.requests.map((r) => r.target).sort()).toEqual(['AWSEvents.PutEvents', 'secretsmanager.GetSecretValue']);
    expect(aws.requests.filter((r) => r.target === 'secretsmanager.GetSecretValue').map((r) => r.body)).toEqual([{ SecretId: LINK_KEY_SECRET }]);
    const [entry] = aws.requests.find((r) => r.target === 'AWSEvents.PutEvents')!.body.Entries as Array<{ Source: string; DetailType: string; EventBusName: string; Detail: string }>;
    expect([entry!.Source, entry!.DetailType, entry!.EventBusName, JSON.parse(entry!.Detail).alert.alertId]).toEqual(['shipnow.sentinel', 'ShipNow Sentinel Alert', 'sentinel-alert-event-bus', `notification-missing:${order.orderId}`]);
  });

  test('sync-alerts: an "Order sync broken" EventBridge event becomes one queued alert; a bad one is thrown with a readable stack', async () => {
    await ddb.repository.putSeller({ sellerId: 's-sync', name: 'S', marketplaces: ['amazon.de'], createdAt: '2026-01-01T00:00:00.000Z' });
    const since = hoursAgo(1);
    const event = {
      version: '0',
      id: 'a1b2c3',
      source: 'shipnow.sentinel',
      'detail-type': 'Order sync broken',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { type: 'order-sync-broken', sellerId: 's-sync', marketplace: 'amazon.de', reason: 'invalid-grant', detail: 'refresh token revoked', since },
    };
    expect(await invoke('sync-alerts', event)).toEqual({ alertId: `sync-broken:amazon.de:${since}`, created: true });
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    expect((await outbox.listForSeller('s-sync')).map((i) => i.alert.alertId)).toEqual([`sync-broken:amazon.de:${since}`]);

    const b = bundle('sync-alerts');
    const bad = await invokeBundle(b, { ...event, detail: { type: 'nonsense' } }, { env: env(b) });
    expect(bad.error).toBeDefined();
    // Source maps at work: the stack names our TypeScript files, not index.js offsets only.
    expect(bad.error!.stack).toMatch(/functions\/[\w/-]+\.ts:\d+:\d+/);
  });
});

describe('order sync', () => {
  test('sync-dispatcher (scheduled) sends one message per seller; sync-worker, given that message, syncs the seller from the SP-API', async () => {
    await ddb.repository.putSeller({ sellerId: 'A1SELLER', name: 'S', marketplaces: ['amazon.com'], createdAt: '2024-12-01T00:00:00.000Z' });
    const queueUrl = `${aws.endpoint}/123456789012/order-sync`;
    const dispatched = await invoke('sync-dispatcher', scheduledEvent(), { SENTINEL_SYNC_QUEUE_URL: queueUrl });
    expect(dispatched).toMatchObject({ dispatched: 1 });
    const batches = aws.requests.filter((r) => r.target === 'AmazonSQS.SendMessageBatch');
    expect(batches.map((r) => [r.body.QueueUrl, (r.body.Entries as Array<{ MessageBody: string }>).map((e) => JSON.parse(e.MessageBody))])).toEqual([[queueUrl, [{ sellerId: 'A1SELLER' }]]]);
    const message = (batches[0]!.body.Entries as Array<{ MessageBody: string }>)[0]!.MessageBody;

    aws.requests.length = 0;
    // Amazon's sandbox order on amazon.com, unshipped and updated ten minutes ago (the worker asks
    // for what changed since its last sync).
    const us = sandboxOrders2026().find((o) => o.salesChannel.marketplaceId === 'ATVPDKIKX0DER')!;
    spApi.orders2026 = [variant2026(us, '112-4455667-4000001', new Date(Date.now() - 10 * 60_000).toISOString(), { fulfillment: { ...us.fulfillment, fulfillmentStatus: 'UNSHIPPED' } })];
    spApi.createdBefore = new Date(Date.now() - 2 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // The deployment's LWA app in Secrets Manager, the seller's token in its own SSM parameter.
    secrets = { [`${SECRETS_PREFIX}lwa-app`]: { clientId: 'amzn1.application-oa2-client.test', clientSecret: 'secret' } };
    const tokenParameter = sellerParameterName(lambdaEnvironment(bundle('sync-worker'), {})[ENV.SELLER_SECRETS_PREFIX] ?? DEFAULT_SELLER_SECRETS_PREFIX, 'A1SELLER', 'sp-api');
    parameters = { [tokenParameter]: { refreshToken: 'Atzr|ok' } };
    const out = await invoke(
      'sync-worker',
      { Records: [record(message, 0, 'order-sync')] },
      { SENTINEL_SP_API_SECRETS_PREFIX: SECRETS_PREFIX, SENTINEL_SYNC_EVENT_BUS: 'sentinel-test-bus' },
      { fetchRedirects: [[LWA_TOKEN_URL, spApi.lwaUrl], [SP_API_ENDPOINTS.NA, spApi.endpoints.NA]] },
    );
    expect(out).toEqual({ batchItemFailures: [] });
    const orders = await ddb.repository.listOrders('A1SELLER');
    expect(orders.map((o) => [o.orderId, o.marketplace, o.fulfilledBy, o.orderState])).toEqual([['112-4455667-4000001', 'amazon.com', 'MERCHANT', 'Unshipped']]);
    expect(spApi.requests.some((r) => r.path === '/auth/o2/token')).toBe(true);
    expect(spApi.requests.some((r) => r.path.includes('/orders/'))).toBe(true);
    const secretIds = aws.requests.filter((r: AwsJsonRequest) => r.target === 'secretsmanager.GetSecretValue').map((r) => r.body.SecretId);
    expect(new Set(secretIds)).toEqual(new Set([`${SECRETS_PREFIX}lwa-app`]));
    expect(aws.requests.filter((r: AwsJsonRequest) => r.target === 'AmazonSSM.GetParameter').map((r) => r.body)).toEqual([{ Name: tokenParameter, WithDecryption: true }]);
    const state = new DynamoDbSyncState({ client: ddb.client, tableName: ddb.tableName });
    expect(await state.getHealth('A1SELLER', 'amazon.com')).toMatchObject({ lastSuccessAt: expect.any(String) });
  });

  test('order-change: an SP-API ORDER_CHANGE notification in SQS is applied to the order', async () => {
    await ddb.repository.putSeller({ sellerId: 'A3TH9S8BH6GOGM', name: 'S', marketplaces: ['amazon.com'], createdAt: '2022-01-01T00:00:00.000Z' });
    const out = await invoke('order-change', { Records: [record(JSON.stringify(sandboxOrderChangeExample()), 0, 'order-change')] });
    expect(out).toEqual({ batchItemFailures: [] });
    expect((await ddb.repository.getOrder('A3TH9S8BH6GOGM', '903-8868176-2219830'))?.source).toBe('order-change');
  });

  test('report-import: an S3 event for an uploaded Unshipped Orders report imports its orders', async () => {
    await ddb.repository.putSeller({ sellerId: 'A9DE', name: 'S', marketplaces: ['amazon.de'], createdAt: '2024-12-01T00:00:00.000Z' });
    const report = [
      'order-id\torder-item-id\tpurchase-date\tpayments-date\tquantity-shipped',
      '028-1234567-1234567\t1\t2024-12-24T10:00:00+00:00\t2024-12-24T10:05:00+00:00\t0',
      '028-1234567-7654321\t2\t2024-12-24T11:00:00+00:00\t\t0',
    ].join('\n');
    const key = 'reports/A9DE/unshipped 2024-12-24.txt';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: report }));
    const event = JSON.parse(s3Notification(key, report.length)) as { Records: Array<{ s3: { object: { key: string } } }> };
    // S3 event notifications write a space as '+'.
    event.Records[0]!.s3.object.key = 'reports/A9DE/unshipped+2024-12-24.txt';
    expect(await invoke('report-import', event)).toEqual({ imported: 2, rejected: 0 });
    expect((await ddb.repository.listOrders('A9DE')).map((o) => [o.orderId, o.marketplace, o.source])).toEqual([
      ['028-1234567-1234567', 'amazon.de', 'report'],
      ['028-1234567-7654321', 'amazon.de', 'report'],
    ]);
  });
});

describe('mailbox-poller (scheduled): IMAP intake for the sellers with a connected mailbox', () => {
  /** Every item of the table, to show a run wrote nothing. */
  const tableItems = async () => ((await ddb.client.send(new ScanCommand({ TableName: ddb.tableName, ConsistentRead: true }))).Items ?? []).map((i) => `${i.pk?.S} ${i.sk?.S}`).sort();
  const imapParameter = (sellerId: string) => sellerParameterName(lambdaEnvironment(bundle('mailbox-poller'), {})[ENV.SELLER_SECRETS_PREFIX] ?? DEFAULT_SELLER_SECRETS_PREFIX, sellerId, 'imap');
  const NOTHING = { sellers: 0, read: 0, failed: 0, skipped: 0, accepted: 0, probed: 0, stoppedEarly: false };

  test('no seller has a mailbox: the run reads the sellers and the due index, polls none, asks SSM nothing and writes nothing', async () => {
    await ddb.repository.putSeller({ sellerId: 's-nomail', name: 'S', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z' });
    // An order due within the probe's look-ahead: still nothing to probe it with.
    await importOrders(ddb.repository, [{ sellerId: 's-nomail', orderId: '112-4455667-5000001', marketplace: 'amazon.com', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: hoursAgo(3), source: 'report' }], hoursAgo(3), DEFAULT_POLICY);
    const before = await tableItems();

    expect(await invoke('mailbox-poller', scheduledEvent())).toEqual(NOTHING);
    expect(await tableItems()).toEqual(before);
    expect(aws.requests).toEqual([]);
  });

  test("a connected mailbox without its 'imap' secret in SSM: marked broken, the seller told once by a mailbox-broken alert, no throw; the next run skips it", async () => {
    await ddb.repository.putSeller({ sellerId: 's-mail', name: 'S', marketplaces: ['amazon.co.uk'], createdAt: '2026-01-01T00:00:00.000Z', mailbox: { host: 'imap.mail.example.test', port: 993, user: 'orders@seller.example' } } as never);
    await ddb.repository.putSeller({ sellerId: 's-nomail', name: 'S', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z' });
    // No parameter stored: the fake answers ParameterNotFound, as SSM does.
    const b = bundle('mailbox-poller');
    const first = await invokeBundle(b, scheduledEvent(), { env: env(b) });
    expect({ error: first.error, loadError: first.loadError }).toEqual({ error: undefined, loadError: undefined });
    expect(first.result).toEqual({ ...NOTHING, sellers: 1, failed: 1 });
    expect(aws.requests).toEqual([{ target: 'AmazonSSM.GetParameter', body: { Name: imapParameter('s-mail'), WithDecryption: true } }]);
    // Logged with the host and the reason (Powertools' JSON lines on stdout).
    const warning = `${first.stdout}\n${first.stderr}`.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'mailbox not read');
    expect(warning).toMatchObject({ level: 'WARN', sellerId: 's-mail', host: 'imap.mail.example.test', reason: 'no-credentials', sellerTold: true });

    const state = new DynamoDbMailboxState({ client: ddb.client, tableName: ddb.tableName });
    const health = await state.getHealth('s-mail');
    expect(health).toMatchObject({ sellerId: 's-mail', broken: { reason: 'no-credentials', since: expect.any(String) } });
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    const told = await outbox.listForSeller('s-mail');
    expect(told.map((i) => [i.alert.alertId, i.alert.kind, i.status])).toEqual([[`mailbox-broken:${health!.broken!.since}`, 'mailbox-broken', 'pending']]);
    expect(told[0]!.alert.mailbox).toMatchObject({ host: 'imap.mail.example.test', reason: 'no-credentials' });
    expect(await outbox.listForSeller('s-nomail')).toEqual([]);

    // Five minutes later (the schedule's next run): the secret is still missing, so the broken
    // mailbox is not tried and the seller is not told again.
    aws.requests.length = 0;
    expect(await invoke('mailbox-poller', scheduledEvent())).toEqual({ ...NOTHING, sellers: 1, skipped: 1 });
    expect(aws.requests).toEqual([{ target: 'AmazonSSM.GetParameter', body: { Name: imapParameter('s-mail'), WithDecryption: true } }]);
    expect((await outbox.listForSeller('s-mail')).map((i) => i.alert.alertId)).toEqual([told[0]!.alert.alertId]);
    expect((await state.getHealth('s-mail'))?.broken).toEqual(health!.broken);
  });
});

describe('seller-web: Lambda Function URL events (payload format 2.0)', () => {
  const DOMAIN = WEB_DOMAIN;
  const KEY = LINK_KEY;

  /** A Function URL request as Lambda delivers it. */
  function urlEvent(method: string, rawPath: string, rawQueryString = ''): APIGatewayProxyEventV2 {
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString,
      headers: { host: DOMAIN, 'accept-language': 'en-GB,en;q=0.9', 'user-agent': 'Mozilla/5.0', 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.23', 'x-amzn-trace-id': 'Root=1-67890abc-0123456789abcdef01234567' },
      ...(rawQueryString ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) } : {}),
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abcdefghijklmnopqrstuvwxyz012345',
        domainName: DOMAIN,
        domainPrefix: 'abcdefghijklmnopqrstuvwxyz012345',
        http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '198.51.100.23', userAgent: 'Mozilla/5.0' },
        requestId: '4f6e1c2a-9b0d-4e3f-8a7b-1c2d3e4f5a6b',
        routeKey: '$default',
        stage: '$default',
        time: '01/Dec/2026:11:00:00 +0000',
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    };
  }
  const web = async (event: APIGatewayProxyEventV2) => (await invoke('seller-web', event, { [ENV.LINK_KEY_SECRET]: LINK_KEY_SECRET })) as APIGatewayProxyStructuredResultV2 & { headers: Record<string, string>; body: string };
  const secretReads = () => aws.requests.filter((r) => r.target.startsWith('secretsmanager.')).map((r) => [r.target, r.body]);

  function expectSecurityHeaders(res: { headers: Record<string, string>; body: string }): void {
    const csp = res.headers['content-security-policy']!;
    const nonce = /script-src 'nonce-([A-Za-z0-9_-]{16,})'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp.split('; ')).toEqual(expect.arrayContaining(["default-src 'none'", `style-src 'nonce-${nonce}'`, "frame-ancestors 'none'", "base-uri 'none'"]));
    // The page's own style carries the response's nonce (nothing inline runs without it).
    expect(res.body).toContain(`<style nonce="${nonce}">`);
    expect(res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
  }

  test('GET /authorize: 200, the consent start page with the security headers; no secret is read for it', async () => {
    secrets = { [LINK_KEY_SECRET]: `${KEY}\n` };
    const res = await web(urlEvent('GET', '/authorize'));
    expect(res.statusCode).toBe(200);
    expectSecurityHeaders(res);
    expect(res.body).toMatch(/^<!doctype html><html lang="en">/);
    expect(res.body).toContain('Connect your Amazon seller account');
    expect(res.body).toContain('action="/authorize/start"');
    // Its form leads on to Seller Central (the consent redirect), and only there.
    expect(res.headers['content-security-policy']).toMatch(/form-action 'self' https:\/\/sellercentral\.amazon\.com /);
    expect(secretReads()).toEqual([]);
  });

  test('GET /status: a forged token is refused (403) after one read of the link key from Secrets Manager; a link signed with that key opens the page', async () => {
    await ddb.repository.putSeller({ sellerId: 'A2WEBSELLER', name: 'Harbour Goods', marketplaces: ['amazon.co.uk'], createdAt: '2026-01-01T00:00:00.000Z' });
    secrets = { [LINK_KEY_SECRET]: `${KEY}\n` };
    const claims = linkClaims('A2WEBSELLER', 'status', Date.now());
    const forged = signLink(claims, new Uint8Array(Buffer.from('f'.repeat(64))));

    const refused = await web(urlEvent('GET', '/status', new URLSearchParams({ token: forged }).toString()));
    expect(refused.statusCode).toBe(403);
    expectSecurityHeaders(refused);
    expect(refused.body).toContain('This link is not valid.');
    expect(refused.body).not.toContain('Harbour Goods');
    expect(secretReads()).toEqual([['secretsmanager.GetSecretValue', { SecretId: LINK_KEY_SECRET }]]);

    aws.requests.length = 0;
    const genuine = signLink(claims, new Uint8Array(Buffer.from(KEY)));
    const opened = await web(urlEvent('GET', '/status', new URLSearchParams({ token: genuine }).toString()));
    expect(opened.statusCode).toBe(200);
    expectSecurityHeaders(opened);
    expect(opened.body).toContain('Your orders');
    expect(opened.body).toContain('Harbour Goods');
    expect(secretReads()).toEqual([['secretsmanager.GetSecretValue', { SecretId: LINK_KEY_SECRET }]]);
    // Nothing else left the function: no SSM, no other secret.
    expect(aws.requests.map((r) => r.target)).toEqual(['secretsmanager.GetSecretValue']);
  });
});

describe('weekly-report (scheduled hourly): Monday 09:00 in the seller time zone', () => {
  test("queues one weekly-report:<weekEnd> alert for the seller whose Monday 09:xx it is, none for the others; the next hourly run queues nothing new", async () => {
    // Monday 30 November 2026, 09:20 in Tokyo = 00:20 UTC (Sunday 19:20 in New York).
    const monday0920Tokyo = '2026-11-30T00:20:00.000Z';
    await ddb.repository.putSeller({ sellerId: 'JP1', name: 'Tokyo', marketplaces: ['amazon.co.jp'], language: 'en', timeZone: 'Asia/Tokyo', createdAt: '2026-01-01T00:00:00.000Z' });
    await ddb.repository.putSeller({ sellerId: 'US1', name: 'New York', marketplaces: ['amazon.com'], language: 'en', timeZone: 'America/New_York', createdAt: '2026-01-01T00:00:00.000Z' });
    // JP1's week (Mon 23 - Sun 29 Nov, Tokyo): Wed 25, 3 emails received (4, 6, 50 min), 1 missing.
    for (const d of [4, 6, 50]) await ddb.repository.addOrderStats('JP1', 'amazon.co.jp', '2026-11-25T02:00:00.000Z', { notified: 1, orderAt: '2026-11-25T02:00:00.000Z' }, new Date(Date.parse('2026-11-25T02:00:00.000Z') + d * 60_000).toISOString());
    await ddb.repository.addOrderStats('JP1', 'amazon.co.jp', '2026-11-25T03:00:00.000Z', { missing: 1, orderAt: '2026-11-25T03:00:00.000Z' });

    const first = await invoke('weekly-report', scheduledEvent(monday0920Tokyo), {}, { now: monday0920Tokyo });
    expect(first).toEqual({ sellers: 2, due: 1, created: [{ sellerId: 'JP1', alertId: 'weekly-report:2026-11-29' }], existing: 0, failed: 0 });
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    const queued = await outbox.listForSeller('JP1');
    expect(queued.map((i) => [i.alert.alertId, i.alert.kind, i.status])).toEqual([['weekly-report:2026-11-29', 'weekly-report', 'pending']]);
    expect(queued[0]!.alert.weekly).toMatchObject({ sellerId: 'JP1', timeZone: 'Asia/Tokyo', weekStart: '2026-11-23', weekEnd: '2026-11-29', worst: { marketplace: 'amazon.co.jp', missing: 1, expected: 4 } });
    expect(await outbox.listForSeller('US1')).toEqual([]);

    // The next hourly run (10:20 Tokyo): the report is in the outbox already.
    const nextHour = '2026-11-30T01:20:00.000Z';
    expect(await invoke('weekly-report', scheduledEvent(nextHour), {}, { now: nextHour })).toEqual({ sellers: 2, due: 1, created: [], existing: 1, failed: 0 });
    expect((await outbox.listForSeller('JP1')).map((i) => i.alert.alertId)).toEqual(['weekly-report:2026-11-29']);
    expect(await outbox.listForSeller('US1')).toEqual([]);
    // The table only: nothing went to SQS, SNS, SES or EventBridge.
    expect(aws.requests).toEqual([]);
  });
});
