import { applyNotification, mergeOrderFacts } from '../domain/order-merge';
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
  const pending = await repo.notificationsForOrder(order.sellerId, order.orderId);
  if (pending.length === 0) return false;
  const earliest = pending.reduce((a, b) => (b.receivedAt < a.receivedAt ? b : a));
  await markNotified(repo, earliest, now, policy);
  return true;
}

/** Apply one accepted notification to its order, if the order exists. Returns whether it matched. */
export async function markNotified(
  repo: SentinelRepository,
  n: NotificationRecord,
  now: IsoTime,
  policy: OrderPolicy,
): Promise<boolean> {
  const { order } = await updateOrder(repo, n.sellerId, n.orderId, (current) =>
    current ? applyNotification(current, n, policy) : null,
  );
  if (!order) return false;
  if (!n.matchedAt) await repo.markNotificationMatched(n, now);
  return true;
}
