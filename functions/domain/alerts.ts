/**
 * Alerts, pure: which transitions notify, the reminder schedule, the alert model with
 * deterministic IDs (so the outbox de-duplicates), per-seller settings, quiet hours and digests.
 * No SDK, no process.env, time passed in as `now`.
 *
 * Alerts fire only on transitions (healthchecks' Flip), never on every run:
 * - `notification-missing`: awaiting/new -> missing (the grace period ran out);
 * - `deadline-reminder`: a reminder instant of a missing, still unshipped order passed;
 * - `resolved`: missing -> notified (the email came late), missing -> not-expected (cancelled,
 *   or no longer merchant-fulfilled), or a missing order shipped;
 * - `channel-down`: several orders missing in a row and no email at all since a time (seller-level);
 * - `sync-broken`: the order sync of a marketplace broke (from the order-sync work);
 * - `unknown-order`: a Sold, Ship Now email for an order no source knows, unmatched for hours.
 */
import { z } from 'zod';
import { autoCancelAt, shipBy, addMinutes } from './deadlines';
import type { Diagnosis } from './diagnosis';
import { applyTransition } from './order-merge';
import { expectedBy, expectsEmail, nextAlertAfter, pendingReminders, type ReminderInstant } from './order-status';
import type { IsoTime, NotificationRecord, OrderPolicy, ReminderSchedule, Seller, StoredOrder } from './types';

export type AlertKind = 'notification-missing' | 'deadline-reminder' | 'resolved' | 'channel-down' | 'sync-broken' | 'unknown-order';

export const ALERT_KINDS: readonly AlertKind[] = [
  'notification-missing',
  'deadline-reminder',
  'resolved',
  'channel-down',
  'sync-broken',
  'unknown-order',
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
}

// ---- settings ----------------------------------------------------------------------------------

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24 h');
const url = z.string().url();

export const ChannelConfigSchema = z.discriminatedUnion('type', [
  z.object({ id: z.string().min(1), type: z.literal('email'), to: z.array(z.string().email()).min(1) }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('sns'), topicArn: z.string().min(1).optional() }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('slack'), url }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('dingtalk'), url, secret: z.string().min(1).optional() }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('wecom'), url }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('feishu'), url, secret: z.string().min(1).optional() }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('webhook'), url }).strict(),
]);
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;
export type ChannelType = ChannelConfig['type'];

/**
 * Per-seller alert settings, kept on the seller profile as `alerting` (all optional). Strict, so a
 * typo (`quietHour`) is an error rather than a silently ignored setting.
 */
export const AlertSettingsInputSchema = z
  .object({
    languages: z.array(z.enum(['zh-CN', 'en'])).min(1).optional(),
    timeZone: z.string().min(1).optional(),
    reminders: z
      .object({
        shipByHours: z.array(z.number().positive()).optional(),
        autoCancelDays: z.array(z.number().positive()).optional(),
      })
      .strict()
      .optional(),
    quietHours: z.object({ start: hhmm, end: hhmm }).strict().optional(),
    /** Channels in order of preference: a broken one falls through to the next. */
    channels: z.array(ChannelConfigSchema).optional(),
    /** More than this many alerts for one seller in one sender run become one digest. */
    digestThreshold: z.number().int().positive().optional(),
    /** channel-down after this many expected orders missing in a row with no email since. */
    channelDownAfter: z.number().int().min(2).optional(),
    /** unknown-order after the notification stayed unmatched this many hours. */
    unknownOrderHours: z.number().positive().optional(),
    /** A channel marked broken is tried again this many hours after its latest failure. */
    brokenChannelRetryHours: z.number().positive().optional(),
  })
  .strict();
export type AlertSettingsInput = z.infer<typeof AlertSettingsInputSchema>;

export interface AlertSettings {
  languages: AlertLanguage[];
  timeZone: string;
  reminders: ReminderSchedule;
  quietHours?: { start: string; end: string };
  channels: ChannelConfig[];
  digestThreshold: number;
  channelDownAfter: number;
  unknownOrderHours: number;
  brokenChannelRetryHours: number;
}

export const DEFAULT_REMINDERS: Readonly<ReminderSchedule> = Object.freeze({ shipByHours: [24, 12, 4], autoCancelDays: [7, 3, 1] });

export const DEFAULT_ALERT_SETTINGS: Readonly<AlertSettings> = Object.freeze({
  languages: ['zh-CN', 'en'] as AlertLanguage[],
  timeZone: 'Asia/Shanghai',
  reminders: DEFAULT_REMINDERS,
  channels: [],
  digestThreshold: 3,
  channelDownAfter: 3,
  unknownOrderHours: 6,
  brokenChannelRetryHours: 6,
});

export class InvalidAlertSettingsError extends Error {
  readonly sellerId: string;
  constructor(sellerId: string, problem: string) {
    super(`seller ${sellerId}: invalid alerting settings: ${problem}`);
    this.name = 'InvalidAlertSettingsError';
    this.sellerId = sellerId;
  }
}

/**
 * The seller's effective settings: profile `alerting` over the defaults; the profile's
 * `language`/`timeZone`/`alertEmails` fill in when `alerting` does not say (alertEmails become an
 * email channel after the configured ones).
 */
export function alertSettings(seller: Seller | undefined): AlertSettings {
  if (!seller) return { ...DEFAULT_ALERT_SETTINGS };
  const raw = (seller as Seller & { alerting?: unknown }).alerting ?? {};
  const parsed = AlertSettingsInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidAlertSettingsError(seller.sellerId, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const s = parsed.data;
  const channels: ChannelConfig[] = [...(s.channels ?? [])];
  if (seller.alertEmails && seller.alertEmails.length > 0 && !channels.some((c) => c.type === 'email')) {
    channels.push({ id: 'alert-emails', type: 'email', to: seller.alertEmails });
  }
  return {
    languages: s.languages ?? (seller.language ? [seller.language] : [...DEFAULT_ALERT_SETTINGS.languages]),
    timeZone: s.timeZone ?? seller.timeZone ?? DEFAULT_ALERT_SETTINGS.timeZone,
    reminders: {
      shipByHours: s.reminders?.shipByHours ?? [...DEFAULT_REMINDERS.shipByHours],
      autoCancelDays: s.reminders?.autoCancelDays ?? [...DEFAULT_REMINDERS.autoCancelDays],
    },
    ...(s.quietHours ? { quietHours: s.quietHours } : {}),
    channels,
    digestThreshold: s.digestThreshold ?? DEFAULT_ALERT_SETTINGS.digestThreshold,
    channelDownAfter: s.channelDownAfter ?? DEFAULT_ALERT_SETTINGS.channelDownAfter,
    unknownOrderHours: s.unknownOrderHours ?? DEFAULT_ALERT_SETTINGS.unknownOrderHours,
    brokenChannelRetryHours: s.brokenChannelRetryHours ?? DEFAULT_ALERT_SETTINGS.brokenChannelRetryHours,
  };
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
};

// ---- how long an alert matters ------------------------------------------------------------------

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

// ---- order alerts ------------------------------------------------------------------------------

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

export interface OrderPlan {
  /** The order to write (version + 1), or null when nothing changes. */
  next: StoredOrder | null;
  /** The status transition, when there is one. */
  transition?: { from: StoredOrder['status']; to: NonNullable<StoredOrder['status']>; at: IsoTime };
  alerts: Alert[];
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

  // Reminders of a missing order (the plan sees the order as it will be written).
  const due = pendingReminders({ ...cur }).filter((r) => Date.parse(r.at) <= Date.parse(now));
  if (due.length > 0 && cur.alerting) {
    const latest: ReminderInstant = due[due.length - 1];
    cur = { ...cur, alerting: { ...cur.alerting, remindedThrough: now } };
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
  if (!moved && sameJson(candidate, order)) return { next: null, alerts };
  return { next: { ...candidate, version: order.version + 1 }, ...(transition ? { transition } : {}), alerts };
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

// ---- delivery timing ---------------------------------------------------------------------------

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
