/**
 * alerts.ts: which transitions notify, reminders at their exact instants, resolution, seller-level
 * alerts, quiet hours, digests, settings. Pure, frozen time, no mocks.
 */
import { alertIds, type Alert } from '../../functions/domain/alert-model';
import { alertSettings, DEFAULT_ALERT_SETTINGS, InvalidAlertSettingsError, type AlertSettings } from '../../functions/domain/alert-settings';
import { channelDownFromStreak, planOrder, syncAlert, unknownOrderAlerts } from '../../functions/domain/alert-planning';
import { deliverAt, quietHoursEnd, shouldDigest } from '../../functions/domain/alert-timing';
import { autoCancelAt } from '../../functions/domain/deadlines';
import { nextCheckpoint } from '../../functions/domain/order-status';
import type { NotificationRecord, OrderPolicy, Seller, StoredOrder } from '../../functions/domain/types';

const POLICY: OrderPolicy = { graceMinutes: 60 };
const SETTINGS: AlertSettings = { ...DEFAULT_ALERT_SETTINGS, timeZone: 'Asia/Shanghai' };
const SHIP_BY = '2026-11-22T23:00:00.000Z';

function order(over: Partial<StoredOrder> = {}): StoredOrder {
  return {
    sellerId: 's1',
    orderId: '112-0000000-0000001',
    marketplace: 'amazon.com',
    fulfilledBy: 'MERCHANT',
    orderState: 'Unshipped',
    purchaseDate: '2026-11-20T10:00:00.000Z',
    latestShipDate: SHIP_BY,
    source: 'sp-api-2026',
    firstSeenAt: '2026-11-20T10:01:00.000Z',
    version: 1,
    status: 'awaiting',
    statusChangedAt: '2026-11-20T10:01:00.000Z',
    alertAfter: '2026-11-20T11:00:00.000Z',
    ...over,
  };
}

/** Apply a plan the way the reconciler does (write the next order). */
function run(o: StoredOrder, now: string, settings = SETTINGS): { order: StoredOrder; alerts: Alert[] } {
  const p = planOrder(o, now, POLICY, settings);
  return { order: p.next ?? o, alerts: p.alerts };
}

const kinds = (alerts: Alert[]) => alerts.map((a) => `${a.kind}${a.reminder ? ':' + a.reminder.step : ''}${a.resolvedReason ? ':' + a.resolvedReason : ''}`);

describe('notification-missing at the end of the grace period', () => {
  test('1 ms before expected-by: nothing; at expected-by exactly: missing, occurred at expected-by', () => {
    expect(run(order(), '2026-11-20T10:59:59.999Z').alerts).toEqual([]);
    const { order: o, alerts } = run(order(), '2026-11-20T11:00:00.000Z');
    expect(kinds(alerts)).toEqual(['notification-missing']);
    expect(alerts[0]).toMatchObject({
      alertId: 'notification-missing:112-0000000-0000001',
      sellerId: 's1',
      occurredAt: '2026-11-20T11:00:00.000Z',
      raisedAt: '2026-11-20T11:00:00.000Z',
      marketplace: 'amazon.com',
      deadlineAt: SHIP_BY,
      order: { orderId: '112-0000000-0000001', expectedBy: '2026-11-20T11:00:00.000Z', shipBy: SHIP_BY },
    });
    expect(o.status).toBe('missing');
    expect(o.alerting).toEqual({ reminders: SETTINGS.reminders, remindedThrough: '2026-11-20T11:00:00.000Z' });
    // Next checkpoint: the first reminder, 24 h before ship-by.
    expect(nextCheckpoint(o, POLICY)).toEqual({ at: '2026-11-21T23:00:00.000Z', kind: 'reminder' });
    expect(o.alertAfter).toBe('2026-11-21T23:00:00.000Z');
  });

  test('noticed late (run was down), the alert still says when it really happened', () => {
    const { alerts } = run(order(), '2026-11-20T13:17:00.000Z');
    expect(alerts[0].occurredAt).toBe('2026-11-20T11:00:00.000Z');
    expect(alerts[0].raisedAt).toBe('2026-11-20T13:17:00.000Z');
  });

  test('an order first seen already past its grace (no stored status) alerts too', () => {
    const { alerts } = run(order({ status: undefined, statusChangedAt: undefined }), '2026-11-20T12:00:00.000Z');
    expect(kinds(alerts)).toEqual(['notification-missing']);
  });

  test('awaiting -> notified and new -> not-expected notify nobody', () => {
    expect(run(order({ notifiedAt: '2026-11-20T10:30:00.000Z' }), '2026-11-20T10:31:00.000Z').alerts).toEqual([]);
    expect(run(order({ status: undefined, fulfilledBy: 'AMAZON' }), '2026-11-20T10:31:00.000Z').alerts).toEqual([]);
  });

  test('the same transition decided twice has the same ID (the outbox keeps one)', () => {
    const a = run(order(), '2026-11-20T11:00:00.000Z').alerts[0];
    const b = run(order(), '2026-11-20T11:05:00.000Z').alerts[0];
    expect(a.alertId).toBe(b.alertId);
  });
});

describe('deadline reminders, at their exact instants', () => {
  const missing = () => run(order(), '2026-11-20T11:00:00.000Z').order;

  test.each([
    ['ship-by-24h', '2026-11-21T23:00:00.000Z'],
    ['ship-by-12h', '2026-11-22T11:00:00.000Z'],
    ['ship-by-4h', '2026-11-22T19:00:00.000Z'],
  ])('%s: nothing 1 ms before %s, the reminder at it', (step, at) => {
    let o = missing();
    // Walk through the earlier reminders first.
    for (const [, earlier] of [['', '2026-11-21T23:00:00.000Z'], ['', '2026-11-22T11:00:00.000Z'], ['', '2026-11-22T19:00:00.000Z']]) {
      if (Date.parse(earlier) >= Date.parse(at)) break;
      o = run(o, earlier).order;
    }
    const before = new Date(Date.parse(at) - 1).toISOString();
    expect(run(o, before).alerts).toEqual([]);
    const r = run(o, at);
    expect(kinds(r.alerts)).toEqual([`deadline-reminder:${step}`]);
    expect(r.alerts[0]).toMatchObject({ alertId: `deadline-reminder:112-0000000-0000001:${step}`, occurredAt: at, deadlineAt: SHIP_BY });
    // Repeating the run at the same instant raises nothing more.
    expect(run(r.order, at).alerts).toEqual([]);
  });

  test('auto-cancel reminders 7, 3, 1 days before, and nothing after the deadline (deadline stop)', () => {
    let o = missing();
    const cancel = autoCancelAt(o);
    // Ship-by has passed; walk through.
    for (const t of ['2026-11-21T23:00:00.000Z', '2026-11-22T11:00:00.000Z', '2026-11-22T19:00:00.000Z']) o = run(o, t).order;
    for (const d of [7, 3, 1]) {
      const at = new Date(Date.parse(cancel) - d * 86_400_000).toISOString();
      expect(o.alertAfter).toBe(at);
      expect(run(o, new Date(Date.parse(at) - 1).toISOString()).alerts).toEqual([]);
      const r = run(o, at);
      expect(kinds(r.alerts)).toEqual([`deadline-reminder:auto-cancel-${d}d`]);
      expect(r.alerts[0].deadlineAt).toBe(cancel);
      o = r.order;
    }
    // After the last reminder nothing more is due: the order leaves the due index.
    expect(o.alertAfter).toBeUndefined();
    expect(run(o, new Date(Date.parse(cancel) + 1).toISOString()).alerts).toEqual([]);
  });

  test('after downtime only the latest passed reminder is sent; the skipped ones are marked handled', () => {
    const r = run(missing(), '2026-11-22T20:00:00.000Z');
    expect(kinds(r.alerts)).toEqual(['deadline-reminder:ship-by-4h']);
    expect(r.order.alerting?.remindedThrough).toBe('2026-11-22T20:00:00.000Z');
  });

  test('reminders already past when the order goes missing are not sent (the missing alert has the countdown)', () => {
    const late = order({ latestShipDate: '2026-11-20T20:00:00.000Z' }); // 24h and 12h before ship-by are before 11:00
    const r = run(late, '2026-11-20T11:00:00.000Z');
    expect(kinds(r.alerts)).toEqual(['notification-missing']);
    expect(r.order.alertAfter).toBe('2026-11-20T16:00:00.000Z'); // 4 h before ship-by
  });

  test('per-seller schedule, kept on the order so every writer computes the same checkpoint', () => {
    const settings = { ...SETTINGS, reminders: { shipByHours: [2], autoCancelDays: [] } };
    const o = run(order(), '2026-11-20T11:00:00.000Z', settings).order;
    expect(o.alerting?.reminders).toEqual({ shipByHours: [2], autoCancelDays: [] });
    expect(o.alertAfter).toBe('2026-11-22T21:00:00.000Z');
  });

  test('no reminders once shipped or notified', () => {
    const o = missing();
    expect(run({ ...o, notifiedAt: '2026-11-21T00:00:00.000Z' }, '2026-11-21T23:00:00.000Z').alerts.map((a) => a.kind)).toEqual(['resolved']);
    const shipped = run({ ...o, orderState: 'Shipped', lastUpdated: '2026-11-21T08:00:00.000Z' }, '2026-11-21T23:00:00.000Z');
    expect(kinds(shipped.alerts)).toEqual(['resolved:shipped']);
  });
});

describe('resolved', () => {
  const missing = () => run(order(), '2026-11-20T11:00:00.000Z').order;

  test('the email arrived late: missing -> notified', () => {
    const o = { ...missing(), notifiedAt: '2026-11-20T12:00:00.000Z', alertAfter: '2026-11-20T12:00:00.000Z' };
    const r = run(o, '2026-11-20T12:05:00.000Z');
    expect(kinds(r.alerts)).toEqual(['resolved:email-arrived-late']);
    expect(r.alerts[0]).toMatchObject({ alertId: 'resolved:112-0000000-0000001', occurredAt: '2026-11-20T12:00:00.000Z' });
    expect(r.order.status).toBe('notified');
    expect(r.order.alertAfter).toBeUndefined();
  });

  test('cancelled: missing -> not-expected', () => {
    const o = { ...missing(), orderState: 'Canceled' as const, lastUpdated: '2026-11-20T15:00:00.000Z' };
    expect(nextCheckpoint(o, POLICY)?.kind).toBe('status-stale');
    expect(kinds(run(o, '2026-11-20T15:01:00.000Z').alerts)).toEqual(['resolved:cancelled']);
  });

  test('shipped while missing: once, when the facts changed; the order then leaves the due index', () => {
    const o = { ...missing(), orderState: 'Shipped' as const, lastUpdated: '2026-11-21T08:00:00.000Z' };
    expect(nextCheckpoint(o, POLICY)).toEqual({ at: '2026-11-21T08:00:00.000Z', kind: 'resolved-shipped' });
    const r = run(o, '2026-11-21T08:05:00.000Z');
    expect(r.alerts[0]).toMatchObject({ kind: 'resolved', resolvedReason: 'shipped', occurredAt: '2026-11-21T08:00:00.000Z' });
    expect(r.order.alertAfter).toBeUndefined();
    expect(run(r.order, '2026-11-21T09:00:00.000Z').alerts).toEqual([]);
  });

  test('awaiting -> not-expected (never missing) is not news', () => {
    expect(run(order({ orderState: 'Canceled', lastUpdated: '2026-11-20T10:30:00.000Z' }), '2026-11-20T10:31:00.000Z').alerts).toEqual([]);
  });
});

describe('channel down (from the missing streak since the last email)', () => {
  const mk = (i: number): StoredOrder => order({ orderId: `112-0000000-000000${i}`, purchaseDate: `2026-11-20T0${i}:00:00.000Z`, status: 'missing' });
  const streak = (ids: number[]) => ({ count: ids.length, orderIds: ids.map((i) => `112-0000000-000000${i}`), firstExpectedAt: `2026-11-20T0${ids[0]}:00:00.000Z` });
  const input = (ids: number[], recent: number[], lastEmailAt: string | null) => ({
    sellerId: 's1',
    streak: streak(ids),
    recent: recent.map(mk),
    lastEmailAt,
    now: '2026-11-20T12:00:00.000Z',
    policy: POLICY,
    settings: SETTINGS,
  });

  test('three missing since the last email and no email since the first: one alert per episode', () => {
    const a = channelDownFromStreak(input([2, 3, 4], [4], '2026-11-20T01:10:00.000Z'));
    expect(a).toMatchObject({
      kind: 'channel-down',
      alertId: 'channel-down:2026-11-20T01:10:00.000Z',
      channel: { missingInARow: 3, orderIds: ['112-0000000-0000004', '112-0000000-0000003', '112-0000000-0000002'], lastEmailAt: '2026-11-20T01:10:00.000Z' },
      occurredAt: '2026-11-20T05:00:00.000Z',
    });
    expect(channelDownFromStreak(input([2, 3, 4], [2, 3, 4], null))?.alertId).toBe('channel-down:never');
  });

  test('not when fewer are missing, or when some email arrived since the first was expected', () => {
    expect(channelDownFromStreak(input([3, 4], [4], null))).toBeNull();
    expect(channelDownFromStreak(input([2, 3, 4], [4], '2026-11-20T03:30:00.000Z'))).toBeNull();
    expect(channelDownFromStreak({ ...input([2, 3, 4], [4], null), settings: { ...SETTINGS, channelDownAfter: 4 } })).toBeNull();
  });
});

test('unknown order: unmatched for the configured hours, at the boundary', () => {
  const n: NotificationRecord = {
    sellerId: 's1',
    orderId: '111-9999999-9999999',
    messageId: 'm1',
    marketplace: 'amazon.com',
    language: 'en',
    receivedAt: '2026-11-20T06:00:00.000Z',
    location: 'x',
    verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
  };
  expect(unknownOrderAlerts('s1', [n], '2026-11-20T11:59:59.999Z', SETTINGS)).toEqual([]);
  expect(unknownOrderAlerts('s1', [n], '2026-11-20T12:00:00.000Z', SETTINGS)).toEqual([
    expect.objectContaining({ alertId: 'unknown-order:111-9999999-9999999:m1', kind: 'unknown-order', occurredAt: '2026-11-20T12:00:00.000Z' }),
  ]);
  expect(unknownOrderAlerts('s1', [{ ...n, matchedAt: '2026-11-20T07:00:00.000Z' }], '2026-11-20T12:00:00.000Z', SETTINGS)).toEqual([]);
});

test('sync broken and recovered, from the order-sync events', () => {
  const broken = syncAlert({ type: 'order-sync-broken', sellerId: 's1', marketplace: 'amazon.de', reason: 'invalid-grant', detail: 'x', since: '2026-11-20T01:00:00.000Z' }, '2026-11-20T01:01:00.000Z');
  expect(broken).toMatchObject({ kind: 'sync-broken', alertId: alertIds.syncBroken('amazon.de', '2026-11-20T01:00:00.000Z'), occurredAt: '2026-11-20T01:00:00.000Z' });
  const ok = syncAlert({ type: 'order-sync-recovered', sellerId: 's1', marketplace: 'amazon.de', at: '2026-11-20T03:00:00.000Z' }, '2026-11-20T03:01:00.000Z');
  expect(ok).toMatchObject({ kind: 'resolved', resolvedReason: 'sync-recovered' });
});

describe('quiet hours (seller time zone)', () => {
  const quiet: AlertSettings = { ...SETTINGS, timeZone: 'Asia/Shanghai', quietHours: { start: '22:00', end: '08:00' } };
  const alert = (deadlineAt?: string): Alert => ({ alertId: 'x', sellerId: 's1', kind: 'notification-missing', occurredAt: '', raisedAt: '', ...(deadlineAt ? { deadlineAt } : {}) });

  test('inside: delivery waits until the end (08:00 Shanghai = 00:00 UTC)', () => {
    // 23:30 Shanghai = 15:30 UTC.
    expect(quietHoursEnd('2026-11-20T15:30:00.000Z', quiet)).toBe('2026-11-21T00:00:00.000Z');
    expect(deliverAt(alert(), '2026-11-20T15:30:00.000Z', quiet)).toBe('2026-11-21T00:00:00.000Z');
    expect(deliverAt(alert('2026-11-25T00:00:00.000Z'), '2026-11-20T15:30:00.000Z', quiet)).toBe('2026-11-21T00:00:00.000Z');
  });

  test('boundaries: 22:00 is quiet, 08:00 is not', () => {
    expect(quietHoursEnd('2026-11-20T14:00:00.000Z', quiet)).toBe('2026-11-21T00:00:00.000Z');
    expect(quietHoursEnd('2026-11-20T13:59:59.999Z', quiet)).toBeUndefined();
    expect(quietHoursEnd('2026-11-21T00:00:00.000Z', quiet)).toBeUndefined();
  });

  test('a deadline that would pass before the quiet hours end is sent at once', () => {
    expect(deliverAt(alert('2026-11-20T23:59:59.000Z'), '2026-11-20T15:30:00.000Z', quiet)).toBe('2026-11-20T15:30:00.000Z');
    expect(deliverAt(alert('2026-11-21T00:00:00.000Z'), '2026-11-20T15:30:00.000Z', quiet)).toBe('2026-11-20T15:30:00.000Z');
  });

  test('outside quiet hours, or none configured: now', () => {
    expect(deliverAt(alert(), '2026-11-20T03:00:00.000Z', quiet)).toBe('2026-11-20T03:00:00.000Z');
    expect(deliverAt(alert(), '2026-11-20T15:30:00.000Z', SETTINGS)).toBe('2026-11-20T15:30:00.000Z');
  });

  test('a daytime window (start < end)', () => {
    const day = { ...quiet, quietHours: { start: '12:00', end: '13:30' } };
    expect(quietHoursEnd('2026-11-20T04:15:00.000Z', day)).toBe('2026-11-20T05:30:00.000Z');
  });
});

test('digest above the threshold (default: more than 3)', () => {
  expect(shouldDigest(3, SETTINGS)).toBe(false);
  expect(shouldDigest(4, SETTINGS)).toBe(true);
});

describe('settings', () => {
  const seller = (extra: object = {}): Seller => ({ sellerId: 's1', name: 'S', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z', ...extra });

  test('defaults: both languages, default reminders; profile language/time zone/alert emails fill in', () => {
    expect(alertSettings(seller())).toMatchObject({ languages: ['zh-CN', 'en'], reminders: { shipByHours: [24, 12, 4], autoCancelDays: [7, 3, 1] }, channels: [] });
    expect(alertSettings(seller({ language: 'en', timeZone: 'Europe/Berlin', alertEmails: ['b@example.com'] }))).toMatchObject({
      languages: ['en'],
      timeZone: 'Europe/Berlin',
      channels: [{ id: 'alert-emails', type: 'email', to: ['b@example.com'] }],
    });
  });

  test('configurable per seller; a typo is an error, not a silently ignored setting', () => {
    expect(alertSettings(seller({ alerting: { reminders: { shipByHours: [6] }, quietHours: { start: '23:00', end: '07:00' } } }))).toMatchObject({
      reminders: { shipByHours: [6], autoCancelDays: [7, 3, 1] },
      quietHours: { start: '23:00', end: '07:00' },
    });
    expect(() => alertSettings(seller({ alerting: { quietHour: { start: '23:00', end: '07:00' } } }))).toThrow(InvalidAlertSettingsError);
    expect(() => alertSettings(seller({ alerting: { channels: [{ id: 'x', type: 'dingtalk', url: 'not a url' }] } }))).toThrow(InvalidAlertSettingsError);
  });
});

test('an order already shipped when its email is found missing: the missing alert (evidence), no reminders, no "resolved"', () => {
  const r = run(order({ orderState: 'Shipped', lastUpdated: '2026-11-20T10:30:00.000Z' }), '2026-11-20T11:00:00.000Z');
  expect(kinds(r.alerts)).toEqual(['notification-missing']);
  expect(r.alerts[0].order?.autoCancelAt).toBeNull();
  expect(r.order.alertAfter).toBeUndefined();
  expect(run(r.order, '2026-11-21T23:00:00.000Z').alerts).toEqual([]);
});
