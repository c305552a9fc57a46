/**
 * Merging what sources say about an order into the stored order, marking it notified, and
 * writing status transitions. Pure: every function returns the new order (version + 1) or null
 * when nothing would change, so a caller writes only real changes and a replay costs no write.
 *
 * Merge rules (facts from the report, Orders API v0, 2026-01-01, order-change notifications):
 * - `lastUpdated` orders facts. A fact older than the stored one never overwrites anything that
 *   is already known; it may only fill fields the stored copy lacks.
 * - State never moves backwards without a strictly newer `lastUpdated`. When either side lacks
 *   `lastUpdated` (the Unshipped Orders report has none) or both carry the same one, the state may
 *   only move forward (Pending < Unshipped < PartiallyShipped < Shipped). Canceled and Unfulfillable are
 *   final: no later fact takes an order out of them.
 * - Facts that never change once set keep the first value seen (purchaseDate, paymentsDate,
 *   marketplace), so two sources that format a time differently cannot flip-flop a field.
 * - Ship dates and fulfilledBy follow the newest fact; otherwise they are only filled in.
 */
import type { IsoTime, NotificationRecord, OrderFacts, OrderPolicy, OrderState, OrderStatus, StoredOrder } from './types';
import { computeStatus, expectedBy, nextAlertAfter } from './order-status';

/** Progress of an order; a higher rank is further along. */
const STATE_RANK: Record<OrderState, number> = {
  PendingAvailability: 0,
  Pending: 0,
  Unshipped: 1,
  PartiallyShipped: 2,
  // v0 only (invoice-confirmation marketplaces): every item shipped, invoice not yet confirmed.
  // It precedes Shipped, which follows once the invoice is confirmed.
  InvoiceUnconfirmed: 3,
  Shipped: 4,
  Canceled: 5,
  Unfulfillable: 5,
};

const TERMINAL: ReadonlySet<OrderState> = new Set<OrderState>(['Canceled', 'Unfulfillable']);

export function isTerminalState(state: OrderState): boolean {
  return TERMINAL.has(state);
}

type Age = 'newer' | 'older' | 'same' | 'unknown';

/**
 * How `incoming` relates in time to `base`, by their sources' own last-updated times. Without both
 * times the two cannot be ordered ('unknown'): an API fact is not "newer" than a report snapshot
 * just because it carries a time, since the report may have been taken later.
 */
function ageOf(incoming: OrderFacts, base: OrderFacts): Age {
  if (!incoming.lastUpdated || !base.lastUpdated) return 'unknown';
  const a = Date.parse(incoming.lastUpdated);
  const b = Date.parse(base.lastUpdated);
  return a > b ? 'newer' : a < b ? 'older' : 'same';
}

function laterOf(a: IsoTime | undefined, b: IsoTime | undefined): IsoTime | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** Drop keys whose value is undefined: the stores marshal objects, and undefined is not a value. */
function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Shallow equality over the union of keys; a missing key equals an undefined one. */
function sameRecord(a: object, b: object): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (ra[k] !== rb[k]) return false;
  }
  return true;
}

const FACT_KEYS = [
  'sellerId',
  'orderId',
  'marketplace',
  'fulfilledBy',
  'orderState',
  'purchaseDate',
  'paymentsDate',
  'earliestShipDate',
  'latestShipDate',
  'lastUpdated',
  'source',
] as const satisfies readonly (keyof OrderFacts)[];

function factsOf(o: OrderFacts): OrderFacts {
  const out: Record<string, unknown> = {};
  for (const k of FACT_KEYS) out[k] = o[k];
  return compact(out as unknown as OrderFacts);
}

function assertSameOrder(a: { sellerId: string; orderId: string }, b: { sellerId: string; orderId: string }, what: string): void {
  // A programming error, not bad input: one seller's facts must never touch another's order.
  if (a.sellerId !== b.sellerId || a.orderId !== b.orderId) {
    throw new Error(`${what}: ${b.sellerId}/${b.orderId} does not belong to ${a.sellerId}/${a.orderId}`);
  }
}

/**
 * Combine two facts about the same order by the rules above. `base` is what we have,
 * `incoming` what a source says now. Used for stored orders and to fold duplicates in a file.
 * `source` becomes incoming's when incoming changed anything, so it names the last contributor.
 */
export function mergeFacts(base: OrderFacts, incoming: OrderFacts): OrderFacts {
  assertSameOrder(base, incoming, 'mergeFacts');
  const age = ageOf(incoming, base);
  const newer = age === 'newer';

  let orderState = base.orderState;
  if (!isTerminalState(base.orderState) && age !== 'older') {
    if (newer || STATE_RANK[incoming.orderState] > STATE_RANK[base.orderState]) orderState = incoming.orderState;
  }

  const merged = compact<OrderFacts>({
    sellerId: base.sellerId,
    orderId: base.orderId,
    marketplace: base.marketplace ?? incoming.marketplace,
    fulfilledBy: newer ? incoming.fulfilledBy : base.fulfilledBy,
    orderState,
    purchaseDate: base.purchaseDate,
    paymentsDate: base.paymentsDate ?? incoming.paymentsDate,
    earliestShipDate: newer ? (incoming.earliestShipDate ?? base.earliestShipDate) : (base.earliestShipDate ?? incoming.earliestShipDate),
    latestShipDate: newer ? (incoming.latestShipDate ?? base.latestShipDate) : (base.latestShipDate ?? incoming.latestShipDate),
    lastUpdated: laterOf(base.lastUpdated, incoming.lastUpdated),
    source: base.source,
  });
  const changed = !sameRecord(factsOf(merged), factsOf(base));
  return changed ? { ...merged, source: incoming.source } : merged;
}

/**
 * Merge a source's facts into the stored order. Returns the order to write (version + 1, or 1
 * for a new order with `firstSeenAt = now`), or null when nothing would change, so replaying the
 * same file is free. Notification fields and the stored status are kept: only applyNotification
 * and applyTransition change them. `alertAfter` is recomputed, since new facts (a payments date,
 * a new state) move or end what is due.
 */
export function mergeOrderFacts(
  existing: StoredOrder | undefined,
  incoming: OrderFacts,
  now: IsoTime,
  policy: OrderPolicy,
): StoredOrder | null {
  if (!existing) {
    const created: StoredOrder = { ...factsOf(incoming), firstSeenAt: now, version: 1 };
    return compact({ ...created, alertAfter: nextAlertAfter(created, policy) });
  }
  assertSameOrder(existing, incoming, 'mergeOrderFacts');
  const facts = mergeFacts(factsOf(existing), incoming);
  const candidate: StoredOrder = { ...existing, ...facts };
  const next = compact({ ...candidate, alertAfter: nextAlertAfter(candidate, policy) });
  if (sameRecord(next, existing)) return null;
  return { ...next, version: existing.version + 1 };
}

/**
 * Mark the order notified by `n`. If it already is, the EARLIEST arrival is kept (a copy of the
 * email forwarded later, or re-ingested, must not move notifiedAt); null when nothing changes.
 */
export function applyNotification(order: StoredOrder, n: NotificationRecord, policy: OrderPolicy): StoredOrder | null {
  assertSameOrder(order, n, 'applyNotification');
  if (notificationMismatch(order, n) !== null) return null;
  if (order.notifiedAt && Date.parse(order.notifiedAt) <= Date.parse(n.receivedAt)) return null;
  const candidate: StoredOrder = {
    ...order,
    notifiedAt: n.receivedAt,
    notificationId: n.messageId,
    notificationVerified: n.verified === false ? false : undefined,
    // The email's ship-by date is kept on the order; deadlines.ts uses it only when no order
    // source gave a latest ship date.
    emailShipBy: n.shipBy ?? order.emailShipBy,
  };
  return compact({ ...candidate, alertAfter: nextAlertAfter(candidate, policy), version: order.version + 1 });
}

/** Clock skew allowed between Amazon's mail servers and its order system. */
export const NOTIFICATION_CLOCK_SKEW_MINUTES = 10;

export type NotificationMismatch = 'marketplace-mismatch' | 'before-order';

/**
 * Why this email cannot be this order's notification, or null when it can: its marketplace is not
 * the order's (when both are known: a Sold, Ship Now from amazon.de does not announce an amazon.fr
 * order with the same ID), or it was sent before the order was placed (allowing
 * NOTIFICATION_CLOCK_SKEW_MINUTES of clock skew). The sent time is the Date header, else arrival.
 */
export function notificationMismatch(
  order: Pick<StoredOrder, 'marketplace' | 'purchaseDate'>,
  n: Pick<NotificationRecord, 'marketplace' | 'receivedAt' | 'sentAt'>,
): NotificationMismatch | null {
  if (order.marketplace && n.marketplace && order.marketplace !== n.marketplace) return 'marketplace-mismatch';
  const sent = Date.parse(n.sentAt ?? n.receivedAt);
  const purchased = Date.parse(order.purchaseDate);
  if (Number.isFinite(sent) && Number.isFinite(purchased) && sent < purchased - NOTIFICATION_CLOCK_SKEW_MINUTES * 60_000) return 'before-order';
  return null;
}

/**
 * When a transition to `to` really happened (healthchecks records the flip at the time it
 * happened, not when a worker noticed):
 * - missing: at expectedBy, the instant the grace period ran out;
 * - notified: when the email arrived;
 * - awaiting / not-expected from no stored status: at firstSeenAt (it has been so since we first
 *   heard of the order);
 * - awaiting / not-expected otherwise: when the facts changed (`lastUpdated`, the source's own time
 *   of e.g. the cancellation), else `now` (the report carries no update time).
 * The result is clamped between the previous statusChangedAt and `now`, so history stays in
 * order even when facts arrive late (an email matched after the order was already flagged
 * missing is recorded as notified no earlier than the missing flip).
 */
function transitionTime(order: StoredOrder, to: OrderStatus, now: IsoTime, policy: OrderPolicy): IsoTime {
  let at: IsoTime;
  switch (to) {
    case 'missing':
      at = expectedBy(order, policy);
      break;
    case 'notified':
      at = order.notifiedAt ?? now;
      break;
    case 'awaiting':
    case 'not-expected':
      at = order.status === undefined ? order.firstSeenAt : (order.lastUpdated ?? now);
      break;
  }
  let ms = Date.parse(at);
  if (order.statusChangedAt) ms = Math.max(ms, Date.parse(order.statusChangedAt));
  ms = Math.min(ms, Date.parse(now));
  return new Date(ms).toISOString();
}

/**
 * Write the status transition due at `now`, if any: the order with its new status, the time it
 * really changed, a recomputed alertAfter and version + 1; null when the status is unchanged.
 * Alerts are raised by the caller on the returned transition (old `order.status` -> new), never
 * on every run.
 */
export function applyTransition(order: StoredOrder, now: IsoTime, policy: OrderPolicy): StoredOrder | null {
  const status = computeStatus(order, now, policy);
  if (status === order.status) return null;
  const candidate: StoredOrder = { ...order, status, statusChangedAt: transitionTime(order, status, now, policy) };
  return compact({ ...candidate, alertAfter: nextAlertAfter(candidate, policy), version: order.version + 1 });
}
