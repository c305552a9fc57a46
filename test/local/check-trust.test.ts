/**
 * `shipnow check` and what issue 9 changed in it, in-process (the real CLI entry, the embedded
 * store): plausible matches only (marketplace-mismatch, before-order), ship-by from the email for
 * report orders, unverified mail reported with the flags that would trust it, and
 * --accept-unverified counting it visibly.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../functions/local/cli';

const CRLF = '\r\n';

function mail(o: { domain: string; subject: string; body: string; date: string; verdict?: 'ses' | 'none' | 'gmail' }): string {
  const head = [
    ...(o.verdict === 'gmail'
      ? [`Authentication-Results: mx.google.com;${CRLF} dkim=pass header.i=@${o.domain};${CRLF} dmarc=pass header.from=${o.domain}`]
      : []),
    ...(o.verdict === 'none' || o.verdict === 'gmail'
      ? []
      : [
          `Return-Path: <b@bounces.${o.domain}>`,
          `Received: from a1.smtp-out.amazonses.com (a1.smtp-out.amazonses.com [203.0.113.1])${CRLF} by inbound-smtp.us-east-1.amazonaws.com with SMTP id t1${CRLF} for demo@in.example;${CRLF} ${o.date}`,
          `Authentication-Results: amazonses.com;${CRLF} spf=pass;${CRLF} dkim=pass header.i=@${o.domain};${CRLF} dmarc=pass header.from=${o.domain};`,
        ]),
    `From: Seller Notification <seller-notification@${o.domain}>`,
    'To: demo@in.example',
    `Date: ${o.date}`,
    `Subject: ${o.subject}`,
    `Message-ID: <${Buffer.from(o.subject + o.date).toString('hex').slice(0, 24)}@example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
  ];
  return `${head.join(CRLF)}${CRLF}${CRLF}${o.body.replace(/\n/g, CRLF)}${CRLF}`;
}

const REPORT_HEADER = ['order-id', 'order-item-id', 'purchase-date', 'payments-date', 'quantity-purchased', 'quantity-shipped', 'quantity-to-ship', 'sales-channel'].join('\t');
const row = (id: string, purchase: string, channel: string) => [id, '1', purchase, purchase, '1', '0', '1', channel].join('\t');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipnow-trust-'));
  mkdirSync(join(dir, 'mail'));
  writeFileSync(
    join(dir, 'orders.txt'),
    [
      REPORT_HEADER,
      row('112-9000000-0000001', '2026-11-27T10:00:00+00:00', 'Amazon.com'),
      row('028-9000000-0000002', '2026-11-27T10:00:00+00:00', 'Amazon.fr'),
      row('112-9000000-0000003', '2026-11-28T10:00:00+00:00', 'Amazon.com'),
      row('112-9000000-0000004', '2026-11-27T10:00:00+00:00', 'Amazon.com'),
    ].join('\n') + '\n',
  );
  const files: Record<string, string> = {
    // Genuine: fills the report order's ship-by (11/30/2026 in Los Angeles).
    'a-us.eml': mail({ domain: 'amazon.com', subject: 'Sold, ship now: SKU-1 Mug', body: 'Order ID: 112-9000000-0000001\nShip by: 11/30/2026', date: 'Fri, 27 Nov 2026 10:05:00 +0000' }),
    // An amazon.de notification for an order the report says is amazon.fr.
    'b-de.eml': mail({ domain: 'amazon.de', subject: 'Artikel verkauft - Bitte jetzt verschicken: SKU-2 Tasse', body: 'Bestellnummer: 028-9000000-0000002', date: 'Fri, 27 Nov 2026 10:05:00 +0000' }),
    // Sent a day before the order was placed.
    'c-early.eml': mail({ domain: 'amazon.com', subject: 'Sold, ship now: SKU-3 Bowl', body: 'Order ID: 112-9000000-0000003', date: 'Fri, 27 Nov 2026 10:05:00 +0000' }),
    // Saved by a mail client: no verdict at all.
    'd-client.eml': mail({ domain: 'amazon.com', subject: 'Sold, ship now: SKU-4 Plate', body: 'Order ID: 112-9000000-0000004', date: 'Fri, 27 Nov 2026 10:05:00 +0000', verdict: 'none' }),
    // Exported from Gmail: Gmail's verdict, which nobody said to trust.
    'e-gmail.eml': mail({ domain: 'amazon.com', subject: 'Sold, ship now: SKU-5 Cup', body: 'Order ID: 112-9000000-0000005', date: 'Fri, 27 Nov 2026 10:05:00 +0000', verdict: 'gmail' }),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'mail', name), text);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function check(...extra: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['check', '--orders', join(dir, 'orders.txt'), '--mail', join(dir, 'mail'), '--now', '2026-11-28T12:00:00Z', ...extra], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

type Doc = {
  orders: Array<{ orderId: string; status: string; verified: boolean | null; shipBy: string | null; autoCancelAt: string | null }>;
  unmatchedNotifications: Array<{ orderId: string; file: string; reason: string }>;
  rejectedMail: Array<{ file: string; reason: string }>;
};

test('matches only plausible emails, fills ship-by from the email, and reports unverified mail', async () => {
  const r = await check('--json');
  const doc = JSON.parse(r.stdout) as Doc;
  const byId = Object.fromEntries(doc.orders.map((o) => [o.orderId, o]));
  expect(byId['112-9000000-0000001']).toMatchObject({ status: 'notified', verified: true, shipBy: '2026-12-01T07:59:59.000Z' });
  // The ship-by from the email lets the 7-business-day rule apply (before the 30-day one).
  expect(byId['112-9000000-0000001'].autoCancelAt).toBe('2026-12-10T07:59:59.000Z');
  expect(byId['028-9000000-0000002']).toMatchObject({ status: 'missing', verified: null });
  expect(byId['112-9000000-0000003']).toMatchObject({ status: 'missing', verified: null });
  expect(byId['112-9000000-0000004']).toMatchObject({ status: 'missing', verified: null });
  expect(doc.unmatchedNotifications.map((u) => [u.orderId, u.reason])).toEqual([
    ['028-9000000-0000002', 'marketplace-mismatch'],
    ['112-9000000-0000003', 'before-order'],
  ]);
  expect(doc.rejectedMail).toEqual([
    { file: join(dir, 'mail', 'd-client.eml'), reason: 'unverified' },
    { file: join(dir, 'mail', 'e-gmail.eml'), reason: 'unverified', receivers: ['mx.google.com'] },
  ]);
  expect(r.code).toBe(1);

  const table = await check();
  expect(table.stdout).toContain('cannot be its notification (not counted):');
  expect(table.stdout).toMatch(/028-9000000-0000002 .*b-de\.eml: marketplace-mismatch/);
  expect(table.stdout).toContain('2 email(s) unverified');
  expect(table.stdout).toContain('1 carry verdicts of mx.google.com: if that is your mailbox provider (an export), add --trust-receiver mx.google.com');
  expect(table.stdout).toContain('1 carry no Authentication-Results at all: --accept-unverified lets them count');
  expect(table.stderr).toBe('');

  // Trusting Gmail makes its export count (the order is not in the report: kept, unmatched).
  const trusted = JSON.parse((await check('--json', '--trust-receiver', 'mx.google.com')).stdout) as Doc;
  expect(trusted.unmatchedNotifications.map((u) => [u.orderId, u.reason])).toContainEqual(['112-9000000-0000005', 'no-order']);
  expect(trusted.rejectedMail.map((m) => m.file)).toEqual([join(dir, 'mail', 'd-client.eml')]);
});

test('--accept-unverified counts mail without any verdict, visibly: verified false, a mark, a warning', async () => {
  const r = await check('--json', '--accept-unverified');
  const doc = JSON.parse(r.stdout) as Doc;
  expect(doc.orders.find((o) => o.orderId === '112-9000000-0000004')).toMatchObject({ status: 'notified', verified: false });
  // Gmail's export still has a verdict (untrusted): --accept-unverified is not for it.
  expect(doc.rejectedMail).toEqual([{ file: join(dir, 'mail', 'e-gmail.eml'), reason: 'unverified', receivers: ['mx.google.com'] }]);
  expect(r.stderr).toMatch(/^shipnow: warning: --accept-unverified: 1 order\(s\) marked notified by mail that no receiver verified/);

  const table = await check('--accept-unverified');
  expect(table.stdout).toMatch(/112-9000000-0000004\s+amazon\.com\s+notified \(unverified\)/);
  expect(table.stdout).toMatch(/^112-9000000-0000001\s+amazon\.com\s+notified\s{2,}/m);
});

test('--trust-receiver needs an authserv-id', async () => {
  const r = await check('--trust-receiver', 'not an id');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--trust-receiver needs an authserv-id');
});

test('parse applies the same size limit as check and the SES intake', async () => {
  const big = join(dir, 'big.eml');
  writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
  const out: string[] = [];
  const code = await main(['parse', big], { out: (s) => out.push(s), err: () => undefined });
  expect(code).toBe(0);
  expect(JSON.parse(out[0])).toMatchObject({ soldShipNow: false, authentic: null, reason: 'oversized', shipBy: null, verified: null });
});

test('check names an Outlook .msg file the way parse does', async () => {
  writeFileSync(join(dir, 'mail', 'f-outlook.msg'), Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]));
  const doc = JSON.parse((await check('--json')).stdout) as Doc;
  expect(doc.rejectedMail).toContainEqual({ file: join(dir, 'mail', 'f-outlook.msg'), reason: 'outlook-msg: save the message as .eml' });
});
