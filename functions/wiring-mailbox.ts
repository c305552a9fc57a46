/**
 * The mailbox poller's wiring, apart from functions/wiring.ts so that only its bundle holds the
 * IMAP client (imapflow is CommonJS: esbuild cannot tree-shake it out of the bundles of the other
 * handlers, which all import wiring.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbMailboxState } from './adapters/dynamodb/mailbox-state';
import { ImapMailboxClient } from './adapters/imap-mailbox';
import { orderPolicy, readMailboxPollerConfig, readTableConfig, type Env } from './config';
import type { SellerSecretStore } from './domain/ports';
import type { MailboxPollerDeps } from './handlers/mailbox-poller';
import { sellerSecretStore, serviceLogger, tableStores } from './wiring';

/**
 * The mailbox poller: each connected seller's app password from the per-seller secret store (SSM
 * parameter `<prefix>seller/<id>/imap`, see sellerSecretStore).
 */
export function wireMailboxPoller(env: Env, clients: { dynamodb?: DynamoDBClient; secrets?: SellerSecretStore; ssm?: SSMClient } = {}): MailboxPollerDeps {
  const config = readMailboxPollerConfig(env);
  const dynamodb = clients.dynamodb ?? new DynamoDBClient({});
  const table = tableStores(readTableConfig(env), dynamodb);
  return {
    repo: table.repo,
    ledger: table.ledger,
    outbox: table.outbox,
    state: new DynamoDbMailboxState({ client: dynamodb, tableName: config.tableName }),
    secrets: clients.secrets ?? sellerSecretStore(env, clients.ssm),
    client: new ImapMailboxClient(),
    policy: orderPolicy(config.graceMinutes),
    logger: serviceLogger(),
    stopBeforeDeadlineMs: config.stopBeforeDeadlineMs,
  };
}
