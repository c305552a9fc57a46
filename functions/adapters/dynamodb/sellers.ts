/**
 * Sellers on the one table (layout: ./keys.ts): profiles in the fixed `SELLERS` partition and the
 * inbound alias items that route mail to them.
 */
import { AliasTakenError } from '../../domain/errors';
import { validateInboundAlias } from '../../domain/inbound';
import type { PutResult } from '../../domain/ports';
import type { Seller } from '../../domain/types';
import { SELLERS_PARTITION, SELLER_SORT_PREFIX, aliasKey, normalizeAlias, sellerKey } from './keys';
import { fromItem, type Table } from './table';

export class SellerStore {
  constructor(private readonly table: Table) {}

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
