/**
 * The one configuration module of the Lambda functions: every environment variable the stack
 * sets, its validation (zod) and its default, in one place. A handler reads its section once, at
 * cold start (functions/wiring.ts), and gets a typed, frozen value; a typo or a missing variable
 * fails the cold start loudly, naming the variable. Names come from functions/constants.ts, which
 * the CDK constructs use to set them, so the two cannot drift apart.
 *
 * Sections, not one big object: each function is given only the variables its construct sets, so
 * each section requires only what its function cannot run without. A variable is described once
 * (`VARS`), whichever sections read it.
 */
import * as z from 'zod';
import { DEFAULT_SECRETS_PREFIX, ENV } from './constants';
import { DEFAULT_MAX_MESSAGE_BYTES } from './domain/inbound';
import { SentinelError } from './domain/errors';
import { DEFAULT_POLICY, type OrderPolicy } from './domain/types';

export type Env = Readonly<Record<string, string | undefined>>;

/** An absent or empty variable is "not set" (CloudFormation cannot unset one, only empty it). */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(t: T) => z.preprocess(unsetIfEmpty, t.optional());
const withDefault = <T extends z.ZodType>(t: T, d: z.input<T>) => z.preprocess(unsetIfEmpty, t.default(d as never));
const minutes = z.coerce.number().int().nonnegative();
const positiveInt = z.coerce.number().int().positive();
const days = (name: string) =>
  optional(z.coerce.number({ error: `${name} must be a positive number of days` }).refine((n) => Number.isFinite(n) && n > 0, `${name} must be a positive number of days`));

/** Every variable, described once. */
const VARS = {
  [ENV.TABLE_NAME]: z.string().min(1),
  [ENV.GRACE_MINUTES]: withDefault(minutes, DEFAULT_POLICY.graceMinutes),
  [ENV.NOTIFICATION_RETENTION_DAYS]: days(ENV.NOTIFICATION_RETENTION_DAYS),
  [ENV.CLOSED_ORDER_RETENTION_DAYS]: days(ENV.CLOSED_ORDER_RETENTION_DAYS),
  [ENV.MAIL_BUCKET]: z.string().min(1),
  [ENV.INBOUND_DOMAIN]: z.string().min(3),
  [ENV.MAX_MESSAGE_BYTES]: withDefault(positiveInt, DEFAULT_MAX_MESSAGE_BYTES),
  [ENV.TRUSTED_AUTHSERV_ID]: optional(z.string().min(1)),
  [ENV.INTAKE_RETENTION_DAYS]: withDefault(positiveInt, 45),
  [ENV.SYNC_QUEUE_URL]: optional(z.string().min(1)),
  [ENV.SP_API_SECRETS_PREFIX]: withDefault(z.string().min(1), DEFAULT_SECRETS_PREFIX),
  [ENV.SYNC_EVENT_BUS]: withDefault(z.string().min(1), 'default'),
  [ENV.SYNC_OVERLAP_MINUTES]: withDefault(minutes.max(24 * 60), 10),
  [ENV.ALERT_FROM_ADDRESS]: optional(z.string().email()),
  [ENV.ALERT_SES_CONFIGURATION_SET]: optional(z.string().min(1)),
  [ENV.ALERT_TOPIC_ARN]: optional(z.string().startsWith('arn:')),
  [ENV.ALERT_EVENT_BUS]: optional(z.string().min(1)),
  [ENV.STOP_BEFORE_DEADLINE_MS]: withDefault(z.coerce.number().int().nonnegative(), 10_000),
  [ENV.SELLER_SECRETS_PREFIX]: withDefault(z.string().regex(/^\/([A-Za-z0-9_.-]+\/)+$/, 'must be a parameter path such as /shipnow-sentinel/'), '/shipnow-sentinel/'),
  [ENV.SELLER_SECRETS_KEY_ID]: withDefault(z.string().min(1), 'alias/aws/ssm'),
  [ENV.ALERT_SENDER_FUNCTION]: optional(z.string().min(1)),
  [ENV.METRICS_PROFILE]: withDefault(z.enum(['default', 'lean']), 'default'),
  [ENV.WEB_BASE_URL]: optional(z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')),
  [ENV.LINK_KEY_SECRET]: optional(z.string().min(1)),
} as const;

type VarName = keyof typeof VARS;
type Vars<K extends VarName> = { [P in K]: z.output<(typeof VARS)[P]> };

/** Thrown at cold start when the environment is not what the stack sets. */
export class ConfigError extends SentinelError {
  constructor(section: string, problems: string, options?: { cause?: unknown }) {
    super(`${section} configuration: ${problems}`, options);
    this.name = 'ConfigError';
  }
}

function read<K extends VarName>(section: string, env: Env, names: readonly K[]): Vars<K> {
  const shape = Object.fromEntries(names.map((n) => [n, VARS[n]])) as { [P in K]: (typeof VARS)[P] };
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(section, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), { cause: parsed.error });
  }
  return parsed.data as Vars<K>;
}

/** Only the fields that are set: an optional setting is absent from a section, never `undefined`. */
function setOnly<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

const policyOf = (graceMinutes: number): OrderPolicy => Object.freeze({ ...DEFAULT_POLICY, graceMinutes });

// ---- the table (every function that writes it) ---------------------------------------------------

/**
 * How long items live before DynamoDB's TTL deletes them (the shape the repository takes).
 * Absent: items are kept.
 */
export interface Retention {
  notificationDays?: number;
  closedOrderDays?: number;
}

/**
 * The retention the stack configured (SentinelTable sets both variables on every function it
 * grants write access). Absent or empty: kept (undefined).
 */
export function retentionFromEnv(env: Env): Retention | undefined {
  const e = read('table retention', env, [ENV.NOTIFICATION_RETENTION_DAYS, ENV.CLOSED_ORDER_RETENTION_DAYS]);
  const notificationDays = e[ENV.NOTIFICATION_RETENTION_DAYS];
  const closedOrderDays = e[ENV.CLOSED_ORDER_RETENTION_DAYS];
  if (notificationDays === undefined && closedOrderDays === undefined) return undefined;
  return Object.freeze(setOnly({ notificationDays, closedOrderDays }));
}

export interface TableConfig {
  tableName: string;
  retention?: Retention;
}

export function readTableConfig(env: Env): Readonly<TableConfig> {
  const e = read('table', env, [ENV.TABLE_NAME]);
  const retention = retentionFromEnv(env);
  return Object.freeze({ tableName: e[ENV.TABLE_NAME], ...(retention ? { retention } : {}) });
}

// ---- inbound mail --------------------------------------------------------------------------------

export interface InboundMailConfig {
  tableName: string;
  bucket: string;
  inboundDomain: string;
  maxMessageBytes: number;
  graceMinutes: number;
  trustedAuthservId?: string;
  retentionDays: number;
}

export function readInboundMailConfig(env: Env): Readonly<InboundMailConfig> {
  const e = read('inbound-mail', env, [
    ENV.TABLE_NAME,
    ENV.MAIL_BUCKET,
    ENV.INBOUND_DOMAIN,
    ENV.MAX_MESSAGE_BYTES,
    ENV.GRACE_MINUTES,
    ENV.TRUSTED_AUTHSERV_ID,
    ENV.INTAKE_RETENTION_DAYS,
  ]);
  return Object.freeze({
    tableName: e[ENV.TABLE_NAME],
    bucket: e[ENV.MAIL_BUCKET],
    inboundDomain: e[ENV.INBOUND_DOMAIN].toLowerCase(),
    maxMessageBytes: e[ENV.MAX_MESSAGE_BYTES],
    graceMinutes: e[ENV.GRACE_MINUTES],
    ...setOnly({ trustedAuthservId: e[ENV.TRUSTED_AUTHSERV_ID] }),
    retentionDays: e[ENV.INTAKE_RETENTION_DAYS],
  });
}

// ---- reconciler ----------------------------------------------------------------------------------

export interface ReconcilerConfig {
  tableName: string;
  graceMinutes: number;
  stopBeforeDeadlineMs: number;
}

export function readReconcilerConfig(env: Env): Readonly<ReconcilerConfig> {
  const e = read('reconciler', env, [ENV.TABLE_NAME, ENV.GRACE_MINUTES, ENV.STOP_BEFORE_DEADLINE_MS]);
  return Object.freeze({ tableName: e[ENV.TABLE_NAME], graceMinutes: e[ENV.GRACE_MINUTES], stopBeforeDeadlineMs: e[ENV.STOP_BEFORE_DEADLINE_MS] });
}

// ---- mailbox poller (issue 14) ---------------------------------------------------------------------

/** The mailbox poller reads what the reconciler reads (table, grace, deadline margin). */
export function readMailboxPollerConfig(env: Env): Readonly<ReconcilerConfig> {
  const e = read('mailbox-poller', env, [ENV.TABLE_NAME, ENV.GRACE_MINUTES, ENV.STOP_BEFORE_DEADLINE_MS]);
  return Object.freeze({ tableName: e[ENV.TABLE_NAME], graceMinutes: e[ENV.GRACE_MINUTES], stopBeforeDeadlineMs: e[ENV.STOP_BEFORE_DEADLINE_MS] });
}

// ---- alert sender --------------------------------------------------------------------------------

export interface AlertSenderConfig {
  tableName: string;
  fromAddress?: string;
  configurationSet?: string;
  topicArn?: string;
  eventBus?: string;
  stopBeforeDeadlineMs: number;
  graceMinutes: number;
  /** The seller's web, for the links in alerts (both set, or no links). */
  web?: WebLinksConfig;
}

export interface WebLinksConfig {
  webBaseUrl: string;
  linkKeySecret: string;
}

/** The web links' settings: both variables, or neither (one alone is a configuration error). */
export function readWebLinksConfig(env: Env): Readonly<WebLinksConfig> | undefined {
  const e = read('web links', env, [ENV.WEB_BASE_URL, ENV.LINK_KEY_SECRET]);
  const webBaseUrl = e[ENV.WEB_BASE_URL];
  const linkKeySecret = e[ENV.LINK_KEY_SECRET];
  if (webBaseUrl === undefined && linkKeySecret === undefined) return undefined;
  if (webBaseUrl === undefined || linkKeySecret === undefined) {
    throw new ConfigError('web links', `${ENV.WEB_BASE_URL} and ${ENV.LINK_KEY_SECRET} go together (only ${webBaseUrl ? ENV.WEB_BASE_URL : ENV.LINK_KEY_SECRET} is set)`);
  }
  return Object.freeze({ webBaseUrl, linkKeySecret });
}

export function readAlertSenderConfig(env: Env): Readonly<AlertSenderConfig> {
  const e = read('alert-sender', env, [
    ENV.TABLE_NAME,
    ENV.ALERT_FROM_ADDRESS,
    ENV.ALERT_SES_CONFIGURATION_SET,
    ENV.ALERT_TOPIC_ARN,
    ENV.ALERT_EVENT_BUS,
    ENV.STOP_BEFORE_DEADLINE_MS,
    ENV.GRACE_MINUTES,
  ]);
  return Object.freeze({
    tableName: e[ENV.TABLE_NAME],
    ...setOnly({
      fromAddress: e[ENV.ALERT_FROM_ADDRESS],
      configurationSet: e[ENV.ALERT_SES_CONFIGURATION_SET],
      topicArn: e[ENV.ALERT_TOPIC_ARN],
      eventBus: e[ENV.ALERT_EVENT_BUS],
    }),
    stopBeforeDeadlineMs: e[ENV.STOP_BEFORE_DEADLINE_MS],
    graceMinutes: e[ENV.GRACE_MINUTES],
    ...setOnly({ web: readWebLinksConfig(env) }),
  });
}

// ---- order sync (dispatcher, worker, ORDER_CHANGE, report import) --------------------------------

export interface OrderSyncConfig {
  tableName: string;
  queueUrl?: string;
  secretsPrefix: string;
  eventBusName: string;
  overlapMinutes: number;
  graceMinutes: number;
  policy: OrderPolicy;
}

export function readOrderSyncConfig(env: Env): Readonly<OrderSyncConfig> {
  const e = read('order-sync', env, [
    ENV.TABLE_NAME,
    ENV.SYNC_QUEUE_URL,
    ENV.SP_API_SECRETS_PREFIX,
    ENV.SYNC_EVENT_BUS,
    ENV.SYNC_OVERLAP_MINUTES,
    ENV.GRACE_MINUTES,
  ]);
  return Object.freeze({
    tableName: e[ENV.TABLE_NAME],
    ...setOnly({ queueUrl: e[ENV.SYNC_QUEUE_URL] }),
    secretsPrefix: e[ENV.SP_API_SECRETS_PREFIX],
    eventBusName: e[ENV.SYNC_EVENT_BUS],
    overlapMinutes: e[ENV.SYNC_OVERLAP_MINUTES],
    graceMinutes: e[ENV.GRACE_MINUTES],
    policy: policyOf(e[ENV.GRACE_MINUTES]),
  });
}

// ---- seller secrets (issue 13) -------------------------------------------------------------------

export interface SellerSecretsConfig {
  /** SSM parameter path prefix: `<prefix>seller/<sellerId>/<name>`. */
  prefix: string;
  /** KMS key (ID, ARN or alias) the SecureStrings are written with. */
  keyId: string;
}

export function readSellerSecretsConfig(env: Env): Readonly<SellerSecretsConfig> {
  const e = read('seller-secrets', env, [ENV.SELLER_SECRETS_PREFIX, ENV.SELLER_SECRETS_KEY_ID]);
  return Object.freeze({ prefix: e[ENV.SELLER_SECRETS_PREFIX], keyId: e[ENV.SELLER_SECRETS_KEY_ID] });
}

/** `lean`: the functions emit only the metrics the lean profile's alarms and dashboard read. */
export function readMetricsProfile(env: Env): 'default' | 'lean' {
  return read('metrics', env, [ENV.METRICS_PROFILE])[ENV.METRICS_PROFILE];
}

/** The alert sender's function name, when the reconciler should start it after writing alerts. */
export function readAlertSenderTrigger(env: Env): string | undefined {
  return read('reconciler', env, [ENV.ALERT_SENDER_FUNCTION])[ENV.ALERT_SENDER_FUNCTION];
}

/** The order policy a section's grace minutes give (the rest is the domain's default). */
export const orderPolicy = policyOf;
