/**
 * The mailbox probe on a large mailbox: 50,000 messages in the inbox (written as maildir files,
 * then indexed by Dovecot on first open, which is not timed), 10 % of them from Amazon (shipment
 * notices, buyer messages) so the body search has real work, plus a junk folder with the missing
 * orders' Sold, Ship Now emails. Timed: one probe of 10 missing orders (LIST, GETQUOTAROOT, and per
 * folder the server-side UID SEARCHes, then BODY.PEEK of the hits only), median of `runs`; and an
 * intake's first scan of the inbox (UID SEARCH for Amazon's mail in the 31-day window).
 * Skipped with a note when Dovecot is not installed (apt-get install -y dovecot-imapd).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapMailboxClient } from '../functions/adapters/imap-mailbox';
import { amazonSenderDomains, windowStart } from '../functions/domain/mailbox-probe';
import { DovecotMissingError, startDovecot } from '../functions/local/dovecot';
import { probeMailbox } from '../functions/services/mailbox-probe';

export interface MailboxProbeRow {
  messages: number;
  fromAmazon: number;
  missingOrders: number;
  indexMs: number;
  probeMs: number;
  allProbeMs: number[];
  intakeScanMs: number;
  found: number;
}

const NOW = new Date().toISOString();
const USER = 'bench@example.com';

function filler(i: number, amazon: boolean): Buffer {
  const from = amazon ? `"Amazon.com" <shipment-tracking@amazon.com>` : `"Shop ${i % 97}" <news${i % 13}@shop${i % 29}.example>`;
  const body = `Hello,\r\n\r\n${amazon ? `Your package for order 113-${String(i).padStart(7, '0')}-${String(i * 7).padStart(7, '0').slice(-7)} shipped.` : `Offer number ${i}.`}\r\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(25)}\r\n`;
  return Buffer.from(`From: ${from}\r\nTo: ${USER}\r\nSubject: ${amazon ? 'Shipped' : 'Offer'} ${i}\r\nDate: ${new Date(Date.parse(NOW) - (i % 20) * 86_400_000).toUTCString()}\r\nMessage-ID: <bench-${i}@example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`);
}

export async function benchMailboxProbe(messages = 50_000, runs = 3): Promise<MailboxProbeRow | { skipped: string }> {
  let server;
  try {
    server = await startDovecot([{ user: USER, pass: 'bench-pass' }]);
  } catch (e) {
    if (e instanceof DovecotMissingError) return { skipped: e.message };
    throw e;
  }
  try {
    const fromAmazon = Math.round(messages / 10);
    const inbox = (function* () {
      for (let i = 0; i < messages; i++) yield filler(i, i % 10 === 0);
    })();
    server.writeMessages(USER, 'INBOX', inbox);
    const sample = readFileSync(join(__dirname, '..', 'examples', 'mail', 'us-sold-ship-now.eml'), 'latin1');
    const missing = Array.from({ length: 10 }, (_, i) => `112-4455667-90000${String(i).padStart(2, '0')}`);
    // Half of the missing orders' emails are in Junk, half nowhere.
    server.writeMessages(
      USER,
      'Junk',
      missing.slice(0, 5).map((id) => Buffer.from(`Authentication-Results: mx.bench.example; dkim=pass header.i=@amazon.com; dmarc=pass header.from=amazon.com\r\n${sample.replace(/112-4455667-1000001/g, id)}`, 'latin1')),
    );
    const conn = { host: server.host, port: server.port, user: USER, password: 'bench-pass', ca: server.ca, timeoutMs: 120_000 };
    const client = new ImapMailboxClient();
    const session = await client.open(conn);
    try {
      let t = performance.now();
      await session.examine('INBOX');
      await session.examine('Junk');
      const indexMs = Math.round(performance.now() - t);
      const all: number[] = [];
      let found = 0;
      for (let r = 0; r < runs; r++) {
        t = performance.now();
        const out = await probeMailbox(session, { orderIds: missing, now: NOW, trustReceivers: ['mx.bench.example'] });
        all.push(Math.round(performance.now() - t));
        found = out.findings.filter((f) => f.diagnosis === 'filtered').length;
      }
      t = performance.now();
      await session.search('INBOX', { fromDomains: amazonSenderDomains(), since: windowStart(NOW) });
      const intakeScanMs = Math.round(performance.now() - t);
      const sorted = [...all].sort((a, b) => a - b);
      return { messages, fromAmazon, missingOrders: missing.length, indexMs, probeMs: sorted[Math.floor(sorted.length / 2)], allProbeMs: all, intakeScanMs, found };
    } finally {
      await session.close();
    }
  } finally {
    await server.stop();
  }
}
