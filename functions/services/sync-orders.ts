/**
 * Sync one seller's orders from the Selling Partner API into the store.
 *
 * The run, per region the seller sells in (one call covers all its marketplaces in that region):
 * 1. Take the seller's lease (conditional write). Held by another run: do nothing, no API call;
 *    so two runs for one seller never double the calls.
 * 2. Resume the saved pagination token, or start a query for orders updated after the watermark
 *    minus an overlap (orders updated while the last query ran may have been missed by it; the
 *    overlap re-reads them, and importing is idempotent).
 * 3. Before every call take a token from the seller's persisted bucket for that operation; wait
 *    for one if it comes soon (maxWaitMs) and before the deadline, else save the page token and
 *    stop: the next scheduled run resumes.
 * 4. Import each page at once (importOrders), then save the cursor, so a crash loses at most a page.
 * 5. When the last page arrives, the watermark moves to when the query started, and every
 *    marketplace of the region records a successful sync.
 *
 * Failures are loud and never switch sync off: `invalid_grant` or a revoked authorisation marks
 * the marketplaces broken (reason + since when) and publishes an event on the transition (at
 * least once: published before the state is recorded); a
 * missing secret does the same; throttling and server errors are recorded as the last error and
 * the next scheduled run carries on from the saved token.
 */
import type { Region } from '../domain/marketplaces';
import { orderSyncSettings, sellerRegions, type OrdersApiVersion } from '../domain/order-sync';
import { type OrdersApi, type SpApiCredentialsStore, type SyncBrokenReason, type SyncCursor, type SyncEventSink, type SyncStateStore } from '../domain/ports';
import { SP_API_RATE_LIMITS, drain, observeRate, refill, tryTake, type SpApiOperation, type TokenBucketState } from '../domain/rate-limit';
import type { SentinelRepository } from '../domain/ports';
import type { OrderPolicy } from '../domain/types';
import { CredentialsMissingError, SpApiAuthorizationError, SpApiError, SpApiResponseError, SpApiThrottledError } from '../domain/errors';
import { importOrders } from './import-orders';

export interface SyncOrdersDeps {
  repo: SentinelRepository;
  state: SyncStateStore;
  api: OrdersApi;
  credentials: SpApiCredentialsStore;
  events: SyncEventSink;
  /** Epoch milliseconds. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  policy: OrderPolicy;
}

export interface SyncOrdersOptions {
  sellerId: string;
  /** Identifies this run in the lease (e.g. the Lambda request ID). */
  owner: string;
  /** Epoch ms by which the run must have stopped (Lambda deadline minus a margin). */
  deadlineMs: number;
  /** Overrides the seller's setting (the CLI's `--api`). */
  api?: OrdersApiVersion;
  /** Re-read orders updated this long before the watermark (default 10 minutes). */
  overlapMs?: number;
  /** How far back the very first query reaches (default 30 days: the auto-cancel window). */
  initialLookbackMs?: number;
  /** Leave this much time before the deadline for saving state (default 5 s). */
  safetyMs?: number;
  /** A saved page token older than this is dropped and the query restarted (default 23 h; Amazon's expire after 24 h). */
  pageTokenMaxAgeMs?: number;
  /** Estimated duration of one call incl. import, used to decide whether another fits (default 10 s). */
  callBudgetMs?: number;
  /**
   * Longest wait for the rate limit inside a run (bucket refill or a 429 back-off), default 20 s.
   * A longer wait is cheaper spent by the schedule than by a sleeping Lambda: the run saves its
   * page token and the next one resumes (searchOrders refills one token per 3 minutes).
   */
  maxWaitMs?: number;
}

export type RegionOutcome =
  | 'complete'
  /** Stopped before the deadline with a saved page token (or waiting for a token from the bucket). */
  | 'paused'
  | 'throttled'
  | 'broken'
  | 'failed';

export interface SyncOrdersResult {
  sellerId: string;
  status: 'synced' | 'partial' | 'skipped-inactive' | 'skipped-leased' | 'not-found';
  pages: number;
  ordersSeen: number;
  ordersWritten: number;
  throttledCalls: number;
  regions: Array<{ region: Region; outcome: RegionOutcome; reason?: string }>;
  /** Failure reasons for metrics (`invalid-grant`, `throttled`, `server-error`, ...). */
  failures: string[];
}

const MINUTE = 60_000;

/** Map an API version to the operation whose rate limit applies. */
function operationOf(api: OrdersApiVersion): SpApiOperation {
  return api === 'v0' ? 'getOrders' : 'searchOrders';
}

export async function syncSellerOrders(deps: SyncOrdersDeps, options: SyncOrdersOptions): Promise<SyncOrdersResult> {
  const result: SyncOrdersResult = {
    sellerId: options.sellerId,
    status: 'synced',
    pages: 0,
    ordersSeen: 0,
    ordersWritten: 0,
    throttledCalls: 0,
    regions: [],
    failures: [],
  };
  const seller = await deps.repo.getSeller(options.sellerId);
  if (!seller) return { ...result, status: 'not-found' };
  const settings = orderSyncSettings(seller);
  const regions = sellerRegions(seller);
  if (!settings.enabled || regions.length === 0) return { ...result, status: 'skipped-inactive' };
  const api = options.api ?? settings.api;

  const safetyMs = options.safetyMs ?? 5000;
  // The lease outlives the run by a margin, so it cannot expire while we still write.
  const lease = await deps.state.acquireLease(seller.sellerId, options.owner, deps.now(), options.deadlineMs + 60_000);
  if (!lease.acquired) return { ...result, status: 'skipped-leased' };
  try {
    for (const group of regions) {
      const r = await syncRegion(deps, options, api, seller.sellerId, group, result, safetyMs);
      result.regions.push(r);
      if (r.outcome !== 'complete') result.status = 'partial';
      if (r.reason) result.failures.push(r.reason);
    }
  } finally {
    await deps.state.releaseLease(seller.sellerId, options.owner);
  }
  return result;
}

async function syncRegion(
  deps: SyncOrdersDeps,
  options: SyncOrdersOptions,
  api: OrdersApiVersion,
  sellerId: string,
  group: { region: Region; marketplaces: string[]; marketplaceIds: string[] },
  result: SyncOrdersResult,
  safetyMs: number,
): Promise<{ region: Region; outcome: RegionOutcome; reason?: string }> {
  const { region } = group;
  const iso = (ms: number) => new Date(ms).toISOString();
  const operation = operationOf(api);
  const limit = SP_API_RATE_LIMITS[operation];
  const overlapMs = options.overlapMs ?? 10 * MINUTE;
  const lookbackMs = options.initialLookbackMs ?? 30 * 24 * 60 * MINUTE;
  const tokenMaxAgeMs = options.pageTokenMaxAgeMs ?? 23 * 60 * MINUTE;
  const callBudgetMs = options.callBudgetMs ?? 10_000;
  const maxWaitMs = options.maxWaitMs ?? 20_000;

  const broken = async (reason: SyncBrokenReason, detail: string) => {
    const at = iso(deps.now());
    for (const marketplace of group.marketplaces) {
      // Publish before recording: if publishing fails the run throws, the message is retried and
      // the event is sent then (at least once). Recording first could lose it for good.
      const before = await deps.state.getHealth(sellerId, marketplace);
      if (!before?.broken) await deps.events.publish({ type: 'order-sync-broken', sellerId, marketplace, reason, detail, since: at });
      await deps.state.markBroken(sellerId, marketplace, reason, detail, at);
    }
    return { region, outcome: 'broken' as const, reason };
  };
  const transient = async (outcome: 'throttled' | 'failed', reason: string) => {
    const at = iso(deps.now());
    for (const marketplace of group.marketplaces) await deps.state.markError(sellerId, marketplace, reason, at);
    return { region, outcome, reason };
  };

  let credentials;
  try {
    const app = await deps.credentials.lwaApp();
    credentials = { ...app, refreshToken: await deps.credentials.refreshToken(sellerId, region) };
  } catch (err) {
    if (err instanceof CredentialsMissingError) return broken('credentials-missing', err.message);
    throw err;
  }

  let cursor: SyncCursor = await deps.state.getCursor(sellerId, region, api);
  let bucket: TokenBucketState | undefined = await deps.state.getBucket(sellerId, region, operation);
  if (cursor.pending && deps.now() - Date.parse(cursor.pending.queryStartedAt) > tokenMaxAgeMs) {
    // Expired page token: restart the same query from its start (nothing is lost, only re-read).
    cursor = { ...cursor, pending: undefined, watermark: cursor.watermark ?? cursor.pending.lastUpdatedAfter };
  }

  for (;;) {
    // Pace with the persisted bucket.
    const take = tryTake(bucket, limit, deps.now());
    if (!take.ok) {
      if (take.waitMs > maxWaitMs || deps.now() + take.waitMs + callBudgetMs + safetyMs > options.deadlineMs) {
        await deps.state.putBucket(sellerId, region, operation, take.state);
        await deps.state.putCursor(sellerId, region, api, cursor);
        return { region, outcome: 'paused' };
      }
      await deps.sleep(take.waitMs);
      continue;
    }
    if (deps.now() + callBudgetMs + safetyMs > options.deadlineMs) {
      await deps.state.putCursor(sellerId, region, api, cursor);
      return { region, outcome: 'paused' };
    }
    bucket = take.state;
    // Persist the spent token before the call: a run that dies mid-call must not leave a full bucket.
    await deps.state.putBucket(sellerId, region, operation, bucket);

    const startedMs = deps.now();
    const query = cursor.pending
      ? { lastUpdatedAfter: cursor.pending.lastUpdatedAfter, paginationToken: cursor.pending.paginationToken, queryStartedAt: cursor.pending.queryStartedAt }
      : {
          lastUpdatedAfter: iso(cursor.watermark ? Date.parse(cursor.watermark) - overlapMs : startedMs - lookbackMs),
          paginationToken: undefined,
          queryStartedAt: iso(startedMs),
        };

    let page;
    try {
      page = await deps.api.listOrders(api, {
        sellerId,
        region,
        marketplaceIds: group.marketplaceIds,
        lastUpdatedAfter: query.lastUpdatedAfter,
        paginationToken: query.paginationToken,
        credentials,
        // Retries (429/5xx back-off) may use the wait allowance, never the run's safety margin.
        deadlineMs: Math.min(options.deadlineMs - safetyMs, startedMs + callBudgetMs + maxWaitMs),
      });
    } catch (err) {
      if (err instanceof SpApiThrottledError) {
        result.throttledCalls += err.throttled;
        bucket = observeRate(drain(bucket, limit, deps.now()), err.rateLimitHeader);
        await deps.state.putBucket(sellerId, region, operation, bucket);
        await deps.state.putCursor(sellerId, region, api, cursor);
        return transient('throttled', 'throttled');
      }
      if (err instanceof SpApiAuthorizationError) {
        await deps.state.putCursor(sellerId, region, api, cursor);
        return broken(err.reason, err.message);
      }
      if (err instanceof SpApiError) {
        await deps.state.putCursor(sellerId, region, api, cursor);
        const reason =
          err instanceof SpApiResponseError ? 'bad-response' : err.status >= 500 ? 'server-error' : err.status === 0 ? 'network-error' : `http-${err.status}`;
        return transient('failed', reason);
      }
      throw err;
    }

    result.pages++;
    result.throttledCalls += page.throttled;
    bucket = observeRate(refill(bucket, limit, deps.now()), page.rateLimitHeader);
    if (page.throttled > 0) bucket = { ...bucket, tokens: 0 };
    await deps.state.putBucket(sellerId, region, operation, bucket);

    const imported = await importOrders(deps.repo, page.orders, iso(deps.now()), deps.policy);
    result.ordersSeen += page.orders.length;
    result.ordersWritten += imported.written;

    if (page.nextToken) {
      cursor = {
        ...cursor,
        pending: { paginationToken: page.nextToken, lastUpdatedAfter: query.lastUpdatedAfter, queryStartedAt: query.queryStartedAt },
      };
      await deps.state.putCursor(sellerId, region, api, cursor);
      continue;
    }
    cursor = { watermark: query.queryStartedAt };
    await deps.state.putCursor(sellerId, region, api, cursor);
    const at = iso(deps.now());
    for (const marketplace of group.marketplaces) {
      const before = await deps.state.getHealth(sellerId, marketplace);
      if (before?.broken) await deps.events.publish({ type: 'order-sync-recovered', sellerId, marketplace, at });
      await deps.state.markSuccess(sellerId, marketplace, at);
    }
    return { region, outcome: 'complete' };
  }
}
