/**
 * The deployment's configuration, read once from CDK context and validated (zod), so a typo or a
 * wrong value stops `cdk synth` with a message naming the key, instead of deploying something odd.
 *
 * Every key has a default, so `npx cdk synth` works offline on a fresh clone with no context.
 * Set keys with `-c key=value` (values from the command line are strings; numbers and booleans
 * are converted) or under "context" in cdk.json. See docs/operations.md for the table of keys.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';

export const DEFAULT_INBOUND_DOMAIN = 'inbound.shipnow.example';
export const DEFAULT_ALERT_FROM = 'alerts@example.com';

/** Log retention values CloudWatch Logs accepts (RetentionDays without INFINITE). */
const RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE);

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name such as inbound.example.com');

/** Context values arrive as strings from `-c`; accept both forms. */
const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  );
const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : v;
}, z.boolean({ error: 'must be true or false' }));

/**
 * Cost profiles. `default`: for operators (every metric and alarm, customer managed KMS keys,
 * X-Ray). `lean`: for one seller in their own account (at most 10 custom metrics and 10 alarms,
 * AWS managed keys, no X-Ray, one dashboard); docs/operations.md, "Cost".
 */
export const PROFILES = ['default', 'lean'] as const;
export type Profile = (typeof PROFILES)[number];

export const SentinelConfigSchema = z.object({
  /** Cost profile: `default` or `lean` (see PROFILES). */
  profile: z.enum(PROFILES, { error: `must be one of ${PROFILES.join(', ')}` }).default('default'),
  /** Stage name, part of the stack name (`ShipNowSentinel-<stage>`): stage names never collide.
   *  A second stage in the same account and region must set `activateRuleSet=false` (one active SES
   *  receipt rule set per region; docs/inbound-mail.md). */
  stage: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,31}$/, 'must start with a letter and contain only letters, digits and dashes (max 32)').default('dev'),
  /** Target account (default: CDK_DEFAULT_ACCOUNT of the CLI profile, else environment-agnostic). */
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account ID').optional(),
  /** Target region; must be one where SES receives email (docs/operations.md). */
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be a region code such as us-east-1').optional(),
  /** Domain whose mail SES receives (MX record): sellers' addresses are `<alias>@<inboundDomain>`. */
  inboundDomain: domain.default(DEFAULT_INBOUND_DOMAIN),
  /** Sender of alert email (verified in SES). */
  alertFrom: z.string().trim().email('must be an email address').default(DEFAULT_ALERT_FROM),
  /** Verify this whole domain for alert email (Easy DKIM) instead of the single address. */
  alertDomain: domain.optional(),
  /** Minutes between order syncs of every seller. */
  syncIntervalMinutes: int(5, 1440).default(15),
  /** Minutes between reconciler runs (default 1: an alert leaves within about 1 minute of its grace period ending). */
  reconcileIntervalMinutes: int(1, 60).default(1),
  /** Minutes between alert-sender runs. */
  alertIntervalMinutes: int(1, 60).default(1),
  /** Grace period after the expected time before an email counts as missing. */
  graceMinutes: int(0, 24 * 60).optional(),
  /** Days raw inbound mail (and uploaded reports) stay in the bucket. */
  rawMailExpirationDays: int(1, 3650).default(30),
  /** Days a notification record is kept after it arrived (DynamoDB TTL). */
  notificationRetentionDays: int(1, 3650).default(90),
  /** Days a closed order (shipped or cancelled, nothing due) is kept (DynamoDB TTL). */
  closedOrderRetentionDays: int(1, 3650).default(90),
  /** Days Lambda logs are kept (a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, ...). */
  logRetentionDays: int(1, 3653)
    .refine((d) => RETENTION_DAYS.includes(d), { message: `must be one of ${RETENTION_DAYS.join(', ')}` })
    .default(30),
  /** Email address subscribed to the operator alarm topic (confirm the subscription mail). */
  alarmEmail: z.string().trim().email('must be an email address').optional(),
  /** Existing SNS topic for operator alarms (e.g. an on-call integration); else the stack creates one. */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
    .optional(),
  /** Hours without any inbound email, while orders keep coming, before the operator is alarmed. */
  mailSilenceHours: int(1, 24).default(6),
  /**
   * The seller's web endpoint (e.g. `https://status.shipnow.example`): with it, alerts carry signed
   * "handled" / "snooze 4 h" links and weekly reports a status link (the stack creates the link key
   * secret). Absent: no links; alerts name the CLI command instead.
   */
  webBaseUrl: z.string().trim().url('must be a URL such as https://status.example.com').refine((u) => u.startsWith('https://'), 'must be an https URL').optional(),
  /** Minutes any alert may wait undelivered before the operator is alarmed. */
  alertMaxWaitMinutes: int(5, 1440).default(30),
  /** Make the stack's receipt rule set the active one in the region (only one can be active). */
  activateRuleSet: bool.default(true),
  /** Create the SES domain identity for the inbound domain. */
  createDomainIdentity: bool.default(true),
  /** SSM parameter path of the sellers' secrets: `<prefix>seller/<sellerId>/sp-api` (and `/imap`). */
  sellerSecretsPrefix: z
    .string()
    .regex(/^\/([A-Za-z0-9_.-]+\/)+$/, 'must be a parameter path that starts and ends with "/", such as /shipnow-sentinel/')
    .refine((p) => !/^\/(aws|ssm)/i.test(p), 'must not start with /aws or /ssm (reserved by SSM)')
    .default('/shipnow-sentinel/'),
  /** Larger inbound messages are quarantined unread (bytes). */
  maxMessageBytes: int(1024, 40 * 1024 * 1024).optional(),
  /** The SP-API app's ID in Solution Provider Portal, for the sellers' website authorization (issue 15). */
  spApiApplicationId: z.string().regex(/^amzn1\.sp\.solution\.[A-Za-z0-9-]+$/, 'must be an SP-API application ID (amzn1.sp.solution....)').optional(),
  /** The SP-API app is in draft: the authorization adds version=beta. */
  spApiDraftApp: bool.default(false),
});

export type SentinelConfig = Readonly<z.output<typeof SentinelConfigSchema>>;
export const CONFIG_KEYS = Object.keys(SentinelConfigSchema.shape) as Array<keyof SentinelConfig>;

export class SentinelConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`ShipNow Sentinel configuration (CDK context):\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet values with -c key=value or under "context" in cdk.json; see docs/operations.md.`);
    this.name = 'SentinelConfigError';
    this.problems = problems;
  }
}

/**
 * Validate raw context values. Unknown keys that look like ours (plain camelCase, unlike CDK's
 * feature flags `@aws-cdk/...` and lookups `key:account=...`) are an error: a misspelt
 * `alarmEmial` would otherwise be ignored silently and no one would get the alarms.
 */
export function parseConfig(raw: Record<string, unknown>): SentinelConfig {
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (/^[a-z][A-Za-z0-9]*$/.test(key) && !(CONFIG_KEYS as string[]).includes(key)) {
      const hint = CONFIG_KEYS.find((k) => k.toLowerCase() === key.toLowerCase() || levenshtein(k, key) <= 2);
      problems.push(`unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  const known = Object.fromEntries(CONFIG_KEYS.filter((k) => raw[k] !== undefined && raw[k] !== '').map((k) => [k, raw[k]]));
  const parsed = SentinelConfigSchema.safeParse(known);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '?');
      problems.push(`"${key}" ${issue.message} (got ${JSON.stringify(known[key])})`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new SentinelConfigError(problems);
  return Object.freeze(parsed.data);
}

/** The configuration from a construct's context (the app's context: cdk.json, cdk.context.json, -c). */
export function loadConfig(node: Node): SentinelConfig {
  return parseConfig(node.getAllContext());
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}
