/**
 * The reminder stop, pure: what a seller's answer to an alert ("handled", "snooze 4 h"; from a
 * signed link or `shipnow alerts ack`) means for that order's alerts.
 *
 * - handled: no further alert about the order at all (missing, reminders, resolved); the order's
 *   status, emails and deadlines are tracked as before (an ack never marks it notified or shipped).
 * - snoozed until T: nothing about the order is delivered before T. A reminder instant that passes
 *   while snoozed is sent at T (only the latest, as after any pause, and only while its deadline is
 *   still ahead); an alert raised while snoozed is delivered at T.
 * The latest answer wins: a snooze after "handled" turns reminders back on after the snooze.
 */
import type { OrderAcknowledgement } from './ports';
import type { IsoTime, StoredOrder } from './types';

export type AcknowledgementEffect =
  | { kind: 'none' }
  | { kind: 'handled'; at: IsoTime }
  | { kind: 'snoozed'; until: IsoTime };

/** What the order's acknowledgement means at `now` (a snooze that ended means nothing any more). */
export function acknowledgementEffect(order: Pick<StoredOrder, 'acknowledgement'>, now: IsoTime): AcknowledgementEffect {
  const ack = order.acknowledgement;
  if (!ack) return { kind: 'none' };
  if (ack.kind === 'handled') return { kind: 'handled', at: ack.at };
  return Date.parse(ack.until) > Date.parse(now) ? { kind: 'snoozed', until: ack.until } : { kind: 'none' };
}

/** The standard snooze of an alert's "snooze 4 h" link. */
export const DEFAULT_SNOOZE_MINUTES = 4 * 60;
/** Longest snooze accepted (a week: an order is auto-cancelled well before that matters). */
export const MAX_SNOOZE_MINUTES = 7 * 24 * 60;

export class InvalidSnoozeError extends RangeError {
  constructor(value: string) {
    super(`invalid snooze ${JSON.stringify(value)}: a duration like 30m, 4h or 2d, at most ${MAX_SNOOZE_MINUTES / 1440}d`);
    this.name = 'InvalidSnoozeError';
  }
}

/** `30m`, `4h`, `2d`, `1h30m` -> minutes (1 .. MAX_SNOOZE_MINUTES). */
export function parseSnooze(value: string): number {
  const m = /^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*$/i.exec(value);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) throw new InvalidSnoozeError(value);
  const minutes = Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  if (!(minutes >= 1 && minutes <= MAX_SNOOZE_MINUTES)) throw new InvalidSnoozeError(value);
  return minutes;
}

/** The acknowledgement to store for a "handled" or a snooze of `snoozeMinutes` given at `now`. */
export function acknowledgementOf(now: IsoTime, via: OrderAcknowledgement['via'], snoozeMinutes?: number): OrderAcknowledgement {
  if (snoozeMinutes === undefined) return { kind: 'handled', at: now, via };
  if (!(Number.isFinite(snoozeMinutes) && snoozeMinutes >= 1 && snoozeMinutes <= MAX_SNOOZE_MINUTES)) {
    throw new InvalidSnoozeError(`${snoozeMinutes}m`);
  }
  return { kind: 'snoozed', at: now, until: new Date(Date.parse(now) + Math.round(snoozeMinutes) * 60_000).toISOString(), via };
}
