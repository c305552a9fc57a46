/**
 * SentinelRepository on one DynamoDB table (layout: ./keys.ts; table operations: ./table.ts).
 *
 * Every write is a single-item conditional write; a lost race surfaces as the domain's
 * ConcurrentModificationError (as Powertools' DynamoDBPersistenceLayer._putRecord turns
 * ConditionalCheckFailedException into IdempotencyItemAlreadyExistsError), never as an SDK error
 * the services would have to know about. No Scan anywhere: every read is a GetItem or a Query on
 * a known partition. Throttling retries are left to the SDK's retry strategy.
 *
 * Marshalling is done here (`toAttributes` / `fromAttributes`), not by lib-dynamodb's
 * DynamoDBDocumentClient: `DynamoDBDocumentClient.from(client, opts)` writes `opts` into the
 * shared `client.config` (aws-sdk-js-v3#6545; still so in 3.1169), so whichever DocumentClient is
 * built last on an injected client silently decides the marshalling of all of them (e.g.
 * `wrapNumbers` turning `version` into an object, or `removeUndefinedValues` going away). The
 * domain uses only strings, numbers, booleans, null, lists and maps; converting those is short,
 * and it leaves the caller's client untouched.
 */
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { AliasTakenError, ConcurrentModificationError, ConditionFailedError, NotFoundError } from '../../domain/errors';
import { validateInboundAlias } from '../../domain/inbound';
import type { DueNotifications, DueOrders, MissingStreak, OrderStatsDay, OrderStatsDelta, PutResult, RecentOrderStats, SentinelRepository } from '../../domain/ports';
import type { IsoTime, NotificationRecord, OrderState, Seller, StoredOrder } from '../../domain/types';
import {
  NOTIFICATION_SORT_PREFIX,
  ORDER_SORT_PREFIX,
  SELLERS_PARTITION,
  SELLER_SORT_PREFIX,
  TTL_ATTRIBUTE,
  aliasKey,
  canonicalIso,
  dueKey,
  dueShardPartitions,
  dueUpperBound,
  lastNotifiedKey,
  missingStreakKey,
  normalizeAlias,
  orderStatsKey,
  orderStatsRange,
  notificationDueKey,
  notificationKey,
  notificationPrefix,
  orderKey,
  sellerKey,
  sellerPartition,
  unmatchedShardPartitions,
} from './keys';
import { DAY_SECONDS, Table, epochSeconds, fromItem, keyString, type Item, type TableOptions } from './table';

// Re-exported for callers that imported them from the repository before they moved.
export { fromAttributes, toAttributes, UnsupportedValueError, epochSeconds } from './table';
export { AliasTakenError } from '../../domain/errors';

/**
 * How long items live before DynamoDB's TTL deletes them. Absent: items are kept. Retention is a
 * product decision passed in from configuration, not invented by the adapter.
 */
export interface RetentionPolicy {
  /** Notifications expire this many days after `receivedAt`. */
  notificationDays?: number;
  /**
   * Orders expire this many days after the latest time known about them once closed: nothing is
   * due (`alertAfter` absent) and the order state is final (Shipped, Canceled, Unfulfillable).
   * Any later write that reopens the order removes the expiry again (a Put replaces the item).
   */
  closedOrderDays?: number;
}

export interface DynamoDbRepositoryOptions extends TableOptions {
  retention?: RetentionPolicy;
}

const FINAL_STATES: ReadonlySet<OrderState> = new Set<OrderState>(['Shipped', 'Canceled', 'Unfulfillable']);
/** Order stats and missing streaks expire this long after their day (the diagnosis reads 7). */
export const STATS_RETENTION_DAYS = 35;

export class DynamoDbRepository implements SentinelRepository {
  private readonly table: Table;
  private readonly retention: RetentionPolicy;

  constructor(options: DynamoDbRepositoryOptions) {
    this.table = new Table(options, 'DynamoDbRepository');
    this.retention = options.retention ?? {};
  }

  // ---- sellers ---------------------------------------------------------------------------------

  /**
   * Create a seller unless it exists (an existing profile is left as it is: 'exists').
   *
   * With an inbound alias, the alias item is claimed FIRST (conditionally), then the profile is
   * written. Without transactions a crash can fall between the two writes; this order makes that
   * harmless: an alias claimed for a profile that was never written is re-used by the retry of the
   * same seller, and `sellerByAlias` trusts an alias only when the profile names it too. The
   * reverse order could leave a live profile whose alias belongs to someone else.
   */
  async putSeller(seller: Seller): Promise<PutResult> {
    // The one alias alphabet (domain/inbound.ts): an alias routing could fold into another
    // seller's (`shop+x`) is refused here too, whoever calls.
    if (seller.inboundAlias !== undefined) validateInboundAlias(seller.inboundAlias);
    const alias = seller.inboundAlias;
    const claimedNow = alias === undefined ? false : await this.claimAlias(alias, seller.sellerId);

    const created = await this.table.putIfAbsent({ ...seller, ...sellerKey(seller.sellerId) });
    if (!created && claimedNow && alias !== undefined) {
      // The seller already existed: give back the alias just taken unless its profile uses it.
      const existing = await this.table.get(sellerKey(seller.sellerId), true);
      const existingAlias = typeof existing?.inboundAlias === 'string' ? normalizeAlias(existing.inboundAlias) : undefined;
      if (existingAlias !== normalizeAlias(alias)) await this.releaseAlias(alias, seller.sellerId);
    }
    return created ? 'created' : 'exists';
  }

  async getSeller(sellerId: string): Promise<Seller | undefined> {
    const item = await this.table.get(sellerKey(sellerId), false);
    return item && fromItem<Seller>(item);
  }

  /** One Query on the fixed `SELLERS` partition (see keys.ts `sellerKey`); never a Scan. */
  async listSellers(): Promise<Seller[]> {
    const { items } = await this.table.query({
      keyCondition: 'pk = :pk AND begins_with(sk, :prefix)',
      values: { ':pk': SELLERS_PARTITION, ':prefix': SELLER_SORT_PREFIX },
    });
    return items.map((i) => fromItem<Seller>(i));
  }

  /** Case-insensitive. Trusted only when alias item and profile agree (see `putSeller`). */
  async sellerByAlias(alias: string): Promise<Seller | undefined> {
    const normalized = normalizeAlias(alias);
    const aliasItem = await this.table.get(aliasKey(normalized), false);
    if (typeof aliasItem?.sellerId !== 'string') return undefined;
    const seller = await this.getSeller(aliasItem.sellerId);
    if (!seller?.inboundAlias || normalizeAlias(seller.inboundAlias) !== normalized) return undefined;
    return seller;
  }

  // ---- orders ----------------------------------------------------------------------------------

  /**
   * Strongly consistent: services read an order, decide, and write conditionally on its version,
   * and the email-before-order argument (see `notificationsForOrder`) needs this read to see every
   * acknowledged write.
   */
  async getOrder(sellerId: string, orderId: string): Promise<StoredOrder | undefined> {
    const item = await this.table.get(orderKey(sellerId, orderId), true);
    return item && fromItem<StoredOrder>(item);
  }

  async saveOrder(order: StoredOrder, expectedVersion: number | null): Promise<void> {
    assertNewerVersion(order, expectedVersion);
    const key = orderKey(order.sellerId, order.orderId);
    try {
      await this.table.put(
        this.orderItem(order),
        expectedVersion === null
          ? { condition: 'attribute_not_exists(pk)' }
          : { condition: '#version = :expected', names: { '#version': 'version' }, values: { ':expected': expectedVersion } },
      );
    } catch (err) {
      if (err instanceof ConditionFailedError) throw new ConcurrentModificationError(keyString(key), { cause: err.cause });
      throw err;
    }
  }

  async listOrders(sellerId: string): Promise<StoredOrder[]> {
    const { items } = await this.table.query({
      keyCondition: 'pk = :pk AND begins_with(sk, :prefix)',
      values: { ':pk': sellerPartition(sellerId), ':prefix': ORDER_SORT_PREFIX },
    });
    return items.map((i) => fromItem<StoredOrder>(i));
  }

  /**
   * Orders with `alertAfter <= now`, from the sparse due index only: one Query per shard,
   * `duePk = DUE#n AND dueSk < "<now>$"`, so DynamoDB reads only due items and the cost follows
   * the number of due orders, never the number stored. The index projects ALL attributes, so no
   * follow-up reads are needed.
   *
   * With `limit`, the earliest `limit` due orders overall are returned: each shard is read in
   * `alertAfter` order up to `limit` items, the shards are merged and cut. The read cost is then
   * at most DUE_SHARDS x limit items (all reported as read, including items cut).
   *
   * Index reads are eventually consistent (a GSI offers nothing else): an order saved a moment ago
   * may be seen on the next run instead of this one, which the reconciler tolerates since every
   * write it makes is conditional on the version it read.
   */
  async queryDue(now: IsoTime, limit?: number): Promise<DueOrders> {
    const { items, itemsRead, readCapacityUnits } = await this.table.queryDue(dueShardPartitions(), dueUpperBound(now), limit);
    return { orders: items.map((i) => fromItem<StoredOrder>(i)), itemsRead, readCapacityUnits };
  }

  // ---- notifications ---------------------------------------------------------------------------

  /** Idempotent on (sellerId, orderId, messageId): a redelivered email is 'exists', never a duplicate. */
  async putNotification(n: NotificationRecord): Promise<PutResult> {
    return (await this.table.putIfAbsent(this.notificationItem(n))) ? 'created' : 'exists';
  }

  /** The stored form of a notification: domain fields plus key, due keys and TTL. */
  notificationItem(n: NotificationRecord): Item {
    const item: Item = { ...n, ...notificationKey(n.sellerId, n.orderId, n.messageId) };
    // Due at once for the unknown-order sweep, which reschedules it to the seller's threshold;
    // matching (usually right after this put) takes it out of the index again.
    if (!n.matchedAt) Object.assign(item, notificationDueKey(n.sellerId, n.orderId, n.messageId, n.receivedAt));
    const days = this.retention.notificationDays;
    if (days !== undefined) item[TTL_ATTRIBUTE] = epochSeconds(n.receivedAt) + days * DAY_SECONDS;
    return item;
  }

  /**
   * Strongly consistent Query of `begins_with(sk, NOTIF#<orderId>#)` in the seller's partition.
   *
   * Why consistent: an email may arrive before its order. Intake writes the notification, then
   * reads the order (getOrder, consistent); order sync writes the order, then reads the
   * notifications (here, consistent). Each side writes before it reads, and a consistent read sees
   * every write acknowledged before it started. If intake's read missed the order, that read came
   * before the order write completed; so the order write, and the notification read after it, came
   * after the notification write, and this read sees it. At least one side always matches (both
   * may; what they then write is conditional and idempotent). With eventually consistent reads
   * both could miss, and the order would be reported missing although its email was received.
   */
  async notificationsForOrder(sellerId: string, orderId: string): Promise<NotificationRecord[]> {
    const { items } = await this.table.query({
      keyCondition: 'pk = :pk AND begins_with(sk, :prefix)',
      values: { ':pk': sellerPartition(sellerId), ':prefix': notificationPrefix(orderId) },
      consistentRead: true,
    });
    return items.map((i) => fromItem<NotificationRecord>(i));
  }

  async listNotifications(sellerId: string): Promise<NotificationRecord[]> {
    const { items } = await this.table.query({
      keyCondition: 'pk = :pk AND begins_with(sk, :prefix)',
      values: { ':pk': sellerPartition(sellerId), ':prefix': NOTIFICATION_SORT_PREFIX },
    });
    return items.map((i) => fromItem<NotificationRecord>(i));
  }

  /**
   * Set `matchedAt` once: the first match wins and a repeat is a no-op, so a retried or concurrent
   * match never moves the recorded time. Throws NotFoundError if the notification does not exist.
   */
  async markNotificationMatched(n: NotificationRecord, matchedAt: IsoTime): Promise<void> {
    const key = notificationKey(n.sellerId, n.orderId, n.messageId);
    const matched = await this.table.updateIf(key, {
      update: 'SET #matchedAt = :matchedAt REMOVE duePk, dueSk',
      condition: 'attribute_exists(pk) AND attribute_not_exists(#matchedAt)',
      names: { '#matchedAt': 'matchedAt' },
      values: { ':matchedAt': matchedAt },
    });
    if (!matched) {
      // Either already matched (fine: idempotent) or absent (a caller bug worth surfacing).
      if (!(await this.table.get(key, true))) throw new NotFoundError(keyString(key));
    }
  }

  async queryDueNotifications(now: IsoTime, limit?: number): Promise<DueNotifications> {
    const { items, itemsRead, readCapacityUnits } = await this.table.queryDue(unmatchedShardPartitions(), dueUpperBound(now), limit);
    return { notifications: items.map((i) => fromItem<NotificationRecord>(i)), itemsRead, readCapacityUnits };
  }

  /** Moves an unmatched notification's next check to `at`; matched (or expired) meanwhile: nothing to check. */
  async rescheduleNotification(n: NotificationRecord, at: IsoTime): Promise<void> {
    const due = notificationDueKey(n.sellerId, n.orderId, n.messageId, at);
    await this.table.updateIf(notificationKey(n.sellerId, n.orderId, n.messageId), {
      update: 'SET duePk = :pk, dueSk = :sk',
      condition: 'attribute_exists(pk) AND attribute_not_exists(matchedAt)',
      values: { ':pk': due.duePk, ':sk': due.dueSk },
    });
  }

  async clearNotificationDue(n: NotificationRecord): Promise<void> {
    await this.table.updateIf(notificationKey(n.sellerId, n.orderId, n.messageId), { update: 'REMOVE duePk, dueSk', condition: 'attribute_exists(pk)' });
  }

  // ---- history for the diagnosis -------------------------------------------------------------------

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

  // ---- bulk writes (the local check's write-behind store; seeding in tests and benchmarks) --------

  /**
   * Unconditional BatchWriteItem of many puts and deletes (see Table.writeBatch). Only for a table
   * this process alone writes and whose state it knows: no Lambda calls it, so no function role
   * may BatchWriteItem.
   */
  async writeBatch(requests: readonly WriteRequest[], options: { concurrency?: number } = {}): Promise<number> {
    return this.table.writeBatch(requests, options);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** The stored form of an order: domain fields as plain attributes, plus layout attributes. */
  orderItem(order: StoredOrder): Item {
    const item: Item = { ...order, ...orderKey(order.sellerId, order.orderId) };
    // Sparse index: the due keys exist exactly while something is due, so the index holds only due
    // orders, and an order leaves it the moment alertAfter is cleared (the Put replaces the item).
    if (order.alertAfter !== undefined) Object.assign(item, dueKey(order.sellerId, order.orderId, order.alertAfter));
    const days = this.retention.closedOrderDays;
    if (days !== undefined && order.alertAfter === undefined && FINAL_STATES.has(order.orderState)) {
      item[TTL_ATTRIBUTE] = epochSeconds(latestTime(order)) + days * DAY_SECONDS;
    }
    return item;
  }

  /** Returns true if this call created the alias item, false if it already was this seller's. */
  private async claimAlias(alias: string, sellerId: string): Promise<boolean> {
    const key = aliasKey(alias);
    if (await this.table.putIfAbsent({ ...key, alias: normalizeAlias(alias), sellerId })) return true;
    const existing = await this.table.get(key, true);
    if (existing?.sellerId === sellerId) return false;
    throw new AliasTakenError(alias, sellerId);
  }

  /** Deletes the alias item unless it is someone else's by now (then it is left). */
  private async releaseAlias(alias: string, sellerId: string): Promise<void> {
    await this.table.delete(aliasKey(alias), { condition: 'sellerId = :sellerId', values: { ':sellerId': sellerId } });
  }
}

// ---- helpers -------------------------------------------------------------------------------------

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
 * Writing the expected version again would let two writers that read the same version both
 * succeed (each one's condition `version = expected` still holds after the other's write).
 */
export function assertNewerVersion(order: StoredOrder, expectedVersion: number | null): void {
  if (expectedVersion !== null && !(order.version > expectedVersion)) {
    throw new RangeError(
      `saveOrder ${order.sellerId}/${order.orderId}: version ${order.version} must be greater than the expected ${expectedVersion}`,
    );
  }
}

/** The latest time known about an order: a closed order's retention counts from it. */
function latestTime(order: StoredOrder): IsoTime {
  const times = [order.firstSeenAt, order.lastUpdated, order.statusChangedAt, order.notifiedAt].filter(
    (t): t is IsoTime => t !== undefined,
  );
  return times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}
