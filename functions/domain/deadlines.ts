/**
 * Deadlines of an order: when it must ship, and when Amazon cancels it automatically.
 *
 * Pure: every function takes the times it needs; nothing reads the clock. Times in and out are
 * ISO-8601 UTC strings (`2026-11-28T09:30:00.000Z`) so they compare lexicographically.
 *
 * Calendar arithmetic is done on the *local* date of the marketplace's time zone, never by adding
 * multiples of 24 h to an instant: across a DST change a local day is 23 or 25 hours long, and
 * "7 business days later" means the same wall-clock time on a later local date.
 */
import type { IsoTime, OrderFacts } from './types';
import { marketplaceByKey, type AutoCancelRule } from './marketplaces';

// ---------------------------------------------------------------------------------------------
// Instants
// ---------------------------------------------------------------------------------------------

/**
 * `2026-11-27T15:04:00+00:00`, `...Z`, `...-08:00`, `...+0900`, with optional seconds and
 * fraction, `T` or a space between date and time. An offset is required: a time without one is
 * ambiguous (which zone?) and we would rather reject it than guess.
 */
const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * Normalise an ISO-8601 date-time with an offset to the canonical UTC form used everywhere
 * (`Date#toISOString`, millisecond precision). Returns undefined when the text is not such a
 * date-time or names an impossible date (`2026-02-30`): `Date.parse` would silently roll those
 * over to the next month, so the fields are checked after conversion.
 */
export function toUtcIso(text: string): IsoTime | undefined {
  const m = ISO_WITH_OFFSET.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', off] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // The day must exist in that month (checked on the local calendar date, before the offset).
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (off.toUpperCase() !== 'Z') {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return new Date(utc).toISOString();
}

function toMs(iso: IsoTime, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`${what}: not an ISO-8601 time: ${JSON.stringify(iso)}`);
  return ms;
}

/** `iso` plus `minutes` (may be negative), as canonical UTC. */
export function addMinutes(iso: IsoTime, minutes: number): IsoTime {
  return new Date(toMs(iso, 'addMinutes') + minutes * 60_000).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Wall-clock arithmetic in a time zone
// ---------------------------------------------------------------------------------------------

interface LocalDateTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday ... 6 = Saturday, in the zone. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Intl.DateTimeFormat construction is slow (tens of microseconds); one per zone is enough.
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what we want: it is a data error.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date, time and weekday of instant `ms` in `timeZone` (DST-aware). */
function localParts(ms: number, timeZone: string): LocalDateTime {
  const d = new Date(ms + zoneOffsetMs(ms, timeZone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  };
}

/** The same from Intl itself (tens of microseconds a call): what the offset cache is built of. */
function intlLocalParts(ms: number, timeZone: string): LocalDateTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: ((ms % 1000) + 1000) % 1000,
    weekday: WEEKDAYS[parts.weekday] ?? Number.NaN,
  };
}

/**
 * Offset of the zone from UTC at instant `ms`, in milliseconds (Berlin in winter: +3_600_000).
 *
 * Cached per zone and UTC hour: when the offset at the hour's first and last millisecond is the
 * same, it is that offset all hour (no zone changes its offset twice within an hour); when they
 * differ, a change falls inside that hour and every instant of it is asked of Intl.
 */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const hour = Math.floor(ms / HOUR_MS);
  const key = `${timeZone}|${hour}`;
  let offset = OFFSETS.get(key);
  if (offset === undefined) {
    const first = intlOffsetMs(hour * HOUR_MS, timeZone);
    offset = first === intlOffsetMs((hour + 1) * HOUR_MS - 1, timeZone) ? first : Number.NaN;
    if (OFFSETS.size >= MAX_CACHED_OFFSETS) OFFSETS.clear();
    OFFSETS.set(key, offset);
  }
  return Number.isNaN(offset) ? intlOffsetMs(ms, timeZone) : offset;
}

const HOUR_MS = 3_600_000;
/** Zone x hour offsets kept (a few MB at most; a year of one zone is 8,760). */
const MAX_CACHED_OFFSETS = 200_000;
/** `<zone>|<UTC hour>` -> offset in ms, or NaN for an hour with an offset change in it. */
const OFFSETS = new Map<string, number>();

function intlOffsetMs(ms: number, timeZone: string): number {
  const l = intlLocalParts(ms, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond);
  return asUtc - ms;
}

/**
 * The instant at which the zone's clocks show the given wall-clock time.
 * - A time that does not exist (skipped by a spring-forward change) maps to the instant the same
 *   number of minutes after the change, i.e. clocks moved on by the gap (02:30 -> 03:30).
 * - A time that happens twice (fall-back) maps to the earlier of the two instants, so a deadline
 *   is never pushed an hour later than the seller would read it.
 */
function fromLocal(l: Omit<LocalDateTime, 'weekday'>, timeZone: string): number {
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond);
  // Candidate instants using the offsets in force a day either side; one of them is right.
  const before = wall - zoneOffsetMs(wall - 86_400_000, timeZone);
  const after = wall - zoneOffsetMs(wall + 86_400_000, timeZone);
  const matches = [before, after].filter((t) => t - wall === -zoneOffsetMs(t, timeZone));
  if (matches.length > 0) return Math.min(...matches);
  // In a gap: interpret with the offset from before the change (which lands after the gap).
  return before;
}

function addLocalDays(l: LocalDateTime, days: number): LocalDateTime {
  // Date.UTC on the *local* calendar date: pure calendar arithmetic, no zone involved.
  const d = new Date(Date.UTC(l.year, l.month - 1, l.day + days));
  return {
    ...l,
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
  };
}

/**
 * `iso` plus `days` calendar days at the same wall-clock time in `timeZone`.
 * (In UTC this is exactly days x 24 h; in a zone with DST it is one hour more or less when a
 * change falls in between.)
 */
export function addCalendarDays(iso: IsoTime, days: number, timeZone = 'UTC'): IsoTime {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`addCalendarDays: days must be a whole number >= 0, got ${days}`);
  const start = localParts(toMs(iso, 'addCalendarDays'), timeZone);
  return new Date(fromLocal(addLocalDays(start, days), timeZone)).toISOString();
}

/**
 * `iso` plus `days` business days in `timeZone`, at the same wall-clock time.
 *
 * Semantics (chosen, since Amazon does not define them precisely):
 * - Business days are Monday to Friday **in the marketplace's time zone**: the weekday is that of
 *   the local date (Intl), not of the UTC date. A Friday 23:59 in Los Angeles is Saturday in UTC.
 * - Public holidays are NOT modelled (they differ per country and year, and Amazon's own calendar
 *   for this rule is not published). The result can therefore be a day or two early around a
 *   holiday, which errs on the side of alerting earlier, never later.
 * - Counting starts on the local date after `iso`: each following Mon-Fri counts one, weekends do
 *   not. The result keeps the wall-clock time of `iso`, so a ship-by of 23:59:59 local ("end of
 *   day") stays the end of the local day N business days later. Friday 10:00 + 1 = Monday 10:00;
 *   Saturday 10:00 + 1 = Monday 10:00.
 * - `days = 0` returns `iso` unchanged.
 */
export function addBusinessDays(iso: IsoTime, days: number, timeZone: string): IsoTime {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`addBusinessDays: days must be a whole number >= 0, got ${days}`);
  const ms = toMs(iso, 'addBusinessDays');
  if (days === 0) return new Date(ms).toISOString();
  let local = localParts(ms, timeZone);
  let left = days;
  while (left > 0) {
    local = addLocalDays(local, 1);
    if (local.weekday !== 0 && local.weekday !== 6) left -= 1;
  }
  return new Date(fromLocal(local, timeZone)).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Order deadlines
// ---------------------------------------------------------------------------------------------

type DeadlineFacts = Pick<OrderFacts, 'marketplace' | 'purchaseDate' | 'latestShipDate'> & { emailShipBy?: IsoTime };

/**
 * The ship-by deadline: the latest ship date when an order source told us; else the `Ship by:`
 * date of the order's Sold, Ship Now email (report orders carry none, see report-file.ts); else
 * null (unknown). A source's own date always wins over the email's.
 */
export function shipBy(order: Pick<OrderFacts, 'latestShipDate'> & { emailShipBy?: IsoTime }): IsoTime | null {
  return order.latestShipDate ?? order.emailShipBy ?? null;
}

/**
 * The last second of a calendar day in `timeZone` as ISO UTC: `Ship by: 30/11/2026` in amazon.in
 * means the end of 30 November in India. Null for an impossible date (31/02).
 */
export function endOfLocalDay(year: number, month: number, day: number, timeZone: string): IsoTime | null {
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return new Date(fromLocal({ year, month, day, hour: 23, minute: 59, second: 59, millisecond: 0 }, timeZone)).toISOString();
}

/**
 * The rule that applies when the marketplace is unknown (null, or not in the table): the
 * documented 30-day rule, which holds in every marketplace we know.
 */
export const FALLBACK_AUTO_CANCEL_RULE: Readonly<AutoCancelRule> = Object.freeze({
  kind: 'days-after-order',
  days: 30,
  source: 'Seller Central help 200495750: not confirmed within 30 days of the order date (used for an unknown marketplace)',
});

/** A deadline computed from one auto-cancel rule. */
export interface AutoCancelDeadline {
  /** When the order is cancelled if not confirmed as shipped. */
  at: IsoTime;
  rule: AutoCancelRule;
  /** Time zone the rule was counted in (the marketplace's; UTC when unknown). */
  timeZone: string;
}

/**
 * Every applicable auto-cancel deadline of the order, earliest first. A business-day rule applies
 * only when the latest ship date is known: counting from a guessed ship date could announce a
 * cancellation that will not happen.
 */
export function autoCancelDeadlines(order: DeadlineFacts): AutoCancelDeadline[] {
  const m = order.marketplace ? marketplaceByKey(order.marketplace) : undefined;
  const timeZone = m?.timeZone ?? 'UTC';
  const rules: readonly AutoCancelRule[] = m && m.autoCancel.length > 0 ? m.autoCancel : [FALLBACK_AUTO_CANCEL_RULE];
  const out: AutoCancelDeadline[] = [];
  for (const rule of rules) {
    switch (rule.kind) {
      case 'days-after-order':
        out.push({ at: addCalendarDays(order.purchaseDate, rule.days, timeZone), rule, timeZone });
        break;
      case 'business-days-after-latest-ship': {
        const latest = shipBy(order);
        if (latest) out.push({ at: addBusinessDays(latest, rule.days, timeZone), rule, timeZone });
        break;
      }
      case 'days-after-latest-ship': {
        const latest = shipBy(order);
        if (latest) out.push({ at: addCalendarDays(latest, rule.days, timeZone), rule, timeZone });
        break;
      }
      default: {
        // A new rule kind in marketplaces.ts must be handled here; the compiler says so.
        const unknownRule: never = rule;
        throw new Error(`unhandled auto-cancel rule ${JSON.stringify(unknownRule)}`);
      }
    }
  }
  // Stable sort: on a tie the rule listed first in the table wins, so the citation is stable.
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/**
 * The auto-cancel rule that wins (the earliest deadline) and its deadline, so an alert can cite
 * the rule (`rule.source`). Always defined: the 30-day rule applies to every order.
 */
export function autoCancelRule(order: DeadlineFacts): AutoCancelDeadline {
  const [first] = autoCancelDeadlines(order);
  // Unreachable: every marketplace (and the fallback) has a days-after-order rule. Guard anyway,
  // because a table edit could remove it.
  if (!first) {
    return { at: addCalendarDays(order.purchaseDate, FALLBACK_AUTO_CANCEL_RULE.days), rule: FALLBACK_AUTO_CANCEL_RULE, timeZone: 'UTC' };
  }
  return first;
}

/** When Amazon cancels the order automatically if it is not confirmed as shipped. */
export function autoCancelAt(order: DeadlineFacts): IsoTime {
  return autoCancelRule(order).at;
}
