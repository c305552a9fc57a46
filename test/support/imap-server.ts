/**
 * Jest helper: a real Dovecot IMAP server per test file (functions/local/dovecot.ts), over TLS
 * with a certificate made for the run, SPECIAL-USE and QUOTA, and a client to put mail in place.
 *
 *   const imap = useImapServer([{ user: 'shop@example.com', pass: 'app-pass' }]);
 *   it('...', async () => { await imap.append('shop@example.com', 'Junk', raw); ... });
 *
 * Without Dovecot the file fails in beforeAll with how to install it: IMAP tests never skip.
 */
import { ImapFlow } from 'imapflow';
import { startDovecot, type DovecotServer, type ImapTestUser } from '../../functions/local/dovecot';
import type { MailboxConnection } from '../../functions/domain/ports';

export interface ImapServerContext {
  readonly server: DovecotServer;
  connection(user: string, pass?: string): MailboxConnection;
  /** A logged-in imapflow client (closed by the caller). */
  client(user: string): Promise<ImapFlow>;
  /** APPEND with flags (none: unseen); creates the folder first when needed. Returns the UID. */
  append(user: string, folder: string, raw: Buffer | string, flags?: string[]): Promise<number>;
  /** The flags of every message in a folder, by UID. */
  flags(user: string, folder: string): Promise<Map<number, string[]>>;
}

export function useImapServer(users: ImapTestUser[]): ImapServerContext {
  let server: DovecotServer | undefined;
  const pass = new Map(users.map((u) => [u.user, u.pass]));
  beforeAll(async () => {
    server = await startDovecot(users);
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  const started = () => {
    if (!server) throw new Error('useImapServer: the server starts in beforeAll');
    return server;
  };
  const ctx: ImapServerContext = {
    get server() {
      return started();
    },
    connection: (user, password) => ({ host: started().host, port: started().port, user, password: password ?? pass.get(user) ?? '', ca: started().ca, timeoutMs: 5000 }),
    client: async (user) => {
      const s = started();
      const c = new ImapFlow({ host: s.host, port: s.port, secure: true, auth: { user, pass: pass.get(user) ?? '' }, logger: false, tls: { ca: s.ca } });
      await c.connect();
      return c;
    },
    append: async (user, folder, raw, flags = []) => {
      const c = await ctx.client(user);
      try {
        if (folder !== 'INBOX' && !(await c.list()).some((f) => f.path === folder)) await c.mailboxCreate(folder);
        const r = await c.append(folder, raw, flags);
        if (!r || !r.uid) throw new Error(`APPEND to ${folder} returned no UID`);
        return r.uid;
      } finally {
        await c.logout();
      }
    },
    flags: async (user, folder) => {
      const c = await ctx.client(user);
      const out = new Map<number, string[]>();
      try {
        const lock = await c.getMailboxLock(folder, { readOnly: true });
        try {
          if ((c.mailbox && c.mailbox.exists) || 0) for await (const m of c.fetch('1:*', { uid: true, flags: true })) out.set(m.uid, [...(m.flags ?? [])].sort());
        } finally {
          lock.release();
        }
      } finally {
        await c.logout();
      }
      return out;
    },
  };
  return ctx;
}

/**
 * A message as it sits in a mailbox at a provider: the provider's own Received and
 * Authentication-Results on top (DMARC and DKIM of the From's domain passing), above whatever the
 * message carried. Only the topmost verdict of a trusted receiver counts.
 */
export function deliveredBy(raw: Buffer | string, authservId: string, opts: { dmarc?: 'pass' | 'fail' } = {}): Buffer {
  const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : raw;
  const from = /^From:.*?@([A-Za-z0-9.-]+)>?\s*$/im.exec(text)?.[1]?.toLowerCase() ?? 'amazon.com';
  const dmarc = opts.dmarc ?? 'pass';
  const head =
    `Received: from a7-11.smtp-out.eu-west-1.amazonses.com (a7-11.smtp-out.eu-west-1.amazonses.com [203.0.113.11])\r\n by ${authservId} with ESMTPS id t3st;\r\n Sat, 28 Nov 2026 03:03:27 +0000\r\n` +
    `Authentication-Results: ${authservId};\r\n dkim=${dmarc === 'pass' ? 'pass' : 'fail'} header.i=@${from};\r\n spf=pass smtp.mailfrom=bounces.${from};\r\n dmarc=${dmarc} header.from=${from}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1')]);
}
