/**
 * Order sync (issue 4): the per-seller settings. Pure: no SDK, no process.env. Its ports (sync
 * state, SP-API, credentials, events) are in ports.ts with every other port.
 */
import type { Region } from './marketplaces';
import { marketplaceByKey } from './marketplaces';
import type { Seller } from './types';

/** Key prefix of report files in the bucket: `reports/<sellerId>/<file>`. */
export const REPORTS_PREFIX = 'reports/';

/** Which Orders API a seller is synced with. v0 is deprecated; 2026-01-01 is the default. */
export type OrdersApiVersion = '2026-01-01' | 'v0';

/**
 * Per-seller sync settings, kept on the seller profile as `orderSync` (optional; absent means
 * "sync with the defaults"). A human switches sync off (`enabled: false`); an error never does.
 */
export interface OrderSyncSettings {
  enabled: boolean;
  api: OrdersApiVersion;
}

export function orderSyncSettings(seller: Seller): OrderSyncSettings {
  const raw = (seller as Seller & { orderSync?: { enabled?: unknown; api?: unknown } }).orderSync;
  return {
    enabled: raw?.enabled !== false,
    api: raw?.api === 'v0' ? 'v0' : '2026-01-01',
  };
}

/** A seller is synced when sync is not switched off and it sells in a marketplace we know. */
export function isSyncActive(seller: Seller): boolean {
  return orderSyncSettings(seller).enabled && sellerRegions(seller).length > 0;
}

/** The seller's marketplaces grouped by SP-API region (one call covers a region's marketplaces). */
export function sellerRegions(seller: Pick<Seller, 'marketplaces'>): Array<{ region: Region; marketplaces: string[]; marketplaceIds: string[] }> {
  const byRegion = new Map<Region, { region: Region; marketplaces: string[]; marketplaceIds: string[] }>();
  for (const key of seller.marketplaces) {
    const m = marketplaceByKey(key);
    if (!m) continue;
    const group = byRegion.get(m.region) ?? { region: m.region, marketplaces: [], marketplaceIds: [] };
    if (!group.marketplaces.includes(m.key)) {
      group.marketplaces.push(m.key);
      group.marketplaceIds.push(m.marketplaceId);
    }
    byRegion.set(m.region, group);
  }
  return [...byRegion.values()];
}
