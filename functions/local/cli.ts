/**
 * The `shipnow` command line. Its output formats and exit codes are a contract that users'
 * scripts rely on (see README "Command line"): extend, never rename.
 *
 * Exit codes: 0 success; 1 `check` found a missing notification; 2 bad input or usage;
 * 70 an internal error (a bug or a broken environment, never the user's input).
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { toUtcIso } from '../domain/deadlines';
import { InputError } from '../domain/errors';
import { DEFAULT_POLICY, type OrderPolicy } from '../domain/types';
import { understandEmail } from '../services/understand-email';
import { alertsCommand } from './commands/alerts';
import { mailCommand } from './commands/mail';
import { ordersCommand } from './commands/orders';
import { sellerCommand } from './commands/seller';
import { statusCommand } from './commands/status';
import { exitOnBadInput, UsageError } from './commands/store';
import { deliverToLocalSes, renderAlerts } from './alerts-preview';
import { renderCheck } from './format';
import { runCheck, type CheckOutcome } from './run-check';

export const EXIT = { OK: 0, MISSING: 1, BAD_INPUT: 2, INTERNAL: 70 } as const;

/** Where `npm start` reads its example data, and the fixed time it reconciles at. */
export const DEMO = {
  // Shown relative to where the user stands when that is shorter, e.g. `examples/mail/x.eml`.
  dir: shortPath(join(__dirname, '..', '..', 'examples')),
  now: '2026-11-28T12:00:00.000Z',
};

const USAGE = `usage:
  shipnow parse FILE...
      One JSON line per email file: {"file","soldShipNow","orderIds","marketplace","language","authentic","reason"}.
  shipnow check --orders PATH [--orders PATH]... --mail DIR [--now ISO-8601] [--grace MINUTES] [--json]
      Reconcile orders (Unshipped Orders report, SP-API searchOrders/getOrders JSON) against the
      Sold, Ship Now emails in DIR on the embedded store. Exit 0: none missing, 1: some missing, 2: bad input.
  shipnow demo
      Run check on the bundled examples at ${DEMO.now} (what \`npm start\` does).
  shipnow seller add --id ID --name NAME --marketplaces US,DE,... [--alert-email A] [--language zh-CN|en] [--timezone TZ] [--inbound-domain D]
  shipnow seller add --from FILE [--json] [--inbound-domain D]
      Many sellers from CSV or JSON (columns: the flags of seller add); every bad row reported, nothing written until all are good.
  shipnow seller list [--json]
      Sellers and their unguessable inbound addresses (printed with the Seller Central steps in English and Chinese).
      With --table, --inbound-domain D (or SENTINEL_INBOUND_DOMAIN) is required: the deployed inbound domain.
  shipnow seller update --id ID [--name N] [--marketplaces M] [--alert-email A] [--language L] [--timezone TZ] [--clear FIELD]...
      Only the given fields change; alert settings too: --quiet-hours 23:00-07:30, --alert-languages, --ship-by-reminders, ...
  shipnow seller remove --id ID [--yes] [--dry-run]
      Says what happens to the seller's data, then asks on a terminal (--yes: do not ask; required without a terminal).
  shipnow seller channels set|list|remove|test --seller ID ...
      Alert channels (email, sns, slack, dingtalk, wecom, feishu, webhook): set with checks, list masked, test through the real channel.
  shipnow mail quarantine [--json] | mail rejected [--json] | mail replay MESSAGE_ID [--seller ID] | mail receive FILE... [--seller ID]
      Inbound mail that could not be processed, and replaying it (more: shipnow mail --help). On AWS, as an alarm says:
      shipnow mail replay MESSAGE_ID --table TABLE --bucket BUCKET --inbound-domain DOMAIN [--region R]
      (or SENTINEL_MAIL_BUCKET, SENTINEL_INBOUND_DOMAIN, AWS_REGION).
  shipnow orders sync --seller ID [--api 2026-01-01|v0] [--time-limit SECONDS] [--json] [--secrets-prefix P] [--sp-api-url URL] [--lwa-url URL]
  shipnow orders import FILE --seller ID [--marketplace CODE] [--json]
      Orders from the Selling Partner API or an Unshipped Orders report into the store.
      Exit 0: synced or imported; 1: the sync did not complete (broken, throttled, paused); 2: bad input.
  shipnow status [--seller ID] [--json] [--now ISO-8601] [--stale-after MINUTES] [--grace MINUTES]
      Per seller and marketplace: last order sync, last email, orders awaiting / missing, alerts in 24 h, likely cause.
      Exit 0: all well; 1: something needs attention; 2: bad input.
  shipnow alerts channels --seller ID [--clear all|CHANNEL_ID]... [--json]
      The seller's broken alert channels; --clear makes the next run try them again.
  Store flags for seller, mail, orders, status and alerts: --data DIR (embedded store, default .data/) | --table NAME [--endpoint URL] [--region R] [--bucket B]
`;

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
        return await demoCommand(io);
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
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return EXIT.OK;
      default:
        io.err(command ? `shipnow: unknown command '${command}'` : 'shipnow: no command given');
        io.err(USAGE);
        return EXIT.BAD_INPUT;
    }
  } catch (err) {
    return exitOnBadInput(err, io);
  }
}

async function parseCommand(args: string[], io: Out): Promise<number> {
  if (args.length === 0) throw new UsageError('parse needs at least one FILE');
  let code: number = EXIT.OK;
  for (const file of args) {
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (e) {
      code = EXIT.BAD_INPUT;
      const reason = `cannot read: ${(e as Error).message}`;
      io.err(`shipnow: ${file}: ${reason}`);
      io.out(JSON.stringify(parseLine(file, { soldShipNow: false, orderIds: [], marketplace: null, language: null, authentic: null, reason })));
      continue;
    }
    io.out(JSON.stringify(parseLine(file, await understandEmail(raw))));
  }
  return code;
}

function parseLine(
  file: string,
  u: { soldShipNow: boolean; orderIds: string[]; marketplace: string | null; language: string | null; authentic: boolean | null; reason: string | null },
) {
  return {
    file,
    soldShipNow: u.soldShipNow,
    orderIds: u.orderIds,
    marketplace: u.marketplace,
    language: u.language,
    authentic: u.authentic,
    reason: u.reason,
  };
}

async function checkCommand(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgsOrUsage(args, {
    orders: { type: 'string', multiple: true },
    mail: { type: 'string' },
    now: { type: 'string' },
    grace: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const orders = values.orders ?? [];
  if (orders.length === 0) throw new UsageError('check needs --orders PATH (one or more)');
  if (!values.mail) throw new UsageError('check needs --mail DIR');
  const now = parseNow(values.now);
  const policy = parseGrace(values.grace);
  await assertDirectory(values.mail);

  const outcome = await runCheck({ orders, mailDir: values.mail, now, policy });
  io.out(values.json ? JSON.stringify(checkJson(outcome), null, 2) : renderCheck(outcome, policy.graceMinutes));
  return outcome.report.summary.missing > 0 ? EXIT.MISSING : EXIT.OK;
}

async function demoCommand(io: Out): Promise<number> {
  const outcome = await runCheck({
    orders: [join(DEMO.dir, 'orders')],
    mailDir: join(DEMO.dir, 'mail'),
    now: DEMO.now,
    policy: DEFAULT_POLICY,
    sellerId: 'demo-seller',
  });
  io.out(renderCheck(outcome, DEFAULT_POLICY.graceMinutes));
  io.out('');
  io.out(renderAlerts(outcome));
  // Optional: deliver the alert emails to a local SES (aws-ses-v2-local), see docs/alerting.md.
  const localSes = process.env.SHIPNOW_LOCAL_SES;
  if (localSes) {
    const sent = await deliverToLocalSes(outcome, { endpoint: localSes });
    io.out(`(delivered ${sent} alert email(s) to the local SES at ${localSes}; see ${localSes}/store)`);
  }
  io.out('');
  io.out(`(example data from ${DEMO.dir}, reconciled at the fixed time ${DEMO.now}; try: npx shipnow check --help)`);
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
      shipBy: o.shipBy,
      autoCancelAt: o.autoCancelAt,
    })),
    unmatchedNotifications: report.unmatchedNotifications.map((n) => ({ orderId: n.orderId, file: n.location })),
    rejectedMail,
    summary: report.summary,
  };
}

type ArgOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parseArgsOrUsage<O extends ArgOptions>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // Node's message can run over several lines; the contract is one line for bad input.
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}

function parseNow(value: string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  // ISO-8601 with a date and, if a time is given, an explicit zone: a bare local time would
  // silently depend on the machine's time zone. Impossible dates (2026-02-30) are refused rather
  // than rolled over into the next month.
  const iso = toUtcIso(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!iso) throw new UsageError(`--now must be an ISO-8601 time with a zone, e.g. 2026-11-28T12:00:00Z (got '${value}')`);
  return iso;
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
