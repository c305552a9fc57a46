/**
 * Weekly stats: the hourly counters written by the real order/notification paths on dynalite
 * (once per transition, never on a replay), read back by one bounded Query, re-binned into the
 * seller's local days; and the pure re-binning and median.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { addDays, lastWeekEnding, median, weekDays, weeklyStatsOf } from '../../functions/domain/weekly-stats';
import type { HourlyOrderStats } from '../../functions/domain/ports';
import type { NotificationRecord, OrderFacts, OrderPolicy } from '../../functions/domain/types';
import { importOrders, markNotified } from '../../functions/services/import-orders';
import { reconcileDue } from '../../functions/services/reconcile';
import { weeklyStats } from '../../functions/services/weekly-stats';
import { useDynalite } from '../support/dynalite';
import { order } from '../support/seller-data';

const ddb = useDynalite({ freshTablePerTest: true });
const POLICY: OrderPolicy = { graceMinutes: 60 };

const facts = (id: string, purchaseDate: string, marketplace = 'amazon.de'): OrderFacts => {
  const { version: _v, firstSeenAt: _f, ...base } = order('s1', id, { purchaseDate, marketplace, source: 'sp-api-2026' });
  return base;
};

const email = (orderId: string, receivedAt: string, marketplace = 'amazon.de'): NotificationRecord => ({
  sellerId: 's1',
  orderId,
  messageId: `m-${orderId}`,
  marketplace,
  language: 'de',
  receivedAt,
  location: `s3://mail/m-${orderId}`,
  verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass', authservId: 'amazonses.com' },
});

describe('from the stored counters (dynalite)', () => {
  test('emails received with their delays, missing orders, a late email, per local day; replays count nothing', async () => {
    // Week of Mon 23 .. Sun 29 Nov 2026 in Shanghai (UTC+8).
    const orders = [
      facts('302-0000001-0000001', '2026-11-23T01:00:00.000Z'), // Mon 09:00 local; email after 4 min
      facts('302-0000001-0000002', '2026-11-23T02:00:00.000Z'), // Mon; email after 10 min
      facts('302-0000001-0000003', '2026-11-23T03:00:00.000Z'), // Mon; email after 30 min
      facts('302-0000001-0000004', '2026-11-23T17:00:00.000Z'), // Tue 01:00 local (Mon in UTC); missing
      facts('111-0000001-0000005', '2026-11-24T06:00:00.000Z', 'amazon.com'), // Tue; missing, then a late email (3 h)
    ];
    await importOrders(ddb.repository, orders, '2026-11-23T00:30:00.000Z', POLICY);
    for (const [o, minutes] of [[orders[0], 4], [orders[1], 10], [orders[2], 30]] as const) {
      const at = new Date(Date.parse(o.purchaseDate) + minutes * 60_000).toISOString();
      await ddb.repository.putNotification(email(o.orderId, at));
      expect(await markNotified(ddb.repository, email(o.orderId, at), at, POLICY)).toBe(true);
      // A replay of the same email changes nothing, so counts nothing.
      await markNotified(ddb.repository, email(o.orderId, at), at, POLICY);
    }
    await reconcileDue(ddb.repository, '2026-11-24T08:00:00.000Z', POLICY); // both others go missing
    const late = email('111-0000001-0000005', '2026-11-24T09:00:00.000Z', 'amazon.com');
    await ddb.repository.putNotification(late);
    await markNotified(ddb.repository, late, '2026-11-24T09:00:00.000Z', POLICY);

    const s = await weeklyStats(ddb.repository, 's1', '2026-11-29', 'Asia/Shanghai', { marketplaces: ['amazon.de', 'amazon.co.uk'] });
    expect(s).toMatchObject({ weekStart: '2026-11-23', weekEnd: '2026-11-29', timeZone: 'Asia/Shanghai' });
    expect(s.marketplaces.map((m) => m.marketplace)).toEqual(['amazon.co.uk', 'amazon.com', 'amazon.de']);
    const de = s.marketplaces.find((m) => m.marketplace === 'amazon.de')!;
    expect(de.days.slice(0, 2)).toEqual([
      { day: '2026-11-23', expected: 3, received: 3, missing: 0, medianDelayMinutes: 10 },
      { day: '2026-11-24', expected: 1, received: 0, missing: 1, medianDelayMinutes: null },
    ]);
    expect(de.total).toEqual({ expected: 4, received: 3, missing: 1, medianDelayMinutes: 10 });
    const com = s.marketplaces.find((m) => m.marketplace === 'amazon.com')!;
    // Missing, then the late email: received, no longer missing; its delay counts.
    expect(com.days[1]).toEqual({ day: '2026-11-24', expected: 1, received: 1, missing: 0, medianDelayMinutes: 180 });
    expect(s.marketplaces.find((m) => m.marketplace === 'amazon.co.uk')!.total).toEqual({ expected: 0, received: 0, missing: 0, medianDelayMinutes: null });
    expect(s.all.total).toEqual({ expected: 5, received: 4, missing: 1, medianDelayMinutes: 20 });
    expect(s.worst).toEqual({ marketplace: 'amazon.de', missing: 1, expected: 4 });

    // The same counters seen from Los Angeles (UTC-8): the three received on Shanghai's Monday
    // morning were Sunday 22 there (outside the week); the two of Shanghai's Tuesday are Monday.
    const la = await weeklyStats(ddb.repository, 's1', '2026-11-29', 'America/Los_Angeles');
    expect(la.all.days[0]).toEqual({ day: '2026-11-23', expected: 2, received: 1, missing: 1, medianDelayMinutes: 180 });
    expect(la.all.total.expected).toBe(2);
  });

  test('one Query of small items, bounded by hours x marketplaces', async () => {
    await importOrders(ddb.repository, [facts('302-0000001-0000001', '2026-11-23T01:00:00.000Z')], '2026-11-23T01:00:00.000Z', POLICY);
    const n = email('302-0000001-0000001', '2026-11-23T01:05:00.000Z');
    await ddb.repository.putNotification(n);
    await markNotified(ddb.repository, n, n.receivedAt, POLICY);
    const sent: string[] = [];
    const send = ddb.client.send.bind(ddb.client);
    ddb.client.send = ((cmd: { constructor: { name: string } }, ...rest: unknown[]) => {
      sent.push(cmd.constructor.name);
      return (send as (...a: unknown[]) => unknown)(cmd, ...rest);
    }) as typeof ddb.client.send;
    try {
      const s = await weeklyStats(ddb.repository, 's1', '2026-11-29', 'Asia/Shanghai');
      expect(s.all.total.received).toBe(1);
    } finally {
      ddb.client.send = send;
    }
    expect(sent).toEqual([QueryCommand.name]);
  });
});

describe('pure', () => {
  const h = (hour: string, received: number, missing: number, delaysMinutes: number[] = [], marketplace = 'amazon.de'): HourlyOrderStats => ({ marketplace, hour, received, missing, delaysMinutes });

  test('median: odd, even, none; 0.1 minute precision', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([1.04, 1.06])).toBe(1.1);
    expect(median([])).toBeNull();
  });

  test('local days; hours outside the week are dropped; negative best-effort counts shown as 0', () => {
    const s = weeklyStatsOf(
      [h('2026-11-22T15', 1, 0, [2]), h('2026-11-22T16', 2, 0, [4, 6]), h('2026-11-29T15', 1, 1, [8]), h('2026-11-29T16', 5, 0), h('2026-11-25T10', 0, -1)],
      { sellerId: 's1', weekEnd: '2026-11-29', timeZone: 'Asia/Shanghai' },
    );
    // 22T15Z = 22nd 23:00 local (before the week); 22T16Z = Mon 23rd 00:00 local.
    expect(s.all.days[0]).toEqual({ day: '2026-11-23', expected: 2, received: 2, missing: 0, medianDelayMinutes: 5 });
    expect(s.all.days[2]).toEqual({ day: '2026-11-25', expected: 0, received: 0, missing: 0, medianDelayMinutes: null });
    expect(s.all.days[6]).toEqual({ day: '2026-11-29', expected: 2, received: 1, missing: 1, medianDelayMinutes: 8 });
    expect(s.all.total.received).toBe(3);
  });

  test('worst marketplace: most missing, then the higher share', () => {
    const s = weeklyStatsOf([h('2026-11-24T10', 9, 2, [], 'amazon.de'), h('2026-11-24T10', 1, 2, [], 'amazon.fr'), h('2026-11-24T10', 5, 0, [], 'amazon.it')], {
      sellerId: 's1',
      weekEnd: '2026-11-29',
      timeZone: 'Europe/Berlin',
    });
    expect(s.worst).toEqual({ marketplace: 'amazon.fr', missing: 2, expected: 3 });
    expect(weeklyStatsOf([h('2026-11-24T10', 5, 0)], { sellerId: 's1', weekEnd: '2026-11-29', timeZone: 'UTC' }).worst).toBeNull();
  });

  test('weeks: the last full Monday-to-Sunday week in the seller time zone', () => {
    // Monday 01:00 in Shanghai is still Sunday in UTC.
    expect(lastWeekEnding('2026-11-29T17:00:00.000Z', 'Asia/Shanghai')).toBe('2026-11-29');
    expect(lastWeekEnding('2026-11-29T17:00:00.000Z', 'UTC')).toBe('2026-11-22');
    expect(lastWeekEnding('2026-12-02T12:00:00.000Z', 'Europe/Berlin')).toBe('2026-11-29');
    expect(weekDays('2026-11-29')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(() => weekDays('29/11/2026')).toThrow(/YYYY-MM-DD/);
  });
});
