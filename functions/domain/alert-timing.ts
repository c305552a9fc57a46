/**
 * When an alert is delivered, pure: quiet hours in the seller's time zone (yielding to a deadline
 * that would pass before they end), digests, the retry back-off of an undelivered alert and how
 * long it stays worth sending.
 */
import type { Alert } from './alert-model';
import type { AlertSettings } from './alert-settings';
import type { IsoTime } from './types';

/** An alert with no deadline of its own (resolved, sync-broken, ...) is kept trying this long. */
export const ALERT_MATTERS_HOURS = 72;

/**
 * Until when an undelivered alert is still worth sending: its order's latest deadline (ship-by,
 * auto-cancel) or the deadline it is about, and never less than `ALERT_MATTERS_HOURS` after it was
 * raised. Before that an alert is never terminally failed: the sender waits with back-off and
 * tries again.
 */
export function alertMattersUntil(alert: Alert): IsoTime {
  const times = [alert.deadlineAt, alert.order?.shipBy, alert.order?.autoCancelAt, alert.reminder?.deadlineAt]
    .filter((t): t is IsoTime => typeof t === 'string')
    .map((t) => Date.parse(t));
  const floor = Date.parse(alert.raisedAt) + ALERT_MATTERS_HOURS * 3_600_000;
  return new Date(Math.max(floor, ...times.filter((t) => Number.isFinite(t)))).toISOString();
}

/** The wait before trying an undelivered alert again after `attempts` claims: 2, 4, 8, then 15 minutes. */
export function retryDelayMinutes(attempts: number): number {
  return Math.min(15, 2 ** Math.max(1, Math.min(attempts, 4)));
}

/** Minutes since local midnight of `at` in `timeZone`. */
export function localMinutes(at: IsoTime, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

const toMinutes = (hm: string): number => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

/**
 * When the seller's quiet hours (in their time zone) end, if `now` is inside them; else undefined.
 * `start == end` means no quiet hours. Across a DST change the end may be off by the shift (at
 * most an hour, twice a year), which only moves a non-urgent alert.
 */
export function quietHoursEnd(now: IsoTime, settings: Pick<AlertSettings, 'quietHours' | 'timeZone'>): IsoTime | undefined {
  const q = settings.quietHours;
  if (!q) return undefined;
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  if (start === end) return undefined;
  const cur = localMinutes(now, settings.timeZone);
  const inside = start < end ? cur >= start && cur < end : cur >= start || cur < end;
  if (!inside) return undefined;
  const wait = (end - cur + 1440) % 1440;
  // Whole minutes from the start of the current minute.
  const minuteStart = Math.floor(Date.parse(now) / 60_000) * 60_000;
  return new Date(minuteStart + wait * 60_000).toISOString();
}

/**
 * When an alert may be delivered: now, unless it is inside quiet hours; then at their end —
 * except when a deadline of the alert would pass before they end, which is sent at once.
 * `resolved` news is never urgent.
 */
export function deliverAt(alert: Alert, now: IsoTime, settings: Pick<AlertSettings, 'quietHours' | 'timeZone'>): IsoTime {
  const end = quietHoursEnd(now, settings);
  if (!end) return now;
  if (alert.deadlineAt && Date.parse(alert.deadlineAt) <= Date.parse(end)) return now;
  return end;
}

/** Digest when a seller has more than `digestThreshold` alerts in one run. */
export function shouldDigest(count: number, settings: Pick<AlertSettings, 'digestThreshold'>): boolean {
  return count > settings.digestThreshold;
}
