/**
 * The command line of issue 14 against a real Dovecot: `check --imap` gives the same answer as
 * `check --mail` over the same messages; `mailbox connect | test | probe | poll` on the embedded
 * store; the finding in `shipnow status`; a wrong password is one clear line naming the host,
 * never the password, and exit 1 (2 for check).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../functions/local/cli';
import { deliveredBy, useImapServer } from '../support/imap-server';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const NOW = '2026-11-28T12:00:00Z';
const PROVIDER = 'mx.mail.example.test';
const SHOP = 'shop@example.com';
const PASS = 'shop-app-pass-7731';
const MISSING = '112-4455667-1000002';

const imap = useImapServer([{ user: SHOP, pass: PASS }]);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

const saved = { ...process.env };
let data: string;

beforeAll(async () => {
  process.env.SHIPNOW_IMAP_CA_FILE = imap.server.caFile;
  for (const f of readdirSync(join(EXAMPLES, 'mail')).sort()) {
    const raw = readFileSync(join(EXAMPLES, 'mail', f));
    // The provider's verdict: the forged mail fails DMARC there as it does at SES.
    await imap.append(SHOP, 'INBOX', deliveredBy(raw, PROVIDER, { dmarc: f.startsWith('forged') ? 'fail' : 'pass' }));
  }
  // The missing US order's email went to Junk.
  const us = readFileSync(join(EXAMPLES, 'mail', 'us-sold-ship-now.eml'), 'latin1').replace(/112-4455667-1000001/g, MISSING);
  await imap.append(SHOP, 'Junk', deliveredBy(us, PROVIDER));
  data = mkdtempSync(join(tmpdir(), 'shipnow-mailbox-cli-'));
});

beforeEach(() => {
  process.env.SHIPNOW_IMAP_PASSWORD = PASS;
});

afterAll(() => {
  process.env = saved;
  rmSync(data, { recursive: true, force: true });
});

const url = () => imap.server.url(SHOP);

describe('shipnow check --imap', () => {
  test('the same statuses as check --mail over the same messages, read-only', async () => {
    const before = await imap.flags(SHOP, 'INBOX');
    const fromFolder = capture();
    expect(await main(['check', '--orders', join(EXAMPLES, 'orders'), '--mail', join(EXAMPLES, 'mail'), '--now', NOW, '--json'], fromFolder.io)).toBe(1);
    const fromImap = capture();
    const code = await main(['check', '--orders', join(EXAMPLES, 'orders'), '--imap', url(), '--trust-receiver', PROVIDER, '--now', NOW, '--json'], fromImap.io);
    expect({ code, err: fromImap.err }).toEqual({ code: 1, err: [] });
    const statuses = (out: string[]) => (JSON.parse(out.join('\n')) as { orders: Array<{ orderId: string; status: string }> }).orders.map((o) => `${o.orderId} ${o.status}`);
    expect(statuses(fromImap.out)).toEqual(statuses(fromFolder.out));
    const doc = JSON.parse(fromImap.out.join('\n'));
    expect(doc.rejectedMail).toContainEqual({ file: expect.stringMatching(/^imaps:\/\/shop%40example\.com@127\.0\.0\.1:\d+\/INBOX;UIDVALIDITY=\d+\/;UID=\d+$/), reason: 'dmarc-fail' });
    expect(doc.summary).toMatchObject({ missing: 2 });
    expect(await imap.flags(SHOP, 'INBOX')).toEqual(before);
  });

  test('a wrong password: one line naming the host and AUTHENTICATIONFAILED, never the password; exit 2', async () => {
    process.env.SHIPNOW_IMAP_PASSWORD = 'not-the-password-4242';
    const c = capture();
    const code = await main(['check', '--orders', join(EXAMPLES, 'orders'), '--imap', url(), '--now', NOW], c.io);
    expect(code).toBe(2);
    expect(c.out).toEqual([]);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^shipnow: 127\.0\.0\.1: login failed \(AUTHENTICATIONFAILED\)/);
    expect(c.err.join('\n')).not.toContain('not-the-password-4242');
  });

  test('no password in the environment and no terminal: told how to give it; a password in the URL is refused without echoing it', async () => {
    delete process.env.SHIPNOW_IMAP_PASSWORD;
    const c = capture();
    expect(await main(['check', '--orders', join(EXAMPLES, 'orders'), '--imap', url(), '--now', NOW], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/set SHIPNOW_IMAP_PASSWORD/);
    const d = capture();
    expect(await main(['check', '--orders', join(EXAMPLES, 'orders'), '--imap', `imaps://shop:hunter2@127.0.0.1:${imap.server.port}`], d.io)).toBe(2);
    expect(d.err.join('\n')).toMatch(/password never goes in the IMAP address/);
    expect(d.err.join('\n')).not.toContain('hunter2');
  });
});

describe('shipnow mailbox', () => {
  const store = () => ['--data', data];

  test('connect, test, probe (the Junk finding), status shows it; the secret file is 0600', async () => {
    const add = capture();
    expect(await main(['seller', 'add', '--id', 'P1', '--name', 'Probe Shop', '--marketplaces', 'US,IT,DE,UK,JP,FR,ES', '--language', 'en', ...store()], add.io)).toBe(0);
    const imp = capture();
    expect(await main(['orders', 'import', join(EXAMPLES, 'orders', 'unshipped-orders.txt'), '--seller', 'P1', '--marketplace', 'US', ...store()], imp.io)).toBe(0);

    const conn = capture();
    expect(await main(['mailbox', 'connect', '--seller', 'P1', '--imap', url(), '--trust-receiver', PROVIDER, '--json', ...store()], conn.io)).toBe(0);
    expect(JSON.parse(conn.out[0])).toMatchObject({ sellerId: 'P1', mailbox: { host: '127.0.0.1', user: SHOP, trustReceivers: [PROVIDER] } });
    const secret = join(data, 'secrets', 'P1', 'imap.json');
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(conn)).not.toContain(PASS);

    // From here the stored password is used, not the environment.
    delete process.env.SHIPNOW_IMAP_PASSWORD;
    const t = capture();
    expect(await main(['mailbox', 'test', '--seller', 'P1', '--json', ...store()], t.io)).toBe(0);
    expect(JSON.parse(t.out[0])).toMatchObject({ tls: true, login: true, specialUse: true, junk: ['Junk'], trash: ['Trash'], quota: { percent: expect.any(Number) } });

    const p = capture();
    expect(await main(['mailbox', 'probe', '--seller', 'P1', '--order', MISSING, '--order', '171-4455667-1000006', '--now', NOW, ...store()], p.io)).toBe(0);
    expect(p.out[0]).toBe(`${MISSING}\tfiltered\tYour Sold, Ship Now email for order ${MISSING} is in your Junk folder (marked as spam).`);
    // The Italian order has no email anywhere (the examples leave it missing on purpose).
    expect(p.out[1]).toMatch(/^171-4455667-1000006\tnot-delivered\tYour Sold, Ship Now email for order 171-4455667-1000006 is not in your inbox, junk or trash/);
    expect(p.out[2]).toMatch(/read-only\)$/);

    const s = capture();
    await main(['status', '--seller', 'P1', '--now', NOW, '--json', ...store()], s.io);
    const seller = JSON.parse(s.out[0]).sellers[0];
    expect(seller.mailbox).toMatchObject({ host: '127.0.0.1', user: SHOP });
    expect(seller.mailbox.findings).toContainEqual(expect.objectContaining({ orderId: MISSING, diagnosis: 'filtered', folder: 'Junk' }));
    const text = capture();
    await main(['status', '--seller', 'P1', '--now', NOW, ...store()], text.io);
    expect(text.out.join('\n')).toContain(`${MISSING}: filtered — Your Sold, Ship Now email for order ${MISSING} is in your Junk folder`);
  });

  test('poll takes in new mail once; a wrong password is told once and not retried on every run', async () => {
    const first = capture();
    expect(await main(['mailbox', 'poll', '--seller', 'P1', '--now', NOW, '--json', ...store()], first.io)).toBe(0);
    const r1 = JSON.parse(first.out[0]);
    expect(r1.status).toBe('ok');
    expect(r1.intake.results.filter((x: { result: { outcome: string } }) => x.result.outcome === 'accepted').length).toBeGreaterThan(0);
    const second = capture();
    expect(await main(['mailbox', 'poll', '--seller', 'P1', '--now', NOW, '--json', ...store()], second.io)).toBe(0);
    expect(JSON.parse(second.out[0]).intake.results).toEqual([]);

    // The seller's password was revoked at the provider: the stored one is now wrong.
    const { FileSellerSecretStore } = await import('../../functions/adapters/file-seller-secrets');
    await new FileSellerSecretStore(join(data, 'secrets')).putSellerSecret('P1', 'imap', { password: 'revoked-9876', updatedAt: '2026-11-01T00:00:00Z' });
    const logins = () => (imap.server.log().match(/auth failed/g) ?? []).length;
    const before = logins();
    const broken = capture();
    expect(await main(['mailbox', 'poll', '--seller', 'P1', '--now', NOW, '--json', ...store()], broken.io)).toBe(1);
    expect(JSON.parse(broken.out[0])).toMatchObject({ status: 'failed', code: 'auth-failed', told: true });
    expect(broken.out.join('\n')).not.toContain('revoked-9876');
    const again = capture();
    expect(await main(['mailbox', 'poll', '--seller', 'P1', '--now', '2026-11-28T12:05:00Z', '--json', ...store()], again.io)).toBe(1);
    expect(JSON.parse(again.out[0])).toMatchObject({ status: 'skipped', reason: 'broken' });
    expect(logins()).toBe(before + 1);

    const s = capture();
    await main(['status', '--seller', 'P1', '--now', NOW, ...store()], s.io);
    expect(s.out.join('\n')).toMatch(/mailbox shop@example\.com at 127\.0\.0\.1 cannot be read since .* \(auth-failed\)/);

    // Removing the seller says the mailbox's password is a secret of its own.
    const rm = capture();
    expect(await main(['seller', 'remove', '--id', 'P1', '--dry-run', ...store()], rm.io)).toBe(0);
    expect(rm.out.join('\n')).toContain('the connected mailbox\'s app password at the mail provider: revoke it there');

    const d = capture();
    expect(await main(['mailbox', 'disconnect', '--seller', 'P1', ...store()], d.io)).toBe(0);
    expect(() => statSync(join(data, 'secrets', 'P1', 'imap.json'))).toThrow(/ENOENT/);
    const p = capture();
    expect(await main(['mailbox', 'probe', '--seller', 'P1', ...store()], p.io)).toBe(2);
    expect(p.err.join('\n')).toMatch(/seller P1 has no mailbox: connect one with shipnow mailbox connect/);
  });
});

describe('npm start (shipnow demo) shows a probe finding', () => {
  test('with Dovecot: the missing US order is in Junk, and its alert says so', async () => {
    const c = capture();
    expect(await main(['demo', '--lang', 'en'], c.io)).toBe(0);
    const out = c.out.join('\n');
    expect(out).toContain(`${MISSING}  filtered: Your Sold, Ship Now email for order ${MISSING} is in your Junk folder (marked as spam).`);
    expect(out).toContain(`In your mailbox: Your Sold, Ship Now email for order ${MISSING} is in your Junk folder`);
  });

  test('without Dovecot it says how to see it and still exits 0', async () => {
    process.env.SHIPNOW_DOVECOT = '/nonexistent/dovecot';
    try {
      const c = capture();
      expect(await main(['demo', '--lang', 'en'], c.io)).toBe(0);
      expect(c.out.join('\n')).toContain('skipped: Dovecot is not installed. To see it: apt-get install -y dovecot-imapd');
    } finally {
      delete process.env.SHIPNOW_DOVECOT;
    }
  });
});
