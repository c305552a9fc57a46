/**
 * Where the `seller` and `mail` commands keep their data:
 * - default: the embedded store, persisted under a local folder (`--data DIR`, default `.data/`,
 *   or SHIPNOW_DATA_DIR): dynalite on LevelDB in `<data>/dynamodb`, and `<data>/mail` standing in
 *   for the S3 mail bucket; so one command sees what an earlier run did;
 * - `--table NAME`: a deployed table, with AWS credentials and region from the usual environment
 *   (AWS_PROFILE, AWS_REGION, ...); raw mail from `--bucket` (or SENTINEL_MAIL_BUCKET);
 * - `--table NAME --endpoint URL`: a DynamoDB-compatible server such as DynamoDB Local.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDbIntakeLedger } from '../../adapters/dynamodb-intake';
import type { DynamoDbOutbox } from '../../adapters/dynamodb-outbox';
import type { DynamoDbSyncState } from '../../adapters/dynamodb-sync-state';
import { FolderMailStore } from '../../adapters/folder-mail-store';
import { S3MailStore } from '../../adapters/s3-mail-store';
import { ENV } from '../../constants';
import type { MailStore } from '../../domain/intake-ports';
import { InputError } from '../../domain/errors';
import type { SentinelRepository } from '../../domain/ports';
import { tableStores } from '../../wiring';
import { startEmbeddedDynamoDb } from '../embedded-dynamodb';

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

export const EXIT = { OK: 0, FAILED: 1, BAD_INPUT: 2 } as const;

/** Bad flags or arguments: reported as `shipnow: <message>`, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The one way a command turns bad input into its contract: a `UsageError` (bad flags) or an
 * `InputError` (an unreadable or malformed file) becomes one stderr line and exit 2; anything else
 * is not the user's fault and is rethrown (the CLI reports it as an internal error, exit 70).
 */
export function exitOnBadInput(err: unknown, io: Io): number {
  if (err instanceof UsageError || err instanceof InputError) {
    io.err(`shipnow: ${err.message}`);
    return EXIT.BAD_INPUT;
  }
  throw err;
}

export interface StoreOptions {
  table?: string;
  endpoint?: string;
  region?: string;
  data?: string;
  bucket?: string;
}

/** The flags every store-backed command takes (for node:util parseArgs). */
export const STORE_FLAGS = {
  table: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  data: { type: 'string' },
  bucket: { type: 'string' },
} as const;

export interface OpenStore {
  /** `embedded`: the local data folder (no scheduled jobs); `table`: a deployed (or DynamoDB-compatible) table. */
  kind: 'embedded' | 'table';
  /** The DynamoDB client and table behind the store, for the adapters a command adds. */
  client: DynamoDBClient;
  tableName: string;
  repo: SentinelRepository;
  ledger: DynamoDbIntakeLedger;
  /** The alert outbox and channel health over the same table. */
  outbox: DynamoDbOutbox;
  /** The order-sync state (leases, cursors, health) over the same table. */
  syncState: DynamoDbSyncState;
  /** Where raw mail is read from: the data folder locally, the bucket on AWS (if named). */
  mailStore?: MailStore;
  /** Local only: the folder standing in for the bucket. */
  mailDir?: string;
  describe: string;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.data';

export function dataDir(opts: StoreOptions, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(opts.data ?? env.SHIPNOW_DATA_DIR ?? DEFAULT_DATA_DIR);
}

export async function openStore(opts: StoreOptions, env: NodeJS.ProcessEnv = process.env): Promise<OpenStore> {
  if (opts.endpoint && !opts.table) throw new UsageError('--endpoint needs --table NAME');
  if (opts.table) {
    const client = new DynamoDBClient({
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.region ? { region: opts.region } : {}),
    });
    reportMissingTable(client, opts.table, opts.endpoint);
    explainAwsSetupErrors(client, WITHOUT_TABLE);
    const bucket = opts.bucket ?? env[ENV.MAIL_BUCKET];
    const s3 = bucket ? new S3Client({ ...(opts.region ? { region: opts.region } : {}) }) : undefined;
    if (s3) explainAwsSetupErrors(s3, WITHOUT_TABLE);
    // The same stores, built the same way, as the deployed functions (functions/wiring.ts).
    const { repo, ledger, outbox, syncState } = tableStores({ tableName: opts.table }, client);
    return {
      kind: 'table',
      client,
      tableName: opts.table,
      repo,
      ledger,
      outbox,
      syncState,
      ...(s3 && bucket ? { mailStore: new S3MailStore({ client: s3, bucket }) } : {}),
      describe: `table ${opts.table}${opts.endpoint ? ` at ${opts.endpoint}` : ''}`,
      close: async () => {
        client.destroy();
        s3?.destroy();
      },
    };
  }
  const dir = dataDir(opts, env);
  const dbDir = join(dir, 'dynamodb');
  const mailDir = join(dir, 'mail');
  mkdirSync(dbDir, { recursive: true });
  mkdirSync(mailDir, { recursive: true });
  const db = await startEmbeddedDynamoDb({ path: dbDir });
  const { ledger, outbox, syncState } = tableStores({ tableName: db.tableName }, db.client);
  return {
    kind: 'embedded',
    client: db.client,
    tableName: db.tableName,
    repo: db.repository,
    ledger,
    outbox,
    syncState,
    mailStore: new FolderMailStore(mailDir),
    mailDir,
    describe: `embedded store in ${dir}`,
    close: () => db.stop(),
  };
}

/** The table named with `--table` does not exist (where the client looked): bad input, exit 2. */
export class TableNotFoundError extends UsageError {
  constructor(table: string, where: string) {
    super(`table ${table} not found (${where}); check --table and --region / AWS_REGION${where.includes('endpoint') ? ' / --endpoint' : ''}`);
    this.name = 'TableNotFoundError';
  }
}

/**
 * Every command reaches the table through this client, so a missing table is reported here once:
 * DynamoDB's ResourceNotFoundException (by name; only the DynamoDB client, so a missing secret in
 * Secrets Manager, which uses the same name, is not mistaken for it) becomes a TableNotFoundError.
 */
function reportMissingTable(client: DynamoDBClient, table: string, endpoint: string | undefined): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (!(err instanceof Error) || err.name !== 'ResourceNotFoundException') throw err;
        const region = await client.config.region().catch(() => 'unknown');
        throw new TableNotFoundError(table, `region ${region}${endpoint ? `, endpoint ${endpoint}` : ''}`);
      }
    },
    { step: 'initialize', name: 'shipnowTableNotFound' },
  );
}

/** AWS is not set up on this machine (no credentials, no region, rejected credentials): bad input with its fix, exit 2. */
export class AwsSetupError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'AwsSetupError';
  }
}

/** What to do about an error of the AWS environment, or undefined when it is something else. */
export function awsSetupFix(err: unknown, alternative?: string): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const credentials = `set AWS_PROFILE to a profile in ~/.aws/config (after \`aws configure\` or \`aws sso login --profile NAME\`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary keys)${alternative ? `; ${alternative}` : ''}`;
  if (err.name === 'CredentialsProviderError' || /could not load credentials/i.test(err.message)) return `no AWS credentials found: ${credentials}`;
  if (/region is missing/i.test(err.message)) return 'no AWS region: pass --region R or set AWS_REGION (or give the AWS_PROFILE profile a region)';
  if (['ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(err.name)) {
    return `AWS rejected the credentials (${err.name}: ${err.message.split('\n')[0]}): ${credentials}`;
  }
  if (err.name === 'AccessDeniedException' || err.name === 'AccessDenied') {
    return `AWS denied the request (${err.message.split('\n')[0]}): use credentials allowed to use this table (or bucket, secret)`;
  }
  return undefined;
}

const WITHOUT_TABLE = 'without --table, the embedded store needs none';

/** The part of any AWS SDK v3 client used here (DynamoDB, S3, Secrets Manager). */
interface AnyAwsClient {
  middlewareStack: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each client types its own inputs and outputs
    add(middleware: (next: (args: any) => Promise<any>) => (args: any) => Promise<any>, options: { step: 'initialize'; name: string }): void;
  };
}

/** Every AWS client a command makes reports a missing or rejected AWS setup as an AwsSetupError. */
export function explainAwsSetupErrors(client: AnyAwsClient, alternative?: string): void {
  client.middlewareStack.add(
    (next) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (err) {
        const fix = awsSetupFix(err, alternative);
        if (fix) throw new AwsSetupError(fix);
        throw err;
      }
    },
    { step: 'initialize', name: 'shipnowAwsSetup' },
  );
}

/** `--inbound-domain`, else SENTINEL_INBOUND_DOMAIN, else the documented placeholder (embedded store only). */
export const DEFAULT_INBOUND_DOMAIN = 'inbound.shipnow.example';

export function inboundDomainOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (flag ?? env[ENV.INBOUND_DOMAIN] ?? DEFAULT_INBOUND_DOMAIN).trim().toLowerCase();
}

/** Whether the inbound domain was configured (flag or environment) rather than the placeholder. */
export function inboundDomainConfigured(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean((flag ?? env[ENV.INBOUND_DOMAIN] ?? '').trim());
}

/**
 * The inbound domain for a command that prints sellers' addresses or routes mail by them.
 * Against a deployed table the placeholder would be wrong (an address a seller pastes into Seller
 * Central, or a good mail rejected as `no-inbound-recipient`): refused, exit 2.
 */
export function requireInboundDomain(opts: { table?: string }, flag: string | undefined, env: NodeJS.ProcessEnv, what: string): string {
  if (opts.table && !inboundDomainConfigured(flag, env)) {
    throw new UsageError(`${what} on table ${opts.table} needs the deployed inbound domain: --inbound-domain D or ${ENV.INBOUND_DOMAIN}`);
  }
  return inboundDomainOf(flag, env);
}

/** Told with the output of the embedded store when the placeholder domain is used. */
export const PLACEHOLDER_NOTE = `placeholder domain ${DEFAULT_INBOUND_DOMAIN} (embedded store): not a real address; set --inbound-domain or ${ENV.INBOUND_DOMAIN} to the deployed inbound domain before giving it to a seller`;
