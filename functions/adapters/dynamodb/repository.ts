/**
 * SentinelRepository on one DynamoDB table (layout: ./keys.ts; table operations: ./table.ts):
 * a thin class composing the per-aggregate stores, each on the same Table:
 * - ./sellers.ts        profiles and inbound aliases
 * - ./orders.ts         orders (versioned writes, the sparse due index, closed-order retention)
 * - ./notifications.ts  received emails (idempotent puts, matching, the unknown-order sweep)
 * - ./stats.ts          the diagnosis history (day counters, last notified, missing streaks)
 * - ./acknowledgements.ts  the seller's "handled" / "snooze" answers, on the order item
 *
 * Every write is a single-item conditional write; a lost race surfaces as the domain's
 * ConcurrentModificationError, never as an SDK error the services would have to know about. No
 * Scan anywhere: every read is a GetItem or a Query on a known partition. Throttling retries are
 * left to the SDK's retry strategy.
 */
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import type {
  AcknowledgeResult,
  AcknowledgementStore,
  DueNotifications,
  DueOrders,
  HourlyOrderStats,
  MissingStreak,
  OrderAcknowledgement,
  OrderStatsDelta,
  OrderStatsHistory,
  PutResult,
  RecentOrderStats,
  SentinelRepository,
} from '../../domain/ports';
import { DynamoDbAcknowledgements } from './acknowledgements';
import type { IsoTime, NotificationRecord, Seller, StoredOrder } from '../../domain/types';
import { NotificationStore } from './notifications';
import { OrderStore } from './orders';
import { SellerStore } from './sellers';
import { StatsStore } from './stats';
import { Table, type Item, type TableOptions } from './table';

// Re-exported for callers that imported them from the repository before they moved.
export { fromAttributes, toAttributes, UnsupportedValueError, epochSeconds } from './table';
export { AliasTakenError } from '../../domain/errors';
export { assertNewerVersion } from './orders';
export { STATS_RETENTION_DAYS, recentOrderStatsOf } from './stats';

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

export class DynamoDbRepository implements SentinelRepository, AcknowledgementStore, OrderStatsHistory {
  private readonly table: Table;
  readonly sellers: SellerStore;
  readonly orders: OrderStore;
  readonly notifications: NotificationStore;
  readonly stats: StatsStore;
  readonly acknowledgements: DynamoDbAcknowledgements;

  constructor(options: DynamoDbRepositoryOptions) {
    this.table = new Table(options, 'DynamoDbRepository');
    const retention = options.retention ?? {};
    this.sellers = new SellerStore(this.table);
    this.orders = new OrderStore(this.table, retention.closedOrderDays);
    this.notifications = new NotificationStore(this.table, retention.notificationDays);
    this.stats = new StatsStore(this.table);
    this.acknowledgements = new DynamoDbAcknowledgements(this.table);
  }

  // ---- sellers (./sellers.ts) ------------------------------------------------------------------

  putSeller(seller: Seller): Promise<PutResult> {
    return this.sellers.putSeller(seller);
  }

  getSeller(sellerId: string): Promise<Seller | undefined> {
    return this.sellers.getSeller(sellerId);
  }

  listSellers(): Promise<Seller[]> {
    return this.sellers.listSellers();
  }

  sellerByAlias(alias: string): Promise<Seller | undefined> {
    return this.sellers.sellerByAlias(alias);
  }

  // ---- orders (./orders.ts) --------------------------------------------------------------------

  getOrder(sellerId: string, orderId: string): Promise<StoredOrder | undefined> {
    return this.orders.getOrder(sellerId, orderId);
  }

  saveOrder(order: StoredOrder, expectedVersion: number | null): Promise<void> {
    return this.orders.saveOrder(order, expectedVersion);
  }

  listOrders(sellerId: string): Promise<StoredOrder[]> {
    return this.orders.listOrders(sellerId);
  }

  queryDue(now: IsoTime, limit?: number): Promise<DueOrders> {
    return this.orders.queryDue(now, limit);
  }

  /** The stored form of an order (the write-behind store writes exactly this). */
  orderItem(order: StoredOrder): Item {
    return this.orders.orderItem(order);
  }

  /** The seller's "handled" / "snooze" answer, kept on the order (./acknowledgements.ts). */
  acknowledge(sellerId: string, orderId: string, ack: OrderAcknowledgement): Promise<AcknowledgeResult> {
    return this.acknowledgements.acknowledge(sellerId, orderId, ack);
  }

  // ---- notifications (./notifications.ts) ------------------------------------------------------

  putNotification(n: NotificationRecord): Promise<PutResult> {
    return this.notifications.putNotification(n);
  }

  /** The stored form of a notification (the write-behind store writes exactly this). */
  notificationItem(n: NotificationRecord): Item {
    return this.notifications.notificationItem(n);
  }

  notificationsForOrder(sellerId: string, orderId: string): Promise<NotificationRecord[]> {
    return this.notifications.notificationsForOrder(sellerId, orderId);
  }

  listNotifications(sellerId: string): Promise<NotificationRecord[]> {
    return this.notifications.listNotifications(sellerId);
  }

  markNotificationMatched(n: NotificationRecord, matchedAt: IsoTime): Promise<void> {
    return this.notifications.markNotificationMatched(n, matchedAt);
  }

  queryDueNotifications(now: IsoTime, limit?: number): Promise<DueNotifications> {
    return this.notifications.queryDueNotifications(now, limit);
  }

  rescheduleNotification(n: NotificationRecord, at: IsoTime): Promise<void> {
    return this.notifications.rescheduleNotification(n, at);
  }

  clearNotificationDue(n: NotificationRecord): Promise<void> {
    return this.notifications.clearNotificationDue(n);
  }

  // ---- history for the diagnosis (./stats.ts) --------------------------------------------------

  addOrderStats(sellerId: string, marketplace: string, expectedBy: IsoTime, delta: OrderStatsDelta, emailAt?: IsoTime): Promise<void> {
    return this.stats.addOrderStats(sellerId, marketplace, expectedBy, delta, emailAt);
  }

  recentOrderStats(sellerId: string, now: IsoTime, days: number): Promise<RecentOrderStats> {
    return this.stats.recentOrderStats(sellerId, now, days);
  }

  addToMissingStreak(sellerId: string, lastEmailAt: IsoTime | null, orderId: string, expectedAt: IsoTime): Promise<MissingStreak> {
    return this.stats.addToMissingStreak(sellerId, lastEmailAt, orderId, expectedAt);
  }

  /** The weekly stats' hourly counters (./stats.ts). */
  hourlyOrderStats(sellerId: string, fromHour: string, toHour: string): Promise<HourlyOrderStats[]> {
    return this.stats.hourlyOrderStats(sellerId, fromHour, toHour);
  }

  // ---- bulk writes (the local check's write-behind store; seeding in tests and benchmarks) --------

  /**
   * Unconditional BatchWriteItem of many puts and deletes (see Table.writeBatch). Only for a table
   * this process alone writes and whose state it knows: no Lambda calls it, so no function role
   * may BatchWriteItem.
   */
  writeBatch(requests: readonly WriteRequest[], options: { concurrency?: number } = {}): Promise<number> {
    return this.table.writeBatch(requests, options);
  }
}
