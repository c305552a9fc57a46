/**
 * A write-behind unit of work over the embedded table, for the local `check`: the services
 * (intake, import, reconcile) run unchanged against this store's SentinelRepository and
 * IntakeLedger, which keep the table's items in memory in exactly their stored form (the same
 * keys, due keys and attributes the DynamoDB adapters write) and decide every conditional write
 * as DynamoDB would (attribute_not_exists, `version = :expected`, "newest wins", set-once
 * `matchedAt`, lease and status of a claim). `flush()` then writes every changed item to the
 * table with BatchWriteItem, 25 items a request, in parallel, unprocessed items retried.
 *
 * Why: on the embedded server every request costs about a millisecond of CPU (SDK middleware,
 * signing, HTTP, dynalite's validation and LevelDB), and the services make 6 to 9 requests per
 * order and email; in memory the same decisions cost microseconds, and a batched flush costs
 * about a tenth of a millisecond per item.
 *
 * Valid only where this process alone writes the table and the table held nothing before the
 * store was opened: `check` starts a fresh in-memory server for each run. (Reads are never sent
 * to the table, so an item written there by anyone else would be invisible, and BatchWriteItem
 * takes no conditions.) The AWS path never uses it: there, every write stays a single-item
 * conditional write on DynamoDB, which is what makes concurrent Lambdas safe.
 */
import type { AttributeValue, WriteRequest } from '@aws-sdk/client-dynamodb';
import {
  AliasTakenError,
  DynamoDbRepository,
  STATS_RETENTION_DAYS,
  assertNewerVersion,
  epochSeconds,
  recentOrderStatsOf,
} from '../adapters/dynamodb/repository';
import { fromAttributes, fromItem, toAttributes, type Attributes, type Item } from '../adapters/dynamodb/table';
import { expiry, type IntakeRetention } from '../adapters/dynamodb/intake-ledger';
import { hourlyDelta } from '../adapters/dynamodb/stats';
import {
  COUNTS_PARTITION,
  LAST_MAIL_PREFIX,
  QUARANTINE_PARTITION,
  REJECTED_COUNTER_PREFIX,
  REJECTED_PARTITION,
  counterKey,
  lastMailKey,
  messageKey,
  quarantineKey,
  rejectionKey,
  NOTIFICATION_SORT_PREFIX,
  ORDER_SORT_PREFIX,
  SELLERS_PARTITION,
  SELLER_SORT_PREFIX,
  TTL_ATTRIBUTE,
  aliasKey,
  canonicalIso,
  dueShardPartitions,
  dueUpperBound,
  lastNotifiedKey,
  missingStreakKey,
  normalizeAlias,
  notificationDueKey,
  notificationKey,
  notificationPrefix,
  orderKey,
  orderStatsKey,
  orderStatsRange,
  hourlyStatsKey,
  sellerKey,
  sellerPartition,
  unmatchedShardPartitions,
  type TableKey,
} from '../adapters/dynamodb/keys';
import { ConcurrentModificationError, NotFoundError } from '../domain/errors';
import type { ClaimResult, CompletedMessage, IntakeLedger, LastEmailRecord, MessageRecord, QuarantineRecord, RejectionRecord } from '../domain/ports';
import type {
  DueNotifications,
  DueOrders,
  MissingStreak,
  OrderStatsDelta,
  PutResult,
  RecentOrderStats,
  SentinelRepository,
} from '../domain/ports';
import type { IsoTime, NotificationRecord, Seller, StoredOrder } from '../domain/types';

const DAY_SECONDS = 86_400;

export interface FlushResult {
  /** Items written (puts and deletes). */
  items: number;
  /** BatchWriteItem requests sent, retries of unprocessed items included. */
  requests: number;
}

/**
 * The items of one table in memory, as attribute maps (so every read unmarshals a fresh copy,
 * exactly as a read from DynamoDB would), with the two access paths the services query by
 * range: a partition's sort keys, and the sparse due index. Changed keys are remembered for
 * `flush`.
 */
class ItemTable {
  private readonly partitions = new Map<string, Map<string, Attributes>>();
  /** duePk -> (pk|sk -> item): the sparse `due` index (orders and unmatched notifications). */
  private readonly due = new Map<string, Map<string, Attributes>>();
  /** pk|`NOTIF#<orderId>#` -> sort keys: a notification prefix Query without a partition scan. */
  private readonly notificationsByOrder = new Map<string, Set<string>>();
  private readonly dirty = new Map<string, TableKey>();

  get(key: TableKey): Item | undefined {
    const attrs = this.partitions.get(key.pk)?.get(key.sk);
    return attrs && fromAttributes(attrs);
  }

  /** Replace (or create) the item; `item` holds its key. Marshalled as the adapters marshal. */
  put(item: Item): void {
    const attrs = toAttributes(item);
    const pk = attrs.pk?.S;
    const sk = attrs.sk?.S;
    if (pk === undefined || sk === undefined) throw new TypeError('item without pk/sk');
    this.remove({ pk, sk }, false);
    let part = this.partitions.get(pk);
    if (!part) this.partitions.set(pk, (part = new Map()));
    part.set(sk, attrs);
    const duePk = attrs.duePk?.S;
    if (duePk !== undefined && attrs.dueSk?.S !== undefined) {
      let shard = this.due.get(duePk);
      if (!shard) this.due.set(duePk, (shard = new Map()));
      shard.set(keyString({ pk, sk }), attrs);
    }
    const byOrder = notificationOrderPrefix(sk);
    if (byOrder !== undefined) {
      const k = `${pk}|${byOrder}`;
      let set = this.notificationsByOrder.get(k);
      if (!set) this.notificationsByOrder.set(k, (set = new Set()));
      set.add(sk);
    }
    this.dirty.set(keyString({ pk, sk }), { pk, sk });
  }

  delete(key: TableKey): void {
    this.remove(key, true);
  }

  /**
   * Change an item in place, on its attribute map (no unmarshal and marshal of the whole item:
   * an UpdateItem on a growing list stays O(1)). `change` must not touch keys or due keys.
   */
  update(key: TableKey, change: (attrs: Attributes) => void): void {
    const attrs = this.partitions.get(key.pk)?.get(key.sk);
    if (!attrs) throw new TypeError(`update of a missing item ${keyString(key)}`);
    change(attrs);
    this.dirty.set(keyString(key), key);
  }

  private remove(key: TableKey, markDirty: boolean): void {
    const part = this.partitions.get(key.pk);
    const old = part?.get(key.sk);
    if (markDirty) this.dirty.set(keyString(key), key);
    if (!old || !part) return;
    part.delete(key.sk);
    const duePk = old.duePk?.S;
    if (duePk !== undefined) this.due.get(duePk)?.delete(keyString(key));
    const byOrder = notificationOrderPrefix(key.sk);
    if (byOrder !== undefined) this.notificationsByOrder.get(`${key.pk}|${byOrder}`)?.delete(key.sk);
  }

  /** Items of a partition whose sort key passes `accept`, in sort-key order (a Query). */
  query(pk: string, accept: (sk: string) => boolean): Item[] {
    const part = this.partitions.get(pk);
    if (!part) return [];
    const sks = [...part.keys()].filter(accept).sort(compareStrings);
    return sks.map((sk) => fromAttributes(part.get(sk) as Attributes));
  }

  /** `begins_with(sk, prefix)`; a notification prefix of one order is read from its own index. */
  queryPrefix(pk: string, prefix: string): Item[] {
    if (notificationOrderPrefix(prefix) === prefix) {
      const part = this.partitions.get(pk);
      const sks = [...(this.notificationsByOrder.get(`${pk}|${prefix}`) ?? [])].sort(compareStrings);
      return sks.map((sk) => fromAttributes(part?.get(sk) as Attributes));
    }
    return this.query(pk, (sk) => sk.startsWith(prefix));
  }

  /** `duePk = :pk AND dueSk < :upper`, in dueSk order, at most `limit`, with the bytes read. */
  queryDue(duePk: string, upper: string, limit: number | undefined): { items: Item[]; bytes: number } {
    const hits = [...(this.due.get(duePk)?.values() ?? [])].filter((a) => (a.dueSk?.S as string) < upper);
    hits.sort((a, b) => compareStrings(a.dueSk?.S as string, b.dueSk?.S as string));
    const kept = limit === undefined ? hits : hits.slice(0, limit);
    return { items: kept.map((a) => fromAttributes(a)), bytes: kept.reduce((n, a) => n + itemBytes(a), 0) };
  }

  /** Every changed key since the last call, as BatchWriteItem requests (each key once). */
  takeWrites(): WriteRequest[] {
    const out: WriteRequest[] = [];
    for (const key of this.dirty.values()) {
      const attrs = this.partitions.get(key.pk)?.get(key.sk);
      out.push(attrs ? { PutRequest: { Item: attrs } } : { DeleteRequest: { Key: { pk: { S: key.pk }, sk: { S: key.sk } } } });
    }
    this.dirty.clear();
    return out;
  }
}

/** `NOTIF#<orderId>#` of a notification's sort key (or of exactly such a prefix), else undefined. */
function notificationOrderPrefix(sk: string): string | undefined {
  if (!sk.startsWith(NOTIFICATION_SORT_PREFIX)) return undefined;
  const end = sk.indexOf('#', NOTIFICATION_SORT_PREFIX.length);
  return end === -1 ? undefined : sk.slice(0, end + 1);
}

export interface WriteBehindStoreOptions {
  /** The repository of the table to flush into; its item builders (and retention) are used. */
  repository: DynamoDbRepository;
  intakeRetention?: IntakeRetention;
}

export class WriteBehindStore {
  readonly repository: SentinelRepository;
  readonly ledger: IntakeLedger;
  private readonly table = new ItemTable();
  private readonly target: DynamoDbRepository;

  constructor(options: WriteBehindStoreOptions) {
    this.target = options.repository;
    this.repository = new WriteBehindRepository(this.table, options.repository);
    this.ledger = new WriteBehindLedger(this.table, options.intakeRetention ?? {});
  }

  /** Write every item changed since the last flush to the table (BatchWriteItem, in parallel). */
  async flush(options: { concurrency?: number } = {}): Promise<FlushResult> {
    const writes = this.table.takeWrites();
    const requests = await this.target.writeBatch(writes, options);
    return { items: writes.length, requests };
  }
}

/** SentinelRepository in memory, item for item what DynamoDbRepository stores. */
class WriteBehindRepository implements SentinelRepository {
  /** Order IDs of each missing-streak item, as plain strings (see addToMissingStreak). */
  private readonly streakIds = new Map<string, string[]>();

  constructor(
    private readonly table: ItemTable,
    private readonly items: DynamoDbRepository,
  ) {}

  async putSeller(seller: Seller): Promise<PutResult> {
    const alias = seller.inboundAlias;
    const claimedNow = alias === undefined ? false : this.claimAlias(alias, seller.sellerId);
    const created = this.putIfAbsent({ ...seller, ...sellerKey(seller.sellerId) });
    if (!created && claimedNow && alias !== undefined) {
      const existing = this.table.get(sellerKey(seller.sellerId));
      const existingAlias = typeof existing?.inboundAlias === 'string' ? normalizeAlias(existing.inboundAlias) : undefined;
      if (existingAlias !== normalizeAlias(alias)) {
        const key = aliasKey(alias);
        if (this.table.get(key)?.sellerId === seller.sellerId) this.table.delete(key);
      }
    }
    return created ? 'created' : 'exists';
  }

  async getSeller(sellerId: string): Promise<Seller | undefined> {
    const item = this.table.get(sellerKey(sellerId));
    return item && fromItem<Seller>(item);
  }

  async listSellers(): Promise<Seller[]> {
    return this.table.queryPrefix(SELLERS_PARTITION, SELLER_SORT_PREFIX).map((i) => fromItem<Seller>(i));
  }

  async sellerByAlias(alias: string): Promise<Seller | undefined> {
    const normalized = normalizeAlias(alias);
    const aliasItem = this.table.get(aliasKey(normalized));
    if (typeof aliasItem?.sellerId !== 'string') return undefined;
    const seller = await this.getSeller(aliasItem.sellerId);
    if (!seller?.inboundAlias || normalizeAlias(seller.inboundAlias) !== normalized) return undefined;
    return seller;
  }

  async getOrder(sellerId: string, orderId: string): Promise<StoredOrder | undefined> {
    const item = this.table.get(orderKey(sellerId, orderId));
    return item && fromItem<StoredOrder>(item);
  }

  async saveOrder(order: StoredOrder, expectedVersion: number | null): Promise<void> {
    assertNewerVersion(order, expectedVersion);
    const key = orderKey(order.sellerId, order.orderId);
    const current = this.table.get(key);
    const holds = expectedVersion === null ? current === undefined : current !== undefined && current.version === expectedVersion;
    if (!holds) throw new ConcurrentModificationError(keyString(key));
    this.table.put(this.items.orderItem(order));
  }

  async listOrders(sellerId: string): Promise<StoredOrder[]> {
    return this.table.queryPrefix(sellerPartition(sellerId), ORDER_SORT_PREFIX).map((i) => fromItem<StoredOrder>(i));
  }

  async queryDue(now: IsoTime, limit?: number): Promise<DueOrders> {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new RangeError(`queryDue: limit must be a non-negative integer, got ${limit}`);
    }
    if (limit === 0) return { orders: [], itemsRead: 0, readCapacityUnits: 0 };
    const r = this.dueQuery(dueShardPartitions(), now, limit);
    return { orders: r.items.map((i) => fromItem<StoredOrder>(i)), itemsRead: r.itemsRead, readCapacityUnits: r.readCapacityUnits };
  }

  async putNotification(n: NotificationRecord): Promise<PutResult> {
    return this.putIfAbsent(this.items.notificationItem(n)) ? 'created' : 'exists';
  }

  async notificationsForOrder(sellerId: string, orderId: string): Promise<NotificationRecord[]> {
    return this.table.queryPrefix(sellerPartition(sellerId), notificationPrefix(orderId)).map((i) => fromItem<NotificationRecord>(i));
  }

  async listNotifications(sellerId: string): Promise<NotificationRecord[]> {
    return this.table.queryPrefix(sellerPartition(sellerId), NOTIFICATION_SORT_PREFIX).map((i) => fromItem<NotificationRecord>(i));
  }

  async markNotificationMatched(n: NotificationRecord, matchedAt: IsoTime): Promise<void> {
    const key = notificationKey(n.sellerId, n.orderId, n.messageId);
    const item = this.table.get(key);
    if (!item) throw new NotFoundError(keyString(key));
    if (item.matchedAt !== undefined) return; // the first match wins
    item.matchedAt = matchedAt;
    delete item.duePk;
    delete item.dueSk;
    this.table.put(item);
  }

  async queryDueNotifications(now: IsoTime, limit?: number): Promise<DueNotifications> {
    const r = this.dueQuery(unmatchedShardPartitions(), now, limit);
    return { notifications: r.items.map((i) => fromItem<NotificationRecord>(i)), itemsRead: r.itemsRead, readCapacityUnits: r.readCapacityUnits };
  }

  async rescheduleNotification(n: NotificationRecord, at: IsoTime): Promise<void> {
    const item = this.table.get(notificationKey(n.sellerId, n.orderId, n.messageId));
    if (!item || item.matchedAt !== undefined) return; // matched (or expired) meanwhile
    this.table.put({ ...item, ...notificationDueKey(n.sellerId, n.orderId, n.messageId, at) });
  }

  async clearNotificationDue(n: NotificationRecord): Promise<void> {
    const item = this.table.get(notificationKey(n.sellerId, n.orderId, n.messageId));
    if (!item) return;
    delete item.duePk;
    delete item.dueSk;
    this.table.put(item);
  }

  async addOrderStats(sellerId: string, marketplace: string, expectedBy: IsoTime, delta: OrderStatsDelta, emailAt?: IsoTime): Promise<void> {
    const at = canonicalIso(expectedBy);
    const day = at.slice(0, 10);
    const key = orderStatsKey(sellerId, day, marketplace);
    const item = this.table.get(key) ?? { ...key };
    item.marketplace = marketplace;
    item.day = day;
    item.firstAt ??= at;
    item[TTL_ATTRIBUTE] = epochSeconds(`${day}T00:00:00.000Z`) + STATS_RETENTION_DAYS * DAY_SECONDS;
    item.notified = Number(item.notified ?? 0) + (delta.notified ?? 0);
    item.missing = Number(item.missing ?? 0) + (delta.missing ?? 0);
    this.table.put(item);
    const hourly = hourlyDelta(delta, emailAt);
    if (hourly) {
      const hKey = hourlyStatsKey(sellerId, hourly.hour, marketplace);
      const h = this.table.get(hKey) ?? { ...hKey };
      h.marketplace = marketplace;
      h.hour = hourly.hour;
      h[TTL_ATTRIBUTE] = hourly.expiresAt;
      h.received = Number(h.received ?? 0) + hourly.received;
      h.missing = Number(h.missing ?? 0) + hourly.missing;
      if (hourly.delay !== undefined) h.delaysMinutes = [...(Array.isArray(h.delaysMinutes) ? (h.delaysMinutes as number[]) : []), hourly.delay];
      this.table.put(h);
    }
    if (emailAt !== undefined) {
      const lastKey = lastNotifiedKey(sellerId);
      const last = this.table.get(lastKey) ?? { ...lastKey };
      const t = canonicalIso(emailAt);
      // Newest wins; an older email changes nothing.
      if (typeof last.lastNotifiedAt !== 'string' || last.lastNotifiedAt < t) this.table.put({ ...last, lastNotifiedAt: t });
    }
  }

  async recentOrderStats(sellerId: string, now: IsoTime, days: number): Promise<RecentOrderStats> {
    const from = new Date(Date.parse(now) - days * DAY_SECONDS * 1000).toISOString().slice(0, 10);
    const { lower, upper } = orderStatsRange(from);
    const items = this.table.query(sellerPartition(sellerId), (sk) => sk >= lower && sk <= upper);
    return recentOrderStatsOf(items, now, { itemsRead: items.length, readCapacityUnits: readUnits(items) });
  }

  async addToMissingStreak(sellerId: string, lastEmailAt: IsoTime | null, orderId: string, expectedAt: IsoTime): Promise<MissingStreak> {
    const key = missingStreakKey(sellerId, lastEmailAt);
    // A streak can hold every order of a run (no email at all): appended in place, never copied
    // item-wide, and its IDs kept as plain strings beside it for the answer.
    const k = `${key.pk}|${key.sk}`;
    let ids = this.streakIds.get(k);
    if (!ids) {
      const item = this.table.get(key);
      if (!item) this.table.put({ ...key, orderIds: [] });
      ids = Array.isArray(item?.orderIds) ? (item.orderIds as string[]) : [];
      this.streakIds.set(k, ids);
    }
    ids.push(orderId);
    let count = 0;
    let firstExpectedAt = '';
    this.table.update(key, (a) => {
      ((a.orderIds ??= { L: [] }).L ??= []).push({ S: orderId });
      a.firstExpectedAt ??= { S: canonicalIso(expectedAt) };
      a[TTL_ATTRIBUTE] = { N: String(epochSeconds(expectedAt) + STATS_RETENTION_DAYS * DAY_SECONDS) };
      count = Number(a.count?.N ?? 0) + 1;
      a.count = { N: String(count) };
      firstExpectedAt = a.firstExpectedAt.S as string;
    });
    // The IDs as of this update (only appended to, so a prefix), copied only if asked for.
    const n = ids.length;
    const all = ids;
    let snapshot: string[] | undefined;
    return {
      lastEmailAt,
      count,
      get orderIds() {
        return (snapshot ??= all.slice(0, n));
      },
      // if_not_exists keeps the first written, not the earliest: take the earlier of the two.
      firstExpectedAt: Date.parse(expectedAt) < Date.parse(firstExpectedAt) ? canonicalIso(expectedAt) : firstExpectedAt,
    };
  }

  private claimAlias(alias: string, sellerId: string): boolean {
    const key = aliasKey(alias);
    if (this.putIfAbsent({ ...key, alias: normalizeAlias(alias), sellerId })) return true;
    if (this.table.get(key)?.sellerId === sellerId) return false;
    throw new AliasTakenError(alias, sellerId);
  }

  private putIfAbsent(item: Item): boolean {
    if (this.table.get({ pk: String(item.pk), sk: String(item.sk) })) return false;
    this.table.put(item);
    return true;
  }

  /** One query per shard, merged in dueSk order and cut to `limit` (as DynamoDbRepository). */
  private dueQuery(shards: string[], now: IsoTime, limit: number | undefined): { items: Item[]; itemsRead: number; readCapacityUnits: number } {
    const upper = dueUpperBound(now);
    const results = shards.map((duePk) => this.table.queryDue(duePk, upper, limit));
    const items = results.flatMap((r) => r.items);
    items.sort((a, b) => compareStrings(String(a.dueSk), String(b.dueSk)));
    return {
      items: limit === undefined ? items : items.slice(0, limit),
      itemsRead: results.reduce((n, r) => n + r.items.length, 0),
      // An index read is eventually consistent: half a unit per 4 KB, per shard query.
      readCapacityUnits: results.reduce((n, r) => n + Math.max(1, Math.ceil(r.bytes / 4096)) / 2, 0),
    };
  }
}

/** IntakeLedger in memory, item for item what DynamoDbIntakeLedger stores. */
class WriteBehindLedger implements IntakeLedger {
  constructor(
    private readonly table: ItemTable,
    private readonly retention: IntakeRetention,
  ) {}

  async claimMessage(messageId: string, location: string, now: IsoTime, leaseUntil: IsoTime, opts: { replay?: boolean } = {}): Promise<ClaimResult> {
    const key = messageKey(messageId);
    const current = this.table.get(key);
    const claimable =
      current === undefined ||
      (current.status === 'in-progress' && typeof current.leaseUntil === 'string' && current.leaseUntil < now) ||
      (opts.replay === true && current.status === 'completed');
    if (!claimable) return { claimed: false, record: fromItem<MessageRecord>(current) };
    const item: Item = { ...(current ?? key) };
    item.status = 'in-progress';
    item.leaseUntil = leaseUntil;
    item.location = location;
    item.messageId = messageId;
    item.firstSeenAt ??= now;
    item.attempts = Number(item.attempts ?? 0) + 1;
    const expires = expiry(now, this.retention.messageDays);
    if (expires !== undefined) item[TTL_ATTRIBUTE] = expires;
    this.table.put(item);
    return { claimed: true, record: fromItem<MessageRecord>(this.table.get(key) as Item) };
  }

  async completeMessage(messageId: string, result: CompletedMessage, now: IsoTime): Promise<void> {
    const key = messageKey(messageId);
    const item = this.table.get(key);
    if (item?.status !== 'in-progress') throw new ConcurrentModificationError(`${key.pk}|${key.sk}`);
    item.status = 'completed';
    item.outcome = result.outcome;
    item.completedAt = now;
    delete item.leaseUntil;
    for (const field of ['reason', 'sellerId', 'marketplace', 'orderIds', 'facts'] as const) {
      const v = result[field];
      if (v === undefined) delete item[field];
      else item[field] = v;
    }
    this.table.put(item);
  }

  async releaseMessage(messageId: string): Promise<void> {
    const key = messageKey(messageId);
    const item = this.table.get(key);
    if (item?.status !== 'in-progress') return;
    if (item.outcome === undefined) {
      this.table.delete(key); // never completed before: forget the attempt entirely
      return;
    }
    // A failed replay of a completed message: it stays completed with its earlier outcome.
    item.status = 'completed';
    delete item.leaseUntil;
    this.table.put(item);
  }

  async getMessage(messageId: string): Promise<MessageRecord | undefined> {
    const item = this.table.get(messageKey(messageId));
    return item && fromItem<MessageRecord>(item);
  }

  async recordRejection(r: RejectionRecord): Promise<'created' | 'exists'> {
    const created = this.putIfAbsent({ ...r, ...rejectionKey(r.messageId), [TTL_ATTRIBUTE]: expiry(r.rejectedAt, this.retention.rejectionDays) });
    if (created) this.increment(counterKey('REJECTED', r.reason));
    return created ? 'created' : 'exists';
  }

  async listRejections(): Promise<RejectionRecord[]> {
    return this.table.query(REJECTED_PARTITION, () => true).map((i) => fromItem<RejectionRecord>(i));
  }

  async rejectionCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const item of this.table.queryPrefix(COUNTS_PARTITION, REJECTED_COUNTER_PREFIX)) {
      out[String(item.sk).slice(REJECTED_COUNTER_PREFIX.length)] = Number(item.count ?? 0);
    }
    return out;
  }

  async quarantine(q: QuarantineRecord): Promise<'created' | 'exists'> {
    const created = this.putIfAbsent({ ...q, ...quarantineKey(q.messageId), [TTL_ATTRIBUTE]: expiry(q.quarantinedAt, this.retention.quarantineDays) });
    if (created) this.increment(counterKey('QUARANTINED', q.reason));
    return created ? 'created' : 'exists';
  }

  async listQuarantine(): Promise<QuarantineRecord[]> {
    return this.table.query(QUARANTINE_PARTITION, () => true).map((i) => fromItem<QuarantineRecord>(i));
  }

  async getQuarantine(messageId: string): Promise<QuarantineRecord | undefined> {
    const item = this.table.get(quarantineKey(messageId));
    return item && fromItem<QuarantineRecord>(item);
  }

  async releaseQuarantine(messageId: string): Promise<void> {
    this.table.delete(quarantineKey(messageId));
  }

  async recordLastEmail(r: LastEmailRecord): Promise<boolean> {
    const key = lastMailKey(r.sellerId, r.marketplace);
    const current = this.table.get(key);
    // Newest wins; the same message again (a replay) rewrites the same facts.
    const newer =
      current === undefined ||
      (typeof current.receivedAt === 'string' && (current.receivedAt < r.receivedAt || (current.receivedAt === r.receivedAt && current.messageId === r.messageId)));
    if (!newer) return false;
    this.table.put({ ...r, ...key });
    return true;
  }

  async lastEmails(sellerId: string): Promise<LastEmailRecord[]> {
    return this.table.queryPrefix(sellerPartition(sellerId), LAST_MAIL_PREFIX).map((i) => fromItem<LastEmailRecord>(i));
  }

  private putIfAbsent(item: Item): boolean {
    if (this.table.get({ pk: String(item.pk), sk: String(item.sk) })) return false;
    this.table.put(item);
    return true;
  }

  private increment(key: TableKey): void {
    const item = this.table.get(key) ?? { ...key };
    item.count = Number(item.count ?? 0) + 1;
    this.table.put(item);
  }
}

// ---- helpers -------------------------------------------------------------------------------------

function keyString(key: TableKey): string {
  return `${key.pk}|${key.sk}`;
}

/**
 * DynamoDB compares string keys by UTF-8 bytes; JavaScript by UTF-16 code units. The two agree
 * except between astral characters and U+E000..U+FFFF, which keys here never contain.
 */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Read units of a (non-consistent) Query returning `items`: half a unit per started 4 KB. */
function readUnits(items: readonly Item[]): number {
  const bytes = items.reduce((n, i) => n + itemBytes(toAttributes(i)), 0);
  return Math.max(1, Math.ceil(bytes / 4096)) / 2;
}

/** An item's size by DynamoDB's rules: attribute names plus values (strings as UTF-8). */
function itemBytes(attrs: Attributes): number {
  let n = 0;
  for (const [name, v] of Object.entries(attrs)) n += Buffer.byteLength(name) + valueBytes(v);
  return n;
}

function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\./g, '').length / 2) + 1;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueBytes(e), 0);
  if (v.M !== undefined) return 3 + Object.keys(v.M).length + itemBytes(v.M);
  return 0;
}
