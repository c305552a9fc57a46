/**
 * The history the diagnosis reads, on the one table (layout: ./keys.ts): per-day order counters
 * by marketplace, the seller's last-notified time, and streaks of orders missing their email
 * since the last one. Day items and streaks expire STATS_RETENTION_DAYS after their day.
 */
import { ConditionFailedError } from '../../domain/errors';
import type { HourlyOrderStats, MissingStreak, OrderStatsDay, OrderStatsDelta, OrderStatsHistory, RecentOrderStats } from '../../domain/ports';
import type { IsoTime } from '../../domain/types';
import {
  TTL_ATTRIBUTE,
  canonicalIso,
  hourlyStatsKey,
  hourlyStatsRange,
  lastNotifiedKey,
  missingStreakKey,
  orderStatsKey,
  orderStatsRange,
  sellerPartition,
} from './keys';
import { DAY_SECONDS, epochSeconds, type Item, type Table } from './table';

/** Order stats and missing streaks expire this long after their day (the diagnosis reads 7). */
export const STATS_RETENTION_DAYS = 35;

export class StatsStore implements OrderStatsHistory {
  constructor(private readonly table: Table) {}

  /**
   * ADD to the day's counters (one UpdateItem; creates the item). Not idempotent by itself: the
   * caller calls it once per successful order transition. A crash between the order write and
   * this one loses one count (an under-count, never a double count).
   */
  async addOrderStats(sellerId: string, marketplace: string, expectedBy: IsoTime, delta: OrderStatsDelta, emailAt?: IsoTime): Promise<void> {
    const at = canonicalIso(expectedBy);
    const day = at.slice(0, 10);
    await this.table.update(orderStatsKey(sellerId, day, marketplace), {
      // Every name through a placeholder: `missing` (and others) are DynamoDB reserved words.
      update: 'SET #mp = :m, #day = :day, #first = if_not_exists(#first, :at), #ttl = :ttl ADD #notified :n, #missing :x',
      names: { '#mp': 'marketplace', '#day': 'day', '#first': 'firstAt', '#ttl': TTL_ATTRIBUTE, '#notified': 'notified', '#missing': 'missing' },
      values: {
        ':m': marketplace,
        ':day': day,
        ':at': at,
        ':ttl': epochSeconds(`${day}T00:00:00.000Z`) + STATS_RETENTION_DAYS * DAY_SECONDS,
        ':n': delta.notified ?? 0,
        ':x': delta.missing ?? 0,
      },
    });
    const hourly = hourlyDelta(delta, emailAt);
    if (hourly) {
      // The weekly stats' hour: counters ADDed, the email's delay appended (the same once-per-
      // transition contract as the day counters above).
      const key = hourlyStatsKey(sellerId, hourly.hour, marketplace);
      await this.table.update(key, {
        update:
          'SET #mp = :m, #hour = :hour, #ttl = :ttl' +
          (hourly.delay !== undefined ? ', #delays = list_append(if_not_exists(#delays, :empty), :delay)' : '') +
          ' ADD #received :n, #missing :x',
        names: {
          '#mp': 'marketplace',
          '#hour': 'hour',
          '#ttl': TTL_ATTRIBUTE,
          '#received': 'received',
          '#missing': 'missing',
          ...(hourly.delay !== undefined ? { '#delays': 'delaysMinutes' } : {}),
        },
        values: {
          ':m': marketplace,
          ':hour': hourly.hour,
          ':ttl': hourly.expiresAt,
          ':n': hourly.received,
          ':x': hourly.missing,
          ...(hourly.delay !== undefined ? { ':empty': [], ':delay': [hourly.delay] } : {}),
        },
      });
    }
    if (emailAt !== undefined) {
      // Newest wins; an older email changes nothing.
      await this.table.updateIf(lastNotifiedKey(sellerId), {
        update: 'SET #last = :t',
        condition: 'attribute_not_exists(#last) OR #last < :t',
        names: { '#last': 'lastNotifiedAt' },
        values: { ':t': canonicalIso(emailAt) },
      });
    }
  }

  /** One Query: the day items from `now - days` to today, plus the last-notified item. */
  async recentOrderStats(sellerId: string, now: IsoTime, days: number): Promise<RecentOrderStats> {
    const from = new Date(Date.parse(now) - days * DAY_SECONDS * 1000).toISOString().slice(0, 10);
    const { lower, upper } = orderStatsRange(from);
    const res = await this.table.query({
      keyCondition: 'pk = :pk AND sk BETWEEN :lower AND :upper',
      values: { ':pk': sellerPartition(sellerId), ':lower': lower, ':upper': upper },
    });
    return recentOrderStatsOf(res.items, now, res);
  }

  /** One Query: the hourly items from `fromHour` to `toHour` (both included) of every marketplace. */
  async hourlyOrderStats(sellerId: string, fromHour: string, toHour: string): Promise<HourlyOrderStats[]> {
    const { lower, upper } = hourlyStatsRange(fromHour, toHour);
    const res = await this.table.query({
      keyCondition: 'pk = :pk AND sk BETWEEN :lower AND :upper',
      values: { ':pk': sellerPartition(sellerId), ':lower': lower, ':upper': upper },
    });
    return res.items.map(hourlyOrderStatsOf);
  }

  async addToMissingStreak(sellerId: string, lastEmailAt: IsoTime | null, orderId: string, expectedAt: IsoTime): Promise<MissingStreak> {
    const key = missingStreakKey(sellerId, lastEmailAt);
    let item: Item;
    try {
      item =
        (await this.table.update(key, {
          update: 'SET #ids = list_append(if_not_exists(#ids, :empty), :id), #first = if_not_exists(#first, :at), #ttl = :ttl ADD #count :one',
          // Idempotent per order: an order already in the streak is not counted again.
          condition: 'attribute_not_exists(#ids) OR NOT contains(#ids, :oid)',
          names: { '#ids': 'orderIds', '#first': 'firstExpectedAt', '#count': 'count', '#ttl': TTL_ATTRIBUTE },
          values: {
            ':empty': [],
            ':id': [orderId],
            ':oid': orderId,
            ':at': canonicalIso(expectedAt),
            ':ttl': epochSeconds(expectedAt) + STATS_RETENTION_DAYS * DAY_SECONDS,
            ':one': 1,
          },
          returnValues: 'ALL_NEW',
        })) ?? {};
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      item = (await this.table.get(key, true)) ?? {};
    }
    const ids = Array.isArray(item.orderIds) ? (item.orderIds as string[]) : [orderId];
    const firstExpectedAt = String(item.firstExpectedAt ?? canonicalIso(expectedAt));
    return {
      lastEmailAt,
      count: Number(item.count ?? 1),
      orderIds: ids,
      // if_not_exists keeps the first written, not the earliest: take the earlier of the two.
      firstExpectedAt: Date.parse(expectedAt) < Date.parse(firstExpectedAt) ? canonicalIso(expectedAt) : firstExpectedAt,
    };
  }
}

/** `recentOrderStats` from the items of its range Query (day items and the last-notified item). */
export function recentOrderStatsOf(items: readonly Item[], now: IsoTime, cost: { itemsRead: number; readCapacityUnits: number }): RecentOrderStats {
  const today = canonicalIso(now).slice(0, 10);
  let lastNotifiedAt: IsoTime | null = null;
  const out: OrderStatsDay[] = [];
  for (const i of items) {
    if (typeof i.lastNotifiedAt === 'string') lastNotifiedAt = i.lastNotifiedAt;
    else if (typeof i.day === 'string' && i.day <= today) {
      out.push({ marketplace: String(i.marketplace), day: i.day, notified: Number(i.notified ?? 0), missing: Number(i.missing ?? 0), firstAt: String(i.firstAt) });
    }
  }
  return { days: out, lastNotifiedAt, itemsRead: cost.itemsRead, readCapacityUnits: cost.readCapacityUnits };
}

/**
 * What one transition adds to its hourly item (null: no `orderAt`, nothing to add): the UTC hour
 * of the order's expected time, the counters, and, for a notified order with its email time, the
 * delay in minutes (0.1 min precision; an email stamped before the order counts as 0).
 */
export function hourlyDelta(
  delta: OrderStatsDelta,
  emailAt?: IsoTime,
): { hour: string; received: number; missing: number; delay?: number; expiresAt: number } | null {
  if (delta.orderAt === undefined) return null;
  const at = canonicalIso(delta.orderAt);
  const hour = at.slice(0, 13);
  const received = delta.notified ?? 0;
  const delay =
    received > 0 && emailAt !== undefined ? Math.max(0, Math.round((Date.parse(emailAt) - Date.parse(at)) / 6_000) / 10) : undefined;
  return {
    hour,
    received,
    missing: delta.missing ?? 0,
    ...(delay !== undefined ? { delay } : {}),
    expiresAt: epochSeconds(`${hour}:00:00.000Z`) + STATS_RETENTION_DAYS * DAY_SECONDS,
  };
}

/** An hourly item as the weekly stats read it. */
export function hourlyOrderStatsOf(i: Item): HourlyOrderStats {
  return {
    marketplace: String(i.marketplace),
    hour: String(i.hour),
    received: Number(i.received ?? 0),
    missing: Number(i.missing ?? 0),
    delaysMinutes: Array.isArray(i.delaysMinutes) ? (i.delaysMinutes as unknown[]).map(Number) : [],
  };
}
