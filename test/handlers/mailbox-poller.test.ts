/**
 * The mailbox poller Lambda end to end: a real Dovecot, a real dynalite, real Powertools Logger and
 * middy, the seller secrets in the local SellerSecretStore (the AWS one stands behind the same port).
 * The probe's finding reaches the missing alert (English and 中文); a wrong password is logged
 * without the password and told to the seller once; an IMAP outage never marks an order notified
 * and never holds back its alert.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { DynamoDbMailboxState } from '../../functions/adapters/dynamodb/mailbox-state';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { FileSellerSecretStore } from '../../functions/adapters/file-seller-secrets';
import { ImapMailboxClient } from '../../functions/adapters/imap-mailbox';
import { alertSettings } from '../../functions/domain/alert-settings';
import { renderAlert } from '../../functions/domain/alert-message';
import type { OrderFacts } from '../../functions/domain/types';
import { makeHandler } from '../../functions/handlers/mailbox-poller';
import { importOrders } from '../../functions/services/import-orders';
import { reconcileDue } from '../../functions/services/reconcile';
import { useDynalite } from '../support/dynalite';
import { deliveredBy, useImapServer } from '../support/imap-server';

process.env.POWERTOOLS_DEV = 'true';
const POLICY = { graceMinutes: 60 };
const PROVIDER = 'mx.mail.example.test';
const imap = useImapServer([
  { user: 'good@example.com', pass: 'good-pass-1' },
  { user: 'bad@example.com', pass: 'real-pass-2' },
]);
const ddb = useDynalite({ freshTablePerTest: true });
const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 120_000, callbackWaitsForEmptyEventLoop: true } as unknown as Context;
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-28T12:00:00Z', detail: {} } as unknown as ScheduledEvent;
const MISSING = '112-4455667-4000001';
const order = (sellerId: string, orderId: string): OrderFacts => ({
  sellerId,
  orderId,
  marketplace: 'amazon.com',
  fulfilledBy: 'MERCHANT',
  orderState: 'Unshipped',
  purchaseDate: '2026-11-28T10:00:00.000Z',
  source: 'report',
});

let secretsDir: string;
let logged: string[];
let spies: jest.SpyInstance[];
beforeAll(async () => {
  const us = readFileSync(join(__dirname, '..', '..', 'examples', 'mail', 'us-sold-ship-now.eml'), 'latin1').replace(/112-4455667-1000001/g, MISSING);
  await imap.append('good@example.com', 'Junk', deliveredBy(us, PROVIDER));
});
beforeEach(() => {
  secretsDir = mkdtempSync(join(tmpdir(), 'shipnow-poller-secrets-'));
  logged = [];
  // With POWERTOOLS_DEV the logger writes through the global console, one JSON document per call.
  spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void logged.push(a.map(String).join(' '))));
});
afterEach(() => {
  for (const s of spies) s.mockRestore();
  rmSync(secretsDir, { recursive: true, force: true });
});

async function setup(sellerId: string, user: string, password: string, port = imap.server.port) {
  await ddb.repository.putSeller({ sellerId, name: sellerId, marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z', language: 'en', mailbox: { host: '127.0.0.1', port, user, trustReceivers: [PROVIDER] } } as never);
  await new FileSellerSecretStore(secretsDir).putSellerSecret(sellerId, 'imap', { password, updatedAt: '2026-11-01T00:00:00.000Z' });
  await importOrders(ddb.repository, [order(sellerId, MISSING)], '2026-11-28T10:01:00.000Z', POLICY);
}

function poller(now: string) {
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const state = new DynamoDbMailboxState({ client: ddb.client, tableName: ddb.tableName });
  const handler = makeHandler({
    repo: ddb.repository,
    ledger: new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName }),
    outbox,
    state,
    secrets: new FileSellerSecretStore(secretsDir),
    client: new ImapMailboxClient(),
    ca: imap.server.ca,
    timeoutMs: 2000,
    policy: POLICY,
    logger: new Logger({ serviceName: 'test', logLevel: 'INFO' }),
    now: () => now,
  });
  return { handler, outbox, state };
}

test('the order about to go missing is probed first: its missing alert says the email is in Junk (EN and 中文)', async () => {
  await setup('good', 'good@example.com', 'good-pass-1');
  // Ordered 10:00, email due by 11:00 (60 min grace): due in the index, so the 11:50 poll probes it before the 12:01 reconcile.
  const { handler, outbox, state } = poller('2026-11-28T11:50:00.000Z');
  const summary = await handler(scheduled, context);
  expect(summary).toMatchObject({ sellers: 1, read: 1, failed: 0, probed: 1 });
  expect(await state.getFinding('good', MISSING)).toMatchObject({ diagnosis: 'filtered', folder: 'Junk' });
  const r = await reconcileDue(ddb.repository, '2026-11-28T12:01:00.000Z', POLICY, { alerting: { outbox, mailboxFindings: state } });
  const missing = r.alerts.find((a) => a.kind === 'notification-missing');
  expect(missing?.mailboxFinding).toMatchObject({ diagnosis: 'filtered', folder: 'Junk' });
  const text = renderAlert(missing!, alertSettings({ sellerId: 'good', name: 'g', marketplaces: [], createdAt: '2026-01-01T00:00:00.000Z' }), '2026-11-28T12:01:00.000Z').text;
  expect(text).toContain(`In your mailbox: Your Sold, Ship Now email for order ${MISSING} is in your Junk folder (marked as spam).`);
  expect(text).toContain(`您的邮箱中: 订单 ${MISSING} 的「Sold, Ship Now」邮件在您的「Junk」文件夹中（被判为垃圾邮件）。`);
});

test('a wrong password: logged with host and reason, never the password; the seller is told once; no retry storm', async () => {
  await setup('bad', 'bad@example.com', 'stale-pass-31337');
  const first = poller('2026-11-28T11:50:00.000Z');
  expect(await first.handler(scheduled, context)).toMatchObject({ failed: 1 });
  const line = logged.find((l) => l.includes('mailbox not read'));
  expect(line).toBeDefined();
  expect(JSON.parse(line!)).toMatchObject({ sellerId: 'bad', host: '127.0.0.1', reason: 'auth-failed', sellerTold: true });
  expect(logged.join('')).not.toContain('stale-pass-31337');
  const alerts = (await first.outbox.listForSeller('bad')).filter((i) => i.alert.kind === 'mailbox-broken');
  expect(alerts).toHaveLength(1);
  const text = renderAlert(alerts[0].alert, alertSettings({ sellerId: 'bad', name: 'b', marketplaces: [], createdAt: '2026-01-01T00:00:00.000Z' }), '2026-11-28T11:50:00.000Z').text;
  expect(text).toMatch(/Sentinel can no longer read your mailbox at 127\.0\.0\.1 \(auth-failed\)/);
  expect(text).toContain('无法读取您在 127.0.0.1 的邮箱');

  const failures = () => (imap.server.log().match(/user=<bad@example.com>.*auth failed|auth failed.*user=<bad@example.com>/g) ?? []).length;
  const before = failures();
  for (const at of ['2026-11-28T11:55:00.000Z', '2026-11-28T12:00:00.000Z', '2026-11-28T12:30:00.000Z']) {
    expect(await poller(at).handler(scheduled, context)).toMatchObject({ skipped: 1, failed: 0 });
  }
  expect(failures()).toBe(before);
  expect((await first.outbox.listForSeller('bad')).filter((i) => i.alert.kind === 'mailbox-broken')).toHaveLength(1);

  // A new password (mailbox connect) is tried at the next run.
  await new FileSellerSecretStore(secretsDir).putSellerSecret('bad', 'imap', { password: 'real-pass-2', updatedAt: '2026-11-28T12:40:00.000Z' });
  expect(await poller('2026-11-28T12:45:00.000Z').handler(scheduled, context)).toMatchObject({ read: 1 });
});

test('an IMAP outage backs off, marks nothing notified and never holds back the missing alert', async () => {
  const { createServer } = await import('node:net');
  const down = createServer();
  await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
  const port = (down.address() as { port: number }).port;
  await new Promise((r) => down.close(r)); // nothing listens there any more
  await setup('down', 'good@example.com', 'good-pass-1', port);
  const { handler, outbox, state } = poller('2026-11-28T11:50:00.000Z');
  expect(await handler(scheduled, context)).toMatchObject({ failed: 1 });
  expect(await state.getHealth('down')).toMatchObject({ failures: 1, lastError: { reason: 'connection' }, nextAttemptAt: '2026-11-28T11:55:00.000Z' });
  expect(await poller('2026-11-28T11:52:00.000Z').handler(scheduled, context)).toMatchObject({ skipped: 1 });
  expect((await outbox.listForSeller('down')).filter((i) => i.alert.kind === 'mailbox-broken')).toEqual([]);

  const r = await reconcileDue(ddb.repository, '2026-11-28T12:01:00.000Z', POLICY, { alerting: { outbox, mailboxFindings: state } });
  expect(r.alerts.map((a) => a.kind)).toContain('notification-missing');
  expect((await ddb.repository.getOrder('down', MISSING))?.notifiedAt).toBeUndefined();
  expect((await ddb.repository.getOrder('down', MISSING))?.status).toBe('missing');
});

test('a findings store that fails does not hold back the alert either', async () => {
  await importOrders(ddb.repository, [order('x', MISSING)], '2026-11-28T10:01:00.000Z', POLICY);
  await ddb.repository.putSeller({ sellerId: 'x', name: 'x', marketplaces: [], createdAt: '2026-01-01T00:00:00.000Z' });
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const broken = { getFinding: async () => Promise.reject(new Error('table unavailable')) };
  const r = await reconcileDue(ddb.repository, '2026-11-28T12:01:00.000Z', POLICY, { alerting: { outbox, mailboxFindings: broken } });
  const missing = r.alerts.find((a) => a.kind === 'notification-missing');
  expect(missing).toBeDefined();
  expect(missing?.mailboxFinding).toBeUndefined();
});
