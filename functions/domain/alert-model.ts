/**
 * The alert model: the kinds, the alert record written to the outbox and published to
 * EventBridge (schema: docs/alert-events.md), its deterministic IDs (so the outbox
 * de-duplicates), and the order facts a message shows. Pure.
 *
 * Alerts fire only on transitions (healthchecks' Flip), never on every run:
 * - `notification-missing`: awaiting/new -> missing (the grace period ran out);
 * - `deadline-reminder`: a reminder instant of a missing, still unshipped order passed;
 * - `resolved`: missing -> notified (the email came late), missing -> not-expected (cancelled,
 *   or no longer merchant-fulfilled), or a missing order shipped;
 * - `channel-down`: several orders missing in a row and no email at all since a time (seller-level);
 * - `sync-broken`: the order sync of a marketplace broke (from the order-sync work);
 * - `unknown-order`: a Sold, Ship Now email for an order no source knows, unmatched for hours;
 * - `weekly-report`: not an alarm but the Monday summary of the seller's week (weekly-stats.ts),
 *   sent through the same outbox and channels, once per seller and week.
 * Which transitions raise which alert: alert-planning.ts.
 */
import { autoCancelAt, shipBy } from './deadlines';
import type { Diagnosis } from './diagnosis';
import type { OrderProbeFinding } from './mailbox-probe';
import type { WeeklyStats } from './weekly-stats';
import { expectedBy, expectsEmail } from './order-status';
import type { IsoTime, OrderPolicy, StoredOrder } from './types';

export type AlertKind = 'notification-missing' | 'deadline-reminder' | 'resolved' | 'channel-down' | 'sync-broken' | 'unknown-order' | 'mailbox-broken' | 'weekly-report';

export const ALERT_KINDS: readonly AlertKind[] = [
  'notification-missing',
  'deadline-reminder',
  'resolved',
  'channel-down',
  'sync-broken',
  'unknown-order',
  'mailbox-broken',
  'weekly-report',
];

export type ResolvedReason = 'email-arrived-late' | 'shipped' | 'cancelled' | 'no-longer-expected' | 'sync-recovered';

export type AlertLanguage = 'zh-CN' | 'en';

/** The order facts a message shows (no buyer data). */
export interface AlertOrder {
  orderId: string;
  marketplace: string | null;
  orderState: StoredOrder['orderState'];
  purchaseDate: IsoTime;
  expectedBy: IsoTime;
  shipBy: IsoTime | null;
  /** Null once the order shipped (it can no longer be auto-cancelled). */
  autoCancelAt: IsoTime | null;
  notifiedAt?: IsoTime;
}

/** One alert, as written to the outbox and published to EventBridge (schema: docs/alert-events.md). */
export interface Alert {
  /** Deterministic: `<kind>:<subject>[:<step>]`; unique within the seller. */
  alertId: string;
  sellerId: string;
  kind: AlertKind;
  /** When it really happened (e.g. expected-by + grace), not when a worker noticed. */
  occurredAt: IsoTime;
  /** When the reconciler raised it. */
  raisedAt: IsoTime;
  order?: AlertOrder;
  marketplace?: string;
  /** deadline-reminder: the step (`ship-by-24h`, `auto-cancel-7d`) and its deadline. */
  reminder?: { step: string; deadline: 'ship-by' | 'auto-cancel'; deadlineAt: IsoTime };
  resolvedReason?: ResolvedReason;
  /** channel-down: orders missing in a row and the last email received (null: none ever). */
  channel?: { missingInARow: number; orderIds: string[]; lastEmailAt: IsoTime | null };
  /** sync-broken: why (`invalid-grant`, ...) and since when. */
  sync?: { reason: string; detail: string; since: IsoTime };
  /** unknown-order: the unmatched notification. */
  notification?: { orderId: string; messageId: string; receivedAt: IsoTime; marketplace: string };
  /** The earliest deadline still ahead that this alert is about (quiet hours yield to it). */
  deadlineAt?: IsoTime;
  diagnosis?: Diagnosis;
  /** issue 14: where the seller's own mailbox shows this order's email went (the probe's finding). */
  mailboxFinding?: OrderProbeFinding;
  /** mailbox-broken: the IMAP connection that stopped working (no password, ever). */
  mailbox?: { host: string; reason: string; detail: string; since: IsoTime };
  /** weekly-report: the week's stats (no buyer data: counts and delays only). */
  weekly?: WeeklyStats;
}

// ---- IDs ---------------------------------------------------------------------------------------

/**
 * Deterministic alert IDs: one per order and kind (plus the reminder step), one per seller-level
 * episode. Two reconcilers that see the same transition compute the same ID, and the outbox's
 * conditional put keeps the first.
 */
export const alertIds = {
  missing: (orderId: string) => `notification-missing:${orderId}`,
  reminder: (orderId: string, step: string) => `deadline-reminder:${orderId}:${step}`,
  resolved: (orderId: string) => `resolved:${orderId}`,
  /** An episode is identified by the last email before it: a new email ends it, a new outage is a new ID. */
  channelDown: (lastEmailAt: IsoTime | null) => `channel-down:${lastEmailAt ?? 'never'}`,
  syncBroken: (marketplace: string, since: IsoTime) => `sync-broken:${marketplace}:${since}`,
  syncRecovered: (marketplace: string, since: IsoTime) => `resolved:sync:${marketplace}:${since}`,
  unknownOrder: (orderId: string, messageId: string) => `unknown-order:${orderId}:${messageId}`,
  /** One per broken spell of the seller's mailbox connection: the seller is told once. */
  mailboxBroken: (since: IsoTime) => `mailbox-broken:${since}`,
  /** One per seller and week (its last local date): a retried run finds it in the outbox. */
  weeklyReport: (weekEnd: string) => `weekly-report:${weekEnd}`,
};

// ---- order facts -------------------------------------------------------------------------------

export function alertOrder(order: StoredOrder, policy: OrderPolicy): AlertOrder {
  return {
    orderId: order.orderId,
    marketplace: order.marketplace,
    orderState: order.orderState,
    purchaseDate: order.purchaseDate,
    expectedBy: expectedBy(order, policy),
    shipBy: shipBy(order),
    autoCancelAt: expectsEmail(order) && order.orderState !== 'Shipped' ? autoCancelAt(order) : null,
    ...(order.notifiedAt ? { notifiedAt: order.notifiedAt } : {}),
  };
}

/** The earliest of ship-by and auto-cancel still after `now`, if any. */
export function nextDeadline(o: AlertOrder, now: IsoTime): IsoTime | undefined {
  const n = Date.parse(now);
  const ahead = [o.shipBy, o.autoCancelAt].filter((t): t is IsoTime => !!t && Date.parse(t) > n);
  ahead.sort((a, b) => Date.parse(a) - Date.parse(b));
  return ahead[0];
}
