/**
 * The MailboxClient port on imapflow: IMAP over TLS (implicit TLS, port 993 by default), LOGIN,
 * then only read-only work: LIST (with SPECIAL-USE), GETQUOTAROOT, EXAMINE, UID SEARCH and
 * UID FETCH BODY.PEEK[] (never \Seen). The one write is `moveToInbox` (UID MOVE, the probe's
 * opt-in rescue), which opens the folder with SELECT.
 *
 * Failures become MailboxError with the host and a code: `auth-failed` (AUTHENTICATIONFAILED or
 * any failed LOGIN), `tls` (certificate, handshake), `timeout`, `connection` (refused, DNS,
 * closed). imapflow's own logger is off: its debug lines would carry the session, and nothing
 * of a credential may ever reach a log.
 */
import { ImapFlow, type SearchObject } from 'imapflow';
import { MailboxError } from '../domain/errors';
import type { MailboxFolder, MailboxSearch, QuotaUsage } from '../domain/mailbox-probe';
import type { MailboxClient, MailboxConnection, MailboxSession } from '../domain/ports';

const DEFAULT_TIMEOUT_MS = 15_000;

export class ImapMailboxClient implements MailboxClient {
  async open(c: MailboxConnection): Promise<MailboxSession> {
    const timeout = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = new ImapFlow({
      host: c.host,
      port: c.port,
      secure: true,
      auth: { user: c.user, pass: c.password },
      logger: false,
      disableAutoIdle: true,
      // Sent as IMAP ID (RFC 2971) where the server asks for it; NetEase (163/126) refuses logins without it.
      clientInfo: { name: 'ShipNow Sentinel' },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 4,
      tls: { ...(c.ca ? { ca: c.ca } : {}), servername: isIp(c.host) ? undefined : c.host, minVersion: 'TLSv1.2' },
    });
    // Errors after connect (a dropped socket) are reported by the command that was running.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      client.close();
      throw mailboxError(c.host, err);
    }
    return new ImapFlowSession(c.host, client);
  }
}

class ImapFlowSession implements MailboxSession {
  constructor(
    readonly host: string,
    private readonly client: ImapFlow,
  ) {}

  capabilities(): string[] {
    return [...this.client.capabilities.keys()].map((k) => k.toUpperCase()).sort();
  }

  async listFolders(): Promise<MailboxFolder[]> {
    const list = await this.run(() => this.client.list());
    return list.map((f) => ({ path: f.path, name: f.name, ...(f.specialUse ? { specialUse: f.specialUse } : {}), flags: [...(f.flags ?? [])] }));
  }

  async quota(): Promise<QuotaUsage | undefined> {
    if (!this.client.capabilities.has('QUOTA')) return undefined;
    const q = await this.run(() => this.client.getQuota('INBOX'));
    if (!q || !q.storage || typeof q.storage.limit !== 'number' || typeof q.storage.usage !== 'number') return undefined;
    return { usedBytes: q.storage.usage, limitBytes: q.storage.limit };
  }

  async examine(path: string) {
    return this.run(async () => {
      const lock = await this.client.getMailboxLock(path, { readOnly: true });
      try {
        const m = this.client.mailbox;
        if (!m) throw new Error(`folder ${path} did not open`);
        return { uidValidity: String(m.uidValidity), uidNext: Number(m.uidNext), exists: m.exists };
      } finally {
        lock.release();
      }
    });
  }

  async search(path: string, s: MailboxSearch): Promise<number[]> {
    return this.run(async () => {
      const lock = await this.client.getMailboxLock(path, { readOnly: true });
      try {
        // Two server-side steps: Amazon's mail since the window (FROM and SINCE come from the
        // index and cache), then, only among those, the bodies naming an order.
        const fromAmazon = anyOf(s.fromDomains.map((d) => ({ from: `@${d}` })));
        const first: SearchObject = { ...fromAmazon, since: new Date(s.since), ...(s.uidFrom && s.uidFrom > 1 ? { uid: `${s.uidFrom}:*` } : {}) };
        const candidates = (await this.client.search(first, { uid: true })) || [];
        // `N:*` always includes the highest UID even when it is below N (RFC 9051 6.4.8).
        const inRange = candidates.filter((u) => !s.uidFrom || u >= s.uidFrom);
        if (!s.orderIds || s.orderIds.length === 0 || inRange.length === 0) return inRange.sort((a, b) => a - b);
        const second: SearchObject = { uid: inRange.join(','), ...anyOf(s.orderIds.map((id) => ({ body: id }))) };
        return ((await this.client.search(second, { uid: true })) || []).sort((a, b) => a - b);
      } finally {
        lock.release();
      }
    });
  }

  async fetchRaw(path: string, uids: readonly number[], maxBytes: number) {
    if (uids.length === 0) return [];
    return this.run(async () => {
      const lock = await this.client.getMailboxLock(path, { readOnly: true });
      try {
        const sizes = new Map<number, number>();
        const dates = new Map<number, string>();
        for await (const m of this.client.fetch(uids.join(','), { uid: true, size: true, internalDate: true }, { uid: true })) {
          sizes.set(m.uid, m.size ?? 0);
          const d = m.internalDate ? new Date(m.internalDate) : undefined;
          if (d && !Number.isNaN(d.getTime())) dates.set(m.uid, d.toISOString());
        }
        const small = uids.filter((u) => (sizes.get(u) ?? 0) <= maxBytes && sizes.has(u));
        const raws = new Map<number, Buffer>();
        if (small.length > 0) {
          // `source` is fetched as BODY.PEEK[]: reading never sets \Seen.
          for await (const m of this.client.fetch(small.join(','), { uid: true, source: true }, { uid: true })) if (m.source) raws.set(m.uid, m.source);
        }
        return uids
          .filter((u) => sizes.has(u))
          .map((u) => ({ uid: u, size: sizes.get(u)!, ...(raws.has(u) ? { raw: raws.get(u)! } : {}), ...(dates.has(u) ? { internalDate: dates.get(u)! } : {}) }));
      } finally {
        lock.release();
      }
    });
  }

  async moveToInbox(path: string, uid: number): Promise<string> {
    return this.run(async () => {
      const lock = await this.client.getMailboxLock(path);
      try {
        const r = await this.client.messageMove(String(uid), 'INBOX', { uid: true });
        if (!r) throw new Error(`UID ${uid} in ${path} could not be moved`);
        return 'INBOX';
      } finally {
        lock.release();
      }
    });
  }

  async close(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      this.client.close();
    }
  }

  private async run<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw mailboxError(this.host, err);
    }
  }
}

/** One term, or an OR of several (imapflow's `or` needs at least two). */
function anyOf(terms: SearchObject[]): SearchObject {
  if (terms.length === 0) return {};
  if (terms.length === 1) return terms[0];
  return { or: terms };
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

interface ImapErrorShape {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
}

/** The error a caller and the seller can act on, naming the host and never the password. */
export function mailboxError(host: string, err: unknown): MailboxError {
  if (err instanceof MailboxError) return err;
  const e = (err ?? {}) as ImapErrorShape;
  const code = e.code ?? '';
  const text = (e.responseText ?? e.message ?? String(err)).slice(0, 200);
  // The library's error carries the command that failed and the session: only what it said is
  // kept as the cause, so logging the error with its cause can never carry a credential.
  const cause = Object.assign(new Error(`${[code, e.serverResponseCode].filter(Boolean).join(' ')}${code || e.serverResponseCode ? ': ' : ''}${text}`), { name: 'ImapError' });
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new MailboxError(host, 'auth-failed', `${host}: login failed (AUTHENTICATIONFAILED): the user name or the app password / authorization code is wrong, or IMAP is off for the account`, { cause });
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME/i.test(code) || /certificate|SSL routines|TLS/i.test(text)) {
    return new MailboxError(host, 'tls', `${host}: TLS failed (${code || text}): the server's certificate is not trusted or the port does not speak TLS`, { cause });
  }
  if (/TIMEOUT|ETIMEDOUT/i.test(code) || /timed? ?out|timeout/i.test(text)) {
    return new MailboxError(host, 'timeout', `${host}: timed out (${code || text})`, { cause });
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|NoConnection|Closed/i.test(code) || /connect|closed/i.test(text)) {
    return new MailboxError(host, 'connection', `${host}: cannot connect (${code || text})`, { cause });
  }
  return new MailboxError(host, 'protocol', `${host}: ${text}`, { cause });
}
