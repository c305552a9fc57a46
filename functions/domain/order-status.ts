/**
 * Status of an order with respect to its Sold, Ship Now email.
 *
 * Pure: status is a function of the stored facts, the policy and `now` (healthchecks' model: the
 * email is the ping). The stored `status` only changes on a transition (order-merge.ts,
 * applyTransition); `nextAlertAfter` tells the reconciler when to look at an order again.
 */
import type { IsoTime, OrderFacts, OrderPolicy, OrderState, OrderStatus, StoredOrder } from './types';
import { addMinutes, autoCancelAt, shipBy } from './deadlines';

/**
 * States in which Amazon has released the order to the seller for shipping, i.e. a Sold, Ship Now
 * email was (or is about to be) sent. `Shipped` counts: the order was shippable before it shipped,
 * so its email was due; a shipped order with no email is still evidence that mail goes missing.
 * Not expected: Pending / PendingAvailability (not yet released), Canceled, Unfulfillable (FBA
 * only), InvoiceUnconfirmed (invoice workflow, not a Sold, Ship Now).
 */
const EMAIL_STATES: ReadonlySet<OrderState> = new Set<OrderState>(['Unshipped', 'PartiallyShipped', 'Shipped']);

/** The facts order-status needs; StoredOrder and OrderFacts both satisfy it. */
export type StatusFacts = Pick<OrderFacts, 'fulfilledBy' | 'orderState' | 'purchaseDate' | 'paymentsDate'> & {
  notifiedAt?: IsoTime;
};

/** Does Amazon send a Sold, Ship Now email for this order? Only merchant-fulfilled, released orders. */
export function expectsEmail(order: Pick<OrderFacts, 'fulfilledBy' | 'orderState'>): boolean {
  return order.fulfilledBy === 'MERCHANT' && EMAIL_STATES.has(order.orderState);
}

/**
 * When the email should be sent: when payment was confirmed, if a source told us (the report's
 * `payments-date`), else when the order was placed. Amazon sends Sold, Ship Now once the order is
 * released for shipping, which is at or after payment.
 */
export function expectedAt(order: Pick<OrderFacts, 'purchaseDate' | 'paymentsDate'>): IsoTime {
  return order.paymentsDate ?? order.purchaseDate;
}

/** The instant from which a still-missing email counts as missing: expectedAt + grace. */
export function expectedBy(order: Pick<OrderFacts, 'purchaseDate' | 'paymentsDate'>, policy: OrderPolicy): IsoTime {
  return addMinutes(expectedAt(order), policy.graceMinutes);
}

/**
 * The status at `now`:
 * - `not-expected` when no email is expected (FBA, pending, cancelled...), even if one arrived;
 * - `notified` when the matching email arrived at or before `now` (an email that arrives later does
 *   not count yet: a check "as of" an earlier time sees what the seller saw then);
 * - `missing` when `now >= expectedBy`. The boundary is inclusive: at exactly expectedBy the grace
 *   period is over (a grace of 60 minutes means the 60 minutes are granted, not 60 min + 1 ms),
 *   and it agrees with the due index, which returns orders with `alertAfter <= now`;
 * - `awaiting` before that.
 * Times are compared as instants (Date.parse), not strings, so a differently formatted `now`
 * (`...T12:00:00Z` vs `...T12:00:00.000Z`) cannot move the boundary.
 */
export function computeStatus(order: StatusFacts, now: IsoTime, policy: OrderPolicy): OrderStatus {
  if (!expectsEmail(order)) return 'not-expected';
  if (order.notifiedAt && Date.parse(order.notifiedAt) <= Date.parse(now)) return 'notified';
  return Date.parse(now) >= Date.parse(expectedBy(order, policy)) ? 'missing' : 'awaiting';
}

/** Why an order is due again; later work adds reminder kinds here (see nextCheckpoint). */
export type CheckpointKind =
  /** The email is due: at this instant an un-notified order becomes missing. */
  | 'email-due'
  /**
   * The stored status says we are waiting for an email (awaiting/missing) but the facts say we no
   * longer are (the email arrived, or the order no longer expects one). The transition has not
   * been written yet; the order stays due until it is, so a crash between "mark notified" and
   * "write the transition" cannot lose a recovery notice.
   */
  | 'status-stale'
  /** A deadline reminder of a missing, still unshipped order (see reminderInstants). */
  | 'reminder'
  /** A missing order was shipped: the "resolved" alert is due (its status stays `missing`). */
  | 'resolved-shipped';

/** One reminder of the schedule: `ship-by-24h`, `auto-cancel-7d`, ... */
export interface ReminderInstant {
  at: IsoTime;
  /** Stable name of the step; part of the alert ID, so each step alerts once. */
  step: string;
  deadline: 'ship-by' | 'auto-cancel';
  deadlineAt: IsoTime;
}

/** States in which the order still waits to be shipped: reminders make sense only then. */
const UNSHIPPED: ReadonlySet<OrderState> = new Set<OrderState>(['Unshipped', 'PartiallyShipped']);

/**
 * Every reminder instant of an order that went missing (it carries `alerting`), earliest first,
 * while it is unshipped and the email still has not come. A reminder whose deadline has passed
 * is not listed (the deadline stop): after auto-cancel there is nothing left to save.
 */
export function reminderInstants(
  order: StatusFacts & Pick<OrderFacts, 'marketplace' | 'latestShipDate'> & Pick<StoredOrder, 'status' | 'alerting'>,
): ReminderInstant[] {
  const alerting = order.alerting;
  if (!alerting || order.status !== 'missing' || order.notifiedAt || !UNSHIPPED.has(order.orderState)) return [];
  const out: ReminderInstant[] = [];
  const ship = shipBy(order);
  if (ship) {
    for (const h of alerting.reminders.shipByHours) {
      out.push({ at: addMinutes(ship, -h * 60), step: `ship-by-${h}h`, deadline: 'ship-by', deadlineAt: ship });
    }
  }
  const cancel = autoCancelAt(order);
  for (const d of alerting.reminders.autoCancelDays) {
    out.push({ at: addMinutes(cancel, -d * 1440), step: `auto-cancel-${d}d`, deadline: 'auto-cancel', deadlineAt: cancel });
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Reminder instants not yet handled (after `remindedThrough`) whose deadline is still ahead of the instant. */
export function pendingReminders(order: Parameters<typeof reminderInstants>[0]): ReminderInstant[] {
  const through = order.alerting?.remindedThrough ? Date.parse(order.alerting.remindedThrough) : -Infinity;
  return reminderInstants(order).filter((r) => Date.parse(r.at) > through && Date.parse(r.at) < Date.parse(r.deadlineAt));
}

export interface Checkpoint {
  at: IsoTime;
  kind: CheckpointKind;
}

type CheckpointFacts = StatusFacts &
  Pick<StoredOrder, 'status' | 'firstSeenAt'> &
  Partial<Pick<StoredOrder, 'lastUpdated' | 'marketplace' | 'latestShipDate' | 'alerting' | 'acknowledgement'>>;

/**
 * The next instant the reconciler must look at this order, and why; undefined when nothing more
 * can become due (the order leaves the sparse due index).
 *
 * Built as a list of candidate checkpoints of which the earliest wins, so reminders are added by
 * pushing one more candidate. A checkpoint may lie in the past: that means "due now".
 */
export function nextCheckpoint(order: CheckpointFacts, policy: OrderPolicy): Checkpoint | undefined {
  const candidates: Checkpoint[] = [];

  // 1. The email itself: due at expectedBy while expected, not notified, and the missing
  //    transition not yet written (after it, nothing more is due for the email).
  if (expectsEmail(order) && !order.notifiedAt && order.status !== 'missing') {
    candidates.push({ at: expectedBy(order, policy), kind: 'email-due' });
  }

  // 2. A stored waiting status that the facts have overtaken: due immediately. The instant used
  //    is when the facts changed (the email's arrival; else the source's update time), which is
  //    in the past, so the order is picked up by the next reconciler run.
  if (order.status === 'awaiting' || order.status === 'missing') {
    if (!expectsEmail(order)) {
      candidates.push({ at: order.lastUpdated ?? order.firstSeenAt, kind: 'status-stale' });
    } else if (order.notifiedAt) {
      candidates.push({ at: order.notifiedAt, kind: 'status-stale' });
    }
  }

  // 3. Reminders (only for an order the reconciler flagged missing, which then carries
  //    `alerting`): the earliest reminder instant not handled yet.
  //    The seller's answer (acknowledgement.ts): "handled" stops reminders, a snooze moves the
  //    next one to the end of the snooze.
  const [reminder] = pendingReminders({ ...order, marketplace: order.marketplace ?? null });
  const ack = order.acknowledgement;
  if (reminder && ack?.kind !== 'handled') {
    const snoozedPast = ack?.kind === 'snoozed' && Date.parse(ack.until) > Date.parse(reminder.at);
    candidates.push({ at: snoozedPast ? new Date(Date.parse(ack.until)).toISOString() : reminder.at, kind: 'reminder' });
  }

  // 4. A missing order that shipped: its "resolved" alert is due when the facts changed.
  if (order.alerting && !order.alerting.resolvedAt && order.status === 'missing' && !order.notifiedAt && order.orderState === 'Shipped') {
    candidates.push({ at: order.lastUpdated ?? order.firstSeenAt, kind: 'resolved-shipped' });
  }

  let best: Checkpoint | undefined;
  for (const c of candidates) {
    if (!best || Date.parse(c.at) < Date.parse(best.at)) best = c;
  }
  return best;
}

/** The `alertAfter` to store: the instant of the next checkpoint, or undefined (leave the due index). */
export function nextAlertAfter(order: CheckpointFacts, policy: OrderPolicy): IsoTime | undefined {
  return nextCheckpoint(order, policy)?.at;
}
