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
import type { DynamoDbIntakeLedger } from '../../adapters/dynamodb/intake-ledger';
import type { DynamoDbOutbox } from '../../adapters/dynamodb/outbox';
import type { DynamoDbSyncState } from '../../adapters/dynamodb/sync-state';
import { FolderMailStore } from '../../adapters/folder-mail-store';
import { S3MailStore } from '../../adapters/s3-mail-store';
import { ENV } from '../../constants';
import type { AcknowledgementStore, MailStore } from '../../domain/ports';
import { DynamoDbAcknowledgements } from '../../adapters/dynamodb/acknowledgements';
import type { SentinelRepository } from '../../domain/ports';
import { tableStores } from '../../wiring';
import { explainAwsSetupErrors, reportMissingTable, WITHOUT_TABLE } from '../aws-setup';
import { UsageError } from '../cli-io';
import { startEmbeddedDynamoDb } from '../embedded-dynamodb';

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
  /** Sellers' "handled" / "snooze" answers, on the order items of the same table. */
  acks: AcknowledgementStore;
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
      acks: new DynamoDbAcknowledgements({ client, tableName: opts.table }),
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
    acks: new DynamoDbAcknowledgements({ client: db.client, tableName: db.tableName }),
    mailStore: new FolderMailStore(mailDir),
    mailDir,
    describe: `embedded store in ${dir}`,
    close: () => db.stop(),
  };
}

