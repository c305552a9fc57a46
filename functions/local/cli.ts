/**
 * The `shipnow` command line. Its output formats and exit codes are a contract that users'
 * scripts rely on (see README "Command line"): extend, never rename.
 *
 * Exit codes: 0 success; 1 `check` found a missing notification; 2 bad input or usage;
 * 70 an internal error (a bug or a broken environment, never the user's input).
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { InputError } from '../domain/errors';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../domain/inbound';
import type { AlertLanguage } from '../domain/alert-model';
import { DEFAULT_POLICY, type OrderPolicy } from '../domain/types';
import { understandEmail, type EmailUnderstanding } from '../services/understand-email';
import { alertsCommand } from './commands/alerts';
import { reportCommand } from './commands/report';
import { mailCommand } from './commands/mail';
import { ordersCommand } from './commands/orders';
import { sellerCommand } from './commands/seller';
import { statusCommand } from './commands/status';
import { serveCommand } from './commands/serve';
import { exitOnBadInput, UsageError } from './cli-io';
import { deliverToLocalSes, renderAlerts } from './alerts-preview';
import { demoMailboxProbe } from './demo-mailbox';
import { isTimeZone } from '../domain/seller-input';
import { renderCheck, tableLanguage } from './format';
import { HELP, helpTopic, packageVersion, parseFlags, parseNowFlag, printHelp, renderOverview, wantsHelp } from './help';
import { checkProgressBar } from './progress';
import { TRUST_OPTIONS, trustReceiversOf } from './trust-flags';
import { runCheck, type CheckOptions, type CheckOutcome } from './run-check';
import { imapAddress, imapCa, imapPassword, mailboxCommand } from './commands/mailbox';
import { defaultTrustReceivers } from '../domain/mailbox-probe';
import { MailboxError } from '../domain/errors';

export const EXIT = { OK: 0, MISSING: 1, BAD_INPUT: 2, INTERNAL: 70 } as const;

/** Where `npm start` reads its example data, and the fixed time it reconciles at. */
export const DEMO = {
  // Shown relative to where the user stands when that is shorter, e.g. `examples/mail/x.eml`.
  dir: shortPath(join(__dirname, '..', '..', 'examples')),
  now: '2026-11-28T12:00:00.000Z',
};

type Out = { out: (s: string) => void; err: (s: string) => void };
const STDIO: Out = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };

export async function main(argv: string[], io: Out = STDIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'parse':
        return await parseCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      case 'seller':
        return await sellerCommand(rest, io);
      case 'mail':
        return await mailCommand(rest, io);
      case 'orders':
        return await ordersCommand(rest, io);
      case 'status':
        return await statusCommand(rest, io);
      case 'alerts':
        return await alertsCommand(rest, io);
      case 'mailbox':
        return await mailboxCommand(rest, io);
      case 'serve':
        return await serveCommand(rest, io);
      case 'report':
        return await reportCommand(rest, io);
      case 'help':
      case '--help':
      case '-h':
        // `shipnow help check` is `shipnow check --help`.
        if (command !== 'help' || rest.length === 0) return printHelp('', io);
        if (!HELP[rest[0]]) throw new UsageError(`no command '${rest[0]}' (see: shipnow --help)`);
        return printHelp(helpTopic(rest[0], rest.slice(1)), io);
      case 'version':
      case '--version':
      case '-V':
        io.out(packageVersion());
        return EXIT.OK;
      default:
        io.err(command ? `shipnow: unknown command '${command}'` : 'shipnow: no command given');
        io.err(renderOverview());
        return EXIT.BAD_INPUT;
    }
  } catch (err) {
    // issue 14: a mailbox that cannot be read (login, TLS, timeout) names its host: bad input of
    // the run (exit 2), never a crash and never "no order missing".
    if (err instanceof MailboxError) {
      io.err(`shipnow: ${err.message}`);
      return EXIT.BAD_INPUT;
    }
    return exitOnBadInput(err, io);
  }
}

async function parseCommand(args: string[], io: Out): Promise<number> {
  if (wantsHelp(args)) return printHelp('parse', io);
  const { values, positionals: files } = parseFlags('parse', args, TRUST_OPTIONS, { positionals: true });
  if (files.length === 0) throw new UsageError('parse needs at least one FILE (see: shipnow parse --help)');
  const opts = { trustReceivers: trustReceiversOf(values['trust-receiver']), acceptUnverified: values['accept-unverified'] === true };
  let code: number = EXIT.OK;
  for (const file of files) {
    let raw: Buffer;
    try {
      // The same size limit as check and the SES intake: an oversized file is not read.
      const size = (await stat(file)).size;
      if (size > DEFAULT_MAX_MESSAGE_BYTES) {
        io.out(JSON.stringify(parseLine(file, { ...UNREAD, reason: 'oversized' })));
        continue;
      }
      raw = await readFile(file);
    } catch (e) {
      code = EXIT.BAD_INPUT;
      const reason = `cannot read: ${(e as Error).message}`;
      io.err(`shipnow: ${file}: ${reason}`);
      io.out(JSON.stringify(parseLine(file, { ...UNREAD, reason })));
      continue;
    }
    io.out(JSON.stringify(parseLine(file, await understandEmail(raw, opts))));
  }
  return code;
}

const UNREAD = { soldShipNow: false, orderIds: [], marketplace: null, language: null, authentic: null, shipBy: null, verified: null };

function parseLine(
  file: string,
  u: Pick<EmailUnderstanding, 'soldShipNow' | 'orderIds' | 'marketplace' | 'language' | 'authentic' | 'reason' | 'shipBy' | 'verified'>,
) {
  return {
    file,
    soldShipNow: u.soldShipNow,
    orderIds: u.orderIds,
    marketplace: u.marketplace,
    language: u.language,
    authentic: u.authentic,
    reason: u.reason,
    shipBy: u.shipBy,
    verified: u.verified,
  };
}

async function checkCommand(args: string[], io: Out, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (wantsHelp(args)) return printHelp('check', io);
  const { values } = parseFlags('check', args, {
    orders: { type: 'string', multiple: true },
    mail: { type: 'string' },
    now: { type: 'string' },
    grace: { type: 'string' },
    json: { type: 'boolean', default: false },
    lang: { type: 'string' },
    tz: { type: 'string' },
    ...TRUST_OPTIONS,
    imap: { type: 'string' },
    'imap-folder': { type: 'string', multiple: true },
  });
  const orders = values.orders ?? [];
  if (orders.length === 0) throw new UsageError('check needs --orders PATH (one or more)');
  if (!values.mail && !values.imap) throw new UsageError('check needs --mail DIR or --imap imaps://USER@HOST (or both)');
  if (values['imap-folder'] && !values.imap) throw new UsageError('--imap-folder needs --imap imaps://USER@HOST');
  const now = parseNowFlag(values.now) ?? new Date().toISOString();
  const policy = parseGrace(values.grace);
  const display = parseDisplay(values.lang, values.tz, env);
  if (values.mail) await assertDirectory(values.mail);

  const trustReceivers = trustReceiversOf(values['trust-receiver']);
  // issue 14: the seller's mailbox over IMAP, read-only; the password from the environment or a prompt.
  let imap: CheckOptions['imap'];
  if (values.imap) {
    const address = imapAddress(values.imap);
    const ca = imapCa(env);
    const password = await imapPassword(address.user, address.host, env);
    imap = { connection: { ...address, password, ...(ca ? { ca } : {}) }, folders: values['imap-folder'] ?? ['INBOX'] };
    // The provider's verdicts count for its own mail when no receiver is named.
    if (trustReceivers.length === 0) trustReceivers.push(...defaultTrustReceivers(address.host));
  }
  const acceptUnverified = values['accept-unverified'] === true;
  // On stderr and only on a terminal, so neither the table nor --json on stdout ever contains it.
  const bar = checkProgressBar(process.stderr);
  let outcome: CheckOutcome;
  try {
    outcome = await runCheck({ orders, ...(values.mail ? { mailDir: values.mail } : {}), ...(imap ? { imap } : {}), now, policy, trustReceivers, acceptUnverified, ...(bar ? { onProgress: bar.update } : {}) });
  } finally {
    bar?.stop();
  }
  io.out(values.json ? JSON.stringify(checkJson(outcome), null, 2) : renderCheck(outcome, policy.graceMinutes, display));
  const unverified = outcome.report.orders.filter((o) => o.verified === false).length;
  if (acceptUnverified && unverified > 0) {
    io.err(
      `shipnow: warning: --accept-unverified: ${unverified} order(s) marked notified by mail that no receiver verified; ` +
        'anyone can write such a file, so check them in Seller Central',
    );
  }
  return outcome.report.summary.missing > 0 ? EXIT.MISSING : EXIT.OK;
}

async function demoCommand(args: string[], io: Out): Promise<number> {
  if (wantsHelp(args)) return printHelp('demo', io);
  const { values } = parseFlags('demo', args, { lang: { type: 'string' }, tz: { type: 'string' } });
  const display = parseDisplay(values.lang, values.tz, process.env);
  const outcome = await runCheck({
    orders: [join(DEMO.dir, 'orders')],
    mailDir: join(DEMO.dir, 'mail'),
    now: DEMO.now,
    policy: DEFAULT_POLICY,
    sellerId: 'demo-seller',
  });
  io.out(renderCheck(outcome, DEFAULT_POLICY.graceMinutes, display));
  io.out('');
  // issue 14: where the missing orders' emails are in a (local, throwaway) mailbox; added to the alerts.
  const probe = await demoMailboxProbe(outcome, DEMO.dir, display.lang);
  if (probe.length > 0) {
    for (const line of probe) io.out(line);
    io.out('');
  }
  io.out(renderAlerts(outcome));
  // Optional: deliver the alert emails to a local SES (aws-ses-v2-local), see docs/alerting.md.
  const localSes = process.env.SHIPNOW_LOCAL_SES;
  if (localSes) {
    const sent = await deliverToLocalSes(outcome, { endpoint: localSes });
    io.out(`(delivered ${sent} alert email(s) to the local SES at ${localSes}; see ${localSes}/store)`);
  }
  io.out('');
  io.out(`(example data from ${DEMO.dir}, reconciled at the fixed time ${DEMO.now}; try: npx shipnow check --help)`);
  io.out("(the seller's pages: npx shipnow serve, then open http://127.0.0.1:8080/authorize; see: npx shipnow serve --help)");
  return EXIT.OK;
}

/** The `check --json` document (contract). */
export function checkJson(outcome: CheckOutcome) {
  const { report, rejectedMail } = outcome;
  return {
    now: report.now,
    orders: report.orders.map((o) => ({
      orderId: o.orderId,
      status: o.status,
      marketplace: o.marketplace,
      expectedBy: o.expectedBy,
      notifiedAt: o.notifiedAt,
      verified: o.verified,
      shipBy: o.shipBy,
      autoCancelAt: o.autoCancelAt,
    })),
    unmatchedNotifications: report.unmatchedNotifications.map((n) => ({ orderId: n.orderId, file: n.location, reason: n.reason })),
    rejectedMail,
    summary: report.summary,
  };
}


/** `--lang` (else the locale) and `--tz` for the table. */
function parseDisplay(lang: string | undefined, tz: string | undefined, env: NodeJS.ProcessEnv): { lang: AlertLanguage; timeZone?: string } {
  if (lang !== undefined && lang !== 'zh-CN' && lang !== 'en') throw new UsageError(`--lang must be zh-CN or en (got '${lang}')`);
  if (tz !== undefined && !isTimeZone(tz)) throw new UsageError(`--tz '${tz}' is not an IANA time zone (e.g. Asia/Shanghai, America/Los_Angeles, UTC)`);
  // check runs on a fresh embedded store without a seller profile: the locale decides.
  return { lang: tableLanguage(lang, undefined, env), ...(tz ? { timeZone: tz } : {}) };
}

/** The longest grace period accepted: past 30 days Amazon has cancelled the order anyway. */
const MAX_GRACE_MINUTES = 30 * 24 * 60;

function parseGrace(value: string | undefined): OrderPolicy {
  if (value === undefined) return { ...DEFAULT_POLICY };
  if (!/^\d+$/.test(value) || Number(value) > MAX_GRACE_MINUTES) {
    throw new UsageError(`--grace must be a whole number of minutes from 0 to ${MAX_GRACE_MINUTES} (got '${value}')`);
  }
  return { ...DEFAULT_POLICY, graceMinutes: Number(value) };
}

async function assertDirectory(dir: string): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(dir, 'is not a directory (--mail needs a folder of .eml files)');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(dir, `cannot read mail folder: ${(e as Error).message}`);
  }
}

function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}
