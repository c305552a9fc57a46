/**
 * `shipnow mail quarantine [--json]`          the quarantined messages: ID, reason, S3 key, when
 * `shipnow mail rejected [--json]`            the rejection log and the count per reason
 * `shipnow mail replay MESSAGE_ID [--seller ID]`  process one message again (quarantined or not);
 *                                             on AWS also --table, --bucket, --inbound-domain
 *                                             (and the region), see `shipnow mail replay --help`
 * `shipnow mail backfill-unmatched [--seller ID] [--dry-run] [--json]`  the one-off upgrade step
 *                                             that puts unmatched notifications stored before the
 *                                             unknown-order sweep into its due index (CHANGELOG)
 * `shipnow mail receive FILE... [--seller ID]`    (embedded store) take raw emails in through the
 *                                             same intake as SES: the file is stored in the data
 *                                             folder standing in for the S3 bucket
 * plus the store flags (./store.ts) and `--inbound-domain D`, `--max-bytes N`.
 *
 * Output is one JSON object per line (or a readable table without `--json` for the lists).
 * Exit: 0 done; 1 the replayed/received message was quarantined or rejected; 2 bad input.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENV } from '../../constants';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../domain/inbound';
import { DEFAULT_POLICY } from '../../domain/types';
import { backfillUnmatchedNotifications } from '../../services/backfill-unmatched';
import { replayMessage, type IntakeDeps, type IntakeResult } from '../../services/intake';
import { contentId } from '../mail-folder';
import { intakeStoredMessage } from '../folder-intake';
import { helpTopic, parseFlags, printHelp, wantsHelp } from '../help';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { inboundDomainOf, requireInboundDomain } from '../inbound-domain';
import { openStore, type OpenStore, STORE_FLAGS, type StoreOptions } from './store';

export interface MailCommandOptions {
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
  /** stdout is a terminal: `quarantine` prints a header line and the replay hint (default: process.stdout.isTTY). */
  tty?: boolean;
}

export async function mailCommand(args: string[], io: Io, opts: MailCommandOptions = {}): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'help' || wantsHelp(args)) return printHelp(helpTopic('mail', sub === 'help' ? rest : args), io);
    switch (sub) {
      case 'quarantine':
        return await listQuarantine(rest, io, opts);
      case 'rejected':
        return await listRejected(rest, io, opts);
      case 'replay':
        return await replay(rest, io, opts);
      case 'receive':
        return await receive(rest, io, opts);
      case 'backfill-unmatched':
        return await backfillUnmatched(rest, io, opts);
      default:
        throw new UsageError(`${sub ? `unknown mail command '${sub}'` : 'mail needs a command'}: quarantine, rejected, replay, receive, backfill-unmatched (see: shipnow mail --help)`);
    }
  } catch (err) {
    return exitOnBadInput(err, io);
  }
}

const INTAKE_FLAGS = {
  'inbound-domain': { type: 'string' },
  'max-bytes': { type: 'string' },
  seller: { type: 'string' },
} as const;


async function listQuarantine(args: string[], io: Io, opts: MailCommandOptions): Promise<number> {
  const { values, positionals } = parseFlags('mail quarantine', args, { json: { type: 'boolean', default: false }, ...STORE_FLAGS });
  noPositionals(positionals);
  const store = await openStore(values, opts.env ?? process.env);
  try {
    const items = (await store.ledger.listQuarantine()).sort((a, b) => a.quarantinedAt.localeCompare(b.quarantinedAt));
    if (values.json) {
      for (const q of items) io.out(JSON.stringify(q));
      return EXIT.OK;
    }
    if (items.length === 0) {
      io.out(`no quarantined messages (${store.describe})`);
      return EXIT.OK;
    }
    // The tab-separated rows are read by scripts: header and hint on stdout only for a human at a terminal.
    const tty = opts.tty ?? process.stdout.isTTY === true;
    if (tty) io.out('MESSAGE_ID\tREASON\tLOCATION\tQUARANTINED_AT\tDETAIL');
    for (const q of items) io.out(`${q.messageId}\t${q.reason}\t${q.location}\t${q.quarantinedAt}${q.detail ? `\t${q.detail}` : ''}`);
    const env = opts.env ?? process.env;
    const awsNeeds = values.table
      ? `${values.bucket || env[ENV.MAIL_BUCKET] ? '' : ' --bucket BUCKET'}${env[ENV.INBOUND_DOMAIN] ? '' : ' --inbound-domain DOMAIN'}`
      : '';
    const hint = `replay one with: shipnow mail replay MESSAGE_ID${storeFlagsOf(values)}${awsNeeds}`;
    if (tty) io.out(hint);
    else io.err(`shipnow: ${hint}`);
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function listRejected(args: string[], io: Io, opts: MailCommandOptions): Promise<number> {
  const { values, positionals } = parseFlags('mail rejected', args, { json: { type: 'boolean', default: false }, ...STORE_FLAGS });
  noPositionals(positionals);
  const store = await openStore(values, opts.env ?? process.env);
  try {
    const items = (await store.ledger.listRejections()).sort((a, b) => a.rejectedAt.localeCompare(b.rejectedAt));
    const counts = await store.ledger.rejectionCounts();
    if (values.json) {
      io.out(JSON.stringify({ counts, rejected: items }));
      return EXIT.OK;
    }
    for (const [reason, n] of Object.entries(counts).sort()) io.out(`${reason}\t${n}`);
    for (const r of items) io.out(`${r.messageId}\t${r.reason}\t${r.location}\t${r.rejectedAt}${r.sellerId ? `\t${r.sellerId}` : ''}`);
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

async function replay(args: string[], io: Io, opts: MailCommandOptions): Promise<number> {
  const { values, positionals } = parseFlags('mail replay', args, { ...INTAKE_FLAGS, ...STORE_FLAGS }, { positionals: true });
  if (positionals.length !== 1) throw new UsageError('mail replay needs exactly one MESSAGE_ID');
  const [messageId] = positionals;
  const env = opts.env ?? process.env;
  if (values.table) {
    // Checked before anything is read: without the deployed domain a good mail would be rejected
    // `no-inbound-recipient` and leave the quarantine.
    const missing: string[] = [];
    if (!values.bucket && !env[ENV.MAIL_BUCKET]) missing.push(`--bucket B (or ${ENV.MAIL_BUCKET})`);
    if (!values.seller) {
      try {
        requireInboundDomain(values, values['inbound-domain'], env, 'mail replay');
      } catch {
        missing.push(`--inbound-domain D (or ${ENV.INBOUND_DOMAIN})`);
      }
    }
    if (missing.length > 0) {
      throw new UsageError(`mail replay on table ${values.table} needs ${missing.join(' and ')}; see: shipnow mail replay --help`);
    }
  }
  const store = await openStore(values, env);
  try {
    const deps = intakeDeps(store, values, env);
    const now = (opts.now ?? (() => new Date()))().toISOString();
    // Where the raw mail is and whether it was in quarantine, to say so if the replay fails again.
    const before = (await store.ledger.getQuarantine(messageId)) ?? (await store.ledger.getMessage(messageId));
    const result = await replayMessage(deps, messageId, now, values.seller ? { sellerId: values.seller } : {});
    if (!result || !before) {
      io.err(`shipnow: no message '${messageId}' in quarantine or in the intake log (${store.describe})`);
      return EXIT.BAD_INPUT;
    }
    const location = before.location;
    const wasQuarantined = 'quarantinedAt' in before;
    io.out(JSON.stringify({ ...resultLine(result), location }));
    if (result.outcome === 'rejected' || result.outcome === 'quarantined') {
      // Never leave the message silently: say where it is now and that its raw mail is still there.
      const where = store.mailDir ? `the file ${join(store.mailDir, location)}` : `S3 key ${location}${values.bucket ?? env[ENV.MAIL_BUCKET] ? ` in bucket ${values.bucket ?? env[ENV.MAIL_BUCKET]}` : ''}`;
      const state = result.outcome === 'rejected'
        ? `now rejected (${result.reason})${wasQuarantined ? ', no longer listed by `shipnow mail quarantine` but by `shipnow mail rejected`' : ''}`
        : `still quarantined (${result.reason})`;
      io.err(`shipnow: ${messageId}: ${state}; the raw mail is still at ${where}: fix the cause and replay it again with: shipnow mail replay ${messageId}${storeFlagsOf(values)}`);
    }
    return exitFor(result);
  } finally {
    await store.close();
  }
}

async function receive(args: string[], io: Io, opts: MailCommandOptions): Promise<number> {
  // The embedded store only: of the store flags just --data (on AWS, SES stores the mail).
  const flags = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (flags.some((a) => a === '--table' || a.startsWith('--table='))) throw new UsageError('mail receive works on the embedded store only (on AWS, SES stores the mail)');
  const { values, positionals } = parseFlags('mail receive', args, { ...INTAKE_FLAGS, data: STORE_FLAGS.data }, { positionals: true });
  if (positionals.length === 0) throw new UsageError('mail receive needs at least one FILE');
  const env = opts.env ?? process.env;
  const store = await openStore(values, env);
  try {
    if (!store.mailDir) throw new UsageError('mail receive needs the embedded store');
    const deps = intakeDeps(store, values, env);
    let code: number = EXIT.OK;
    for (const file of positionals) {
      let raw: Buffer;
      try {
        raw = await readFile(file);
      } catch (e) {
        io.err(`shipnow: ${file}: cannot read: ${(e as Error).message}`);
        code = EXIT.BAD_INPUT;
        continue;
      }
      // Like SES: the message is stored under its ID first, then taken in from the store.
      const messageId = contentId(raw);
      await mkdir(store.mailDir, { recursive: true });
      await copyFile(file, join(store.mailDir, messageId));
      const at = (opts.now ?? (() => new Date()))();
      const result = await intakeStoredMessage(deps, messageId, raw.length, at, values.seller);
      io.out(JSON.stringify({ file, ...resultLine(result) }));
      if (code === EXIT.OK) code = exitFor(result);
    }
    return code;
  } finally {
    await store.close();
  }
}

function intakeDeps(store: OpenStore, values: { 'inbound-domain'?: string; 'max-bytes'?: string; table?: string }, env: NodeJS.ProcessEnv): IntakeDeps {
  if (!store.mailStore) {
    throw new UsageError(`raw mail is in S3: name the bucket with --bucket or ${ENV.MAIL_BUCKET}`);
  }
  const maxRaw = values['max-bytes'] ?? env[ENV.MAX_MESSAGE_BYTES];
  if (maxRaw !== undefined && !/^\d+$/.test(maxRaw)) throw new UsageError(`--max-bytes must be a whole number of bytes (got '${maxRaw}')`);
  return {
    repo: store.repo,
    ledger: store.ledger,
    mailStore: store.mailStore,
    config: {
      inboundDomain: inboundDomainOf(values['inbound-domain'], env),
      maxMessageBytes: maxRaw === undefined ? DEFAULT_MAX_MESSAGE_BYTES : Number(maxRaw),
      ...(env[ENV.TRUSTED_AUTHSERV_ID] ? { trustedAuthservId: env[ENV.TRUSTED_AUTHSERV_ID] } : {}),
      // Mail in the bucket came through SES, which always adds its verdicts; saved local files may not.
      requireVerdicts: Boolean(values.table),
      policy: DEFAULT_POLICY,
    },
  };
}

/** One line per message: IDs, outcome and reason only (no subject, body or names). */
function resultLine(r: IntakeResult): Record<string, unknown> {
  switch (r.outcome) {
    case 'accepted':
      return { messageId: r.messageId, outcome: r.outcome, sellerId: r.sellerId, marketplace: r.marketplace, orderIds: r.orderIds, matched: r.matched };
    case 'duplicate':
      return { messageId: r.messageId, outcome: r.outcome, previous: r.previous ?? null };
    case 'rejected':
      return { messageId: r.messageId, outcome: r.outcome, reason: r.reason, sellerId: r.sellerId ?? null };
    case 'quarantined':
      return { messageId: r.messageId, outcome: r.outcome, reason: r.reason, detail: r.detail ?? null };
  }
}

function exitFor(r: IntakeResult): number {
  return r.outcome === 'accepted' || r.outcome === 'duplicate' ? EXIT.OK : EXIT.FAILED;
}

/** The store flags given, to repeat in a suggested command (`--table T --bucket B ...`). */
function storeFlagsOf(values: StoreOptions & { 'inbound-domain'?: string }): string {
  const parts: string[] = [];
  if (values.data) parts.push(`--data ${values.data}`);
  if (values.table) parts.push(`--table ${values.table}`);
  if (values.endpoint) parts.push(`--endpoint ${values.endpoint}`);
  if (values.region) parts.push(`--region ${values.region}`);
  if (values.bucket) parts.push(`--bucket ${values.bucket}`);
  if (values['inbound-domain']) parts.push(`--inbound-domain ${values['inbound-domain']}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

function noPositionals(p: string[]): void {
  if (p.length > 0) throw new UsageError(`unexpected argument '${p[0]}'`);
}

async function backfillUnmatched(args: string[], io: Io, opts: MailCommandOptions): Promise<number> {
  const { values } = parseFlags('mail backfill-unmatched', args, {
    seller: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    ...STORE_FLAGS,
  });
  const store = await openStore(values, opts.env ?? process.env);
  try {
    if (values.seller && !(await store.repo.getSeller(values.seller))) throw new UsageError(`no seller '${values.seller}' in ${store.describe}`);
    const dryRun = values['dry-run'];
    const r = await backfillUnmatchedNotifications(store.repo, { ...(values.seller ? { sellerId: values.seller } : {}), dryRun });
    if (values.json) io.out(JSON.stringify({ ...r, dryRun }));
    else {
      io.out(
        `${r.sellers} seller(s), ${r.notifications} notification(s): ${r.scheduled} unmatched ${dryRun ? 'would be scheduled' : 'scheduled'} for the unknown-order check, ${r.matched} already matched (${store.describe})`,
      );
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}
