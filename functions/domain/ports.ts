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
  markNotificationMatched(n: NotificationRecord, matchedAt: IsoTime): Promise<void>;
}
