/**
 * Orders on the one table (layout: ./keys.ts): one item per order in the seller's partition,
 * written conditionally on its version, with the sparse due-index keys while an alert is due.
 */
import { ConcurrentModificationError, ConditionFailedError } from '../../domain/errors';
import type { DueOrders } from '../../domain/ports';
import type { IsoTime, OrderState, StoredOrder } from '../../domain/types';
import { ORDER_SORT_PREFIX, TTL_ATTRIBUTE, dueKey, dueShardPartitions, dueUpperBound, orderKey, sellerPartition } from './keys';
import { DAY_SECONDS, epochSeconds, fromItem, keyString, type Item, type Table } from './table';

const FINAL_STATES: ReadonlySet<OrderState> = new Set<OrderState>(['Shipped', 'Canceled', 'Unfulfillable']);

export class OrderStore {
  /**
   * `closedOrderDays`: orders expire this many days after the latest time known about them once
   * closed (see RetentionPolicy in ./repository.ts); absent: kept.
   */
  constructor(
    private readonly table: Table,
    private readonly closedOrderDays?: number,
  ) {}

  /**
   * Strongly consistent: services read an order, decide, and write conditionally on its version,
   * and the email-before-order argument (see NotificationStore `notificationsForOrder`) needs this
   * read to see every acknowledged write.
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

  /** The stored form of an order: domain fields as plain attributes, plus layout attributes. */
  orderItem(order: StoredOrder): Item {
    const item: Item = { ...order, ...orderKey(order.sellerId, order.orderId) };
    // Sparse index: the due keys exist exactly while something is due, so the index holds only due
    // orders, and an order leaves it the moment alertAfter is cleared (the Put replaces the item).
    if (order.alertAfter !== undefined) Object.assign(item, dueKey(order.sellerId, order.orderId, order.alertAfter));
    const days = this.closedOrderDays;
    if (days !== undefined && order.alertAfter === undefined && FINAL_STATES.has(order.orderState)) {
      item[TTL_ATTRIBUTE] = epochSeconds(latestTime(order)) + days * DAY_SECONDS;
    }
    return item;
  }
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
