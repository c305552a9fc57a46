/**
 * The one wiring module: builds the clients and adapters a function needs from its configuration
 * section (functions/config.ts). Every Lambda handler's exported `handler` is `makeHandler(wireX())`
 * built once per cold start; the CLI's `--table` mode builds its table stores with `tableStores`,
 * so a deployed function and the CLI read and write the table through the same adapters, set up
 * the same way (retention, page sizes).
 *
 * A handler's own module holds only `makeHandler(deps)`, the logic tests drive with local servers;
 * the wiring here is the only place that knows which concrete adapter stands behind each port.
 * Each `wireX` takes the environment and, optionally, the SDK clients (tests and the CLI pass their
 * own); what it does not use, esbuild leaves out of that function's bundle.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { EventBridgeAlertPublisher } from './adapters/channels/aws';
import { makeChannelFactory } from './adapters/channels/factory';
import { DynamoDbIntakeLedger } from './adapters/dynamodb/intake-ledger';
import { DynamoDbMailboxState } from './adapters/dynamodb/mailbox-state';
import { DynamoDbOutbox } from './adapters/dynamodb/outbox';
import { DynamoDbRepository } from './adapters/dynamodb/repository';
import { DynamoDbSyncState } from './adapters/dynamodb/sync-state';
import { EventBridgeSyncEvents } from './adapters/eventbridge-sync-events';
import { S3MailStore } from './adapters/s3-mail-store';
import { SsmSellerSecretStore } from './adapters/ssm-seller-secrets';
import { LeanMetrics } from './lean-metrics';
import { LambdaAlertSenderTrigger } from './adapters/lambda-sender-trigger';
import { SecretsManagerCredentials } from './adapters/secrets';
import { SecretsManagerLinkKeys } from './adapters/link-key-secret';
import { SpApiClient } from './adapters/sp-api-client';
import {
  ConfigError,
  orderPolicy,
  readAlertSenderConfig,
  readInboundMailConfig,
  readOrderSyncConfig,
  readReconcilerConfig,
  readAlertSenderTrigger,
  readMetricsProfile,
  readSellerSecretsConfig,
  readTableConfig,
  type Env,
  type TableConfig,
} from './config';
import { METRICS_NAMESPACE, SERVICE_NAME } from './constants';
import type { SellerSecretStore } from './domain/ports';
import type { Clock } from './domain/types';
import type { AlertSenderDeps } from './handlers/alert-sender';
import type { InboundMailDeps } from './handlers/inbound-mail';
import type { OrderChangeDeps } from './handlers/order-change';
import type { ReconcilerDeps } from './handlers/reconciler';
import type { ReportImportDeps } from './handlers/report-import';
import type { DispatcherDeps } from './handlers/sync-dispatcher';
import type { SyncAlertsDeps } from './handlers/sync-alerts';
import type { WorkerDeps } from './handlers/sync-worker';
import type { WeeklyReportHandlerDeps } from './handlers/weekly-report';

/** The wall clock (the one clock type, `() => IsoTime`). */
export const systemClock: Clock = () => new Date().toISOString();

/** Powertools' logger, named after the service (the stack also sets POWERTOOLS_SERVICE_NAME). */
export const serviceLogger = (): Logger => new Logger({ serviceName: SERVICE_NAME });

/**
 * Powertools' logger and metrics, in the stack's namespace (the stack also sets POWERTOOLS_* variables).
 * With SENTINEL_METRICS_PROFILE=lean (the lean stack profile) only the lean metrics are emitted.
 */
export function observability(env: Env = {}): { logger: Logger; metrics: Metrics } {
  const options = { namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME };
  return { logger: serviceLogger(), metrics: readMetricsProfile(env) === 'lean' ? new LeanMetrics(options) : new Metrics(options) };
}

/** The SDK clients of the alert channels get a timeout of their own (an SDK call has none by default). */
export const CHANNEL_CLIENT_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 8_000 } as const;

// ---- the table -----------------------------------------------------------------------------------

export interface TableStoreOptions {
  /** Days intake records (messages, rejections, quarantine) are kept; absent: kept. */
  intakeRetentionDays?: number;
  /** `Limit` of every repository Query page (tests set it small to exercise pagination). */
  queryPageSize?: number;
}

/** The stores over the one table, all on one client. */
export interface TableStores {
  client: DynamoDBClient;
  tableName: string;
  repo: DynamoDbRepository;
  ledger: DynamoDbIntakeLedger;
  outbox: DynamoDbOutbox;
  syncState: DynamoDbSyncState;
}

export function tableStores(table: TableConfig, client: DynamoDBClient, options: TableStoreOptions = {}): TableStores {
  const { tableName } = table;
  const days = options.intakeRetentionDays;
  return {
    client,
    tableName,
    repo: new DynamoDbRepository({
      client,
      tableName,
      ...(table.retention ? { retention: table.retention } : {}),
      ...(options.queryPageSize !== undefined ? { queryPageSize: options.queryPageSize } : {}),
    }),
    ledger: new DynamoDbIntakeLedger({
      client,
      tableName,
      ...(days !== undefined ? { retention: { messageDays: days, rejectionDays: days, quarantineDays: days } } : {}),
    }),
    outbox: new DynamoDbOutbox({ client, tableName }),
    syncState: new DynamoDbSyncState({ client, tableName }),
  };
}

// ---- one builder per function --------------------------------------------------------------------

export function wireInboundMail(env: Env, clients: { dynamodb?: DynamoDBClient; s3?: S3Client } = {}): InboundMailDeps {
  const config = readInboundMailConfig(env);
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}), { intakeRetentionDays: config.retentionDays });
  return {
    bucket: config.bucket,
    ...observability(env),
    intake: {
      repo: table.repo,
      ledger: table.ledger,
      mailStore: new S3MailStore({ client: clients.s3 ?? new S3Client({}), bucket: config.bucket }),
      config: {
        inboundDomain: config.inboundDomain,
        maxMessageBytes: config.maxMessageBytes,
        ...(config.trustedAuthservId ? { trustedAuthservId: config.trustedAuthservId } : {}),
        requireVerdicts: true,
        policy: orderPolicy(config.graceMinutes),
      },
    },
  };
}

export function wireReconciler(env: Env, clients: { dynamodb?: DynamoDBClient; lambda?: LambdaClient } = {}): ReconcilerDeps {
  const config = readReconcilerConfig(env);
  const dynamodb = clients.dynamodb ?? new DynamoDBClient({});
  const table = tableStores(readTableConfig(env), dynamodb);
  const senderFunction = readAlertSenderTrigger(env);
  return {
    repo: table.repo,
    outbox: table.outbox,
    // Read-only use of the intake ledger's "last email per marketplace".
    lastEmails: table.ledger,
    // issue 14: the mailbox probe's findings (read-only here).
    mailboxFindings: new DynamoDbMailboxState({ client: dynamodb, tableName: readTableConfig(env).tableName }),
    policy: orderPolicy(config.graceMinutes),
    ...observability(env),
    stopBeforeDeadlineMs: config.stopBeforeDeadlineMs,
    // Alerts just written leave at once instead of at the sender's next minute (time to alert).
    ...(senderFunction ? { sender: new LambdaAlertSenderTrigger(clients.lambda ?? new LambdaClient({}), senderFunction) } : {}),
  };
}

export function wireAlertSender(
  env: Env,
  clients: { dynamodb?: DynamoDBClient; ses?: SESv2Client; sns?: SNSClient; eventbridge?: EventBridgeClient; secrets?: SecretsManagerClient } = {},
): AlertSenderDeps {
  const config = readAlertSenderConfig(env);
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}));
  const ses = clients.ses ?? new SESv2Client({ requestHandler: CHANNEL_CLIENT_TIMEOUTS });
  const sns = clients.sns ?? new SNSClient({ requestHandler: CHANNEL_CLIENT_TIMEOUTS });
  return {
    outbox: table.outbox,
    health: table.outbox,
    sellers: table.repo,
    orders: { repo: table.repo, policy: orderPolicy(config.graceMinutes) },
    channels: makeChannelFactory({
      ...(config.fromAddress ? { ses: { client: ses, from: config.fromAddress, ...(config.configurationSet ? { configurationSetName: config.configurationSet } : {}) } } : {}),
      sns: { client: sns, ...(config.topicArn ? { defaultTopicArn: config.topicArn } : {}) },
    }),
    ...(config.eventBus ? { events: new EventBridgeAlertPublisher(clients.eventbridge ?? new EventBridgeClient({}), config.eventBus) } : {}),
    // The stack's topic is every seller's last resort: an alert never depends on one mailbox.
    ...(config.topicArn ? { fallbackChannels: [{ id: 'stack-topic', type: 'sns' as const }] } : {}),
    ...(config.web ? { links: { webBaseUrl: config.web.webBaseUrl, keys: linkKeys(config.web, clients.secrets) } } : {}),
    ...observability(env),
    stopBeforeDeadlineMs: config.stopBeforeDeadlineMs,
  };
}

/**
 * The link keys (current first) of a deployment: its Secrets Manager secret, cached for a few
 * minutes. (Locally, the CLI and `shipnow serve` use the data folder's key file instead:
 * adapters/link-key-file.ts `loadLinkKeys`.)
 */
export function linkKeys(web: { linkKeySecret: string }, client?: SecretsManagerClient): () => Promise<Uint8Array[]> {
  const store = new SecretsManagerLinkKeys(client ?? new SecretsManagerClient({}), web.linkKeySecret);
  return () => store.keys();
}

export function wireSyncAlerts(env: Env, clients: { dynamodb?: DynamoDBClient } = {}): SyncAlertsDeps {
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}));
  return { outbox: table.outbox, sellers: table.repo, logger: serviceLogger() };
}

export function wireDispatcher(env: Env, clients: { dynamodb?: DynamoDBClient; sqs?: SQSClient } = {}): DispatcherDeps {
  const config = readOrderSyncConfig(env);
  if (!config.queueUrl) throw new ConfigError('order-sync', 'the sync queue URL is not set');
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}));
  return { repo: table.repo, state: table.syncState, sqs: clients.sqs ?? new SQSClient({}), queueUrl: config.queueUrl, ...observability(env), now: systemClock };
}

/**
 * The per-seller secret store of a deployed function (SSM Parameter Store SecureStrings under
 * SENTINEL_SELLER_SECRETS_PREFIX, written with SENTINEL_SELLER_SECRETS_KEY_ID). The stack sets both
 * variables and the IAM access with `grantSellerSecrets(fn, 'read' | 'write')`
 * (infra/constructs/seller-secrets.ts).
 */
export function sellerSecretStore(env: Env, client?: SSMClient): SellerSecretStore {
  const config = readSellerSecretsConfig(env);
  return new SsmSellerSecretStore({ client: client ?? new SSMClient({}), prefix: config.prefix, keyId: config.keyId });
}

export function wireSyncWorker(
  env: Env,
  clients: { dynamodb?: DynamoDBClient; secrets?: SecretsManagerClient; eventbridge?: EventBridgeClient; ssm?: SSMClient } = {},
): WorkerDeps {
  const config = readOrderSyncConfig(env);
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}));
  return {
    sync: {
      repo: table.repo,
      state: table.syncState,
      api: new SpApiClient(),
      credentials: new SecretsManagerCredentials({
        client: clients.secrets ?? new SecretsManagerClient({}),
        prefix: config.secretsPrefix,
        // Sellers' tokens from the per-seller store; the LWA app (and old seller secrets) from Secrets Manager.
        sellerSecrets: sellerSecretStore(env, clients.ssm),
      }),
      events: new EventBridgeSyncEvents(clients.eventbridge ?? new EventBridgeClient({}), config.eventBusName),
      // The sync's token buckets and deadlines count milliseconds (a timer, not a date).
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      policy: config.policy,
    },
    ...observability(env),
    overlapMs: config.overlapMinutes * 60_000,
  };
}

export function wireOrderChange(env: Env, clients: { dynamodb?: DynamoDBClient } = {}): OrderChangeDeps {
  const config = readOrderSyncConfig(env);
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}));
  return { repo: table.repo, policy: config.policy, ...observability(env), now: systemClock };
}

export function wireReportImport(env: Env, clients: { dynamodb?: DynamoDBClient; s3?: S3Client } = {}): ReportImportDeps {
  const config = readOrderSyncConfig(env);
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}));
  return { repo: table.repo, s3: clients.s3 ?? new S3Client({}), policy: config.policy, ...observability(env), now: systemClock };
}

// ---- issue 14: the mailbox poller ------------------------------------------------------------------



export function wireWeeklyReport(env: Env, clients: { dynamodb?: DynamoDBClient } = {}): WeeklyReportHandlerDeps {
  const config = readReconcilerConfig(env);
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}));
  return { repo: table.repo, outbox: table.outbox, ...observability(env), stopBeforeDeadlineMs: config.stopBeforeDeadlineMs };
}
