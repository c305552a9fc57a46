/**
 * The seller lifecycle on the Sentinel table, beside the repository (which creates and reads
 * sellers): a profile changed field by field under an optimistic version, and a seller removed
 * with everything the table keeps for it.
 *
 * - `updateProfile` is one UpdateItem that SETs / REMOVEs only the named attributes, conditional
 *   on the profile version read before (`profileVersion`; a profile written before versions is
 *   version 0). A concurrent change makes it fail with ConcurrentModificationError, and the caller
 *   reads again and re-applies its change (services/manage-sellers.ts), so neither change is lost.
 *   The keys, the seller ID, the inbound alias and `createdAt` can never be changed here: the alias
 *   item and the profile must keep naming each other (see DynamoDbRepository.putSeller).
 * - `inventory` lists what a removal deletes: the profile, the alias item, every item in the
 *   seller's partition (`SELLER#<id>`: orders, notifications, outbox alerts, channel health,
 *   sync lease/cursors/buckets, diagnosis history, last email per marketplace, and any kind added
 *   later, since it is the partition that is removed) and the seller's sync-health items. Only
 *   keys and the few attributes the summary needs are read (ProjectionExpression).
 * - `remove` deletes in an order that is safe to interrupt and to run again: the alias first
 *   (mail to the address is then rejected as an unknown alias), then the profile (no sync is
 *   dispatched, no alert settings are found), then the partition and the sync health with
 *   BatchWriteItem deletes (25 a request, unprocessed items re-sent). A second run finds what a
 *   crash or a write racing the removal left behind and deletes it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConcurrentModificationError, ConditionFailedError, NotFoundError } from '../../domain/errors';
import type { RemovalResult, SellerInventory, SellerItemKind, SellerProfileStore, SellerRemovalStore, StoredSellerProfile, VersionedSeller } from '../../domain/ports';
import { SELLER_ITEM_KIND_BY_PREFIX, STORAGE_ATTRIBUTES, SYNC_HEALTH_PARTITION, aliasKey, sellerKey, sellerPartition, syncHealthPrefix } from './keys';
import { Table, keyString, toAttributes, type Item } from './table';

/** The optimistic version of a seller profile (absent on profiles written before it: 0). */
export const PROFILE_VERSION_ATTRIBUTE = 'profileVersion';

/** Attributes `updateProfile` refuses to touch. */
const FIXED_ATTRIBUTES: ReadonlySet<string> = new Set([...STORAGE_ATTRIBUTES, 'sellerId', 'inboundAlias', 'createdAt', PROFILE_VERSION_ATTRIBUTE]);

const CLOSED_ORDER_STATES = new Set(['Shipped', 'Canceled', 'Unfulfillable']);
const UNSENT_STATUSES = new Set(['pending', 'sending']);

export function emptyCounts(): Record<SellerItemKind, number> {
  return { orders: 0, notifications: 0, outboxAlerts: 0, channelHealth: 0, syncState: 0, syncHealth: 0, history: 0, lastEmails: 0, other: 0 };
}

export class DynamoDbSellerAdmin implements SellerProfileStore, SellerRemovalStore {
  private readonly table: Table;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.table = new Table(options, 'DynamoDbSellerAdmin');
  }

  /** Strongly consistent, so the version is the latest acknowledged one. */
  async getProfile(sellerId: string): Promise<VersionedSeller | undefined> {
    const item = await this.table.get(sellerKey(sellerId), true);
    return item && splitVersion(item);
  }

  /**
   * SET the given attributes and REMOVE the named ones, if the stored version is still
   * `expectedVersion`; returns the new version. NotFoundError when there is no such seller,
   * ConcurrentModificationError when someone changed it since it was read.
   */
  async updateProfile(sellerId: string, expectedVersion: number, set: Readonly<Record<string, unknown>>, remove: readonly string[] = []): Promise<number> {
    const names: Record<string, string> = { '#v': PROFILE_VERSION_ATTRIBUTE };
    const values: Item = { ':next': expectedVersion + 1 };
    const sets: string[] = ['#v = :next'];
    const removes: string[] = [];
    Object.entries(set).forEach(([attr, value], i) => {
      assertChangeable(attr);
      if (value === undefined) throw new RangeError(`updateProfile: ${attr} is undefined (use remove)`);
      names[`#s${i}`] = attr;
      values[`:s${i}`] = value;
      sets.push(`#s${i} = :s${i}`);
    });
    remove.forEach((attr, i) => {
      assertChangeable(attr);
      if (attr in set) throw new RangeError(`updateProfile: ${attr} both set and removed`);
      names[`#r${i}`] = attr;
      removes.push(`#r${i}`);
    });
    let condition = 'attribute_exists(pk) AND ';
    if (expectedVersion === 0) condition += '(attribute_not_exists(#v) OR #v = :expected)';
    else condition += '#v = :expected';
    values[':expected'] = expectedVersion;
    const key = sellerKey(sellerId);
    try {
      await this.table.update(key, { update: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`, condition, names, values });
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      if (!(await this.getProfile(sellerId))) throw new NotFoundError(keyString(key));
      throw new ConcurrentModificationError(keyString(key), { cause: err.cause });
    }
    return expectedVersion + 1;
  }

  /** What a removal of this seller would delete (works when the profile is already gone, too). */
  async inventory(sellerId: string): Promise<SellerInventory> {
    const profile = (await this.getProfile(sellerId))?.seller;
    const alias = typeof profile?.inboundAlias === 'string' ? profile.inboundAlias : undefined;
    const aliasItem = alias ? await this.table.get(aliasKey(alias), true) : undefined;
    const inv: SellerInventory = {
      sellerId,
      profile,
      aliasClaimed: aliasItem?.sellerId === sellerId,
      counts: emptyCounts(),
      openOrders: 0,
      unsentAlerts: 0,
      keys: [],
    };
    for (const item of await this.queryKeys(sellerPartition(sellerId))) {
      const sk = String(item.sk);
      const kind = (SELLER_ITEM_KIND_BY_PREFIX.find(([prefix]) => sk.startsWith(prefix))?.[1] as SellerItemKind | undefined) ?? 'other';
      inv.counts[kind]++;
      if (kind === 'orders' && !CLOSED_ORDER_STATES.has(String(item.orderState))) inv.openOrders++;
      if (kind === 'outboxAlerts' && UNSENT_STATUSES.has(String(item.status))) inv.unsentAlerts++;
      inv.keys.push({ pk: String(item.pk), sk });
    }
    for (const item of await this.queryKeys(SYNC_HEALTH_PARTITION, syncHealthPrefix(sellerId))) {
      inv.counts.syncHealth++;
      inv.keys.push({ pk: String(item.pk), sk: String(item.sk) });
    }
    return inv;
  }

  /** Delete everything the inventory lists, in the order described at the top of this file. */
  async remove(inv: SellerInventory, options: { concurrency?: number } = {}): Promise<RemovalResult> {
    let aliasReleased = false;
    const alias = typeof inv.profile?.inboundAlias === 'string' ? inv.profile.inboundAlias : undefined;
    if (alias && inv.aliasClaimed) aliasReleased = await this.table.delete(aliasKey(alias), { condition: 'sellerId = :id', values: { ':id': inv.sellerId } });
    const profileDeleted = inv.profile ? await this.table.delete(sellerKey(inv.sellerId), { condition: 'attribute_exists(pk)' }) : false;

    await this.table.writeBatch(
      inv.keys.map((k) => ({ DeleteRequest: { Key: toAttributes(k) } })),
      { concurrency: options.concurrency ?? 4, what: 'seller removal' },
    );
    return { aliasReleased, profileDeleted, itemsDeleted: inv.keys.length };
  }

  /** Keys and the few attributes the summary needs (ProjectionExpression), consistently. */
  private queryKeys(pk: string, skPrefix?: string): Promise<Item[]> {
    return this.table.queryPartition(pk, { prefix: skPrefix, consistentRead: true, projection: 'pk, sk, orderState, #status', names: { '#status': 'status' } });
  }
}

function splitVersion(item: Item): VersionedSeller {
  const { [PROFILE_VERSION_ATTRIBUTE]: v, ...rest } = item;
  for (const a of STORAGE_ATTRIBUTES) delete rest[a];
  return { seller: rest as StoredSellerProfile, version: typeof v === 'number' ? v : 0 };
}

function assertChangeable(attr: string): void {
  if (FIXED_ATTRIBUTES.has(attr)) throw new RangeError(`updateProfile: ${attr} cannot be changed`);
}
