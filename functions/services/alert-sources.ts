/**
 * Alerts that do not come from one due order: the order sync's "broken / recovered" events, and
 * notifications for unknown orders that stayed unmatched for hours (found through the due index).
 * Both go to the outbox with the same conditional put, so a replayed event or a second run raises
 * nothing new.
 */
import { alertSettings, InvalidAlertSettingsError, type AlertSettings } from '../domain/alert-settings';
import { deliverAt } from '../domain/alert-timing';
import { syncAlert, unknownOrderAlerts } from '../domain/alert-planning';
import { type Alert } from '../domain/alert-model';
import type { AlertOutbox, SentinelRepository, SyncEvent, SyncEventSink } from '../domain/ports';
import type { IsoTime, NotificationRecord } from '../domain/types';

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

/**
 * The seller's alert settings, or the defaults when they are invalid (a typo must never silence
 * an alert nor fail the caller); the error is returned for the caller to log, as reconcile.ts does.
 */
export function settingsOrDefaults(seller: Parameters<typeof alertSettings>[0]): { settings: AlertSettings; settingsError?: InvalidAlertSettingsError } {
  try {
    return { settings: alertSettings(seller) };
  } catch (error) {
    if (!(error instanceof InvalidAlertSettingsError)) throw error;
    return { settings: alertSettings(undefined), settingsError: error };
  }
}

export async function raiseSyncAlert(
  deps: { outbox: AlertOutbox; sellers: Pick<SentinelRepository, 'getSeller'> },
  event: SyncEvent,
  now: IsoTime,
): Promise<{ alert: Alert; created: boolean; settingsError?: InvalidAlertSettingsError }> {
  const alert = syncAlert(event, now);
  const { settings, settingsError } = settingsOrDefaults(await deps.sellers.getSeller(event.sellerId));
  const created = (await deps.outbox.put(alert, deliverAt(alert, now, settings))) === 'created';
  return { alert, created, ...(settingsError ? { settingsError } : {}) };
}

export interface UnknownOrderSweepResult {
  raised: Alert[];
  created: number;
  /** Sellers whose settings are invalid: swept with the defaults; the caller logs these. */
  settingsErrors: Array<{ sellerId: string; error: InvalidAlertSettingsError }>;
  /** Sellers whose sweep failed (logged by the caller); the others were still swept. */
  failed: Array<{ sellerId: string; error: unknown }>;
  /** Items read from the due index. */
  itemsRead: number;
}

/**
 * Notifications still unmatched `unknownOrderHours` after arrival, read from the sparse due index
 * only (partitions `UNMATCHED#n`): a notification is due from its arrival; the first look moves
 * its check to the seller's threshold (receivedAt + unknownOrderHours), matching takes it out, and
 * at the threshold the alert goes to the outbox (conditional put) before the notification leaves
 * the index, so a crash in between raises nothing twice. The cost follows what is due, never the
 * number of sellers or stored notifications, so it runs on every reconciler run.
 *
 * Each seller is isolated: invalid settings fall back to the defaults (reported), and a failure
 * with one seller's notifications is recorded while the sweep goes on with the others (theirs stay
 * due and are tried again by the next run).
 */
export async function raiseUnknownOrderAlerts(
  deps: { repo: SentinelRepository; outbox: AlertOutbox },
  now: IsoTime,
  options: { shouldStop?: () => boolean; limit?: number } = {},
): Promise<UnknownOrderSweepResult> {
  const result: UnknownOrderSweepResult = { raised: [], created: 0, settingsErrors: [], failed: [], itemsRead: 0 };
  const due = await deps.repo.queryDueNotifications(now, options.limit);
  result.itemsRead = due.itemsRead;
  const bySeller = new Map<string, NotificationRecord[]>();
  for (const n of due.notifications) bySeller.set(n.sellerId, [...(bySeller.get(n.sellerId) ?? []), n]);

  for (const [sellerId, notifications] of bySeller) {
    if (options.shouldStop?.()) break;
    try {
      const { settings, settingsError } = settingsOrDefaults(await deps.repo.getSeller(sellerId));
      if (settingsError) result.settingsErrors.push({ sellerId, error: settingsError });
      for (const n of notifications) {
        if (n.matchedAt) {
          await deps.repo.clearNotificationDue(n);
          continue;
        }
        const checkAt = new Date(Date.parse(n.receivedAt) + settings.unknownOrderHours * 3_600_000).toISOString();
        if (Date.parse(checkAt) > Date.parse(now)) {
          await deps.repo.rescheduleNotification(n, checkAt);
          continue;
        }
        for (const a of unknownOrderAlerts(sellerId, [n], now, settings)) {
          result.raised.push(a);
          if ((await deps.outbox.put(a, deliverAt(a, now, settings))) === 'created') result.created++;
        }
        await deps.repo.clearNotificationDue(n);
      }
    } catch (error) {
      result.failed.push({ sellerId, error });
    }
  }
  return result;
}
