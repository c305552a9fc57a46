/**
 * A throwaway IMAP server for the tests, the bench and the demo: Debian's Dovecot (package
 * `dovecot-imapd`) started in the foreground with a config written into a temp folder, nothing
 * of the system's own config used. What it gives is what the probe meets at a real provider:
 * IMAP over TLS (a self-signed certificate made here with openssl, for 127.0.0.1 and localhost),
 * LOGIN with a password, SPECIAL-USE (`\Junk`, `\Trash`), QUOTA (GETQUOTAROOT, with a limit per
 * user) and maildir storage in the temp folder, so a test or the bench can also write a large
 * mailbox as files and let Dovecot index it.
 *
 * Dovecot rather than an IMAP server from npm: the maintained npm servers (e.g. hoodiecrow,
 * wildduck) are either unmaintained test doubles without QUOTA or need MongoDB and Redis; Dovecot
 * is the server most mailbox providers' behaviour is measured against, and installs from Debian.
 *
 * Not found -> DovecotMissingError saying how to install it (CI's .ci/run installs it): the suite
 * fails with that message, it never skips.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface ImapTestUser {
  user: string;
  pass: string;
  /** Storage limit for QUOTA, in kilobytes (default 102400 = 100 MB). */
  quotaKb?: number;
}

export interface DovecotServer {
  host: '127.0.0.1';
  port: number;
  /** The server's self-signed certificate (PEM): pass it as the trusted CA. */
  ca: Buffer;
  caFile: string;
  /** `imaps://user@127.0.0.1:port` */
  url(user: string): string;
  /** The maildir of a folder (`INBOX`, `Junk`, ...) of a user, created if needed. */
  maildir(user: string, folder: string): string;
  /**
   * Write messages as maildir files (flags none, i.e. unseen) straight into a folder: the fast
   * way to fill a mailbox with tens of thousands of messages; Dovecot indexes them on next open.
   */
  writeMessages(user: string, folder: string, messages: Iterable<Buffer>): number;
  /** The server's log so far (auth failures, errors). */
  log(): string;
  stop(): Promise<void>;
}

export class DovecotMissingError extends Error {
  constructor(detail: string) {
    super(
      `Dovecot is needed for the IMAP tests and was not found (${detail}). Install it: apt-get install -y dovecot-imapd ` +
        '(Debian/Ubuntu; CI\'s .ci/run installs it).',
    );
    this.name = 'DovecotMissingError';
  }
}

const CANDIDATES = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/opt/homebrew/sbin/dovecot'];

/** The dovecot binary (SHIPNOW_DOVECOT names another one), or undefined. */
export function findDovecot(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SHIPNOW_DOVECOT !== undefined) return existsSync(env.SHIPNOW_DOVECOT) ? env.SHIPNOW_DOVECOT : undefined;
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  try {
    const p = execFileSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' }).trim();
    return p || undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** uid/gid and user names the server's processes and the mail files run as. */
function identities(): { mailUid: number; mailGid: number; internalUser: string; loginUser: string } {
  const me = userInfo();
  if (me.uid !== 0) return { mailUid: me.uid, mailGid: me.gid, internalUser: me.username, loginUser: me.username };
  // As root Dovecot refuses uid 0 for mail and runs its helpers as its own users.
  const id = (flag: string, name: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  try {
    return { mailUid: id('-u', 'dovecot'), mailGid: id('-g', 'dovecot'), internalUser: 'dovecot', loginUser: 'dovenull' };
  } catch (e) {
    throw new DovecotMissingError(`the 'dovecot' system user is missing: ${(e as Error).message}`);
  }
}

export async function startDovecot(users: readonly ImapTestUser[]): Promise<DovecotServer> {
  const bin = findDovecot();
  if (!bin) throw new DovecotMissingError(process.env.SHIPNOW_DOVECOT !== undefined ? `SHIPNOW_DOVECOT=${process.env.SHIPNOW_DOVECOT} does not exist` : 'no dovecot binary on PATH or in /usr/sbin');
  const ids = identities();
  const dir = mkdtempSync(join(tmpdir(), 'shipnow-imap-'));
  chmodSync(dir, 0o755);
  const mailRoot = join(dir, 'mail');
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir, d));
  chownSync(mailRoot, ids.mailUid, ids.mailGid);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  const passwd = users
    .map((u) => `${u.user}:{PLAIN}${u.pass}:${ids.mailUid}:${ids.mailGid}::${join(mailRoot, u.user)}::userdb_quota_rule=*:storage=${u.quotaKb ?? 102400}K`)
    .join('\n');
  writeFileSync(join(dir, 'passwd'), passwd + '\n', { mode: 0o644 });

  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'dovecot.conf'), config(dir, port, ids));
    const logFile = join(dir, 'dovecot.log');
    const child: ChildProcess = spawn(bin, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    let exited = false;
    child.once('exit', () => (exited = true));
    const until = Date.now() + 10_000;
    while (!exited && Date.now() < until && !(await canConnect(port))) await new Promise((r) => setTimeout(r, 50));
    if (!exited && (await canConnect(port))) {
      const ca = readFileSync(join(dir, 'cert.pem'));
      return {
        host: '127.0.0.1',
        port,
        ca,
        caFile: join(dir, 'cert.pem'),
        url: (user) => `imaps://${encodeURIComponent(user)}@127.0.0.1:${port}`,
        maildir: (user, folder) => folderDir(mailRoot, user, folder, ids),
        writeMessages: (user, folder, messages) => writeMaildir(folderDir(mailRoot, user, folder, ids), messages, ids),
        log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
        stop: async () => {
          if (!exited) {
            const gone = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 3000)))]);
            clearTimeout(timer);
            if (!exited) child.kill('SIGKILL');
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    lastError = `${stderr.trim()} ${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-500) : ''}`.trim();
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`Dovecot did not start: ${lastError || 'no output'}`);
}

function config(dir: string, port: number, ids: ReturnType<typeof identities>): string {
  return `# Written by ShipNow Sentinel's test launcher; thrown away with its folder.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = ${ids.internalUser}
default_login_user = ${ids.loginUser}
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_plugins = quota
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/passwd
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Junk {
    special_use = \\Junk
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
}
protocol imap {
  mail_plugins = $mail_plugins imap_quota
  mail_max_userip_connections = 50
}
plugin {
  quota = maildir:User quota
}
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${port}
    ssl = yes
  }
}
service anvil {
  chroot =
}
`;
}

/** Maildir++: INBOX is ~/Maildir, folder `A/B` is ~/Maildir/.A.B */
function folderDir(mailRoot: string, user: string, folder: string, ids: ReturnType<typeof identities>): string {
  const home = join(mailRoot, user);
  const root = join(home, 'Maildir');
  const dir = folder.toUpperCase() === 'INBOX' ? root : join(root, '.' + folder.split('/').join('.'));
  for (const d of [home, root, dir, join(dir, 'cur'), join(dir, 'new'), join(dir, 'tmp')]) {
    if (!existsSync(d)) {
      mkdirSync(d);
      chownSync(d, ids.mailUid, ids.mailGid);
    }
  }
  if (dir !== root) {
    const marker = join(dir, 'maildirfolder');
    if (!existsSync(marker)) {
      writeFileSync(marker, '');
      chownSync(marker, ids.mailUid, ids.mailGid);
    }
  }
  return dir;
}

let sequence = 0;

function writeMaildir(dir: string, messages: Iterable<Buffer>, ids: ReturnType<typeof identities>): number {
  const cur = join(dir, 'cur');
  const base = Math.floor(Date.now() / 1000);
  let n = 0;
  for (const raw of messages) {
    const file = join(cur, `${base}.M${++sequence}P${process.pid}.shipnow,S=${raw.length}:2,`);
    writeFileSync(file, raw);
    chownSync(file, ids.mailUid, ids.mailGid);
    n++;
  }
  return n;
}

/** Messages stored in a folder's maildir (for tests that check nothing was added or removed). */
export function countMaildir(dir: string): number {
  return ['cur', 'new'].reduce((sum, d) => sum + (existsSync(join(dir, d)) ? readdirSync(join(dir, d)).filter((f) => statSync(join(dir, d, f)).isFile()).length : 0), 0);
}
