/**
 * Alert planning, pure: which transitions notify and which alerts they raise, the reminder
 * schedule of a missing order, and the seller-level alerts (channel down, unknown order, order
 * sync broken/recovered). Time passed in as `now`. The alert kinds: alert-model.ts.
 */
import { acknowledgementEffect } from './acknowledgement';
import { addMinutes } from './deadlines';
import { applyTransition } from './order-merge';
import { expectedBy, nextAlertAfter, pendingReminders, type ReminderInstant } from './order-status';
import { alertIds, alertOrder, nextDeadline, type Alert, type AlertOrder, type ResolvedReason } from './alert-model';
import type { AlertSettings } from './alert-settings';
import type { IsoTime, NotificationRecord, OrderPolicy, StoredOrder } from './types';

export interface OrderPlan {
  /** The order to write (version + 1), or null when nothing changes. */
  next: StoredOrder | null;
  /** The status transition, when there is one. */
  transition?: { from: StoredOrder['status']; to: NonNullable<StoredOrder['status']>; at: IsoTime };
  alerts: Alert[];
  /**
   * The order is snoozed (acknowledgement.ts): its alerts are delivered no earlier than this.
   * Absent otherwise. (A "handled" order raises no alerts at all.)
   */
  notBefore?: IsoTime;
}

/**
 * Everything the reconciler decides for one due order at `now`: the status transition (if any),
 * the alerts it raises, reminders that came due, and the order to write with its next checkpoint.
 *
 * Reminders: when several reminder instants passed since the last run (the reconciler was down),
 * only the latest is sent — three stale reminders in a row would be noise — and all of them are
 * marked handled. The missing alert itself carries the countdown, so reminders whose instant had
 * already passed when the order went missing are marked handled without an alert.
 */
export function planOrder(order: StoredOrder, now: IsoTime, policy: OrderPolicy, settings: AlertSettings): OrderPlan {
  const alerts: Alert[] = [];
  const moved = applyTransition(order, now, policy);
  let cur: StoredOrder = moved ?? { ...order };
  let transition: OrderPlan['transition'];
  const base = (): Pick<Alert, 'sellerId' | 'raisedAt'> => ({ sellerId: order.sellerId, raisedAt: now });

  if (moved && moved.status && moved.status !== order.status) {
    const at = moved.statusChangedAt ?? now;
    transition = { from: order.status, to: moved.status, at };
    if (moved.status === 'missing') {
      // An order that had already shipped when its email was found missing is evidence of lost
      // mail, but there is nothing left to remind about or to resolve.
      const alreadyShipped = cur.orderState === 'Shipped';
      cur = { ...cur, alerting: { reminders: settings.reminders, remindedThrough: now, ...(alreadyShipped ? { resolvedAt: now } : {}) } };
      const o = alertOrder(cur, policy);
      alerts.push({ ...base(), alertId: alertIds.missing(order.orderId), kind: 'notification-missing', occurredAt: at, order: o, ...marketplaceOf(o), ...deadlineOf(o, now) });
    } else if (order.status === 'missing') {
      const reason: ResolvedReason =
        moved.status === 'notified' ? 'email-arrived-late' : cur.orderState === 'Canceled' ? 'cancelled' : 'no-longer-expected';
      const o = alertOrder(cur, policy);
      alerts.push({ ...base(), alertId: alertIds.resolved(order.orderId), kind: 'resolved', occurredAt: at, order: o, resolvedReason: reason, ...marketplaceOf(o) });
    }
  }

  // Reminders of a missing order (the plan sees the order as it will be written). None while the
  // seller said "handled" or snoozed it; after a snooze, only a reminder whose deadline is ahead.
  const effect = acknowledgementEffect(order, now);
  const afterSnooze = order.acknowledgement?.kind === 'snoozed' && effect.kind === 'none';
  const due =
    effect.kind === 'none' ? pendingReminders({ ...cur }).filter((r) => Date.parse(r.at) <= Date.parse(now)) : [];
  const sendable = afterSnooze ? due.filter((r) => Date.parse(r.deadlineAt) > Date.parse(now)) : due;
  if (due.length > 0 && cur.alerting) {
    cur = { ...cur, alerting: { ...cur.alerting, remindedThrough: now } };
  }
  if (sendable.length > 0 && cur.alerting) {
    const latest: ReminderInstant = sendable[sendable.length - 1];
    const o = alertOrder(cur, policy);
    alerts.push({
      ...base(),
      alertId: alertIds.reminder(order.orderId, latest.step),
      kind: 'deadline-reminder',
      occurredAt: latest.at,
      order: o,
      reminder: { step: latest.step, deadline: latest.deadline, deadlineAt: latest.deadlineAt },
      deadlineAt: latest.deadlineAt,
      ...marketplaceOf(o),
    });
  }

  // A missing order that shipped: resolved, once.
  if (cur.alerting && !cur.alerting.resolvedAt && cur.status === 'missing' && !cur.notifiedAt && cur.orderState === 'Shipped') {
    const at = clampTime(cur.lastUpdated ?? now, cur.statusChangedAt, now);
    cur = { ...cur, alerting: { ...cur.alerting, resolvedAt: now } };
    const o = alertOrder(cur, policy);
    alerts.push({ ...base(), alertId: alertIds.resolved(order.orderId), kind: 'resolved', occurredAt: at, order: o, resolvedReason: 'shipped', ...marketplaceOf(o) });
  }

  const alertAfter = nextAlertAfter(cur, policy);
  const candidate = compact({ ...cur, alertAfter });
  // "Handled": the bookkeeping above still moves on (the order leaves the due index when nothing
  // is left), but nothing about the order is sent any more. Snoozed: sent when the snooze ends.
  const out = effect.kind === 'handled' ? [] : alerts;
  const notBefore = effect.kind === 'snoozed' && out.length > 0 ? { notBefore: effect.until } : {};
  if (!moved && sameJson(candidate, order)) return { next: null, alerts: out, ...notBefore };
  return { next: { ...candidate, version: order.version + 1 }, ...(transition ? { transition } : {}), alerts: out, ...notBefore };
}

function marketplaceOf(o: AlertOrder): { marketplace?: string } {
  return o.marketplace ? { marketplace: o.marketplace } : {};
}

function deadlineOf(o: AlertOrder, now: IsoTime): { deadlineAt?: IsoTime } {
  const d = nextDeadline(o, now);
  return d ? { deadlineAt: d } : {};
}

function clampTime(t: IsoTime, min: IsoTime | undefined, max: IsoTime): IsoTime {
  let ms = Date.parse(t);
  if (min) ms = Math.max(ms, Date.parse(min));
  ms = Math.min(ms, Date.parse(max));
  return new Date(ms).toISOString();
}

function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

function sameJson(a: object, b: object): boolean {
  const norm = (o: object) => JSON.stringify(Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).sort(([x], [y]) => (x < y ? -1 : 1))));
  return norm(a) === norm(b);
}

// ---- seller-level alerts -----------------------------------------------------------------------

/**
 * Channel down from the seller's missing streak (bounded: one item, kept by the reconciler as
 * orders go missing): at least `channelDownAfter` orders went missing since the last email, and
 * no email at all arrived since the first of them was expected. `recent`: this run's newly
 * missing orders of the seller (the countdown and when it happened). One alert per episode.
 */
export function channelDownFromStreak(input: {
  sellerId: string;
  streak: { count: number; orderIds: string[]; firstExpectedAt: IsoTime };
  recent: StoredOrder[];
  lastEmailAt: IsoTime | null;
  now: IsoTime;
  policy: OrderPolicy;
  settings: AlertSettings;
}): Alert | null {
  const { streak, recent, now, policy, settings } = input;
  if (streak.count < settings.channelDownAfter) return null;
  if (input.lastEmailAt && Date.parse(input.lastEmailAt) >= Date.parse(streak.firstExpectedAt)) return null;
  const deadlines = recent
    .map((o) => nextDeadline(alertOrder(o, policy), now))
    .filter((d): d is IsoTime => !!d)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  const occurredAt = recent.length > 0 ? new Date(recent.map((o) => Date.parse(expectedBy(o, policy))).reduce((a, b) => Math.max(a, b))).toISOString() : now;
  return {
    alertId: alertIds.channelDown(input.lastEmailAt),
    sellerId: input.sellerId,
    kind: 'channel-down',
    occurredAt,
    raisedAt: now,
    // Most recent first, as many as make the point.
    channel: { missingInARow: streak.count, orderIds: [...streak.orderIds].reverse().slice(0, 50), lastEmailAt: input.lastEmailAt },
    ...(deadlines[0] ? { deadlineAt: deadlines[0] } : {}),
  };
}

/** Unknown order: an authentic notification still unmatched `unknownOrderHours` after it arrived. */
export function unknownOrderAlerts(sellerId: string, notifications: NotificationRecord[], now: IsoTime, settings: AlertSettings): Alert[] {
  const limit = Date.parse(now) - settings.unknownOrderHours * 3_600_000;
  return notifications
    .filter((n) => !n.matchedAt && Date.parse(n.receivedAt) <= limit)
    .map((n) => ({
      alertId: alertIds.unknownOrder(n.orderId, n.messageId),
      sellerId,
      kind: 'unknown-order' as const,
      occurredAt: addMinutes(n.receivedAt, settings.unknownOrderHours * 60),
      raisedAt: now,
      marketplace: n.marketplace,
      notification: { orderId: n.orderId, messageId: n.messageId, receivedAt: n.receivedAt, marketplace: n.marketplace },
    }));
}

/** The order-sync work's events as alerts: broken -> sync-broken; recovered -> resolved. */
export function syncAlert(
  event:
    | { type: 'order-sync-broken'; sellerId: string; marketplace: string; reason: string; detail: string; since: IsoTime }
    | { type: 'order-sync-recovered'; sellerId: string; marketplace: string; at: IsoTime; since?: IsoTime },
  now: IsoTime,
): Alert {
  if (event.type === 'order-sync-broken') {
    return {
      alertId: alertIds.syncBroken(event.marketplace, event.since),
      sellerId: event.sellerId,
      kind: 'sync-broken',
      occurredAt: event.since,
      raisedAt: now,
      marketplace: event.marketplace,
      sync: { reason: event.reason, detail: event.detail, since: event.since },
    };
  }
  return {
    alertId: alertIds.syncRecovered(event.marketplace, event.since ?? event.at),
    sellerId: event.sellerId,
    kind: 'resolved',
    occurredAt: event.at,
    raisedAt: now,
    marketplace: event.marketplace,
    resolvedReason: 'sync-recovered',
  };
}
