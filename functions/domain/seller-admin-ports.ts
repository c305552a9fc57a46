/**
 * Ports of the seller lifecycle (`shipnow seller update | remove | channels`): a profile read with
 * its optimistic version and changed field by field, and everything the table keeps for a seller.
 * Pure types; adapter: functions/adapters/dynamodb-seller-admin.ts.
 */
import type { Seller } from './types';

/** A profile as stored, with the settings kept on it (alerting, orderSync). */
export type StoredSellerProfile = Seller & { alerting?: unknown; orderSync?: unknown; [key: string]: unknown };

export interface VersionedSeller {
  seller: StoredSellerProfile;
  /** 0 for a profile written before versions existed. */
  version: number;
}

/** What the table keeps for one seller, by kind. */
export type SellerItemKind =
  | 'orders'
  | 'notifications'
  | 'outboxAlerts'
  | 'channelHealth'
  | 'syncState'
  | 'syncHealth'
  | 'history'
  | 'lastEmails'
  | 'other';

/** An item key (the table's `pk` / `sk`). */
export interface ItemKey {
  pk: string;
  sk: string;
}

export interface SellerInventory {
  sellerId: string;
  profile: StoredSellerProfile | undefined;
  /** The alias item exists and names this seller. */
  aliasClaimed: boolean;
  counts: Record<SellerItemKind, number>;
  /** Orders not shipped, cancelled or unfulfillable. */
  openOrders: number;
  /** Outbox alerts still pending or being sent (they will not be delivered). */
  unsentAlerts: number;
  /** Every key a removal deletes besides the profile and the alias. */
  keys: ItemKey[];
}

export interface RemovalResult {
  aliasReleased: boolean;
  profileDeleted: boolean;
  itemsDeleted: number;
}

export interface SellerProfileStore {
  getProfile(sellerId: string): Promise<VersionedSeller | undefined>;
  /**
   * SET / REMOVE only the named attributes if the stored version is still `expectedVersion`;
   * resolves to the new version. NotFoundError: no such seller; ConcurrentModificationError:
   * changed since it was read.
   */
  updateProfile(sellerId: string, expectedVersion: number, set: Readonly<Record<string, unknown>>, remove?: readonly string[]): Promise<number>;
}

export interface SellerRemovalStore {
  inventory(sellerId: string): Promise<SellerInventory>;
  remove(inventory: SellerInventory): Promise<RemovalResult>;
}
