/**
 * Weekly stats, pure: per seller, marketplace and day of the seller's week (in their time zone),
 * how many Sold, Ship Now emails were expected, received and missing, and the median delay from
 * the order's expected time (payment confirmed, else the order time) to the email's arrival.
 *
 * Built from the hourly counters (ports.ts HourlyOrderStats, one UTC hour of one marketplace
 * each): a seller's week is at most 8 x 24 hours x marketplaces items, whatever the number of
 * orders. An hour belongs to the local day its start falls on, which is exact for every whole-hour
 * UTC offset; in the few half-hour zones (India, parts of Australia) the half hour around local
 * midnight is counted with the day before.
 *
 * "Expected" is received + missing: the orders whose email was due, as the reconciler decided them.
 * Orders still inside their grace period are in neither (a report for a past week has none).
 */
import type { HourlyOrderStats } from './ports';
import type { IsoTime } from './types';

export interface DayStats {
  /** Local date `YYYY-MM-DD` in the seller's time zone. */
  day: string;
  expected: number;
  received: number;
  missing: number;
  /** Median of the received emails' delays, minutes (0.1 precision); null when none arrived. */
  medianDelayMinutes: number | null;
}

export interface WeekTotals {
  expected: number;
  received: number;
  missing: number;
  medianDelayMinutes: number | null;
}

export interface MarketplaceWeek {
  /** A marketplace key (`amazon.de`), or `all` for the seller's totals. */
  marketplace: string;
  /** The seven days of the week, oldest first. */
  days: DayStats[];
  total: WeekTotals;
}

export interface WeeklyStats {
  sellerId: string;
  timeZone: string;
  /** First and last local date of the week (both included). */
  weekStart: string;
  weekEnd: string;
  /** One per marketplace (the seller's, plus any that had orders), sorted by key. */
  marketplaces: MarketplaceWeek[];
  /** Every marketplace together. */
  all: MarketplaceWeek;
  /** The marketplace with the most missing emails (then the highest share); null when none missed. */
  worst: { marketplace: string; missing: number; expected: number } | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class InvalidWeekError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWeekError';
  }
}

/** A local date `n` days after `day` (calendar arithmetic; no time zone involved). */
export function addDays(day: string, n: number): string {
  const ms = Date.parse(`${day}T00:00:00.000Z`) + n * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The local date (`YYYY-MM-DD`) of an instant in `timeZone`. */
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();

export function localDate(at: IsoTime | number, timeZone: string): string {
  let f = DATE_FORMATS.get(timeZone);
  if (!f) DATE_FORMATS.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = f.formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** ISO weekday of a local date: 1 = Monday .. 7 = Sunday. */
export function isoWeekday(day: string): number {
  const d = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/**
 * The last full Monday-to-Sunday week before `now` in `timeZone`: its Sunday. On a Monday, that is
 * yesterday (what the weekly report sends).
 */
export function lastWeekEnding(now: IsoTime, timeZone: string): string {
  const today = localDate(now, timeZone);
  return addDays(today, -(isoWeekday(today) % 7 || 7));
}

/** The seven local dates of the week ending on `weekEnd`, oldest first. */
export function weekDays(weekEnd: string): string[] {
  if (!DATE.test(weekEnd) || Number.isNaN(Date.parse(`${weekEnd}T00:00:00Z`))) throw new InvalidWeekError(`week ending ${JSON.stringify(weekEnd)}: a date YYYY-MM-DD`);
  return Array.from({ length: 7 }, (_, i) => addDays(weekEnd, i - 6));
}

/**
 * The UTC hours (`YYYY-MM-DDTHH`, both included) to read for the week: wide enough for any time
 * zone (UTC-12 .. UTC+14); hours outside the local week are dropped by `weeklyStatsOf`.
 */
export function weekHourRange(weekEnd: string): { fromHour: string; toHour: string } {
  const days = weekDays(weekEnd);
  const from = Date.parse(`${days[0]}T00:00:00.000Z`) - 14 * 3_600_000;
  const to = Date.parse(`${days[6]}T23:00:00.000Z`) + 12 * 3_600_000;
  return { fromHour: new Date(from).toISOString().slice(0, 13), toHour: new Date(to).toISOString().slice(0, 13) };
}

/** Median, 0.1 precision; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const m = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return Math.round(m * 10) / 10;
}

interface Bin {
  received: number;
  missing: number;
  delays: number[];
}

const emptyBin = (): Bin => ({ received: 0, missing: 0, delays: [] });

function dayStats(day: string, b: Bin): DayStats {
  // Counters are best effort (ports.ts addOrderStats): never show a negative count.
  const received = Math.max(0, b.received);
  const missing = Math.max(0, b.missing);
  return { day, expected: received + missing, received, missing, medianDelayMinutes: median(b.delays) };
}

function week(marketplace: string, days: string[], bins: Map<string, Bin>): MarketplaceWeek {
  const out = days.map((d) => dayStats(d, bins.get(d) ?? emptyBin()));
  const delays = days.flatMap((d) => bins.get(d)?.delays ?? []);
  const received = out.reduce((a, d) => a + d.received, 0);
  const missing = out.reduce((a, d) => a + d.missing, 0);
  return { marketplace, days: out, total: { expected: received + missing, received, missing, medianDelayMinutes: median(delays) } };
}

/** The week's stats from the hourly counters (any superset of the week's hours may be passed). */
export function weeklyStatsOf(
  hours: readonly HourlyOrderStats[],
  input: { sellerId: string; weekEnd: string; timeZone: string; marketplaces?: readonly string[] },
): WeeklyStats {
  const days = weekDays(input.weekEnd);
  const inWeek = new Set(days);
  const byMarketplace = new Map<string, Map<string, Bin>>();
  for (const m of input.marketplaces ?? []) byMarketplace.set(m, new Map());
  const all = new Map<string, Bin>();
  const dayOf = new Map<string, string>(); // every marketplace has the same hours
  for (const h of hours) {
    let day = dayOf.get(h.hour);
    if (day === undefined) dayOf.set(h.hour, (day = localDate(Date.parse(`${h.hour}:00:00.000Z`), input.timeZone)));
    if (!inWeek.has(day)) continue;
    let bins = byMarketplace.get(h.marketplace);
    if (!bins) byMarketplace.set(h.marketplace, (bins = new Map()));
    for (const target of [bins, all]) {
      const b = target.get(day) ?? emptyBin();
      b.received += h.received;
      b.missing += h.missing;
      b.delays.push(...h.delaysMinutes);
      target.set(day, b);
    }
  }
  const marketplaces = [...byMarketplace.keys()].sort().map((m) => week(m, days, byMarketplace.get(m)!));
  let worst: WeeklyStats['worst'] = null;
  for (const m of marketplaces) {
    const { missing, expected } = m.total;
    if (missing === 0) continue;
    const better = !worst || missing > worst.missing || (missing === worst.missing && missing / expected > worst.missing / worst.expected);
    if (better) worst = { marketplace: m.marketplace, missing, expected };
  }
  return { sellerId: input.sellerId, timeZone: input.timeZone, weekStart: days[0], weekEnd: days[6], marketplaces, all: week('all', days, all), worst };
}

/** `23 – 29 Nov 2026` / `2026年11月23日至29日` (the report's and the chart's title). */
export function weekRangeLabel(stats: Pick<WeeklyStats, 'weekStart' | 'weekEnd'>, lang: 'en' | 'zh-CN'): string {
  if (lang === 'en') {
    const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
    // ICU puts thin spaces around the dash; plain ones read the same and survive every channel.
    return f.formatRange(new Date(`${stats.weekStart}T12:00:00.000Z`), new Date(`${stats.weekEnd}T12:00:00.000Z`)).replace(/\s/g, ' ');
  }
  // ICU's zh-CN range is numeric (2026/11/23 – 2026/11/29); spelled out as Chinese readers write it.
  const [y1, m1, d1] = stats.weekStart.split('-').map(Number);
  const [y2, m2, d2] = stats.weekEnd.split('-').map(Number);
  const end = y1 !== y2 ? `${y2}年${m2}月${d2}日` : m1 !== m2 ? `${m2}月${d2}日` : `${d2}日`;
  return `${y1}年${m1}月${d1}日至${end}`;
}

/** A local date as the seller reads it: `Mon 23 Nov` / `11月23日 周一`. */
export function dayLabel(day: string, lang: 'en' | 'zh-CN', separator = ' '): string {
  const d = new Date(`${day}T12:00:00.000Z`);
  const locale = lang === 'en' ? 'en-GB' : 'zh-CN';
  const weekday = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short' }).format(d);
  const date = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: lang === 'en' ? 'short' : 'long' }).format(d);
  return `${weekday}${separator}${date}`;
}

/** Colours of the week's chart, wherever it is drawn (SVG, the report's HTML bars). */
export const CHART_COLORS = Object.freeze({ received: '#2e7d32', missing: '#c62828', delay: '#1565c0' });
