/**
 * `--help` for every command, `--version`, and the flag parser every command uses, so that help
 * and flag errors say the same thing everywhere.
 *
 * One record per command and subcommand in HELP (usage, what it does, flags, exit codes, an
 * example). A command answers help before it parses anything:
 *
 *     if (wantsHelp(args)) return printHelp(helpTopic('seller', args), io);   // a command group
 *     if (wantsHelp(args)) return printHelp('seller update', io);              // one command
 *
 * and parses its flags with `parseFlags('seller update', args, OPTIONS)`, which turns Node's
 * parseArgs errors into one line saying what is accepted (the command's flags, with a hint for a
 * typo, and where to read more). A new command adds its record here; `shipnow help` lists it.
 * parseFlags also keeps the options each topic was parsed with (parsedFlags), so a test can
 * compare what every command really accepts with what its record documents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { toUtcIso } from '../domain/deadlines';
import { type Io, UsageError } from './cli-io';

export interface FlagHelp {
  /** As typed, with its value's name: `--grace MINUTES`. */
  flag: string;
  text: string;
}

export interface HelpRecord {
  /** Usage lines, each starting with `shipnow`. */
  usage: string[];
  /** What the command does, one or more lines. */
  summary: string[];
  flags?: FlagHelp[];
  /** Takes the store flags (--data | --table ...). */
  store?: boolean;
  /** A command group: its subcommands (keys of HELP). */
  subcommands?: string[];
  /** Exit statuses besides 70 (internal error), which every command has. */
  exit: Array<[number, string]>;
  examples: string[];
  notes?: string[];
}

const STORE_FLAG_HELP: FlagHelp[] = [
  { flag: '--data DIR', text: 'the embedded store in DIR (default .data/, or SHIPNOW_DATA_DIR)' },
  { flag: '--table NAME', text: 'a deployed DynamoDB table instead; AWS credentials and region from the usual environment (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION)' },
  { flag: '--endpoint URL', text: 'with --table: a DynamoDB-compatible server (e.g. DynamoDB Local)' },
  { flag: '--region R', text: 'with --table: the AWS region (else AWS_REGION / the profile)' },
  { flag: '--bucket B', text: 'with --table: the raw-mail bucket (else SENTINEL_MAIL_BUCKET)' },
];

const TRUST_FLAGS: FlagHelp[] = [
  {
    flag: '--trust-receiver AUTHSERV-ID',
    text: "trust this receiver's Authentication-Results too (repeatable), e.g. mx.google.com for mail exported from Gmail",
  },
  { flag: '--accept-unverified', text: 'let mail with no trusted verdict count, marked as unverified in the output' },
];

const CHANNEL_TYPES = 'email|sns|slack|dingtalk|wecom|feishu|webhook';

export const HELP: Record<string, HelpRecord> = {
  parse: {
    usage: ['shipnow parse FILE... [--trust-receiver AUTHSERV-ID]... [--accept-unverified]'],
    summary: [
      'One JSON line per email file: {"file","soldShipNow","orderIds","marketplace","language","authentic","reason","shipBy","verified"}.',
      'A file named like a flag goes after --: shipnow parse -- --odd-name.eml',
    ],
    flags: TRUST_FLAGS,
    exit: [
      [0, 'every file was read (whatever it contained)'],
      [2, 'a file cannot be read, no FILE given, or bad flags'],
    ],
    examples: ['shipnow parse examples/mail/*.eml'],
  },
  check: {
    usage: [
      'shipnow check --orders PATH [--orders PATH]... --mail DIR [--now ISO-8601] [--grace MINUTES] [--json] [--lang zh-CN|en] [--tz ZONE] [--trust-receiver AUTHSERV-ID]... [--accept-unverified]',
      'shipnow check --orders PATH [--orders PATH]... --imap imaps://USER@HOST [--imap-folder NAME]... [--mail DIR] [flags as above]',
    ],
    summary: [
      'Reconcile orders (an Unshipped Orders report, a saved SP-API searchOrders/getOrders response, or a',
      'folder of them) against the Sold, Ship Now emails in DIR, on the embedded store. Without --json:',
      'a table of every order, missing ones first, the most urgent (earliest ship-by or auto-cancel) on top.',
    ],
    flags: [
      { flag: '--orders PATH', text: 'orders file or folder (repeatable, at least one)' },
      { flag: '--mail DIR', text: 'folder of raw emails (.eml, any name)' },
      { flag: '--now ISO-8601', text: 'reconcile as of this time, with a zone: 2026-11-28T12:00:00Z or 2026-11-28T20:00+08:00 (default: now)' },
      { flag: '--grace MINUTES', text: 'how long after payment an email may take before it counts as missing, 0 to 43200 (default 60)' },
      { flag: '--json', text: 'one JSON document (the contract in the README) instead of the table' },
      { flag: '--lang zh-CN|en', text: 'language of the table (default: zh-CN when LC_ALL / LC_MESSAGES / LANG starts with zh, else en)' },
      { flag: '--tz ZONE', text: "also show times in this IANA zone (the seller's), beside each marketplace's own, e.g. Asia/Shanghai" },
      ...TRUST_FLAGS,
      {
        flag: '--imap URL',
        text: "also read the Sold, Ship Now emails from this mailbox over IMAP/TLS, read-only: imaps://USER@HOST[:PORT]; the password from SHIPNOW_IMAP_PASSWORD or a prompt, never a flag",
      },
      { flag: '--imap-folder NAME', text: 'with --imap: the folders to read (repeatable; default INBOX)' },
    ],
    exit: [
      [0, 'no order is missing its email'],
      [1, 'at least one order is missing its email'],
      [2, 'bad input: an unreadable or unrecognised orders file, a malformed row, bad flags, a mailbox that cannot be read (login, TLS, timeout: the host is named)'],
    ],
    examples: ['shipnow check --orders examples/orders --mail examples/mail --now 2026-11-28T12:00:00Z --lang zh-CN --tz Asia/Shanghai'],
    notes: [
      'On a terminal, a progress bar is drawn on stderr for long runs.',
      'From a mailbox: SHIPNOW_IMAP_PASSWORD=app-password shipnow check --orders unshipped.txt --imap imaps://shop%40gmail.com@imap.gmail.com',
      'With --imap and no --trust-receiver, the provider\'s own receiver is trusted where it is known (imap.gmail.com: mx.google.com); see docs/mailbox.md.',
      'SHIPNOW_IMAP_CA_FILE=PEM trusts a private or test server\'s certificate.',
    ],
  },
  demo: {
    usage: ['shipnow demo [--lang zh-CN|en] [--tz ZONE]'],
    summary: [
      'Run check on the bundled examples at the fixed time 2026-11-28T12:00:00Z and show the alerts it',
      'would send (what `npm start` does). With SHIPNOW_LOCAL_SES=URL the alert emails also go to a local SES.',
    ],
    flags: [
      { flag: '--lang zh-CN|en', text: 'language of the table, as for check' },
      { flag: '--tz ZONE', text: "also show times in this IANA zone, as for check" },
    ],
    exit: [
      [0, 'done (whatever the examples contain)'],
      [2, 'bad flags'],
    ],
    examples: ['npm start', 'SHIPNOW_LOCAL_SES=http://localhost:8005 shipnow demo'],
  },

  seller: {
    usage: ['shipnow seller COMMAND [flags]'],
    summary: ['Sellers: their profile, their unguessable inbound address, their alert channels and settings.'],
    subcommands: ['seller add', 'seller list', 'seller update', 'seller remove', 'seller channels'],
    exit: [
      [0, 'done'],
      [1, 'seller remove: cancelled at the question; seller channels test: a channel failed'],
      [2, 'bad input'],
    ],
    examples: ['shipnow seller add --id A1B2C3 --name "Shenzhen Demo Trading" --marketplaces US,DE --language zh-CN --timezone Asia/Shanghai'],
  },
  'seller add': {
    usage: [
      'shipnow seller add --id ID --name NAME --marketplaces US,DE,... [--alert-email A]... [--language zh-CN|en] [--timezone TZ] [--alias ALIAS] [--inbound-domain D] [store flags]',
      'shipnow seller add --from FILE [--json] [--inbound-domain D] [store flags]',
    ],
    summary: [
      "Create a seller with a new unguessable inbound address, and print the steps to add it to Seller",
      "Central's Notification Preferences (English and Chinese).",
      'With --from, many sellers from a CSV file (a header row; # starts a comment line) or a JSON array;',
      'the columns / fields are the profile flags: id, name, marketplaces, alert-email, language, timezone.',
      'Every row is checked first (the rules of seller add, the other rows, the sellers stored); if any is',
      'bad, every bad row is reported as FILE:LINE: problem and nothing is written. A seller stored exactly',
      'as its row says is left unchanged, so the same file can be run again after an interrupted run.',
    ],
    flags: [
      { flag: '--id ID', text: "the seller's ID (letters, digits, '.', '_', '-'; at most 64)" },
      { flag: '--name NAME', text: 'display name' },
      { flag: '--marketplaces LIST', text: 'marketplace codes, comma-separated: US, CA, MX, UK, DE, FR, IT, ES, NL, JP, AU, ...' },
      { flag: '--alert-email A', text: 'where alert emails go (repeatable, or comma-separated)' },
      { flag: '--language zh-CN|en', text: 'language of alerts (default both, Chinese first)' },
      { flag: '--timezone TZ', text: "the seller's IANA time zone, e.g. Asia/Shanghai" },
      { flag: '--alias ALIAS', text: "keep an address the seller already uses instead of a new one (lower-case letters, digits, '.', '_', '-'; no '+'; at most 64)" },
      { flag: '--from FILE', text: 'many sellers from a CSV or JSON file (- for standard input); not with the profile flags above' },
      { flag: '--json', text: 'with --from: the results as a JSON array of {"line","sellerId","status","address"} (status created|unchanged|exists)' },
      { flag: '--inbound-domain D', text: 'the deployed inbound domain (required with --table; or SENTINEL_INBOUND_DOMAIN)' },
    ],
    store: true,
    exit: [
      [0, 'created (with --from: every row created or already there unchanged)'],
      [
        2,
        'bad input: a bad ID, unknown marketplace or bad time zone, a seller that already exists, --table without the inbound domain; with --from: a bad row (nothing written) or a seller created by someone else meanwhile (left as it is)',
      ],
    ],
    examples: [
      'shipnow seller add --id A1B2C3 --name "Shenzhen Demo Trading" --marketplaces US,DE --language zh-CN --timezone Asia/Shanghai',
      'shipnow seller add --from sellers.csv --json',
    ],
  },
  'seller list': {
    usage: ['shipnow seller list [--json] [--inbound-domain D] [store flags]'],
    summary: ['Every seller with its marketplaces and inbound address (tab-separated; a header line on a terminal).'],
    flags: [
      { flag: '--json', text: 'a JSON array instead (with language, time zone, alert emails, created)' },
      { flag: '--inbound-domain D', text: 'the deployed inbound domain (required with --table; or SENTINEL_INBOUND_DOMAIN)' },
    ],
    store: true,
    exit: [
      [0, 'listed'],
      [2, 'bad input: --table without the inbound domain'],
    ],
    examples: ['shipnow seller list --json'],
  },
  'seller update': {
    usage: [
      'shipnow seller update --id ID [--name NAME] [--marketplaces US,DE,...] [--alert-email A]... [--language zh-CN|en] [--timezone TZ] [alert settings] [--clear FIELD]... [--json] [store flags]',
    ],
    summary: [
      "Change a seller's profile and alert settings: only the flags given change, in one conditional write",
      "on the profile's version (a change someone else made meanwhile, another field or a channel, is kept).",
      'The inbound address never changes. Each alert setting is checked with the schema the alert sender reads.',
    ],
    flags: [
      { flag: '--id ID', text: 'the seller to change' },
      { flag: '--name NAME', text: 'display name' },
      { flag: '--marketplaces LIST', text: 'marketplace codes, comma-separated (replaces the list)' },
      { flag: '--alert-email A', text: 'where alert emails go (repeatable, or comma-separated; replaces the list)' },
      { flag: '--language zh-CN|en', text: 'language of alerts' },
      { flag: '--timezone TZ', text: "the seller's IANA time zone" },
      { flag: '--quiet-hours START-END', text: "alert setting: quiet hours in the seller's time zone, e.g. 23:00-07:30 (default none)" },
      { flag: '--alert-languages L,L', text: 'alert setting: the languages of alerts in the order shown, zh-CN and/or en (default zh-CN,en)' },
      { flag: '--ship-by-reminders H,H', text: 'alert setting: reminders this many hours before ship-by (default 24,12,4)' },
      { flag: '--auto-cancel-reminders D,D', text: 'alert setting: reminders this many days before auto-cancel (default 7,3,1)' },
      { flag: '--digest-threshold N', text: 'alert setting: more alerts than this in one sender run go out as one digest, from 1 (default 3)' },
      { flag: '--channel-down-after N', text: 'alert setting: a channel-down alert after this many expected orders in a row without their email, from 2 (default 3)' },
      { flag: '--unknown-order-hours H', text: 'alert setting: an email for an order no source knows is alerted after this many hours (default 6)' },
      { flag: '--broken-channel-retry-hours H', text: 'alert setting: an alert channel marked broken is tried again this many hours after its last failure (default 6)' },
      {
        flag: '--clear FIELD',
        text: 'back to the default (repeatable): alert-email, language, timezone or an alert setting (quiet-hours, alert-languages, ...); not with that flag',
      },
      { flag: '--json', text: 'the result as JSON: {"sellerId","changed","seller"}' },
      { flag: '--inbound-domain D', text: "with --json and --table: the deployed inbound domain, for the seller's address (or SENTINEL_INBOUND_DOMAIN; else address is null)" },
    ],
    store: true,
    exit: [
      [0, 'updated (or nothing to change)'],
      [2, 'bad input: unknown seller, nothing to change given, a bad value, --clear F with --F, alert settings the sender would refuse'],
    ],
    examples: ['shipnow seller update --id A1B2C3 --timezone Asia/Hong_Kong --quiet-hours 23:00-07:30 --clear language'],
  },
  'seller remove': {
    usage: ['shipnow seller remove --id ID [--yes] [--dry-run] [--inbound-domain D] [--secrets-prefix PREFIX] [store flags]'],
    summary: [
      'Remove a seller. First says what happens to each kind of data: deleted at once (profile, inbound address,',
      'orders, notifications, unsent alerts, sync state), what expires by itself (intake records, raw mail in S3)',
      'and what stays until you remove it (the SP-API secret, the address in Seller Central). On a terminal it',
      'then asks for the seller ID. Running it again finishes an interrupted removal.',
    ],
    flags: [
      { flag: '--id ID', text: 'the seller to remove' },
      { flag: '--yes', text: 'do not ask (required when stdin is not a terminal)' },
      { flag: '--dry-run', text: 'only say what would happen; remove nothing' },
      { flag: '--inbound-domain D', text: 'with --table: the deployed inbound domain, to name the address that stops working (or SENTINEL_INBOUND_DOMAIN)' },
      { flag: '--secrets-prefix PREFIX', text: 'the name prefix of the SP-API secrets, to name the one to delete (default shipnow-sentinel/sp-api/)' },
    ],
    store: true,
    exit: [
      [0, 'removed (or --dry-run)'],
      [1, 'cancelled at the question: nothing was removed'],
      [2, 'bad input: unknown seller, a bad ID, no terminal and neither --yes nor --dry-run (nothing was removed)'],
    ],
    examples: ['shipnow seller remove --id A1B2C3 --dry-run'],
  },
  'seller channels': {
    usage: ['shipnow seller channels set|list|remove|test --seller ID [flags]'],
    summary: [
      "A seller's alert channels (DingTalk, WeCom, Feishu/Lark, Slack, webhooks, email, SNS), in order of",
      "preference: a broken one falls through to the next. Kept on the profile as alerting.channels.",
    ],
    subcommands: ['seller channels set', 'seller channels list', 'seller channels remove', 'seller channels test'],
    exit: [
      [0, 'done'],
      [1, 'test: a channel failed'],
      [2, 'bad input'],
    ],
    examples: ['shipnow seller channels list --seller A1B2C3'],
  },
  'seller channels set': {
    usage: [
      `shipnow seller channels set --seller ID --type ${CHANNEL_TYPES} [--channel CHANNEL_ID] [--url URL] [--secret SECRET] [--to A]... [--topic-arn ARN] [--position N] [--allow-any-url] [--json] [store flags]`,
    ],
    summary: [
      'Add a channel, or change the one with the same ID (fields not given are kept when the type stays).',
      'Checked before it is saved: the stored schema (what applies to the type) and the URL shape of each bot.',
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: `--type ${CHANNEL_TYPES}`, text: 'the kind of channel' },
      { flag: '--channel CHANNEL_ID', text: "the channel's ID, e.g. dingtalk-ops (default: the type)" },
      { flag: '--url URL', text: 'the bot or webhook URL (slack, dingtalk, wecom, feishu, webhook)' },
      { flag: '--secret SECRET', text: "the signing secret (dingtalk, feishu), if the bot has one; --secret '' removes it" },
      { flag: '--to A', text: 'email addresses (email; repeatable, or comma-separated)' },
      { flag: '--topic-arn ARN', text: "the SNS topic (sns; default: the stack's alert topic)" },
      { flag: '--position N', text: 'its place in the order, 1 = first choice (default: where it was, else last)' },
      { flag: '--allow-any-url', text: 'accept a URL of another shape (a proxy, a private deployment)' },
      { flag: '--json', text: 'the saved channel (masked) as JSON: {"sellerId","channel","replaced"}' },
    ],
    store: true,
    exit: [
      [0, 'saved'],
      [2, 'bad input: unknown seller, no or unknown --type, a field that does not apply or is missing, a URL of the wrong shape'],
    ],
    examples: ['shipnow seller channels set --seller A1B2C3 --type dingtalk --channel dingtalk-ops --url "https://oapi.dingtalk.com/robot/send?access_token=YOUR_ACCESS_TOKEN" --secret SECyourSigningSecret'],
  },
  'seller channels list': {
    usage: ['shipnow seller channels list --seller ID [--json] [store flags]'],
    summary: [
      'The channels as the alert sender uses them, in order: tokens and secrets masked, and whether each is',
      "marked broken. The profile's alert emails are the alert-emails channel when no email channel is set.",
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--json', text: 'JSON instead of tab-separated lines' },
    ],
    store: true,
    exit: [
      [0, 'listed'],
      [2, 'bad input: unknown seller, stored alert settings the sender would refuse'],
    ],
    examples: ['shipnow seller channels list --seller A1B2C3 --json'],
  },
  'seller channels remove': {
    usage: ['shipnow seller channels remove --seller ID --channel CHANNEL_ID [store flags]'],
    summary: ["Remove one channel. The alert-emails channel is the profile's alert emails: clear them with seller update --clear alert-email."],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--channel CHANNEL_ID', text: 'the channel to remove (see seller channels list)' },
    ],
    store: true,
    exit: [
      [0, 'removed'],
      [2, 'bad input: unknown seller or channel'],
    ],
    examples: ['shipnow seller channels remove --seller A1B2C3 --channel dingtalk-ops'],
  },
  'seller channels test': {
    usage: ['shipnow seller channels test --seller ID [--channel CHANNEL_ID] [--from ADDRESS] [--ses-endpoint URL] [--topic-arn ARN] [--json] [store flags]'],
    summary: [
      "Send a test message in the seller's languages through each channel (or one), with the adapter the alert",
      'sender uses, and say per channel ok or failed with the reason. A channel that works is no longer marked broken.',
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--channel CHANNEL_ID', text: 'only this channel' },
      { flag: '--from ADDRESS', text: 'email: the verified SES sender (or SENTINEL_ALERT_FROM_ADDRESS)' },
      { flag: '--ses-endpoint URL', text: 'email: another SES endpoint, e.g. a local aws-ses-v2-local (or SHIPNOW_LOCAL_SES)' },
      { flag: '--topic-arn ARN', text: "sns without a topic of its own: the stack's alert topic (or SENTINEL_ALERT_TOPIC_ARN)" },
      { flag: '--json', text: 'the results as JSON: {"sellerId","results"}' },
    ],
    store: true,
    exit: [
      [0, 'every channel tested took the message'],
      [1, 'a channel failed (the reason is printed)'],
      [2, 'bad input: unknown seller or channel, no channel to test'],
    ],
    examples: ['shipnow seller channels test --seller A1B2C3 --channel dingtalk-ops'],
  },

  mail: {
    usage: ['shipnow mail COMMAND [flags]'],
    summary: ['Inbound mail that could not be processed, and replaying it.'],
    subcommands: ['mail quarantine', 'mail rejected', 'mail replay', 'mail receive', 'mail backfill-unmatched'],
    exit: [
      [0, 'done'],
      [1, 'the replayed or received message was quarantined or rejected'],
      [2, 'bad input'],
    ],
    examples: ['shipnow mail quarantine --table sentinel-prod --region us-east-1'],
  },
  'mail quarantine': {
    usage: ['shipnow mail quarantine [--json] [store flags]'],
    summary: ['Inbound mail that could not be processed: message ID, reason, S3 key (or file), when.'],
    flags: [{ flag: '--json', text: 'one JSON object per line' }],
    store: true,
    exit: [
      [0, 'listed'],
      [2, 'bad input'],
    ],
    examples: ['shipnow mail quarantine --table sentinel-prod --region us-east-1'],
  },
  'mail rejected': {
    usage: ['shipnow mail rejected [--json] [store flags]'],
    summary: ['The rejection log (forged, not from Amazon, not a Sold, Ship Now email, ...) and the count per reason.'],
    flags: [{ flag: '--json', text: 'one JSON object per line' }],
    store: true,
    exit: [
      [0, 'listed'],
      [2, 'bad input'],
    ],
    examples: ['shipnow mail rejected --json'],
  },
  'mail replay': {
    usage: [
      'shipnow mail replay MESSAGE_ID [--seller ID] [--inbound-domain D] [--max-bytes N] [store flags]',
      'shipnow mail replay MESSAGE_ID --table TABLE --bucket BUCKET --inbound-domain DOMAIN [--region R]',
    ],
    summary: [
      'Process one message again (quarantined or not); its raw mail stays where it is. On AWS (the',
      'command an alarm prints) name the table, the mail bucket, the inbound domain and the region, or set',
      'SENTINEL_MAIL_BUCKET, SENTINEL_INBOUND_DOMAIN and AWS_REGION; AWS credentials as usual.',
    ],
    flags: [
      { flag: '--seller ID', text: 'route to this seller whatever the recipient (then the inbound domain is not needed)' },
      { flag: '--inbound-domain D', text: 'the deployed inbound domain (or SENTINEL_INBOUND_DOMAIN)' },
      { flag: '--max-bytes N', text: 'largest message accepted, in bytes (default 10 MiB, or SENTINEL_MAX_MESSAGE_BYTES)' },
    ],
    store: true,
    exit: [
      [0, 'the message was taken in'],
      [1, 'it was quarantined or rejected again (the reason is printed)'],
      [2, 'bad input: unknown message, missing --bucket / --inbound-domain on AWS'],
    ],
    examples: ['shipnow mail replay 0100018c2f7a9b1e-example --table sentinel-prod --bucket sentinel-prod-mail --inbound-domain in.example.com --region us-east-1'],
  },
  'mail receive': {
    usage: ['shipnow mail receive FILE... [--seller ID] [--inbound-domain D] [--max-bytes N] [--data DIR]'],
    summary: ['(embedded store) Take raw emails in through the same intake as SES: each file is stored in the data folder standing in for the S3 bucket.'],
    flags: [
      { flag: '--seller ID', text: 'route to this seller whatever the recipient' },
      { flag: '--inbound-domain D', text: 'the inbound domain the recipients are checked against' },
      { flag: '--max-bytes N', text: 'largest message accepted, in bytes (default 10 MiB, or SENTINEL_MAX_MESSAGE_BYTES)' },
      { flag: '--data DIR', text: 'the embedded store (default .data/, or SHIPNOW_DATA_DIR); --table is refused: on AWS, SES stores the mail' },
    ],
    exit: [
      [0, 'every message was taken in (or was a duplicate)'],
      [1, 'a message was quarantined or rejected'],
      [2, 'bad input: a file cannot be read (the others are still taken in), no FILE, --table'],
    ],
    examples: ['shipnow mail receive examples/mail/us-sold-ship-now.eml --seller A1B2C3'],
  },
  'mail backfill-unmatched': {
    usage: ['shipnow mail backfill-unmatched [--seller ID] [--dry-run] [--json] [store flags]'],
    summary: [
      'One-off upgrade step (see CHANGELOG.md): put every unmatched notification stored before the',
      'unknown-order sweep existed into its due index, so the reconciler checks it. Safe to run again.',
    ],
    flags: [
      { flag: '--seller ID', text: 'only this seller (default: every seller)' },
      { flag: '--dry-run', text: 'count only, change nothing' },
      { flag: '--json', text: 'the counts as JSON' },
    ],
    store: true,
    exit: [
      [0, 'done'],
      [2, 'bad input: unknown seller'],
    ],
    examples: ['shipnow mail backfill-unmatched --table sentinel-prod --region us-east-1 --dry-run', 'shipnow mail backfill-unmatched --seller A1B2C3 --json'],
  },

  orders: {
    usage: ['shipnow orders COMMAND [flags]'],
    summary: ['Orders from the Selling Partner API or an Unshipped Orders report into the store.'],
    subcommands: ['orders sync', 'orders import'],
    exit: [
      [0, 'synced or imported'],
      [1, 'the sync did not complete'],
      [2, 'bad input'],
    ],
    examples: ['shipnow orders import unshipped.txt --seller A1B2C3'],
  },
  'orders sync': {
    usage: ['shipnow orders sync --seller ID [--api 2026-01-01|v0] [--time-limit SECONDS] [--json] [--secrets-prefix PREFIX] [--sp-api-url URL] [--lwa-url URL] [store flags]'],
    summary: [
      "Sync one seller's orders from the Selling Partner API now, exactly as the scheduled worker does",
      '(same lease, cursor and rate limits, so the two never overlap).',
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--api 2026-01-01|v0', text: 'Orders API version (default: the seller\'s setting, else 2026-01-01 searchOrders)' },
      { flag: '--time-limit SECONDS', text: 'stop after this long, at least 30 (default 600); the next run resumes' },
      { flag: '--json', text: 'the result as JSON' },
      { flag: '--secrets-prefix PREFIX', text: 'read the LWA app from Secrets Manager and the seller\'s token from SSM /shipnow-sentinel/seller/ID/sp-api (SENTINEL_SELLER_SECRETS_PREFIX; else its old Secrets Manager secret); else SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET, SHIPNOW_SP_API_REFRESH_TOKEN' },
      { flag: '--sp-api-url URL', text: 'another SP-API endpoint (a sandbox, a local test server)' },
      { flag: '--lwa-url URL', text: 'another Login with Amazon token URL' },
    ],
    store: true,
    exit: [
      [0, 'synced'],
      [1, 'the sync did not complete (broken, throttled, paused, another sync of the seller running: see the output)'],
      [2, 'bad input: flags, unknown seller, no credentials, order sync switched off for the seller (or no marketplace to sync)'],
    ],
    examples: ['shipnow orders sync --seller A1B2C3 --secrets-prefix shipnow-sentinel/sp-api/ --table sentinel-prod'],
  },
  'orders import': {
    usage: ['shipnow orders import FILE --seller ID [--marketplace CODE] [--json] [store flags]'],
    summary: ['Import an Unshipped Orders report or a saved SP-API response (or a folder of them); a progress bar on a terminal for large files.'],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--marketplace CODE', text: "for a report without a sales-channel column: its marketplace (default: the seller's only one)" },
      { flag: '--json', text: 'the counts as JSON' },
    ],
    store: true,
    exit: [
      [0, 'imported'],
      [2, 'bad input: unreadable or malformed file, unknown seller'],
    ],
    examples: ['shipnow orders import unshipped.txt --seller A1B2C3 --marketplace US'],
  },

  serve: {
    usage: ['shipnow serve [--port N] [--host H] [--public-origin URL] [--inbound-domain D] [--data DIR] [--lwa-url URL] [--seller-central-url URL] [--draft-app]'],
    summary: [
      "The seller's pages on the embedded store (the same handler as the Lambda Function URL): authorize",
      'with Amazon, setup (inbound address, Seller Central steps, live check), status, acknowledge / snooze.',
      'Prints its URL, the authorize link and each seller\'s setup and status links; emails dropped into',
      '<data>/inbox/ are taken in as SES mail would be. Login with Amazon: SHIPNOW_LWA_CLIENT_ID,',
      'SHIPNOW_LWA_CLIENT_SECRET, SHIPNOW_SP_API_APP_ID. Runs until Ctrl-C.',
    ],
    flags: [
      { flag: '--port N', text: 'port to listen on, 0 for any free one (default 8080)' },
      { flag: '--host H', text: 'address to listen on (default 127.0.0.1: this machine only)' },
      { flag: '--public-origin URL', text: 'the address sellers reach the pages at (the redirect URI registered with the app); default: the request\'s' },
      { flag: '--inbound-domain D', text: 'domain of the sellers\' inbound addresses (default SENTINEL_INBOUND_DOMAIN, else a placeholder)' },
      { flag: '--data DIR', text: 'the embedded store\'s folder (default .data/ or SHIPNOW_DATA_DIR)' },
      { flag: '--lwa-url URL', text: 'Login with Amazon token endpoint (default https://api.amazon.com/auth/o2/token; tests: a local fake)' },
      { flag: '--seller-central-url URL', text: 'stands in for every Seller Central in the consent redirect (tests: a local fake)' },
      { flag: '--draft-app', text: 'the app is in draft: add version=beta to the consent redirect' },
    ],
    exit: [
      [0, 'stopped (Ctrl-C)'],
      [2, 'bad flags'],
    ],
    examples: ['shipnow serve --port 8080 --inbound-domain in.example.com'],
  },

  status: {
    usage: ['shipnow status [--seller ID] [--json] [--now ISO-8601] [--stale-after MINUTES] [--grace MINUTES] [store flags]'],
    summary: [
      'Per seller and marketplace: last order sync, last email received, orders awaiting / missing,',
      'alerts sent in the last 24 h, and the likely cause when something is wrong.',
    ],
    flags: [
      { flag: '--seller ID', text: 'only this seller' },
      { flag: '--json', text: 'the report as JSON' },
      { flag: '--now ISO-8601', text: 'as of this time, with a zone, e.g. 2026-11-28T12:00:00Z (default: now)' },
      { flag: '--stale-after MINUTES', text: 'no order received (sync or import) for this long is stale, 0 or more (default 45)' },
      { flag: '--grace MINUTES', text: 'as for check, 0 or more (default 60)' },
    ],
    store: true,
    exit: [
      [0, 'all well'],
      [1, 'something needs attention (see the output)'],
      [2, 'bad input: unknown seller, a bad --now, --grace or --stale-after'],
    ],
    examples: ['shipnow status --table sentinel-prod --region us-east-1 --seller A1B2C3'],
  },

  alerts: {
    usage: ['shipnow alerts COMMAND [flags]'],
    summary: ['Alert delivery.'],
    subcommands: ['alerts channels', 'alerts ack'],
    exit: [
      [0, 'done'],
      [2, 'bad input'],
    ],
    examples: ['shipnow alerts channels --seller A1B2C3 --clear all', 'shipnow alerts ack --seller A1B2C3 --order 028-4455667-1000003 --snooze 4h'],
  },
  'alerts ack': {
    usage: ['shipnow alerts ack --seller ID --order ID [--snooze DURATION] [--json] [store flags]'],
    summary: [
      "The seller's answer to an alert, as its \"handled\" / \"snooze 4 h\" links give it: handled stops every",
      'further alert and reminder about the order; --snooze pauses them until it ends. Never marks the order notified or shipped.',
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--order ID', text: 'the order' },
      { flag: '--snooze DURATION', text: 'snooze instead of handled: 30m, 4h, 1h30m, 2d (at most 7d)' },
      { flag: '--json', text: 'the stored answer as JSON' },
    ],
    store: true,
    exit: [
      [0, 'applied'],
      [2, 'bad input: unknown seller or order, a bad --snooze'],
    ],
    examples: ['shipnow alerts ack --seller A1B2C3 --order 028-4455667-1000003', 'shipnow alerts ack --seller A1B2C3 --order 028-4455667-1000003 --snooze 4h'],
  },
  'alerts channels': {
    usage: ['shipnow alerts channels --seller ID [--clear all|CHANNEL_ID]... [--json] [store flags]'],
    summary: ["The seller's broken alert channels; --clear makes the next sender run try them again (once the seller fixed them)."],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--clear all|CHANNEL_ID', text: 'clear every broken channel, or one (repeatable)' },
      { flag: '--json', text: 'the result as JSON' },
    ],
    store: true,
    exit: [
      [0, 'no broken channel is left'],
      [1, 'some are still broken'],
      [2, 'bad input: unknown seller'],
    ],
    examples: ['shipnow alerts channels --seller A1B2C3 --clear all'],
  },

  // ---- issue 14: the seller's mailbox over IMAP (docs/mailbox.md) ----
  mailbox: {
    usage: ['shipnow mailbox COMMAND [flags]'],
    summary: [
      "The seller's own mailbox over IMAP (TLS): take Sold, Ship Now emails in without DNS or SES, and find",
      'where a missing one went (inbox, junk, trash, nowhere, mailbox full). Read-only unless --rescue.',
      'The app password / authorization code comes from SHIPNOW_IMAP_PASSWORD or a prompt, never a flag.',
    ],
    subcommands: ['mailbox connect', 'mailbox test', 'mailbox probe', 'mailbox poll', 'mailbox disconnect'],
    exit: [
      [0, 'done'],
      [1, 'the mailbox could not be read (login, TLS, timeout: the host is named)'],
      [2, 'bad input'],
    ],
    examples: ['shipnow mailbox probe --seller A1B2C3'],
  },
  'mailbox connect': {
    usage: ['shipnow mailbox connect --seller ID --imap imaps://USER@HOST[:PORT] [--imap-folder NAME]... [--trust-receiver AUTHSERV-ID]... [--json] [store flags]'],
    summary: [
      "Log in once (TLS), then keep the settings on the seller's profile (mailbox) and the password as the",
      "seller's imap secret (locally <data>/secrets/<seller>/imap.json, mode 0600). Run it again with a new password after a login failure.",
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--imap URL', text: 'imaps://USER@HOST[:PORT] (port 993 by default; an @ in USER may stay or be written %40)' },
      { flag: '--imap-folder NAME', text: 'folders the intake reads (repeatable; default INBOX); junk and trash are for the probe only' },
      { flag: '--trust-receiver AUTHSERV-ID', text: "the provider's authserv-id whose Authentication-Results count (repeatable; default by host: imap.gmail.com mx.google.com, imap.qq.com mx.qq.com)" },
      { flag: '--json', text: 'the result as JSON: {"sellerId","mailbox","trustReceivers"}' },
    ],
    store: true,
    exit: [
      [0, 'connected and saved'],
      [1, 'the login failed (nothing saved): wrong password, TLS, timeout'],
      [2, 'bad input: unknown seller, a bad address, a folder the mailbox does not have, no password'],
    ],
    examples: ['SHIPNOW_IMAP_PASSWORD=abcdefghijklmnop shipnow mailbox connect --seller A1B2C3 --imap imaps://shop%40gmail.com@imap.gmail.com'],
  },
  'mailbox test': {
    usage: ['shipnow mailbox test (--seller ID | --imap imaps://USER@HOST[:PORT]) [--json] [store flags]'],
    summary: ['Check a connection: TLS, login, CAPABILITY (SPECIAL-USE, QUOTA), the folders found with their roles (junk, trash, ...), the quota.'],
    flags: [
      { flag: '--seller ID', text: "the seller's connected mailbox (its stored password)" },
      { flag: '--imap URL', text: 'or any mailbox, the password from SHIPNOW_IMAP_PASSWORD or a prompt' },
      { flag: '--json', text: 'the result as JSON' },
    ],
    store: true,
    exit: [
      [0, 'the mailbox can be read'],
      [1, 'it cannot (the reason names the host)'],
      [2, 'bad input'],
    ],
    examples: ['shipnow mailbox test --seller A1B2C3 --json'],
  },
  'mailbox probe': {
    usage: ['shipnow mailbox probe --seller ID [--order ORDER-ID]... [--rescue] [--now ISO-8601] [--json] [store flags]'],
    summary: [
      "For each missing order (or each --order): search the seller's inbox, junk/spam, trash and own folders on the",
      'server for the Sold, Ship Now email, read QUOTA, and say: in-inbox, filtered (junk or a rule), deleted,',
      'mailbox-full (>= 95 %) or not-delivered. Kept for the alerts and shipnow status. Read-only (EXAMINE, BODY.PEEK).',
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller (with a connected mailbox)' },
      { flag: '--order ORDER-ID', text: "look for this order (repeatable; default: the seller's missing orders)" },
      { flag: '--rescue', text: 'opt-in: move each email found in junk, trash or another folder back to the inbox' },
      { flag: '--now ISO-8601', text: 'as of this time (the search window is the 31 days before it; default: now)' },
      { flag: '--json', text: 'the findings as JSON' },
    ],
    store: true,
    exit: [
      [0, 'probed'],
      [1, 'the mailbox could not be read (the reason names the host)'],
      [2, 'bad input: unknown seller, no mailbox connected, a bad order ID'],
    ],
    examples: ['shipnow mailbox probe --seller A1B2C3 --order 112-4455667-1000002 --rescue'],
  },
  'mailbox poll': {
    usage: ['shipnow mailbox poll --seller ID [--now ISO-8601] [--json] [store flags]'],
    summary: [
      'What the scheduled mailbox poller does, once: take in new Amazon mail after the last UID of each folder',
      '(UIDVALIDITY respected), then probe the orders that are missing or about to be.',
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--now ISO-8601', text: 'as of this time (default: now)' },
      { flag: '--json', text: 'the result as JSON' },
    ],
    store: true,
    exit: [
      [0, 'read'],
      [1, 'not read: broken (wrong password; the seller is told once), backing off after an outage, or failed now'],
      [2, 'bad input: unknown seller, no mailbox connected'],
    ],
    examples: ['shipnow mailbox poll --seller A1B2C3'],
  },
  'mailbox disconnect': {
    usage: ['shipnow mailbox disconnect --seller ID [store flags]'],
    summary: ["Take the mailbox off the seller's profile and delete the stored password (revoke the app password at the provider too). Findings expire by themselves."],
    flags: [{ flag: '--seller ID', text: 'the seller' }],
    store: true,
    exit: [
      [0, 'disconnected (or there was nothing to disconnect)'],
      [2, 'bad input: unknown seller'],
    ],
    examples: ['shipnow mailbox disconnect --seller A1B2C3'],
  },
  report: {
    usage: ['shipnow report COMMAND [flags]'],
    summary: ['Reports to sellers.'],
    subcommands: ['report weekly'],
    exit: [
      [0, 'done'],
      [2, 'bad input'],
    ],
    examples: ['shipnow report weekly --seller A1B2C3 --week-ending 2026-11-29 --svg week.svg'],
  },
  'report weekly': {
    usage: ['shipnow report weekly --seller ID [--week-ending YYYY-MM-DD] [--now ISO-8601] [--svg FILE] [--web URL] [--send] [--ses-endpoint URL] [--json] [store flags]'],
    summary: [
      "The seller's weekly report as the Monday job sends it (emails expected, received and missing per marketplace and day,",
      'median delay, worst marketplace), in their languages; --svg writes the week\'s chart; --send queues it (once per week).',
    ],
    flags: [
      { flag: '--seller ID', text: 'the seller' },
      { flag: '--week-ending YYYY-MM-DD', text: "the week's last local date (default: the last full Monday-Sunday week in the seller's time zone)" },
      { flag: '--now ISO-8601', text: 'as of this time, with a zone (default: now)' },
      { flag: '--svg FILE', text: "write the week's chart (all marketplaces) as SVG" },
      { flag: '--web URL', text: 'sign a status link to this web endpoint with <data>/link-key (default: SHIPNOW_WEB_BASE_URL; none: no link)' },
      { flag: '--send', text: 'queue it in the outbox; on the embedded store also deliver it now through the seller\'s channels' },
      { flag: '--ses-endpoint URL', text: 'locally, deliver email through this SES endpoint (e.g. aws-ses-v2-local)' },
      { flag: '--json', text: 'the stats (and what was queued) as JSON' },
    ],
    store: true,
    exit: [
      [0, 'shown, queued or delivered'],
      [1, '--send on the embedded store and no channel took it'],
      [2, 'bad input: unknown seller, a bad --week-ending, --now or --web'],
    ],
    examples: ['shipnow report weekly --seller A1B2C3 --week-ending 2026-11-29 --svg week.svg', 'shipnow report weekly --seller A1B2C3 --send --table sentinel-prod --region us-east-1'],
  },
};

const TOP_LEVEL = ['parse', 'check', 'demo', 'seller', 'mail', 'orders', 'status', 'alerts', 'report', 'mailbox', 'serve'];

/** `--help` or `-h` anywhere before a `--` (after which everything is a file name or value). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** The most specific record the leading words name: `seller`, ['channels', 'set', '-h'] -> `seller channels set`. */
export function helpTopic(command: string, args: readonly string[]): string {
  let topic = command;
  for (const word of args) {
    if (word.startsWith('-')) break;
    const next = `${topic} ${word}`;
    if (!HELP[next]) break;
    topic = next;
  }
  return topic;
}

/** Print the help of `topic` on stdout; returns exit status 0 for the command to return. */
export function printHelp(topic: string, io: Io): number {
  io.out(renderHelp(topic));
  return 0;
}

export function renderHelp(topic: string): string {
  const r = HELP[topic];
  if (!r) return renderOverview();
  const lines: string[] = [];
  lines.push(`usage: ${r.usage[0]}`);
  for (const u of r.usage.slice(1)) lines.push(`       ${u}`);
  lines.push('');
  lines.push(...r.summary);
  if (r.subcommands) {
    lines.push('', 'commands:');
    for (const s of r.subcommands) for (const u of HELP[s]?.usage ?? [`shipnow ${s}`]) lines.push(`  ${u}`);
    lines.push('', `shipnow ${topic} COMMAND --help shows one command.`);
  }
  const flags = [...(r.flags ?? []), ...(r.store ? STORE_FLAG_HELP : [])];
  if (flags.length > 0) {
    lines.push('', 'flags:');
    const width = Math.min(34, Math.max(...flags.map((f) => f.flag.length)));
    for (const f of flags) {
      lines.push(f.flag.length <= width ? `  ${f.flag.padEnd(width)}  ${f.text}` : `  ${f.flag}\n  ${' '.repeat(width)}  ${f.text}`);
    }
    lines.push(`  ${'-h, --help'.padEnd(width)}  show this help`);
  }
  if (r.notes) lines.push('', ...r.notes);
  lines.push('', 'exit status:');
  for (const [code, text] of r.exit) lines.push(`  ${String(code).padStart(2)}  ${text}`);
  lines.push('  70  internal error (a bug or a broken environment; SHIPNOW_DEBUG=1 shows the stack)');
  lines.push('', r.examples.length > 1 ? 'examples:' : 'example:');
  for (const e of r.examples) lines.push(`  ${e}`);
  return lines.join('\n');
}

/** `shipnow help`: every command's usage. */
export function renderOverview(): string {
  const lines = [`ShipNow Sentinel ${packageVersion()}: find the Amazon orders whose Sold, Ship Now email never arrived.`, '', 'usage:'];
  for (const top of TOP_LEVEL) {
    const r = HELP[top];
    const usages = r.subcommands ? r.subcommands.flatMap((s) => (HELP[s].subcommands ? HELP[s].subcommands! : [s])).flatMap((s) => HELP[s].usage) : r.usage;
    for (const u of usages) lines.push(`  ${u}`);
  }
  lines.push('  shipnow --version');
  lines.push('');
  lines.push('store flags: --data DIR (embedded store, default .data/) | --table NAME [--endpoint URL] [--region R] [--bucket B]');
  lines.push('shipnow COMMAND --help (or shipnow help COMMAND) shows the flags, exit statuses and an example of one command.');
  return lines.join('\n');
}

let version: string | undefined;

/** The version in package.json (what `shipnow --version` prints). */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

// ---- flags -------------------------------------------------------------------------------------

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs (strict), with errors a user can act on: an unknown flag lists the command's
 * flags (and the likely one for a typo), a missing value names what is expected, and a negative
 * number is taken as a value (`--grace -5` then fails the command's own range check instead of
 * Node's "argument is ambiguous").
 */
export function parseFlags<O extends Options>(topic: string, args: readonly string[], options: O, opts: { positionals?: boolean } = {}) {
  const allowPositionals = opts.positionals ?? false;
  recordParse(topic, options, allowPositionals);
  const joined = joinNegativeNumbers(args, options);
  try {
    return parseArgs({ args: joined, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError(explainFlagError(topic, joined, options, allowPositionals) ?? (e as Error).message.split('\n')[0]);
  }
}

/** What one command was parsed with: its options (every parseFlags call of the topic, merged) and whether it takes arguments. */
export interface ParsedTopic {
  options: Options;
  positionals: boolean;
  /** The distinct sets of flags it was parsed with (`seller add` and `seller add --from` are two). */
  ways: Set<string>;
}

const parsedTopics = new Map<string, ParsedTopic>();

function recordParse(topic: string, options: Options, positionals: boolean): void {
  const seen = parsedTopics.get(topic);
  const ways = seen?.ways ?? new Set<string>();
  ways.add(Object.keys(options).sort().join(' '));
  parsedTopics.set(topic, { options: { ...seen?.options, ...options }, positionals: (seen?.positionals ?? false) || positionals, ways });
}

/**
 * The flags each command has really been parsed with in this process, by topic. The test that
 * help and parser agree runs every command once and compares this with HELP, so a flag added to
 * a command without its help (or help for a flag no command takes) fails it.
 */
export function parsedFlags(): ReadonlyMap<string, ParsedTopic> {
  return parsedTopics;
}

/** The flags a help record documents, by name: `--grace MINUTES` -> grace, with whether it takes a value. */
export function documentedFlags(topic: string): Map<string, { form: string; value: boolean; text: string }> {
  const r = HELP[topic];
  const out = new Map<string, { form: string; value: boolean; text: string }>();
  for (const f of [...(r?.flags ?? []), ...(r?.store ? STORE_FLAG_HELP : [])]) {
    const [name, ...value] = f.flag.split(' ');
    out.set(name.replace(/^--/, ''), { form: f.flag, value: value.length > 0, text: f.text });
  }
  return out;
}

/**
 * `--now`: a date and a time with an explicit zone (undefined when the flag is absent). A bare
 * local time, or a date alone (whose midnight? 2026-11-30 is 16:00 on the 29th in UTC for a seller
 * in Shanghai), would silently depend on the machine's zone or on a guess: refused, saying how to
 * write it. Impossible dates (2026-02-30) are refused rather than rolled over into the next month.
 */
export function parseNowFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const example = 'e.g. 2026-11-28T12:00:00Z or 2026-11-28T20:00:00+08:00';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new UsageError(`--now needs a time and a zone, not only a date, ${example} (got '${value}'; for its midnight in UTC: ${value}T00:00:00Z)`);
  }
  const iso = toUtcIso(value);
  if (!iso) throw new UsageError(`--now must be an ISO-8601 time with a zone, ${example} (got '${value}')`);
  return iso;
}

/** `--grace -5` -> `--grace=-5` for a flag that takes a value. */
function joinNegativeNumbers(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

function explainFlagError(topic: string, args: string[], options: Options, allowPositionals: boolean): string | undefined {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  const see = `see: shipnow ${topic} --help`;
  for (const t of tokens) {
    if (t.kind === 'option') {
      const o = options[t.name];
      if (!o) {
        const guess = closest(t.name, Object.keys(options));
        const takes = Object.keys(options).length > 0 ? `it takes ${acceptedFlags(topic, options)}` : 'it takes no flags';
        return `unknown option '${t.rawName}' for shipnow ${topic}${guess ? ` (did you mean --${guess}?)` : ''}; ${takes} (${see})`;
      }
      if (o.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))) {
        return `${t.rawName} needs a value: ${flagForm(topic, t.name, o)}${t.value ? ` (got '${t.value}'; a value starting with '-' is written ${t.rawName}=${t.value})` : ''}`;
      }
      if (o.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value (got '${t.rawName}=${t.value}')`;
    } else if (t.kind === 'positional' && !allowPositionals) {
      const flags = Object.keys(options).length > 0 ? `only flags: ${acceptedFlags(topic, options)}` : 'no arguments';
      return `unexpected argument '${t.value}': shipnow ${topic} takes ${flags} (${see})`;
    }
  }
  return undefined;
}

function acceptedFlags(topic: string, options: Options): string {
  return Object.entries(options)
    .map(([name, o]) => flagForm(topic, name, o))
    .join(', ');
}

/** `--grace MINUTES` as the help record writes it, else `--name VALUE` / `--name`. */
function flagForm(topic: string, name: string, o: Options[string]): string {
  const r = HELP[topic];
  const all = [...(r?.flags ?? []), ...(r?.store ? STORE_FLAG_HELP : [])];
  const f = all.find((x) => x.flag === `--${name}` || x.flag.startsWith(`--${name} `));
  if (f) return f.flag;
  return o.type === 'string' ? `--${name} VALUE` : `--${name}`;
}

/** The known flag within edit distance 2 of a mistyped one (`--order` -> `orders`). */
function closest(name: string, known: string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(name, k);
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
