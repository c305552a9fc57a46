/**
 * One-off upgrade step: put every unmatched notification stored before the unknown-order sweep
 * existed into the due index, so the sweep checks it (docs/alerting.md, "Unknown-order sweep").
 *
 * Each unmatched notification is scheduled at its arrival time, exactly as a new one is when it
 * is stored; the next reconciler run then moves it to the seller's `unknownOrderHours` threshold
 * or, past it, raises the unknown-order alert (a conditional put: an alert already raised is not
 * raised twice). Matched notifications are left alone (the repository's write is conditional on
 * `matchedAt` being absent). Running it again changes nothing the sweep would not redo.
 * Reads per seller partition (Query), never a Scan.
 */
import type { SentinelRepository } from '../domain/ports';

export interface BackfillResult {
  sellers: number;
  notifications: number;
  /** Unmatched notifications scheduled for the unknown-order check. */
  scheduled: number;
  matched: number;
}

export async function backfillUnmatchedNotifications(
  repo: SentinelRepository,
  options: { sellerId?: string; dryRun?: boolean } = {},
): Promise<BackfillResult> {
  const sellerIds = options.sellerId ? [options.sellerId] : (await repo.listSellers()).map((s) => s.sellerId).sort();
  const result: BackfillResult = { sellers: sellerIds.length, notifications: 0, scheduled: 0, matched: 0 };
  for (const sellerId of sellerIds) {
    for (const n of await repo.listNotifications(sellerId)) {
      result.notifications++;
      if (n.matchedAt) {
        result.matched++;
        continue;
      }
      if (!options.dryRun) await repo.rescheduleNotification(n, n.receivedAt);
      result.scheduled++;
    }
  }
  return result;
}
