/**
 * IMAP intake and the mailbox probe against a real Dovecot (test/support/imap-server.ts) and a
 * real dynalite: Sold, Ship Now emails in several charsets appended to real folders, SPECIAL-USE
 * and localized folder names, QUOTA, UIDVALIDITY, and the mailbox left exactly as it was.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapMailboxClient } from '../../functions/adapters/imap-mailbox';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { DynamoDbMailboxState } from '../../functions/adapters/dynamodb/mailbox-state';
import { MailboxError } from '../../functions/domain/errors';
import type { MailboxSession } from '../../functions/domain/ports';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import { intakeMailbox } from '../../functions/services/mailbox-intake';
import { probeMailbox } from '../../functions/services/mailbox-probe';
import { useDynalite } from '../support/dynalite';
import { deliveredBy, useImapServer } from '../support/imap-server';

const MAIL = join(__dirname, '..', 'fixtures', 'mail');
const fixture = (name: string) => readFileSync(join(MAIL, name));
const PROVIDER = 'mx.mail.example.test';
const NOW = '2026-11-28T12:00:00.000Z';

const INTAKE = 'intake@example.com';
const PROBE = 'probe@example.com';
const FULL = 'full@example.com';

const imap = useImapServer([
  { user: INTAKE, pass: 'intake-app-pass' },
  { user: PROBE, pass: 'probe-app-pass' },
  { user: FULL, pass: 'full-app-pass', quotaKb: 40 },
]);
const ddb = useDynalite({ freshTablePerTest: true });
const client = new ImapMailboxClient();

async function withSession<T>(user: string, f: (s: MailboxSession) => Promise<T>): Promise<T> {
  const s = await client.open(imap.connection(user));
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}

function deps() {
  return {
    repo: ddb.repository,
    ledger: new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName }),
    state: new DynamoDbMailboxState({ client: ddb.client, tableName: ddb.tableName }),
  };
}

const request = (over: Partial<Parameters<typeof intakeMailbox>[2]> = {}) => ({
  sellerId: 'S1',
  address: `imaps://${INTAKE}@127.0.0.1`,
  folders: ['INBOX'],
  trustReceivers: [PROVIDER],
  now: NOW,
  policy: DEFAULT_POLICY,
  ...over,
});

describe('IMAP intake', () => {
  beforeAll(async () => {
    // ISO-8859-1 quoted-printable (DE), Shift_JIS (JP), windows-1252 (UK), GBK forwarded (CN),
    // a return request naming an order, a forged Amazon mail (DMARC fail at the provider).
    for (const f of ['de-artikel-verkauft.eml', 'jp-shift-jis.eml', 'uk-sold-dispatch-now.eml', 'de-return-request.eml']) {
      await imap.append(INTAKE, 'INBOX', deliveredBy(fixture(f), PROVIDER));
    }
    await imap.append(INTAKE, 'INBOX', deliveredBy(fixture('forged-amazon-com.eml'), PROVIDER, { dmarc: 'fail' }));
    await imap.append(INTAKE, 'INBOX', 'From: friend@example.org\r\nSubject: lunch\r\n\r\nnot from Amazon\r\n');
  });

  beforeEach(async () => {
    await ddb.repository.putSeller({ sellerId: 'S1', name: 'Shop', marketplaces: [], createdAt: NOW });
  });

  test('takes in what Amazon sent, through the same understanding as SES mail, and reads nothing it need not', async () => {
    const d = deps();
    const before = await imap.flags(INTAKE, 'INBOX');
    const out = await withSession(INTAKE, (s) => intakeMailbox(d, s, request()));
    // The server's SEARCH found only Amazon's five; the friend's mail was never fetched.
    expect(out.folders).toEqual([expect.objectContaining({ folder: 'INBOX', searched: 5, fetched: 5, fromUid: 1, rescan: false })]);
    const byOutcome = out.results.map((r) => [r.result.outcome, r.result.outcome === 'rejected' ? r.result.reason : '']);
    expect(byOutcome.filter(([o]) => o === 'accepted')).toHaveLength(3);
    expect(byOutcome).toContainEqual(['rejected', 'not-sold-ship-now']);
    expect(byOutcome).toContainEqual(['rejected', 'dmarc-fail']);
    const notified = (await ddb.repository.listNotifications('S1')).map((n) => n.orderId).sort();
    expect(notified).toHaveLength(3);
    // Read-only: no \Seen (BODY.PEEK), nothing moved or deleted.
    expect(await imap.flags(INTAKE, 'INBOX')).toEqual(before);
    expect([...before.values()].every((f) => !f.includes('\\Seen'))).toBe(true);
    expect(await d.state.getCursor('S1', 'INBOX')).toEqual({ uidValidity: expect.any(String), lastUid: 6 });
  });

  test('resumes after the last UID: a second run fetches only what is new', async () => {
    const d = deps();
    await withSession(INTAKE, (s) => intakeMailbox(d, s, request()));
    const second = await withSession(INTAKE, (s) => intakeMailbox(d, s, request()));
    expect(second.results).toEqual([]);
    expect(second.folders[0]).toMatchObject({ fromUid: 7, searched: 0 });

    const uid = await imap.append(INTAKE, 'INBOX', deliveredBy(fixture('fr-vendu.eml'), PROVIDER));
    const third = await withSession(INTAKE, (s) => intakeMailbox(d, s, request()));
    expect(third.folders[0]).toMatchObject({ fromUid: 7, searched: 1, fetched: 1 });
    expect(third.results.map((r) => r.result.outcome)).toEqual(['accepted']);
    expect(third.results[0].location).toContain(`;UID=${uid}`);
    expect((await d.state.getCursor('S1', 'INBOX'))?.lastUid).toBe(uid);
  });

  test('a changed UIDVALIDITY rescans the window; the ledger makes every message a duplicate, nothing is stored twice', async () => {
    const d = deps();
    await withSession(INTAKE, (s) => intakeMailbox(d, s, request()));
    const stored = await ddb.repository.listNotifications('S1');
    const cursor = (await d.state.getCursor('S1', 'INBOX'))!;
    await d.state.putCursor('S1', 'INBOX', { uidValidity: String(Number(cursor.uidValidity) - 1), lastUid: 999 });
    const again = await withSession(INTAKE, (s) => intakeMailbox(d, s, request()));
    expect(again.folders[0]).toMatchObject({ rescan: true, fromUid: 1 });
    expect(again.results.length).toBeGreaterThanOrEqual(5);
    expect(again.results.every((r) => r.result.outcome === 'duplicate')).toBe(true);
    expect(await ddb.repository.listNotifications('S1')).toEqual(stored);
    expect((await d.state.getCursor('S1', 'INBOX'))?.uidValidity).toBe(cursor.uidValidity);
  });

  test('without a trusted receiver the mail is unverified and marks nothing notified', async () => {
    const out = await withSession(INTAKE, (s) => intakeMailbox(deps(), s, request({ trustReceivers: [] })));
    expect(out.results.filter((r) => r.result.outcome === 'accepted')).toEqual([]);
    expect(out.results.map((r) => (r.result.outcome === 'rejected' ? r.result.reason : r.result.outcome))).toContain('unverified');
    expect(await ddb.repository.listNotifications('S1')).toEqual([]);
  });
});

describe('mailbox probe', () => {
  const ids = { junk: '', trash: '', localized: '', inbox: '', nowhere: '112-0000000-0000000' };
  let probeJunkUid = 0;

  beforeAll(async () => {
    const { understandEmail } = await import('../../functions/services/understand-email');
    const idOf = async (f: string) => (await understandEmail(fixture(f))).orderIds[0];
    ids.junk = await idOf('de-artikel-verkauft.eml');
    ids.trash = await idOf('jp-shift-jis.eml');
    ids.localized = await idOf('uk-sold-dispatch-now.eml');
    ids.inbox = await idOf('it-venduto.eml');
    probeJunkUid = await imap.append(PROBE, 'Junk', deliveredBy(fixture('de-artikel-verkauft.eml'), PROVIDER));
    await imap.append(PROBE, 'Trash', deliveredBy(fixture('jp-shift-jis.eml'), PROVIDER));
    // A folder without SPECIAL-USE, named as QQ Mail and 163 name their spam folder.
    await imap.append(PROBE, '垃圾邮件', deliveredBy(fixture('uk-sold-dispatch-now.eml'), PROVIDER));
    await imap.append(PROBE, 'INBOX', deliveredBy(fixture('it-venduto.eml'), PROVIDER));
    // A return request naming the "nowhere" order is not its Sold, Ship Now email.
    await imap.append(PROBE, 'Junk', deliveredBy(fixture('us-return-request.eml').toString('latin1').replace(/112-4455667-1000001/g, ids.nowhere), PROVIDER));
    // A forgery naming the "nowhere" order in the inbox (DMARC fails at the provider) is no evidence either.
    await imap.append(PROBE, 'INBOX', deliveredBy(fixture('forged-amazon-com.eml').toString('latin1').replace(/\d{3}-\d{7}-\d{7}/g, ids.nowhere), PROVIDER, { dmarc: 'fail' }));
    for (let i = 0; i < 30; i++) await imap.append(PROBE, 'INBOX', `From: news@shop.example\r\nSubject: offer ${i}\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nnothing ${i}\r\n`);
  });

  test('each diagnosis, with the folder as evidence, from server-side searches; the mailbox is unchanged', async () => {
    const before = await Promise.all(['INBOX', 'Junk', 'Trash', '垃圾邮件'].map((f) => imap.flags(PROBE, f)));
    const out = await withSession(PROBE, (s) => probeMailbox(s, { orderIds: Object.values(ids), now: NOW, trustReceivers: [PROVIDER] }));
    const by = new Map(out.findings.map((f) => [f.orderId, f]));
    expect(by.get(ids.junk)).toMatchObject({ diagnosis: 'filtered', folder: 'Junk', role: 'junk', verified: true });
    expect(by.get(ids.trash)).toMatchObject({ diagnosis: 'deleted', folder: 'Trash', role: 'trash' });
    expect(by.get(ids.localized)).toMatchObject({ diagnosis: 'filtered', folder: '垃圾邮件', role: 'junk' });
    expect(by.get(ids.inbox)).toMatchObject({ diagnosis: 'in-inbox', folder: 'INBOX' });
    expect(by.get(ids.nowhere)).toMatchObject({ diagnosis: 'not-delivered' });
    expect(by.get(ids.nowhere)?.searched).toEqual(expect.arrayContaining(['INBOX', 'Junk', 'Trash', '垃圾邮件']));
    expect(out.capabilities).toEqual(expect.arrayContaining(['SPECIAL-USE', 'QUOTA']));
    expect(out.quotaPercent).toBeLessThan(95);
    // Only the hits were read (the Italian email and the forgery): none of the 30 unrelated inbox messages.
    expect(out.folders.find((f) => f.path === 'INBOX')?.hits).toBe(2);
    const after = await Promise.all(['INBOX', 'Junk', 'Trash', '垃圾邮件'].map((f) => imap.flags(PROBE, f)));
    expect(after).toEqual(before);
    expect(after.flatMap((m) => [...m.values()]).some((f) => f.includes('\\Seen'))).toBe(false);
  });

  test('--rescue moves the found email back to the inbox (opt-in), and only that one', async () => {
    const out = await withSession(PROBE, (s) => probeMailbox(s, { orderIds: [ids.junk], now: NOW, trustReceivers: [PROVIDER], rescue: true }));
    expect(out.findings[0]).toMatchObject({ diagnosis: 'filtered', folder: 'Junk', rescuedTo: 'INBOX' });
    expect((await imap.flags(PROBE, 'Junk')).has(probeJunkUid)).toBe(false);
    const again = await withSession(PROBE, (s) => probeMailbox(s, { orderIds: [ids.junk], now: NOW, trustReceivers: [PROVIDER] }));
    expect(again.findings[0]).toMatchObject({ diagnosis: 'in-inbox', folder: 'INBOX' });
  });

  test('QUOTA above 95 % and the email nowhere: mailbox-full', async () => {
    const filler = `From: big@example.org\r\nSubject: attachment\r\n\r\n${'x'.repeat(39_000)}\r\n`;
    await imap.append(FULL, 'INBOX', filler);
    const out = await withSession(FULL, (s) => probeMailbox(s, { orderIds: [ids.nowhere], now: NOW, trustReceivers: [PROVIDER] }));
    expect(out.findings[0]).toMatchObject({ diagnosis: 'mailbox-full' });
    expect(out.findings[0].quotaPercent).toBeGreaterThanOrEqual(95);
  });
});

describe('connection faults name the host and never the password', () => {
  test('wrong password: auth-failed (AUTHENTICATIONFAILED), a broken connection', async () => {
    const err = await client.open(imap.connection(PROBE, 'wrong-secret-123')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailboxError);
    expect(err).toMatchObject({ code: 'auth-failed', host: '127.0.0.1', broken: true });
    expect((err as Error).message).toMatch(/127\.0\.0\.1.*AUTHENTICATIONFAILED/);
    expect(JSON.stringify({ m: (err as Error).message, d: (err as MailboxError).data })).not.toContain('wrong-secret-123');
    // The cause keeps only what the server said: no command, no session, no credential (in any encoding).
    const cause = (err as Error).cause as Error;
    expect(cause.message).toBe('AUTHENTICATIONFAILED: Authentication failed.');
    const b64 = Buffer.from(`\0${PROBE}\0wrong-secret-123`).toString('base64');
    expect(JSON.stringify(cause, Object.getOwnPropertyNames(cause))).not.toMatch(new RegExp(`wrong-secret-123|${b64.replace(/[+/=]/g, '.')}`));
  });

  test('an untrusted certificate: tls, with the host', async () => {
    const { ca: _ca, ...noCa } = imap.connection(PROBE);
    const err = await client.open(noCa).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'tls', host: '127.0.0.1', broken: false });
    expect((err as Error).message).toMatch(/^127\.0\.0\.1: TLS failed/);
  });

  test('nothing listening: connection, with the host; a server that never answers: timeout', async () => {
    const { createServer } = await import('node:net');
    const sockets: Array<import('node:net').Socket> = [];
    const silent = createServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const timeout = await client.open({ ...imap.connection(PROBE), port, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(timeout).toMatchObject({ code: 'timeout', host: '127.0.0.1' });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
    const refused = await client.open({ ...imap.connection(PROBE), port }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'connection', host: '127.0.0.1' });
  });
});
