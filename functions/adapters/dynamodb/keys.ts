/**
 * The ONE definition of the Sentinel table: key names, the sparse due index, the TTL attribute,
 * the key of every item and the CreateTable input. Every item key prefix under functions/ is
 * spelled here and nowhere else; the stores (./*.ts), the embedded local server, the write-behind
 * store of the local `check` and the CDK stack all import it, so they can never disagree.
 *
 * Deliberately free of AWS SDK and CDK imports: infra maps these plain values onto
 * `dynamodb.TableV2` props, the local runtime passes `createTableInput` to CreateTableCommand.
 *
 * Item layout (single table; times in keys are canonical ISO-8601, `expiresAt` is epoch seconds
 * because DynamoDB's TTL needs it):
 *
 * | item                | pk                   | sk                              | notes                       |
 * |---------------------|----------------------|---------------------------------|-----------------------------|
 * | seller profile      | `SELLERS`            | `SELLER#<sellerId>`             | all profiles, one partition |
 * | inbound alias       | `ALIAS#<alias lower>`| `ALIAS`                         | alias -> sellerId, unique   |
 * | order               | `SELLER#<sellerId>`  | `ORDER#<orderId>`               | + duePk/dueSk while due     |
 * | notification (email)| `SELLER#<sellerId>`  | `NOTIF#<orderId>#<messageId>`   | + expiresAt (TTL) if set;   |
 * |                     |                      |                                 | + duePk/dueSk while unmatched|
 * | order stats (a day) | `SELLER#<sellerId>`  | `STATS#<YYYY-MM-DD>#<market>`   | counters, + expiresAt (TTL) |
 * | last email (stats)  | `SELLER#<sellerId>`  | `STATS#~LAST`                   | newest notified email       |
 * | missing streak      | `SELLER#<sellerId>`  | `STREAK#<lastEmailAt or never>` | + expiresAt (TTL)           |
 * | order stats (an hour)| `SELLER#<sellerId>` | `HOURLY#<YYYY-MM-DDTHH>#<market>`| weekly stats, + expiresAt  |
 * | last email (per mp) | `SELLER#<sellerId>`  | `LASTMAIL#<marketplace>`        | newest accepted + channel facts|
 * | outbox alert        | `SELLER#<sellerId>`  | `ALERT#<alertId>`               | + duePk `OUTBOX#<n>` while due |
 * | channel health      | `SELLER#<sellerId>`  | `CHANNEL#<channelId>`           |                             |
 * | delivery            | `SELLER#<sellerId>`  | `DELIVERY#<owner>#<n>`          | one per message a channel took |
 * | sync lease          | `SELLER#<sellerId>`  | `SYNC#LEASE`                    |                             |
 * | sync cursor         | `SELLER#<sellerId>`  | `SYNC#CURSOR#<region>#<api>`    |                             |
 * | token bucket        | `SELLER#<sellerId>`  | `SYNC#BUCKET#<region>#<op>`     |                             |
 * | sync health         | `SYNCHEALTH`         | `<sellerId>#<marketplace>`      | all sellers, one partition  |
 * | message (intake)    | `MSG#<messageId>`    | `MSG`                           | status, lease, outcome; TTL |
 * | rejection log       | `INTAKE#REJECTED`    | `<messageId>`                   | reason; TTL                 |
 * | intake counters     | `INTAKE#COUNTS`      | `REJECTED#<reason>` ...         | `count` (ADD), once a message|
 * | quarantine          | `INTAKE#QUARANTINE`  | `<messageId>`                   | reason, S3 key; TTL         |
 *
 * Due index partitions: `DUE#<n>` (orders with alertAfter), `UNMATCHED#<n>` (notifications not
 * matched yet), `OUTBOX#<n>` (alerts pending or sending); sort key `<canonical time>#<ids>`.
 *
 * Orders and notifications live in their seller's partition, so every access path is keyed by
 * seller: one seller's mail can never read or touch another seller's orders, even with the same
 * order ID. Message records get their own partition each (keyed by the SES message ID), so
 * idempotency checks spread over the table rather than landing on one hot partition. The
 * rejection log and the quarantine are small, operator-facing lists: one partition each.
 */
import { StoreError } from '../../domain/errors';

/** Partition key (string) of every item. */
export const PARTITION_KEY = 'pk';
/** Sort key (string) of every item. */
export const SORT_KEY = 'sk';

/** The sparse "due" global secondary index: an order is in it exactly while `alertAfter` is set. */
export const DUE_INDEX_NAME = 'due';
export const DUE_PARTITION_KEY = 'duePk';
export const DUE_SORT_KEY = 'dueSk';

/**
 * Number of partitions of the due index. All due orders under one index partition key would be a
 * hot partition for index writes (every order write with alertAfter lands there); a few shards
 * spread them. The reconciler queries every shard, so the read cost stays "items due", plus one
 * (empty) request per shard.
 *
 * Changing this value re-shards only items written afterwards: readers query shards
 * 0..DUE_SHARDS-1, so lowering it would hide orders stored in higher shards until they are
 * re-written. Raise it only together with a re-write of the due orders.
 */
export const DUE_SHARDS = 4;

/** TTL attribute (epoch seconds, Number). DynamoDB deletes the item some time after it passes. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** Fixed partition holding every seller profile (see `sellerKey`). */
export const SELLERS_PARTITION = 'SELLERS';

const SELLER_PREFIX = 'SELLER#';
const ORDER_PREFIX = 'ORDER#';
const NOTIF_PREFIX = 'NOTIF#';
const ALIAS_PREFIX = 'ALIAS#';
const ALIAS_SORT = 'ALIAS';
const DUE_PREFIX = 'DUE#';

/** Attributes that belong to the storage layout, never to a domain object; stripped on read. */
export const STORAGE_ATTRIBUTES: readonly string[] = Object.freeze([
  PARTITION_KEY,
  SORT_KEY,
  DUE_PARTITION_KEY,
  DUE_SORT_KEY,
  TTL_ATTRIBUTE,
]);

export interface TableKey {
  pk: string;
  sk: string;
}

export interface DueKey {
  duePk: string;
  dueSk: string;
}

/** A key component that would make keys ambiguous (empty, or containing the `#` separator). */
export class InvalidKeyError extends StoreError {
  readonly field: string;
  readonly value: string;
  constructor(field: string, value: string, problem: string) {
    super(`invalid ${field} ${JSON.stringify(value)}: ${problem}`);
    this.field = field;
    this.value = value;
  }
}

/**
 * Seller and order IDs become parts of `#`-separated keys and of `begins_with` prefixes. An order
 * ID containing `#` could make `NOTIF#<a>#` match notifications of another order `<a>#...`, so
 * such IDs are refused here rather than silently mixed up. (Amazon seller IDs are alphanumeric,
 * order IDs are digits and dashes; a `#` can only come from a bug or a forged input.)
 */
export function keyPart(field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidKeyError(field, String(value), 'empty');
  if (value.includes('#')) throw new InvalidKeyError(field, value, 'must not contain "#"');
  return value;
}

export function sellerPartition(sellerId: string): string {
  return SELLER_PREFIX + keyPart('sellerId', sellerId);
}

/**
 * Seller profiles all live in the fixed `SELLERS` partition (the seller ID in the sort key), so
 * `listSellers` is one paginated Query without a Scan and without a second index. The number of
 * sellers is small and profiles are read once per email at most, far below a partition's
 * 3,000 RCU/s; the profile is the only item, so there is no second "membership" item to keep in
 * step with it (no transactions).
 */
export function sellerKey(sellerId: string): TableKey {
  return { pk: SELLERS_PARTITION, sk: SELLER_PREFIX + keyPart('sellerId', sellerId) };
}

/** Sort-key prefix of all seller profiles in the `SELLERS` partition. */
export const SELLER_SORT_PREFIX = SELLER_PREFIX;

export function orderKey(sellerId: string, orderId: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: ORDER_PREFIX + keyPart('orderId', orderId) };
}

/** Sort-key prefix of all orders of a seller. */
export const ORDER_SORT_PREFIX = ORDER_PREFIX;

/**
 * Notifications sort after their order ID, so the notifications of one order are one Query
 * (`begins_with(sk, NOTIF#<orderId>#)`), and all of a seller's notifications another.
 */
export function notificationKey(sellerId: string, orderId: string, messageId: string): TableKey {
  if (typeof messageId !== 'string' || messageId.length === 0) throw new InvalidKeyError('messageId', String(messageId), 'empty');
  return { pk: sellerPartition(sellerId), sk: notificationPrefix(orderId) + messageId };
}

/** Sort-key prefix of the notifications naming one order (note the closing `#`). */
export function notificationPrefix(orderId: string): string {
  return NOTIF_PREFIX + keyPart('orderId', orderId) + '#';
}

/** Sort-key prefix of all notifications of a seller. */
export const NOTIFICATION_SORT_PREFIX = NOTIF_PREFIX;

// ---- history for the diagnosis (bounded reads) ---------------------------------------------------

const STATS_PREFIX = 'STATS#';
const STREAK_PREFIX = 'STREAK#';

/**
 * Per seller, day (UTC, of the order's expected-by) and marketplace: counters of orders whose
 * email came (`notified`) and that are missing (`missing`). Day FIRST in the sort key, so the last
 * N days of every marketplace are one Query (`sk BETWEEN STATS#<from> AND STATS#~~`): the
 * diagnosis reads at most days x marketplaces items, never the seller's orders.
 */
export function orderStatsKey(sellerId: string, day: string, marketplace: string): TableKey {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new InvalidKeyError('day', day, 'YYYY-MM-DD');
  return { pk: sellerPartition(sellerId), sk: `${STATS_PREFIX}${day}#${keyPart('marketplace', marketplace)}` };
}

/** The seller's newest notified email as the stats saw it; sorts after every day (`~` > digits). */
export function lastNotifiedKey(sellerId: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: `${STATS_PREFIX}~LAST` };
}

/** Sort-key bounds of the stats from `fromDay` on, the last-notified item included. */
export function orderStatsRange(fromDay: string): { lower: string; upper: string } {
  return { lower: `${STATS_PREFIX}${fromDay}`, upper: `${STATS_PREFIX}~~` };
}

export const ORDER_STATS_SORT_PREFIX = STATS_PREFIX;

const HOURLY_PREFIX = 'HOURLY#';

/**
 * Per seller, UTC hour (of the orders' expected time) and marketplace: the weekly stats' counters
 * and email delays. Hour first, so a week of every marketplace is one Query
 * (`sk BETWEEN HOURLY#<from> AND HOURLY#<to>~`), at most hours x marketplaces items.
 */
export function hourlyStatsKey(sellerId: string, hour: string, marketplace: string): TableKey {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour)) throw new InvalidKeyError('hour', hour, 'YYYY-MM-DDTHH');
  return { pk: sellerPartition(sellerId), sk: `${HOURLY_PREFIX}${hour}#${keyPart('marketplace', marketplace)}` };
}

/** Sort-key bounds of the hourly stats from `fromHour` to `toHour`, both included. */
export function hourlyStatsRange(fromHour: string, toHour: string): { lower: string; upper: string } {
  return { lower: `${HOURLY_PREFIX}${fromHour}`, upper: `${HOURLY_PREFIX}${toHour}#~` };
}

/** Orders missing since the seller's last email (`never`: none known): one item per episode. */
export function missingStreakKey(sellerId: string, lastEmailAt: string | null): TableKey {
  return { pk: sellerPartition(sellerId), sk: STREAK_PREFIX + (lastEmailAt === null ? 'never' : canonicalIso(lastEmailAt)) };
}

/** Aliases are matched case-insensitively (mail servers and people vary the case of local parts). */
export function normalizeAlias(alias: string): string {
  if (typeof alias !== 'string' || alias.trim().length === 0) throw new InvalidKeyError('inboundAlias', String(alias), 'empty');
  return alias.toLowerCase();
}

/** The alias item maps an inbound alias to its seller; its key makes the alias unique. */
export function aliasKey(alias: string): TableKey {
  return { pk: ALIAS_PREFIX + normalizeAlias(alias), sk: ALIAS_SORT };
}

/**
 * Stable 32-bit FNV-1a hash of the UTF-8 bytes of `s`. Stable across processes, Node versions and
 * machines (unlike anything seeded), which matters: the shard is written into the item and must
 * be recomputed identically by every writer.
 */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function dueShard(sellerId: string, orderId: string): number {
  return stableHash(`${sellerId}#${orderId}`) % DUE_SHARDS;
}

export function dueShardPartition(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= DUE_SHARDS) throw new RangeError(`due shard out of range: ${shard}`);
  return DUE_PREFIX + shard;
}

/** Every partition of the due index, i.e. what the reconciler queries. */
export function dueShardPartitions(): string[] {
  return Array.from({ length: DUE_SHARDS }, (_, i) => dueShardPartition(i));
}

const UNMATCHED_PREFIX = 'UNMATCHED#';

/**
 * The due-index key of a notification not matched to an order yet (partitions `UNMATCHED#n`,
 * never `DUE#n`, so the reconciler's order query never sees them): the unknown-order sweep reads
 * only the unmatched notifications whose check is due, never every seller's notifications.
 */
export function notificationDueKey(sellerId: string, orderId: string, messageId: string, at: string): DueKey {
  // The message ID comes last and is never parsed back, so a `#` in it is harmless here.
  if (typeof messageId !== 'string' || messageId.length === 0) throw new InvalidKeyError('messageId', String(messageId), 'empty');
  return {
    duePk: UNMATCHED_PREFIX + (stableHash(`${sellerId}#${orderId}#${messageId}`) % DUE_SHARDS),
    dueSk: `${canonicalIso(at)}#${keyPart('sellerId', sellerId)}#${keyPart('orderId', orderId)}#${messageId}`,
  };
}

/** Every partition of the unmatched-notification part of the due index. */
export function unmatchedShardPartitions(): string[] {
  return Array.from({ length: DUE_SHARDS }, (_, i) => UNMATCHED_PREFIX + i);
}

/**
 * ISO-8601 in the one canonical form `YYYY-MM-DDTHH:mm:ss.sssZ`, so that string order is time
 * order. `2026-11-28T09:30:00Z` and `...09:30:00.000Z` name the same instant but compare
 * differently as strings (`Z` > `.`), and an offset form (`+09:00`) would sort nowhere near its
 * instant; normalising both the stored sort key and the query bound makes `<= now` exact.
 */
export function canonicalIso(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new InvalidKeyError('time', time, 'not an ISO-8601 time');
  return new Date(ms).toISOString();
}

/** The due-index key of an order with `alertAfter` set. */
export function dueKey(sellerId: string, orderId: string, alertAfter: string): DueKey {
  return {
    duePk: dueShardPartition(dueShard(sellerId, orderId)),
    dueSk: `${canonicalIso(alertAfter)}#${keyPart('sellerId', sellerId)}#${keyPart('orderId', orderId)}`,
  };
}

/**
 * Exclusive upper bound of the due sort keys for `alertAfter <= now`: `<now>$`. Every sort key
 * `<now>#...` is below it (`#` is 0x23, `$` 0x24), every earlier time is below it and every later
 * one above (the canonical times have a fixed length). Used with `dueSk < :upper`; this is exact
 * for any seller/order characters, unlike an inclusive `<now>#\uffff`, which 4-byte UTF-8
 * characters (above U+FFFF) would sort after.
 */
export function dueUpperBound(now: string): string {
  return `${canonicalIso(now)}$`;
}

// ---- intake ---------------------------------------------------------------------------------------

export const MESSAGE_SORT = 'MSG';
export const REJECTED_PARTITION = 'INTAKE#REJECTED';
export const QUARANTINE_PARTITION = 'INTAKE#QUARANTINE';
export const COUNTS_PARTITION = 'INTAKE#COUNTS';
export const LAST_MAIL_PREFIX = 'LASTMAIL#';
/** Sort-key prefix of the rejection counters in COUNTS_PARTITION. */
export const REJECTED_COUNTER_PREFIX = 'REJECTED#';

export function messageKey(messageId: string): TableKey {
  return { pk: `MSG#${keyPart('messageId', messageId)}`, sk: MESSAGE_SORT };
}

export function rejectionKey(messageId: string): TableKey {
  return { pk: REJECTED_PARTITION, sk: keyPart('messageId', messageId) };
}

export function quarantineKey(messageId: string): TableKey {
  return { pk: QUARANTINE_PARTITION, sk: keyPart('messageId', messageId) };
}

/** Counter of one reason; the reason code is the part before any `:` detail. */
export function counterKey(kind: 'REJECTED' | 'QUARANTINED', reason: string): TableKey {
  return { pk: COUNTS_PARTITION, sk: `${kind}#${reasonCode(reason)}` };
}

export function reasonCode(reason: string): string {
  const code = reason.split(':')[0].trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  return code.length > 0 ? code : 'unknown';
}

export function lastMailKey(sellerId: string, marketplace: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: LAST_MAIL_PREFIX + keyPart('marketplace', marketplace) };
}

// ---- outbox, channel health, deliveries -------------------------------------------------------------

export const ALERT_SORT_PREFIX = 'ALERT#';
export const CHANNEL_SORT_PREFIX = 'CHANNEL#';
export const DELIVERY_SORT_PREFIX = 'DELIVERY#';
export const OUTBOX_DUE_PREFIX = 'OUTBOX#';

export function alertKey(sellerId: string, alertId: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: ALERT_SORT_PREFIX + keyPart('alertId', alertId) };
}

export function channelHealthKey(sellerId: string, channelId: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: CHANNEL_SORT_PREFIX + keyPart('channelId', channelId) };
}

export function deliveryKey(sellerId: string, owner: string, n: number): TableKey {
  return { pk: sellerPartition(sellerId), sk: `${DELIVERY_SORT_PREFIX}${keyPart('owner', owner)}#${n}` };
}

export function outboxShardPartitions(): string[] {
  return Array.from({ length: DUE_SHARDS }, (_, i) => OUTBOX_DUE_PREFIX + i);
}

export function outboxDueKey(sellerId: string, alertId: string, at: string): DueKey {
  return {
    duePk: OUTBOX_DUE_PREFIX + (stableHash(`${sellerId}#${alertId}`) % DUE_SHARDS),
    dueSk: `${canonicalIso(at)}#${keyPart('sellerId', sellerId)}#${keyPart('alertId', alertId)}`,
  };
}

// ---- order sync state -------------------------------------------------------------------------------

export const SYNC_HEALTH_PARTITION = 'SYNCHEALTH';
const SYNC_PREFIX = 'SYNC#';
const LEASE_SORT = `${SYNC_PREFIX}LEASE`;
const CURSOR_PREFIX = `${SYNC_PREFIX}CURSOR#`;
const BUCKET_PREFIX = `${SYNC_PREFIX}BUCKET#`;

export function syncLeaseKey(sellerId: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: LEASE_SORT };
}

export function syncCursorKey(sellerId: string, region: string, api: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: `${CURSOR_PREFIX}${keyPart('region', region)}#${keyPart('api', api)}` };
}

export function syncBucketKey(sellerId: string, region: string, operation: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: `${BUCKET_PREFIX}${keyPart('region', region)}#${keyPart('operation', operation)}` };
}

export function syncHealthKey(sellerId: string, marketplace: string): TableKey {
  return { pk: SYNC_HEALTH_PARTITION, sk: `${keyPart('sellerId', sellerId)}#${keyPart('marketplace', marketplace)}` };
}

/** Sort-key prefix of one seller's sync-health items; a seller ID never contains `#`, so it is exact. */
export function syncHealthPrefix(sellerId: string): string {
  return `${keyPart('sellerId', sellerId)}#`;
}

// ---- what a seller's partition holds (seller removal) ---------------------------------------------

/** Sort-key prefix -> the kind of item, for every item kind stored in a seller's partition. */
export const SELLER_ITEM_KIND_BY_PREFIX = Object.freeze([
  [ORDER_PREFIX, 'orders'],
  [NOTIF_PREFIX, 'notifications'],
  [ALERT_SORT_PREFIX, 'outboxAlerts'],
  [CHANNEL_SORT_PREFIX, 'channelHealth'],
  [SYNC_PREFIX, 'syncState'],
  [STATS_PREFIX, 'history'],
  [STREAK_PREFIX, 'history'],
  [HOURLY_PREFIX, 'history'],
  [LAST_MAIL_PREFIX, 'lastEmails'],
] as const);

// ---- CreateTable input ------------------------------------------------------------------------

/**
 * Structural subset of the SDK's CreateTableCommandInput (no SDK import here). The call site
 * passes it to CreateTableCommand, so the compiler checks it against the real type there.
 */
export interface CreateTableInputShape {
  TableName: string;
  BillingMode: 'PAY_PER_REQUEST';
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' }>;
  KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
  GlobalSecondaryIndexes: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
    Projection: { ProjectionType: 'ALL' };
  }>;
}

/**
 * CreateTable input for the table (on-demand billing). The due index projects ALL attributes, so
 * the reconciler gets whole orders from the index with no extra reads; that costs index storage
 * only for the few orders that are due, since the index is sparse.
 *
 * TTL is not part of CreateTable (it is UpdateTimeToLive, `timeToLiveAttribute` in CDK): enable
 * it on `TTL_ATTRIBUTE`.
 */
export function createTableInput(tableName: string): CreateTableInputShape {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: SORT_KEY, AttributeType: 'S' },
      { AttributeName: DUE_PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: DUE_SORT_KEY, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: DUE_INDEX_NAME,
        KeySchema: [
          { AttributeName: DUE_PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: DUE_SORT_KEY, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
