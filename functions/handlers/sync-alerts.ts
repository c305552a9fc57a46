/**
 * Turns the order-sync work's EventBridge events (`Order sync broken` / `Order sync recovered`,
 * source `shipnow.sentinel`, detail = SyncEvent; functions/adapters/eventbridge-sync-events.ts)
 * into alerts in the outbox. A replayed event finds its alert already there.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbOutbox } from '../adapters/dynamodb/outbox';
import { DynamoDbRepository } from '../adapters/dynamodb/repository';
import { ENV, SERVICE_NAME } from '../constants';
import type { AlertOutbox } from '../domain/ports';
import type { SyncEvent } from '../domain/ports';
import type { SentinelRepository } from '../domain/ports';
import { raiseSyncAlert } from '../services/alert-sources';

const SyncEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('order-sync-broken'), sellerId: z.string().min(1), marketplace: z.string().min(1), reason: z.enum(['invalid-grant', 'authorization-revoked', 'credentials-missing']), detail: z.string(), since: z.string().min(1) }),
  z.object({ type: z.literal('order-sync-recovered'), sellerId: z.string().min(1), marketplace: z.string().min(1), at: z.string().min(1) }),
]);

export interface SyncAlertsDeps {
  outbox: AlertOutbox;
  sellers: Pick<SentinelRepository, 'getSeller'>;
  logger: Logger;
  now?: () => Date;
}

export function makeHandler(deps: SyncAlertsDeps) {
  const clock = deps.now ?? (() => new Date());
  const base = async (event: EventBridgeEvent<string, unknown>, _context: Context): Promise<{ alertId: string; created: boolean }> => {
    // A malformed event throws: the invocation fails and the rule's DLQ keeps it.
    const detail = SyncEventSchema.parse(event.detail) as SyncEvent;
    const r = await raiseSyncAlert(deps, detail, clock().toISOString());
    if (r.settingsError) deps.logger.warn('invalid alert settings; defaults used', { sellerId: detail.sellerId, error: r.settingsError.message });
    deps.logger.info('sync event', { type: detail.type, sellerId: detail.sellerId, marketplace: detail.marketplace, alertId: r.alert.alertId, created: r.created });
    return { alertId: r.alert.alertId, created: r.created };
  };
  return middy(base).use(injectLambdaContext(deps.logger, { resetKeys: true }));
}

let wired: ReturnType<typeof makeHandler> | undefined;

export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context) => {
  if (!wired) {
    const tableName = z.string().min(1).parse(process.env[ENV.TABLE_NAME]);
    const client = new DynamoDBClient({});
    wired = makeHandler({
      outbox: new DynamoDbOutbox({ client, tableName }),
      sellers: new DynamoDbRepository({ client, tableName }),
      logger: new Logger({ serviceName: SERVICE_NAME }),
    });
  }
  return wired(event, context);
};
