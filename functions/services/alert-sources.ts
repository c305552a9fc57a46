/**
 * Alerts that do not come from one due order: the order sync's "broken / recovered" events, and
 * notifications for unknown orders that stayed unmatched for hours. Both go to the outbox with the
 * same conditional put, so a replayed event or a second run raises nothing new.
 */
import { alertSettings, deliverAt, syncAlert, unknownOrderAlerts, type Alert } from '../domain/alerts';
import type { AlertOutbox } from '../domain/alert-ports';
import type { SentinelRepository } from '../domain/ports';
import type { SyncEvent, SyncEventSink } from '../domain/order-sync';
import type { IsoTime } from '../domain/types';

/** A SyncEventSink that turns the order-sync work's events into alerts (outbox). */
export class OutboxSyncEventSink implements SyncEventSink {
  constructor(
    private readonly deps: { outbox: AlertOutbox; sellers: Pick<SentinelRepository, 'getSeller'> },
    private readonly now: () => IsoTime = () => new Date().toISOString(),
  ) {}

  async publish(event: SyncEvent): Promise<void> {
    await raiseSyncAlert(this.deps, event, this.now());
  }
}

export async function raiseSyncAlert(
  deps: { outbox: AlertOutbox; sellers: Pick<SentinelRepository, 'getSeller'> },
  event: SyncEvent,
  now: IsoTime,
): Promise<{ alert: Alert; created: boolean }> {
  const alert = syncAlert(event, now);
  const settings = alertSettings(await deps.sellers.getSeller(event.sellerId));
  const created = (await deps.outbox.put(alert, deliverAt(alert, now, settings))) === 'created';
  return { alert, created };
}

/**
 * Every seller's notifications still unmatched `unknownOrderHours` after arrival. Reads each
 * seller's notifications (bounded by their TTL), so callers run it hourly, not every 5 minutes.
 */
export async function raiseUnknownOrderAlerts(
  deps: { repo: SentinelRepository; outbox: AlertOutbox },
  now: IsoTime,
  options: { shouldStop?: () => boolean } = {},
): Promise<{ raised: Alert[]; created: number }> {
  const raised: Alert[] = [];
  let created = 0;
  for (const seller of await deps.repo.listSellers()) {
    if (options.shouldStop?.()) break;
    const settings = alertSettings(seller);
    const alerts = unknownOrderAlerts(seller.sellerId, await deps.repo.listNotifications(seller.sellerId), now, settings);
    for (const a of alerts) {
      raised.push(a);
      if ((await deps.outbox.put(a, deliverAt(a, now, settings))) === 'created') created++;
    }
  }
  return { raised, created };
}
