import { autoCancelAt, shipBy } from '../domain/deadlines';
import { notificationMismatch, type NotificationMismatch } from '../domain/order-merge';
import { computeStatus, expectedBy, expectsEmail } from '../domain/order-status';
import type { SentinelRepository } from '../domain/ports';
import type { IsoTime, OrderPolicy, OrderStatus } from '../domain/types';

export interface OrderReportRow {
  orderId: string;
  status: OrderStatus;
  marketplace: string | null;
  /** When the email should have arrived at the latest (expected time + grace); null if none is expected. */
  expectedBy: IsoTime | null;
  notifiedAt: IsoTime | null;
  /**
   * For a notified order: false when its email had no trusted verdict and counted only because of
   * `--accept-unverified`, else true. Null when not notified.
   */
  verified: boolean | null;
  shipBy: IsoTime | null;
  autoCancelAt: IsoTime | null;
}

export interface SellerReport {
  now: IsoTime;
  orders: OrderReportRow[];
  /**
   * Accepted emails not matched to an order. `reason`: `no-order` (not in any orders source yet),
   * or why the order of that ID cannot be its order (`marketplace-mismatch`, `before-order`).
   */
  unmatchedNotifications: Array<{ orderId: string; location: string; receivedAt: IsoTime; reason: 'no-order' | NotificationMismatch }>;
  summary: { notified: number; missing: number; awaiting: number; notExpected: number };
}

const STATUS_ORDER: Record<OrderStatus, number> = { missing: 0, awaiting: 1, notified: 2, 'not-expected': 3 };

/**
 * Every order of one seller with its status at `now` (computed, never read from a cache), its
 * deadlines, and the notifications still waiting for their order. Missing orders come first.
 */
export async function sellerReport(
  repo: SentinelRepository,
  sellerId: string,
  now: IsoTime,
  policy: OrderPolicy,
): Promise<SellerReport> {
  const [orders, notifications] = await Promise.all([repo.listOrders(sellerId), repo.listNotifications(sellerId)]);
  const rows: OrderReportRow[] = orders.map((o) => {
    const expects = expectsEmail(o);
    return {
      orderId: o.orderId,
      status: computeStatus(o, now, policy),
      marketplace: o.marketplace,
      expectedBy: expects ? expectedBy(o, policy) : null,
      // An email that arrived after `now` is not shown: the report is "as of" now.
      notifiedAt: o.notifiedAt && Date.parse(o.notifiedAt) <= Date.parse(now) ? o.notifiedAt : null,
      verified: o.notifiedAt && Date.parse(o.notifiedAt) <= Date.parse(now) ? o.notificationVerified !== false : null,
      shipBy: shipBy(o),
      // A shipped order's shipment is confirmed: it can no longer be auto-cancelled.
      autoCancelAt: expects && o.orderState !== 'Shipped' ? autoCancelAt(o) : null,
    };
  });
  rows.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.orderId.localeCompare(b.orderId));
  const summary = { notified: 0, missing: 0, awaiting: 0, notExpected: 0 };
  for (const r of rows) {
    if (r.status === 'not-expected') summary.notExpected++;
    else summary[r.status]++;
  }
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const unmatchedNotifications = notifications
    .filter((n) => !n.matchedAt && Date.parse(n.receivedAt) <= Date.parse(now))
    .map((n) => {
      const order = byId.get(n.orderId);
      return { orderId: n.orderId, location: n.location, receivedAt: n.receivedAt, reason: (order ? notificationMismatch(order, n) : null) ?? ('no-order' as const) };
    });
  return { now, orders: rows, unmatchedNotifications, summary };
}
