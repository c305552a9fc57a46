/**
 * Order sync (issue 4): settings, sync state and the ports the sync service needs. Pure: no SDK,
 * no process.env. The ports live here rather than in ports.ts while several people edit that
 * file; they belong there once the tree settles.
 */
import type { Region } from './marketplaces';
import { marketplaceByKey } from './marketplaces';
import type { TokenBucketState } from './rate-limit';
import type { IsoTime, OrderFacts, Seller } from './types';

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

// ---- state -----------------------------------------------------------------------------------

/**
 * Where a seller's sync of one region and API stands.
 * - `watermark`: the next fresh query asks for orders updated after `watermark - overlap`.
 * - `pending`: a query stopped mid-pagination (time limit, throttling); the next run resumes it
 *   with the same parameters, as the API requires for a pagination token.
 */
export interface SyncCursor {
  watermark?: IsoTime;
  pending?: {
    paginationToken: string;
    /** The `lastUpdatedAfter` the paginated query was started with. */
    lastUpdatedAfter: IsoTime;
    /** When the first page was requested: becomes the watermark once the query completes. */
    queryStartedAt: IsoTime;
  };
}

export type SyncBrokenReason = 'invalid-grant' | 'authorization-revoked' | 'credentials-missing';

/** Health of one seller + marketplace. */
export interface SyncHealth {
  sellerId: string;
  marketplace: string;
  lastSuccessAt?: IsoTime;
  lastAttemptAt?: IsoTime;
  broken?: { reason: SyncBrokenReason; since: IsoTime; detail: string };
  /** Last transient failure (throttled, 5xx, network): recorded, never marks the sync broken. */
  lastError?: { reason: string; at: IsoTime };
  /** Last `shipnow orders import` (a report or saved response): orders received, but not a sync. */
  lastImportAt?: IsoTime;
}

export type LeaseResult = { acquired: true } | { acquired: false; heldBy: string; until: IsoTime };

/** Persisted sync state: lease, cursors, token buckets, health. One implementation per store. */
export interface SyncStateStore {
  /**
   * Take the seller's lease until `untilMs` unless another owner holds an unexpired one. Two runs
   * for one seller: exactly one acquires; the other makes no API calls.
   */
  acquireLease(sellerId: string, owner: string, nowMs: number, untilMs: number): Promise<LeaseResult>;
  releaseLease(sellerId: string, owner: string): Promise<void>;

  getCursor(sellerId: string, region: Region, api: OrdersApiVersion): Promise<SyncCursor>;
  putCursor(sellerId: string, region: Region, api: OrdersApiVersion, cursor: SyncCursor): Promise<void>;

  getBucket(sellerId: string, region: Region, operation: string): Promise<TokenBucketState | undefined>;
  putBucket(sellerId: string, region: Region, operation: string, state: TokenBucketState): Promise<void>;

  /** Record a successful sync; returns whether the marketplace was broken before (a recovery). */
  markSuccess(sellerId: string, marketplace: string, at: IsoTime): Promise<{ recovered: boolean }>;
  /**
   * Mark broken (keeping the first `since` while it stays broken); returns whether this is the
   * transition into broken, so the event fires once, not on every run.
   */
  markBroken(sellerId: string, marketplace: string, reason: SyncBrokenReason, detail: string, at: IsoTime): Promise<{ newlyBroken: boolean }>;
  markError(sellerId: string, marketplace: string, reason: string, at: IsoTime): Promise<void>;
  getHealth(sellerId: string, marketplace: string): Promise<SyncHealth | undefined>;
  /** Every seller's health, for the "oldest successful sync" metric. */
  listHealth(): Promise<SyncHealth[]>;
}

// ---- ports to the outside ---------------------------------------------------------------------

/** Login with Amazon application credentials (one per deployment). */
export interface LwaAppCredentials {
  clientId: string;
  clientSecret: string;
}

/** Where credentials live (Secrets Manager in AWS; static values in tests and the CLI). */
export interface SpApiCredentialsStore {
  lwaApp(): Promise<LwaAppCredentials>;
  /** The seller's refresh token for a region. Throws CredentialsMissingError when there is none. */
  refreshToken(sellerId: string, region: Region): Promise<string>;
}

export interface OrdersPageRequest {
  sellerId: string;
  region: Region;
  marketplaceIds: string[];
  lastUpdatedAfter: IsoTime;
  paginationToken?: string;
  credentials: LwaAppCredentials & { refreshToken: string };
  /** Epoch ms: the call must not sleep (retry back-off) past this. */
  deadlineMs: number;
}

export interface OrdersPage {
  orders: OrderFacts[];
  nextToken?: string;
  /** `x-amzn-RateLimit-Limit` of the last response, as sent. */
  rateLimitHeader?: string;
  /** 429 responses met (and retried) while getting this page. */
  throttled: number;
}

/** One page of merchant-fulfilled orders updated after a time. */
export interface OrdersApi {
  listOrders(api: OrdersApiVersion, request: OrdersPageRequest): Promise<OrdersPage>;
}

/** Events for the alerting work: a sync that broke (and that recovered). */
export type SyncEvent =
  | { type: 'order-sync-broken'; sellerId: string; marketplace: string; reason: SyncBrokenReason; detail: string; since: IsoTime }
  | { type: 'order-sync-recovered'; sellerId: string; marketplace: string; at: IsoTime };

export interface SyncEventSink {
  publish(event: SyncEvent): Promise<void>;
}
