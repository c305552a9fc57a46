/**
 * `shipnow mailbox connect --seller ID --imap imaps://USER@HOST [--imap-folder NAME]... [--trust-receiver ID]...`
 *     log in once, then keep the settings on the seller's profile (`mailbox`) and the app password
 *     as the seller's 'imap' secret (locally `<data>/secrets/<seller>/imap.json`, 0600)
 * `shipnow mailbox test (--seller ID | --imap imaps://USER@HOST) [--json]`
 *     TLS, login, CAPABILITY (SPECIAL-USE, QUOTA), the folders found and their roles, the quota
 * `shipnow mailbox probe --seller ID [--order ID]... [--rescue] [--now ISO] [--json]`
 *     where did the Sold, Ship Now email of each missing order go (inbox, junk, trash, nowhere,
 *     mailbox full); read-only unless --rescue; findings kept for alerts and `shipnow status`
 * `shipnow mailbox poll --seller ID [--now ISO] [--json]`
 *     what the scheduled poller does, once: new mail taken in, due orders probed
 * `shipnow mailbox disconnect --seller ID`
 *     the settings off the profile and the password secret deleted (revoke it at the provider too)
 * plus the store flags (./store.ts).
 *
 * The password is never a flag: SHIPNOW_IMAP_PASSWORD, else a prompt on the terminal (no echo).
 * SHIPNOW_IMAP_CA_FILE adds a trusted CA (a private or test server's certificate).
 * Exit: 0 done; 1 the mailbox could not be read (the reason names the host); 2 bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDbMailboxState } from '../../adapters/dynamodb/mailbox-state';
import { DynamoDbSellerAdmin } from '../../adapters/dynamodb/seller-admin';
import { SSMClient } from '@aws-sdk/client-ssm';
import { FileSellerSecretStore } from '../../adapters/file-seller-secrets';
import { SsmSellerSecretStore } from '../../adapters/ssm-seller-secrets';
import { readSellerSecretsConfig } from '../../config';
import { explainAwsSetupErrors } from '../aws-setup';
import { ImapMailboxClient } from '../../adapters/imap-mailbox';
import { MailboxError } from '../../domain/errors';
import { folderRole, probeFindingText, quotaPercent } from '../../domain/mailbox-probe';
import type { MailboxConnection, MailboxSession, SellerSecretStore } from '../../domain/ports';
import { mailboxSettingsOf, parseImapUrl, SellerInputError, type MailboxSettings } from '../../domain/seller-input';
import { DEFAULT_POLICY } from '../../domain/types';
import { probeAndStore } from '../../services/mailbox-probe';
import { pollSellerMailbox, trustFor, type ImapSecret } from '../../services/mailbox-poll';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { helpTopic, parseFlags, parseNowFlag, printHelp, wantsHelp } from '../help';
import { trustReceiversOf } from '../trust-flags';
import { dataDir, openStore, STORE_FLAGS, type OpenStore } from './store';

export const IMAP_PASSWORD_ENV = 'SHIPNOW_IMAP_PASSWORD';
export const IMAP_CA_ENV = 'SHIPNOW_IMAP_CA_FILE';

export interface MailboxCommandOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Asks for the password without echo (default: the terminal, when stdin is one). */
  prompt?: (question: string) => Promise<string>;
}

export async function mailboxCommand(args: string[], io: Io, opts: MailboxCommandOptions = {}): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'help' || wantsHelp(args)) return printHelp(helpTopic('mailbox', sub === 'help' ? rest : args), io);
    switch (sub) {
      case 'connect':
        return await connect(rest, io, opts);
      case 'test':
        return await test(rest, io, opts);
      case 'probe':
        return await probe(rest, io, opts);
      case 'poll':
        return await poll(rest, io, opts);
      case 'disconnect':
        return await disconnect(rest, io, opts);
      default:
        throw new UsageError(`${sub ? `unknown mailbox command '${sub}'` : 'mailbox needs a command'}: connect, test, probe, poll, disconnect (see: shipnow mailbox --help)`);
    }
  } catch (err) {
    if (err instanceof MailboxError) {
      io.err(`shipnow: ${err.message}`);
      return EXIT.FAILED;
    }
    return exitOnBadInput(err instanceof SellerInputError ? new UsageError(err.message) : err, io);
  }
}

// ---- the connection's pieces (shared with check --imap) ---------------------------------------------

/** `--imap URL` -> host, port, user (bad input as a UsageError). */
export function imapAddress(url: string): { host: string; port: number; user: string } {
  try {
    return parseImapUrl(url);
  } catch (e) {
    if (e instanceof SellerInputError) throw new UsageError(`--imap ${e.message}`);
    throw e;
  }
}

/** The password: SHIPNOW_IMAP_PASSWORD, else asked on the terminal without echo. Never a flag, never printed. */
export async function imapPassword(user: string, host: string, env: NodeJS.ProcessEnv, prompt?: (q: string) => Promise<string>): Promise<string> {
  const fromEnv = env[IMAP_PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  const ask = prompt ?? (process.stdin.isTTY ? (q: string) => askHidden(q) : undefined);
  if (!ask) throw new UsageError(`no IMAP password: set ${IMAP_PASSWORD_ENV} (the app password or authorization code of ${user} at ${host}); it is never a flag`);
  const p = await ask(`App password / authorization code for ${user} at ${host} (not shown): `);
  if (!p) throw new UsageError('no IMAP password given');
  return p;
}

/** SHIPNOW_IMAP_CA_FILE: an extra trusted CA (PEM) for a private or test server. */
export function imapCa(env: NodeJS.ProcessEnv): Buffer | undefined {
  const file = env[IMAP_CA_ENV];
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`${IMAP_CA_ENV}=${file}: cannot read: ${(e as Error).message}`);
  }
}

/** The terminal's side of the no-echo prompt (process.stdin / process.stderr by default). */
export interface PromptStreams {
  input: NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => unknown; isTTY?: boolean };
  output: { write(s: string): unknown };
}

/**
 * Read a line from the terminal without echoing it: raw mode, so the typed characters are never
 * written back; Backspace edits, Ctrl-C cancels, Enter ends.
 */
export function askHidden(question: string, streams: PromptStreams = { input: process.stdin, output: process.stderr }): Promise<string> {
  const { input, output } = streams;
  return new Promise((resolve, reject) => {
    output.write(question);
    let value = '';
    const done = (err?: Error) => {
      input.setRawMode?.(false);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.setRawMode?.(true);
    input.resume();
    input.on('data', onData);
  });
}

function secretStore(store: OpenStore, opts: { data?: string; region?: string }, env: NodeJS.ProcessEnv): SellerSecretStore {
  if (store.kind === 'table') {
    // The deployment's per-seller secret store (SSM `<prefix>seller/<id>/imap`; the prefix and key
    // from SENTINEL_SELLER_SECRETS_PREFIX / SENTINEL_SELLER_SECRETS_KEY_ID, as the functions read them).
    const client = new SSMClient(opts.region ? { region: opts.region } : {});
    explainAwsSetupErrors(client, 'or use the embedded store (--data DIR)');
    return new SsmSellerSecretStore({ client, ...readSellerSecretsConfig(env) });
  }
  return new FileSellerSecretStore(join(dataDir(opts, env), 'secrets'));
}

/** The seller's profile with its version, the admin store to change it, and the secret store. */
async function sellerForUpdate(store: OpenStore, sellerId: string, opts: { data?: string; region?: string }, env: NodeJS.ProcessEnv) {
  const admin = new DynamoDbSellerAdmin({ client: store.client, tableName: store.tableName });
  const profile = await admin.getProfile(sellerId);
  if (!profile) throw new UsageError(`unknown seller '${sellerId}'`);
  return { admin, profile, secrets: secretStore(store, opts, env) };
}

async function sellerMailbox(store: OpenStore, sellerId: string): Promise<MailboxSettings> {
  const seller = await store.repo.getSeller(sellerId);
  if (!seller) throw new UsageError(`unknown seller '${sellerId}'`);
  const settings = mailboxSettingsOf(seller as { mailbox?: unknown });
  if (!settings) throw new UsageError(`seller ${sellerId} has no mailbox: connect one with shipnow mailbox connect --seller ${sellerId} --imap imaps://USER@HOST`);
  return settings;
}

async function storedPassword(secrets: SellerSecretStore, sellerId: string, settings: MailboxSettings): Promise<string> {
  const s = (await secrets.getSellerSecret(sellerId, 'imap')) as Partial<ImapSecret> | undefined;
  if (typeof s?.password !== 'string' || !s.password) {
    throw new MailboxError(settings.host, 'no-credentials', `${settings.host}: no app password stored for seller ${sellerId}: run shipnow mailbox connect`);
  }
  return s.password;
}

async function open(c: MailboxConnection): Promise<MailboxSession> {
  return new ImapMailboxClient().open(c);
}

// ---- commands -----------------------------------------------------------------------------------

const nowOf = (v: string | undefined, opts: MailboxCommandOptions) => parseNowFlag(v) ?? (opts.now ?? (() => new Date()))().toISOString();

async function connect(args: string[], io: Io, opts: MailboxCommandOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const { values: v } = parseFlags('mailbox connect', args, {
    ...STORE_FLAGS,
    seller: { type: 'string' },
    imap: { type: 'string' },
    'imap-folder': { type: 'string', multiple: true },
    'trust-receiver': { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  if (!v.seller) throw new UsageError('mailbox connect needs --seller ID');
  if (!v.imap) throw new UsageError('mailbox connect needs --imap imaps://USER@HOST');
  const address = imapAddress(v.imap);
  const trustList = trustReceiversOf(v['trust-receiver']);
  const trust = trustList.length > 0 ? trustList : undefined;
  const store = await openStore(v, env);
  try {
    const { admin, profile, secrets } = await sellerForUpdate(store, v.seller, v, env);
    const password = await imapPassword(address.user, address.host, env, opts.prompt);
    const ca = imapCa(env);
    const session = await open({ ...address, password, ...(ca ? { ca } : {}) });
    let folders: string[];
    try {
      const listed = new Set((await session.listFolders()).map((f) => f.path));
      folders = v['imap-folder'] ?? ['INBOX'];
      const unknown = folders.filter((f) => !listed.has(f) && f.toUpperCase() !== 'INBOX');
      if (unknown.length > 0) throw new UsageError(`no folder ${unknown.map((f) => `'${f}'`).join(', ')} at ${address.host}; it has: ${[...listed].join(', ')}`);
    } finally {
      await session.close();
    }
    const settings: MailboxSettings = { ...address, ...(v['imap-folder'] ? { folders } : {}), ...(trust ? { trustReceivers: trust } : {}) };
    await secrets.putSellerSecret(v.seller, 'imap', { password, updatedAt: nowOf(undefined, opts) } satisfies ImapSecret);
    await admin.updateProfile(v.seller, profile.version, { mailbox: settings });
    const effective = trustFor(settings);
    if (v.json) io.out(JSON.stringify({ sellerId: v.seller, mailbox: settings, trustReceivers: effective }));
    else {
      io.out(`connected: ${address.user} at ${address.host}:${address.port} for seller ${v.seller} (folders: ${folders.join(', ')})`);
      io.out(effective.length > 0 ? `trusted receivers: ${effective.join(', ')}` : 'no trusted receiver for this provider yet: mail stays unverified until you add --trust-receiver (see docs/mailbox.md)');
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function test(args: string[], io: Io, opts: MailboxCommandOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const { values: v } = parseFlags('mailbox test', args, { ...STORE_FLAGS, seller: { type: 'string' }, imap: { type: 'string' }, json: { type: 'boolean', default: false } });
  if (!v.seller === !v.imap) throw new UsageError('mailbox test needs --seller ID or --imap imaps://USER@HOST (one of them)');
  let connection: MailboxConnection;
  const ca = imapCa(env);
  if (v.imap) {
    const address = imapAddress(v.imap);
    connection = { ...address, password: await imapPassword(address.user, address.host, env, opts.prompt), ...(ca ? { ca } : {}) };
  } else {
    const store = await openStore(v, env);
    try {
      const settings = await sellerMailbox(store, v.seller!);
      connection = { host: settings.host, port: settings.port, user: settings.user, password: await storedPassword(secretStore(store, v, env), v.seller!, settings), ...(ca ? { ca } : {}) };
    } finally {
      await store.close();
    }
  }
  const session = await open(connection);
  try {
    const caps = session.capabilities();
    const folders = (await session.listFolders()).map((f) => ({ path: f.path, role: folderRole(f), specialUse: f.specialUse ?? null }));
    const quota = await session.quota();
    const report = {
      host: connection.host,
      port: connection.port,
      user: connection.user,
      tls: true,
      login: true,
      specialUse: caps.includes('SPECIAL-USE'),
      quota: caps.includes('QUOTA') ? { usedBytes: quota?.usedBytes ?? null, limitBytes: quota?.limitBytes ?? null, percent: quotaPercent(quota) ?? null } : null,
      folders,
      junk: folders.filter((f) => f.role === 'junk').map((f) => f.path),
      trash: folders.filter((f) => f.role === 'trash').map((f) => f.path),
    };
    if (v.json) io.out(JSON.stringify(report));
    else {
      io.out(`${connection.user} at ${connection.host}:${connection.port}: TLS ok, login ok`);
      io.out(`  SPECIAL-USE: ${report.specialUse ? 'yes' : 'no (folders recognised by name)'}; QUOTA: ${report.quota ? `yes, ${report.quota.percent ?? '?'}% used` : 'no'}`);
      io.out(`  junk: ${report.junk.join(', ') || 'none found'}; trash: ${report.trash.join(', ') || 'none found'}`);
      io.out(`  folders: ${folders.map((f) => `${f.path}${f.role !== 'other' ? ` (${f.role})` : ''}`).join(', ')}`);
    }
    return EXIT.OK;
  } finally {
    await session.close();
  }
}

async function probe(args: string[], io: Io, opts: MailboxCommandOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const { values: v } = parseFlags('mailbox probe', args, {
    ...STORE_FLAGS,
    seller: { type: 'string' },
    order: { type: 'string', multiple: true },
    rescue: { type: 'boolean', default: false },
    now: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (!v.seller) throw new UsageError('mailbox probe needs --seller ID');
  for (const o of v.order ?? []) if (!/^\d{3}-\d{7}-\d{7}$/.test(o)) throw new UsageError(`--order '${o}' is not an order ID (3-7-7 digits, e.g. 112-4455667-1000001)`);
  const now = nowOf(v.now, opts);
  const store = await openStore(v, env);
  try {
    const settings = await sellerMailbox(store, v.seller);
    const seller = await store.repo.getSeller(v.seller);
    const password = await storedPassword(secretStore(store, v, env), v.seller, settings);
    const orderIds = v.order ?? (await store.repo.listOrders(v.seller)).filter((o) => o.status === 'missing').map((o) => o.orderId);
    const ca = imapCa(env);
    const session = await open({ host: settings.host, port: settings.port, user: settings.user, password, ...(ca ? { ca } : {}) });
    let outcome;
    try {
      outcome = await probeAndStore(session, new DynamoDbMailboxState({ client: store.client, tableName: store.tableName }), v.seller, {
        orderIds,
        now,
        trustReceivers: trustFor(settings),
        rescue: v.rescue === true,
      });
    } finally {
      await session.close();
    }
    if (v.json) io.out(JSON.stringify({ sellerId: v.seller, ...outcome }));
    else {
      if (orderIds.length === 0) io.out(`no missing order for seller ${v.seller}: nothing to look for (name one with --order)`);
      const lang = seller?.language ?? 'en';
      for (const f of outcome.findings) io.out(`${f.orderId}\t${f.diagnosis}\t${probeFindingText(f, lang)}`);
      io.out(`(searched ${outcome.folders.map((f) => f.path).join(', ')}${outcome.quotaPercent !== undefined ? `; mailbox ${outcome.quotaPercent}% full` : ''}${v.rescue ? '' : '; read-only'})`);
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function poll(args: string[], io: Io, opts: MailboxCommandOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const { values: v } = parseFlags('mailbox poll', args, { ...STORE_FLAGS, seller: { type: 'string' }, now: { type: 'string' }, json: { type: 'boolean', default: false } });
  if (!v.seller) throw new UsageError('mailbox poll needs --seller ID');
  const now = nowOf(v.now, opts);
  const store = await openStore(v, env);
  try {
    await sellerMailbox(store, v.seller);
    const ca = imapCa(env);
    const due = (await store.repo.listOrders(v.seller)).filter((o) => o.status === 'missing' || (o.alertAfter !== undefined && Date.parse(o.alertAfter) <= Date.parse(now) + 15 * 60_000));
    const r = await pollSellerMailbox(
      {
        client: new ImapMailboxClient(),
        state: new DynamoDbMailboxState({ client: store.client, tableName: store.tableName }),
        secrets: secretStore(store, v, env),
        repo: store.repo,
        ledger: store.ledger,
        outbox: store.outbox,
        ...(ca ? { ca } : {}),
      },
      v.seller,
      now,
      DEFAULT_POLICY,
      { probeOrders: due },
    );
    if (v.json) io.out(JSON.stringify(r.status === 'failed' ? { status: r.status, error: r.error.message, code: r.error.code, told: r.told } : r));
    else if (r.status === 'ok') {
      const accepted = r.intake.results.filter((x) => x.result.outcome === 'accepted').length;
      io.out(`mailbox read: ${r.intake.folders.map((f) => `${f.folder} ${f.searched} from Amazon since UID ${f.fromUid}${f.rescan ? ' (UIDVALIDITY changed: rescanned)' : ''}`).join('; ')}; ${accepted} accepted`);
      for (const f of r.probe?.findings ?? []) io.out(`${f.orderId}\t${f.diagnosis}`);
    } else if (r.status === 'failed') io.err(`shipnow: ${r.error.message}${r.told ? ' (the seller was told through their alert channels)' : ''}`);
    else io.out(`skipped: ${r.status === 'skipped' ? `${r.reason}${r.until ? ` until ${r.until}` : ''}` : 'no mailbox connected'}`);
    return r.status === 'ok' ? EXIT.OK : EXIT.FAILED;
  } finally {
    await store.close();
  }
}

async function disconnect(args: string[], io: Io, opts: MailboxCommandOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const { values: v } = parseFlags('mailbox disconnect', args, { ...STORE_FLAGS, seller: { type: 'string' } });
  if (!v.seller) throw new UsageError('mailbox disconnect needs --seller ID');
  const store = await openStore(v, env);
  try {
    const { admin, profile, secrets } = await sellerForUpdate(store, v.seller, v, env);
    if (profile.seller.mailbox !== undefined) await admin.updateProfile(v.seller, profile.version, {}, ['mailbox']);
    await secrets.deleteSellerSecret(v.seller, 'imap');
    io.out(`disconnected: seller ${v.seller} has no mailbox and no stored IMAP password now; revoke the app password at your provider too`);
    return EXIT.OK;
  } finally {
    await store.close();
  }
}
