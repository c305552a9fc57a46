import { applyNotification, mergeOrderFacts, notificationMismatch } from '../domain/order-merge';
import { expectedAt, expectedBy } from '../domain/order-status';
import type { SentinelRepository } from '../domain/ports';
import type { IsoTime, NotificationRecord, OrderFacts, OrderPolicy, StoredOrder } from '../domain/types';
import { updateOrder } from './retry-on-conflict';

export interface ImportOrdersResult {
  /** Orders created or changed. */
  written: number;
  /** Orders already stored exactly as given (replays). */
  unchanged: number;
  /** Orders matched to an email that had arrived before them. */
  matchedEarlierEmail: number;
}

/**
 * Store what a source says about orders (report, SP-API, ORDER_CHANGE), then match any
 * Sold, Ship Now email that arrived before its order. Idempotent: replaying the same facts
 * writes nothing.
 */
export async function importOrders(
  repo: SentinelRepository,
  facts: readonly OrderFacts[],
  now: IsoTime,
  policy: OrderPolicy,
): Promise<ImportOrdersResult> {
  const result: ImportOrdersResult = { written: 0, unchanged: 0, matchedEarlierEmail: 0 };
  for (const f of facts) {
    const { order, written } = await updateOrder(repo, f.sellerId, f.orderId, (current) =>
      mergeOrderFacts(current, f, now, policy),
    );
    if (written) result.written++;
    else result.unchanged++;
    if (order && !order.notifiedAt && (await matchEarlierNotifications(repo, order, now, policy))) {
      result.matchedEarlierEmail++;
    }
  }
  return result;
}

/**
 * An email may arrive before its order is known. It is stored as a notification (keyed by
 * seller and order ID); here, once the order exists, the earliest such email marks it notified.
 * The notification is written before its order lookup and the order before this lookup, and
 * both reads are strongly consistent, so whichever side comes second sees the other.
 */
export async function matchEarlierNotifications(
  repo: SentinelRepository,
  order: StoredOrder,
  now: IsoTime,
  policy: OrderPolicy,
): Promise<boolean> {
  // Only plausible ones: same marketplace, sent no earlier than the purchase.
  const pending = (await repo.notificationsForOrder(order.sellerId, order.orderId)).filter((n) => notificationMismatch(order, n) === null);
  if (pending.length === 0) return false;
  const earliest = pending.reduce((a, b) => (b.receivedAt < a.receivedAt ? b : a));
  await markNotified(repo, earliest, now, policy);
  return true;
}

/**
 * Apply one accepted notification to its order, if the order exists. Returns whether it matched.
 *
 * When this call's conditional write is what first marked the order notified, the order is
 * counted into the seller's order stats (the diagnosis' history): `notified` +1, and `missing` -1
 * if it had been reported missing. A replayed email, a second matching email or a lost race
 * writes nothing new, so counts nothing.
 */
export async function markNotified(
  repo: SentinelRepository,
  n: NotificationRecord,
  now: IsoTime,
  policy: OrderPolicy,
): Promise<boolean> {
  // The state the written version replaced: the last one `decide` saw.
  let before: StoredOrder | undefined;
  const { order, written } = await updateOrder(repo, n.sellerId, n.orderId, (current) => {
    before = current;
    return current ? applyNotification(current, n, policy) : null;
  });
  if (!order) return false;
  // The order exists but this email cannot be its notification: it stays unmatched (the report
  // says why, see seller-report.ts).
  if (notificationMismatch(order, n) !== null) return false;
  if (written && order.notifiedAt && !before?.notifiedAt && order.marketplace) {
    const wasMissing = before?.status === 'missing';
    await repo.addOrderStats(order.sellerId, order.marketplace, expectedBy(order, policy), { notified: 1, ...(wasMissing ? { missing: -1 } : {}), orderAt: expectedAt(order) }, n.receivedAt);
  }
  if (!n.matchedAt) await repo.markNotificationMatched(n, now);
  return true;
}
