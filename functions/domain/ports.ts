/**
 * Ports: what the services need from the outside world. Adapters in functions/adapters
 * implement them (DynamoDB, S3, folders, SP-API, ...); services depend only on these.
 */
import type { IsoTime, NotificationRecord, Seller, StoredOrder } from './types';

/** Read cost of a query, as DynamoDB reports it (ReturnConsumedCapacity: TOTAL). */
export interface ReadCost {
  itemsRead: number;
  readCapacityUnits: number;
}

export interface DueOrders extends ReadCost {
  orders: StoredOrder[];
}

export type PutResult = 'created' | 'exists';

export interface DueNotifications extends ReadCost {
  notifications: NotificationRecord[];
}

/**
 * One day (UTC, of the orders' expected-by) of one marketplace: orders whose email came, and
 * orders that are missing. Incremented once per order transition (see SentinelRepository).
 */
export interface OrderStatsDay {
  marketplace: string;
  day: string;
  notified: number;
  missing: number;
  /** Expected-by of the first order counted that day (the "since" of the diagnosis). */
  firstAt: IsoTime;
}

export interface RecentOrderStats extends ReadCost {
  days: OrderStatsDay[];
  /** The newest email that marked an order notified, as counted with the stats; null: none. */
  lastNotifiedAt: IsoTime | null;
}

/** Orders that went missing since the seller's last email (one episode per last email). */
export interface MissingStreak {
  lastEmailAt: IsoTime | null;
  count: number;
  /** In the order they went missing. */
  orderIds: string[];
  /** Earliest expected time (payments or purchase date) among them. */
  firstExpectedAt: IsoTime;
}

export interface OrderStatsDelta {
  notified?: number;
  missing?: number;
}

/**
 * Storage of sellers, orders and notifications. Every write is a single-item conditional write:
 * - `saveOrder(order, expectedVersion)` succeeds only if the stored version is `expectedVersion`
 *   (`null`: the order must not exist yet) and throws ConcurrentModificationError otherwise;
 *   the stored version becomes `order.version`.
 * - `putNotification` is idempotent on (sellerId, orderId, messageId).
 * An order is in the due index exactly while `alertAfter` is set.
 */
export interface SentinelRepository {
  putSeller(seller: Seller): Promise<PutResult>;
  getSeller(sellerId: string): Promise<Seller | undefined>;
  listSellers(): Promise<Seller[]>;
  /** Resolve a per-seller inbound alias (the local part of the address) to its seller. */
  sellerByAlias(alias: string): Promise<Seller | undefined>;

  getOrder(sellerId: string, orderId: string): Promise<StoredOrder | undefined>;
  saveOrder(order: StoredOrder, expectedVersion: number | null): Promise<void>;
  listOrders(sellerId: string): Promise<StoredOrder[]>;
  /** Orders whose `alertAfter <= now`, read from the sparse due index only. */
  queryDue(now: IsoTime, limit?: number): Promise<DueOrders>;

  putNotification(n: NotificationRecord): Promise<PutResult>;
  /** Notifications naming this order (strongly consistent), to match an email that came first. */
  notificationsForOrder(sellerId: string, orderId: string): Promise<NotificationRecord[]>;
  listNotifications(sellerId: string): Promise<NotificationRecord[]>;
  /** Sets matchedAt once; the notification leaves the due index (nothing left to check). */
  markNotificationMatched(n: NotificationRecord, matchedAt: IsoTime): Promise<void>;
  /**
   * Unmatched notifications whose check is due (`<= now`), from the sparse due index only: a
   * notification is in it from its arrival until it is matched or its unknown-order check is done.
   */
  queryDueNotifications(now: IsoTime, limit?: number): Promise<DueNotifications>;
  /** Check again at `at` (the seller's unknown-order threshold); a no-op once matched. */
  rescheduleNotification(n: NotificationRecord, at: IsoTime): Promise<void>;
  /** Nothing more to check: out of the due index. */
  clearNotificationDue(n: NotificationRecord): Promise<void>;

  /**
   * History for the diagnosis, read with a bounded number of items per seller (days x
   * marketplaces), never by listing orders. Callers add once per order transition, after the
   * conditional order write that made it succeeded (a replay or a lost race writes nothing, so
   * counts nothing): notified when an order is first marked notified (and missing -1 if it was
   * missing), missing on the reconciler's missing transition (-1 when a missing order stops
   * expecting an email). `emailAt`: the notifying email's arrival, kept as the newest.
   *
   * Best effort by design: a crash between the order write and this one under-counts. Nothing
   * that decides whether an alert is sent reads these counts (they only shape the diagnosis
   * text); the channel-down decision reads the missing streak, which is idempotent per order.
   */
  addOrderStats(sellerId: string, marketplace: string, expectedBy: IsoTime, delta: OrderStatsDelta, emailAt?: IsoTime): Promise<void>;
  /** The last `days` days up to `now` (one Query), with the newest notified email. */
  recentOrderStats(sellerId: string, now: IsoTime, days: number): Promise<RecentOrderStats>;
  /**
   * Count an order into the missing streak since `lastEmailAt`: idempotent per order (adding the
   * same order again changes nothing and returns the stored streak), so it can be written BEFORE
   * the order's transition and written again by the run after a crash.
   */
  addToMissingStreak(sellerId: string, lastEmailAt: IsoTime | null, orderId: string, expectedAt: IsoTime): Promise<MissingStreak>;
}
