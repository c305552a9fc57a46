/**
 * A small typed client for the Selling Partner API Orders operations we need, over `fetch`.
 *
 * Why not @sp-api-sdk/orders-api-2026-01-01, -v0 and /auth (evaluated; docs/order-sync.md, "Why
 * this SP-API client", has the numbers): their clients take the endpoint from a region table and
 * the LWA URL from a module constant, so they cannot talk to the local fake over real HTTP; the
 * LWA token is used until its exact expiry and its call cannot be cancelled; their only retry
 * (opt-in, 429 only) sleeps 1/rate + 1.5 s, 180 s for searchOrders, whatever the deadline (so we
 * would keep our bucket and retry loop around them anyway); their axios errors carry the request
 * config, so a logged error prints the client secret, refresh token and access token; and they
 * add 72 npm packages and 425 kB (+37 %) to the minified sync-worker bundle, +45 ms CPU at cold
 * start. What they would save here is two query strings and the LWA call.
 *
 * - Login with Amazon: `POST https://api.amazon.com/auth/o2/token` with grant_type=refresh_token;
 *   the access token (valid one hour) is cached per seller + region until shortly before expiry.
 *   A rejected access token (403 Unauthorized, or 401) is refreshed once and the call repeated. `invalid_grant` (refresh token revoked or wrong) raises
 *   SpApiAuthorizationError, which the sync turns into a "sync broken" state and event.
 * - Regional endpoints NA / EU / FE (injectable base URLs for tests).
 * - Orders API 2026-01-01 `searchOrders` (default) and v0 `getOrders` (deprecated, selectable).
 * - Retries 429 and 5xx with full-jitter exponential back-off; after a 429 it waits at least the
 *   time one token takes at the rate Amazon announced in `x-amzn-RateLimit-Limit`. It never
 *   sleeps past the caller's deadline: it throws SpApiThrottledError instead, so the caller can
 *   save its page token and stop.
 * - Each exchange, headers and body, is bounded by `requestTimeoutMs` (`AbortSignal.timeout`);
 *   a body that stalls is retried like a request that got no response.
 *
 * Tokens, secrets and buyer data never appear in errors or logs: error messages carry the status,
 * Amazon's error code and the request ID only.
 */
import * as z from 'zod';
import { InputError, SpApiAuthorizationError, SpApiError, SpApiResponseError, SpApiThrottledError } from '../domain/errors';
import type { Region } from '../domain/marketplaces';
import type { OrdersApiVersion } from '../domain/order-sync';
import type { OrdersApi, OrdersPage, OrdersPageRequest } from '../domain/ports';
import { retry } from '../domain/retry';
import { parseSpApiOrders } from './sp-api-json';

export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

export const SP_API_ENDPOINTS: Readonly<Record<Region, string>> = Object.freeze({
  NA: 'https://sellingpartnerapi-na.amazon.com',
  EU: 'https://sellingpartnerapi-eu.amazon.com',
  FE: 'https://sellingpartnerapi-fe.amazon.com',
});

export const SEARCH_ORDERS_PATH = '/orders/2026-01-01/orders';
export const GET_ORDERS_V0_PATH = '/orders/v0/orders';

// ---- errors ----------------------------------------------------------------------------------

// The client's errors are domain errors (the sync service branches on them): domain/errors.ts.
export { SpApiAuthorizationError, SpApiError, SpApiResponseError, SpApiThrottledError };

// ---- options ---------------------------------------------------------------------------------

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

export interface SpApiClientOptions {
  fetch?: FetchLike;
  lwaTokenUrl?: string;
  /** Base URLs per region (tests point them at a local server). */
  endpoints?: Partial<Record<Region, string>>;
  /** Epoch milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1). */
  random?: () => number;
  /** Attempts per call including the first (default 5). */
  maxAttempts?: number;
  /** Back-off base and cap (defaults 1 s and 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Refresh the access token this long before it expires (default 60 s). */
  tokenRefreshMarginMs?: number;
  /** Per-request timeout, headers and body (default 30 s). */
  requestTimeoutMs?: number;
  /** Results per page for searchOrders (1..100, default 100). */
  maxResultsPerPage?: number;
  userAgent?: string;
}

const LwaTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
});

const ErrorBodySchema = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional() })).optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/** A response with its body read. */
interface HttpResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

export class SpApiClient implements OrdersApi {
  private readonly fetchFn: FetchLike;
  private readonly lwaTokenUrl: string;
  private readonly endpoints: Record<Region, string>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly refreshMarginMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxResultsPerPage: number;
  private readonly userAgent: string;
  /** Access tokens per seller + region + LWA client: a module-lifetime cache, reused across invocations. */
  private readonly tokens = new Map<string, CachedToken>();

  constructor(options: SpApiClientOptions = {}) {
    this.fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
    this.lwaTokenUrl = options.lwaTokenUrl ?? LWA_TOKEN_URL;
    this.endpoints = { ...SP_API_ENDPOINTS, ...options.endpoints };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.refreshMarginMs = options.tokenRefreshMarginMs ?? 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxResultsPerPage = options.maxResultsPerPage ?? 100;
    this.userAgent = options.userAgent ?? 'ShipNowSentinel/0.1 (Language=TypeScript; Platform=Node)';
  }

  /** One page of merchant-fulfilled orders updated after `lastUpdatedAfter`. */
  listOrders(api: OrdersApiVersion, request: OrdersPageRequest): Promise<OrdersPage> {
    return api === 'v0' ? this.getOrdersV0(request) : this.searchOrders(request);
  }

  /** Orders API 2026-01-01 searchOrders (`fulfilledBy=MERCHANT`, `includedData=FULFILLMENT`). */
  async searchOrders(request: OrdersPageRequest): Promise<OrdersPage> {
    const query = new URLSearchParams();
    query.set('marketplaceIds', request.marketplaceIds.join(','));
    query.set('lastUpdatedAfter', request.lastUpdatedAfter);
    query.set('fulfilledBy', 'MERCHANT');
    // Without FULFILLMENT the response has no fulfilment status or ship-by window.
    query.set('includedData', 'FULFILLMENT');
    query.set('maxResultsPerPage', String(this.maxResultsPerPage));
    if (request.paginationToken) query.set('paginationToken', request.paginationToken);
    return this.ordersPage('searchOrders', SEARCH_ORDERS_PATH, query, request);
  }

  /** Orders API v0 getOrders (deprecated): `FulfillmentChannels=MFN`, `LastUpdatedAfter`, `NextToken`. */
  async getOrdersV0(request: OrdersPageRequest): Promise<OrdersPage> {
    const query = new URLSearchParams();
    query.set('MarketplaceIds', request.marketplaceIds.join(','));
    query.set('LastUpdatedAfter', request.lastUpdatedAfter);
    query.set('FulfillmentChannels', 'MFN');
    query.set('MaxResultsPerPage', String(this.maxResultsPerPage));
    if (request.paginationToken) query.set('NextToken', request.paginationToken);
    return this.ordersPage('getOrders', GET_ORDERS_V0_PATH, query, request);
  }

  private async ordersPage(operation: string, path: string, query: URLSearchParams, request: OrdersPageRequest): Promise<OrdersPage> {
    const { body, rateLimitHeader, throttled } = await this.call(operation, request, `${this.endpoints[request.region]}${path}?${query}`);
    let parsed;
    try {
      parsed = parseSpApiOrders(body, `${operation} response`, { sellerId: request.sellerId });
    } catch (err) {
      if (err instanceof InputError) throw new SpApiResponseError(operation, 200, `unexpected response: ${err.message}`, {}, { cause: err });
      throw err;
    }
    const page: OrdersPage = { orders: parsed.orders, throttled };
    if (parsed.nextToken) page.nextToken = parsed.nextToken;
    if (rateLimitHeader !== undefined) page.rateLimitHeader = rateLimitHeader;
    return page;
  }

  /** Drop a cached access token (e.g. after the seller re-authorised). */
  forgetAccessToken(sellerId: string, region: Region, clientId: string): void {
    this.tokens.delete(cacheKey(sellerId, region, clientId));
  }

  /** A valid access token for the seller, from the cache or from LWA. */
  async accessToken(request: Pick<OrdersPageRequest, 'sellerId' | 'region' | 'credentials'>, forceRefresh = false): Promise<string> {
    const key = cacheKey(request.sellerId, request.region, request.credentials.clientId);
    const cached = this.tokens.get(key);
    if (!forceRefresh && cached && cached.expiresAtMs - this.refreshMarginMs > this.now()) return cached.token;
    const requestedAt = this.now();
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: request.credentials.refreshToken,
      client_id: request.credentials.clientId,
      client_secret: request.credentials.clientSecret,
    });
    // No response, 429 or 5xx: tried again after a full-jitter wait, up to maxAttempts; the last
    // answer, whatever it is, is judged below.
    const res = await retry<HttpResponse>(
      async (attempt) => {
        let r: HttpResponse;
        try {
          r = await this.request(this.lwaTokenUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', 'user-agent': this.userAgent },
            body: form.toString(),
          });
        } catch (err) {
          if (attempt >= this.maxAttempts) throw new SpApiError('lwa-token', 0, `no response: ${(err as Error).message}`, {}, { cause: err });
          throw err;
        }
        return (r.status === 429 || r.status >= 500) && attempt < this.maxAttempts ? false : r;
      },
      // backoff(n) is asked before try n: it waits as after the failed try n - 1.
      { attempts: this.maxAttempts, backoff: (next) => this.backoff(next - 1), retryOn: () => true, sleep: (ms) => this.sleep(ms) },
    );
    const json = safeJson(res.text);
    if (!res.ok) {
      const err = ErrorBodySchema.safeParse(json);
      const code = err.success ? err.data.error : undefined;
      // invalid_grant: the refresh token is revoked, expired or not for this client;
      // unauthorized_client: the app itself is not allowed (also needs a human).
      if (code === 'invalid_grant' || code === 'unauthorized_client') {
        throw new SpApiAuthorizationError('lwa-token', res.status, 'invalid-grant', { code });
      }
      throw new SpApiError('lwa-token', res.status, `LWA token request failed (${code ?? res.status})`, { code });
    }
    const parsed = LwaTokenResponseSchema.safeParse(json);
    if (!parsed.success) throw new SpApiResponseError('lwa-token', res.status, 'LWA token response without access_token/expires_in');
    this.tokens.set(key, { token: parsed.data.access_token, expiresAtMs: requestedAt + parsed.data.expires_in * 1000 });
    return parsed.data.access_token;
  }

  /**
   * GET with the access token; retries 429/5xx/network errors; refreshes the token once on 401
   * (or 403 with an expired-token message). Resolves to the parsed JSON body.
   *
   * Its own loop, not domain/retry.ts: the wait depends on the answer (a 429's rate header), a
   * wait that would pass the caller's deadline ends the loop before sleeping, and a token refresh
   * is one more try that does not count as an attempt.
   */
  private async call(operation: string, request: OrdersPageRequest, url: string): Promise<{ body: unknown; rateLimitHeader?: string; throttled: number }> {
    let refreshed = false;
    let throttled = 0;
    let lastRateLimit: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken(request);
      let res: HttpResponse;
      try {
        res = await this.request(url, {
          method: 'GET',
          headers: { 'x-amz-access-token': token, accept: 'application/json', 'user-agent': this.userAgent },
        });
      } catch (err) {
        const delay = this.backoff(attempt);
        if (attempt >= this.maxAttempts || this.now() + delay > request.deadlineMs) {
          throw new SpApiError(operation, 0, `no response: ${(err as Error).message}`, {}, { cause: err });
        }
        await this.sleep(delay);
        continue;
      }
      const requestId = res.headers.get('x-amzn-requestid') ?? undefined;
      const rateLimit = res.headers.get('x-amzn-ratelimit-limit') ?? undefined;
      if (rateLimit !== undefined) lastRateLimit = rateLimit;

      if (res.ok) {
        const body = safeJson(res.text);
        if (body === undefined) throw new SpApiResponseError(operation, res.status, 'response is not JSON', { requestId });
        return lastRateLimit === undefined ? { body, throttled } : { body, rateLimitHeader: lastRateLimit, throttled };
      }

      const errorBody = ErrorBodySchema.safeParse(safeJson(res.text));
      const first = errorBody.success ? errorBody.data.errors?.[0] : undefined;
      const code = first?.code;
      const data = { code, requestId };

      if (res.status === 401 || res.status === 403) {
        // The SP-API answers an expired access token with 403 Unauthorized ("The access token you
        // provided has expired", in `details`), some gateways with 401. Either way: one fresh
        // token from LWA and one more try. A refused fresh token means the authorisation is gone
        // (or the app lacks the role): that needs the seller, not a retry. If the seller revoked
        // the app, LWA usually says invalid_grant during the refresh already.
        if (!refreshed) {
          refreshed = true;
          await this.accessToken(request, true);
          attempt--; // a refresh is not a retry of a failing server
          continue;
        }
        throw new SpApiAuthorizationError(operation, res.status, 'authorization-revoked', data);
      }
      if (res.status === 429 || res.status >= 500) {
        if (res.status === 429) throttled++;
        const delay = this.retryDelay(attempt, res.status, rateLimit);
        if (attempt >= this.maxAttempts || this.now() + delay > request.deadlineMs) {
          if (res.status === 429) throw new SpApiThrottledError(operation, delay, throttled, lastRateLimit, { requestId });
          throw new SpApiError(operation, res.status, `server error ${res.status} after ${attempt} attempt${attempt === 1 ? '' : 's'}`, data);
        }
        await this.sleep(delay);
        continue;
      }
      throw new SpApiError(operation, res.status, `request failed (${code ?? res.status})`, data);
    }
  }

  /** Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * ceiling);
  }

  /** After a 429, at least one token's worth of time at the announced rate, plus jitter. */
  private retryDelay(attempt: number, status: number, rateLimitHeader: string | undefined): number {
    const jitter = this.backoff(attempt);
    if (status !== 429) return jitter;
    const rate = rateLimitHeader === undefined ? NaN : Number(rateLimitHeader);
    const perToken = Number.isFinite(rate) && rate > 0 ? Math.ceil(1000 / rate) : 0;
    return perToken + jitter;
  }

  /**
   * One HTTP exchange, headers and body, under `requestTimeoutMs` (`AbortSignal.timeout`). A
   * timeout or a connection lost while the body streams rejects like a request that got no
   * response, so the callers retry it the same way.
   */
  private async request(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<HttpResponse> {
    const res = await this.fetchFn(url, { ...init, signal: AbortSignal.timeout(this.requestTimeoutMs) });
    return { status: res.status, ok: res.ok, headers: res.headers, text: await res.text() };
  }
}

function cacheKey(sellerId: string, region: Region, clientId: string): string {
  return `${clientId}\u0000${sellerId}\u0000${region}`;
}

function safeJson(text: string): unknown {
  try {
    return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}
