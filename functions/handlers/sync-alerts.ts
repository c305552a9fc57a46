/**
 * Turns the order-sync work's EventBridge events (`Order sync broken` / `Order sync recovered`,
 * source `shipnow.sentinel`, detail = SyncEvent; functions/adapters/eventbridge-sync-events.ts)
 * into alerts in the outbox. A replayed event finds its alert already there.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import type { AlertOutbox } from '../domain/ports';
import type { SentinelRepository, SyncEvent } from '../domain/ports';
import type { Clock } from '../domain/types';
import { raiseSyncAlert } from '../services/alert-sources';
import { systemClock, wireSyncAlerts } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';

const SyncEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('order-sync-broken'), sellerId: z.string().min(1), marketplace: z.string().min(1), reason: z.enum(['invalid-grant', 'authorization-revoked', 'credentials-missing']), detail: z.string(), since: z.string().min(1) }),
  z.object({ type: z.literal('order-sync-recovered'), sellerId: z.string().min(1), marketplace: z.string().min(1), at: z.string().min(1) }),
]);

export interface SyncAlertsDeps {
  outbox: AlertOutbox;
  sellers: Pick<SentinelRepository, 'getSeller'>;
  logger: Logger;
  now?: Clock;
}

export function makeHandler(deps: SyncAlertsDeps) {
  const clock = deps.now ?? systemClock;
  const base = async (event: EventBridgeEvent<string, unknown>, _context: Context): Promise<{ alertId: string; created: boolean }> => {
    // A malformed event throws: the invocation fails and the rule's DLQ keeps it.
    const detail = SyncEventSchema.parse(event.detail) as SyncEvent;
    const r = await raiseSyncAlert(deps, detail, clock());
    if (r.settingsError) deps.logger.warn('invalid alert settings; defaults used', { sellerId: detail.sellerId, error: r.settingsError.message });
    deps.logger.info('sync event', { type: detail.type, sellerId: detail.sellerId, marketplace: detail.marketplace, alertId: r.alert.alertId, created: r.created });
    return { alertId: r.alert.alertId, created: r.created };
  };
  return lambdaChain(base, { logger: deps.logger });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireSyncAlerts(process.env)));
