/**
 * The seller web's wiring (Lambda Function URL), apart from functions/wiring.ts so that only the
 * web's bundle holds what only the web needs (the pages, the chart library): every other handler
 * imports wiring.ts, and a module with import-time side effects (ECharts registers its parts)
 * cannot be tree-shaken out of their bundles.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbAcknowledgements } from './adapters/dynamodb/acknowledgements';
import { DynamoDbUsedStates } from './adapters/dynamodb/used-states';
import { DEFAULT_SECRETS_PREFIX, SecretsManagerCredentials } from './adapters/secrets';
import { ConfigError, readTableConfig, type Env } from './config';
import { ENV } from './constants';
import { CredentialsMissingError } from './domain/errors';
import type { WebAppDeps } from './web/app';
import { weeklyChartsFrom } from './web/weekly-charts';
import { linkKeys, sellerSecretStore, serviceLogger, tableStores } from './wiring';

/** How long a warm function keeps the link keys and the LWA app before reading them again. */
const WEB_SECRET_CACHE_MS = 5 * 60_000;

export function wireSellerWeb(env: Env, clients: { dynamodb?: DynamoDBClient; secrets?: SecretsManagerClient; ssm?: SSMClient } = {}): WebAppDeps {
  const table = tableStores(readTableConfig(env), clients.dynamodb ?? new DynamoDBClient({}));
  const secretsClient = clients.secrets ?? new SecretsManagerClient({});
  const keySecret = env[ENV.LINK_KEY_SECRET];
  const inboundDomain = env[ENV.INBOUND_DOMAIN];
  if (!keySecret) throw new ConfigError('seller-web', `${ENV.LINK_KEY_SECRET} is not set`);
  if (!inboundDomain) throw new ConfigError('seller-web', `${ENV.INBOUND_DOMAIN} is not set`);
  const prefix = env[ENV.SP_API_SECRETS_PREFIX] ?? DEFAULT_SECRETS_PREFIX;
  const credentials = new SecretsManagerCredentials({ client: secretsClient, prefix, cacheMs: WEB_SECRET_CACHE_MS });
  const applicationId = env[ENV.SP_API_APPLICATION_ID];
  const logger = serviceLogger();
  return {
    repo: table.repo,
    ledger: table.ledger,
    acks: new DynamoDbAcknowledgements({ client: table.client, tableName: table.tableName }),
    // The refresh token it receives goes where the order sync reads it (SSM `<prefix>seller/<id>/sp-api`).
    secrets: sellerSecretStore(env, clients.ssm),
    usedStates: new DynamoDbUsedStates({ client: table.client, tableName: table.tableName }),
    linkKeys: linkKeys({ linkKeySecret: keySecret }, secretsClient),
    weeklyCharts: weeklyChartsFrom(table.repo),
    authorization: {
      app: async () => {
        if (!applicationId) return undefined;
        try {
          return { applicationId, ...(await credentials.lwaApp()) };
        } catch (err) {
          if (err instanceof CredentialsMissingError) return undefined;
          throw err;
        }
      },
      draft: env[ENV.SP_API_DRAFT_APP] === 'true',
    },
    ...(env[ENV.WEB_PUBLIC_ORIGIN] ? { publicOrigin: env[ENV.WEB_PUBLIC_ORIGIN]!.replace(/\/$/, '') } : {}),
    inboundDomain,
    now: () => new Date(),
    log: (event, data) => logger.info(event, data),
  };
}
