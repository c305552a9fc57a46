/**
 * Notifications (the Sold, Ship Now emails received) on the one table (layout: ./keys.ts): one
 * item per (seller, order, message) in the seller's partition; unmatched ones sit in the
 * unknown-order shards of the due index until matched.
 */
import { NotFoundError } from '../../domain/errors';
import type { DueNotifications, PutResult } from '../../domain/ports';
import type { IsoTime, NotificationRecord } from '../../domain/types';
import {
  NOTIFICATION_SORT_PREFIX,
  TTL_ATTRIBUTE,
  dueUpperBound,
  notificationDueKey,
  notificationKey,
  notificationPrefix,
  sellerPartition,
  unmatchedShardPartitions,
} from './keys';
import { DAY_SECONDS, epochSeconds, fromItem, keyString, type Item, type Table } from './table';

export class NotificationStore {
  /** `notificationDays`: notifications expire this many days after `receivedAt`; absent: kept. */
  constructor(
    private readonly table: Table,
    private readonly notificationDays?: number,
  ) {}

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
    const days = this.notificationDays;
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
}
