/**
 * Order-sync state in the Sentinel table (keys in ./keys.ts: lease `SYNC#LEASE`, cursors
 * `SYNC#CURSOR#<region>#<api>`, token buckets `SYNC#BUCKET#<region>#<operation>` in the seller's
 * partition; sync health in the `SYNCHEALTH` partition, `<sellerId>#<marketplace>`).
 *
 * Lease, cursors and buckets sit in the seller's partition next to its orders (the order and
 * notification queries use `ORDER#` / `NOTIF#` prefixes, so they never see these items). Health
 * items share one partition so the dispatcher reads every seller's health with one paginated
 * Query (no Scan) for the "oldest successful sync" metric: at 10,000 sellers x 2 marketplaces
 * that is ~20,000 small items, a few MB, once per interval; writes to it are ~1 per seller per
 * interval (~11/s at 10,000 sellers every 15 minutes), far below a partition's 1,000 WCU/s.
 *
 * The lease is a single conditional PutItem; cursors and buckets are plain writes, because only
 * the lease holder writes them. No credentials are ever written here.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError } from '../../domain/errors';
import type { Region } from '../../domain/marketplaces';
import type { OrdersApiVersion } from '../../domain/order-sync';
import type { LeaseResult, SyncBrokenReason, SyncCursor, SyncHealth, SyncStateStore } from '../../domain/ports';
import type { TokenBucketState } from '../../domain/rate-limit';
import type { IsoTime } from '../../domain/types';
import { SYNC_HEALTH_PARTITION, syncBucketKey, syncCursorKey, syncHealthKey, syncLeaseKey, type TableKey } from './keys';
import { Table } from './table';

// Re-exported for callers that imported the sync keys from here before they moved.
export { SYNC_HEALTH_PARTITION, syncBucketKey, syncCursorKey, syncHealthKey, syncLeaseKey } from './keys';

export interface DynamoDbSyncStateOptions {
  client: DynamoDBClient;
  tableName: string;
}

export class DynamoDbSyncState implements SyncStateStore {
  private readonly table: Table;

  constructor(options: DynamoDbSyncStateOptions) {
    this.table = new Table(options, 'DynamoDbSyncState');
  }

  // ---- lease -------------------------------------------------------------------------------------

  async acquireLease(sellerId: string, owner: string, nowMs: number, untilMs: number): Promise<LeaseResult> {
    const key = syncLeaseKey(sellerId);
    try {
      await this.table.put(
        { ...key, owner, leaseUntilMs: untilMs, acquiredAt: new Date(nowMs).toISOString() },
        // Free, expired, or already ours (a redelivered message of the same run).
        { condition: 'attribute_not_exists(pk) OR leaseUntilMs < :now OR #owner = :owner', names: { '#owner': 'owner' }, values: { ':now': nowMs, ':owner': owner } },
      );
      return { acquired: true };
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      const held = await this.get(key, true);
      return {
        acquired: false,
        heldBy: typeof held?.owner === 'string' ? held.owner : 'unknown',
        until: new Date(typeof held?.leaseUntilMs === 'number' ? held.leaseUntilMs : nowMs).toISOString(),
      };
    }
  }

  async releaseLease(sellerId: string, owner: string): Promise<void> {
    // Not deleted: expired and taken over by another run; it is theirs now, leave it.
    await this.table.delete(syncLeaseKey(sellerId), { condition: '#owner = :owner', names: { '#owner': 'owner' }, values: { ':owner': owner } });
  }

  // ---- cursors and buckets -----------------------------------------------------------------------

  async getCursor(sellerId: string, region: Region, api: OrdersApiVersion): Promise<SyncCursor> {
    const item = await this.get(syncCursorKey(sellerId, region, api), true);
    const cursor: SyncCursor = {};
    if (typeof item?.watermark === 'string') cursor.watermark = item.watermark;
    const p = item?.pending as Record<string, unknown> | undefined;
    if (p && typeof p.paginationToken === 'string' && typeof p.lastUpdatedAfter === 'string' && typeof p.queryStartedAt === 'string') {
      cursor.pending = { paginationToken: p.paginationToken, lastUpdatedAfter: p.lastUpdatedAfter, queryStartedAt: p.queryStartedAt };
    }
    return cursor;
  }

  async putCursor(sellerId: string, region: Region, api: OrdersApiVersion, cursor: SyncCursor): Promise<void> {
    await this.put({ ...syncCursorKey(sellerId, region, api), watermark: cursor.watermark, pending: cursor.pending });
  }

  async getBucket(sellerId: string, region: Region, operation: string): Promise<TokenBucketState | undefined> {
    const item = await this.get(syncBucketKey(sellerId, region, operation), true);
    if (!item || typeof item.tokens !== 'number' || typeof item.updatedAtMs !== 'number') return undefined;
    const state: TokenBucketState = { tokens: item.tokens, updatedAtMs: item.updatedAtMs };
    if (typeof item.observedRatePerSecond === 'number') state.observedRatePerSecond = item.observedRatePerSecond;
    return state;
  }

  async putBucket(sellerId: string, region: Region, operation: string, state: TokenBucketState): Promise<void> {
    await this.put({ ...syncBucketKey(sellerId, region, operation), ...state });
  }

  // ---- health ------------------------------------------------------------------------------------

  async markSuccess(sellerId: string, marketplace: string, at: IsoTime): Promise<{ recovered: boolean }> {
    const old = await this.update(
      syncHealthKey(sellerId, marketplace),
      'SET sellerId = :s, marketplace = :m, lastSuccessAt = :at, lastAttemptAt = :at REMOVE brokenReason, brokenSince, brokenDetail, lastError',
      { ':s': sellerId, ':m': marketplace, ':at': at },
    );
    return { recovered: typeof old?.brokenSince === 'string' };
  }

  async markBroken(sellerId: string, marketplace: string, reason: SyncBrokenReason, detail: string, at: IsoTime): Promise<{ newlyBroken: boolean }> {
    const old = await this.update(
      syncHealthKey(sellerId, marketplace),
      // `since` is when it broke, kept while it stays broken; reason and detail follow the latest run.
      'SET sellerId = :s, marketplace = :m, lastAttemptAt = :at, brokenReason = :r, brokenDetail = :d, brokenSince = if_not_exists(brokenSince, :at)',
      { ':s': sellerId, ':m': marketplace, ':at': at, ':r': reason, ':d': detail },
    );
    return { newlyBroken: typeof old?.brokenSince !== 'string' };
  }

  async markError(sellerId: string, marketplace: string, reason: string, at: IsoTime): Promise<void> {
    await this.update(syncHealthKey(sellerId, marketplace), 'SET sellerId = :s, marketplace = :m, lastAttemptAt = :at, lastError = :e', {
      ':s': sellerId,
      ':m': marketplace,
      ':at': at,
      ':e': { reason, at },
    });
  }

  /**
   * Record an order import (`shipnow orders import`) in the health item: orders were received, so
   * `status` can tell how fresh they are; it is not a sync (lastSuccessAt, lastAttemptAt and the
   * dispatcher's "oldest successful sync" are untouched).
   */
  async markImported(sellerId: string, marketplace: string, at: IsoTime): Promise<void> {
    await this.update(syncHealthKey(sellerId, marketplace), 'SET sellerId = :s, marketplace = :m, lastImportAt = :at', { ':s': sellerId, ':m': marketplace, ':at': at });
  }

  async getHealth(sellerId: string, marketplace: string): Promise<SyncHealth | undefined> {
    const item = await this.get(syncHealthKey(sellerId, marketplace), true);
    return item && toHealth(item);
  }

  /** One paginated Query of the health partition (no Scan). */
  async listHealth(): Promise<SyncHealth[]> {
    return (await this.table.queryPartition(SYNC_HEALTH_PARTITION)).map(toHealth);
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  private get(key: TableKey, consistentRead: boolean): Promise<Record<string, unknown> | undefined> {
    return this.table.get(key, consistentRead);
  }

  private put(item: Record<string, unknown>): Promise<void> {
    return this.table.put(item);
  }

  private update(key: TableKey, expression: string, values: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    return this.table.update(key, { update: expression, values, returnValues: 'ALL_OLD' });
  }
}

function toHealth(item: Record<string, unknown>): SyncHealth {
  const h: SyncHealth = { sellerId: String(item.sellerId), marketplace: String(item.marketplace) };
  if (typeof item.lastSuccessAt === 'string') h.lastSuccessAt = item.lastSuccessAt;
  if (typeof item.lastAttemptAt === 'string') h.lastAttemptAt = item.lastAttemptAt;
  if (typeof item.brokenSince === 'string') {
    h.broken = { reason: item.brokenReason as SyncBrokenReason, since: item.brokenSince, detail: String(item.brokenDetail ?? '') };
  }
  const e = item.lastError as Record<string, unknown> | undefined;
  if (e && typeof e.reason === 'string' && typeof e.at === 'string') h.lastError = { reason: e.reason, at: e.at };
  if (typeof item.lastImportAt === 'string') h.lastImportAt = item.lastImportAt;
  return h;
}

