/**
 * A small typed client for the Selling Partner API Orders operations we need, over `fetch`.
 *
 * Why not a library: the maintained TypeScript clients (amazon-sp-api, @scaleleap/selling-partner-api-sdk,
 * @sp-api-sdk/*) either predate the Orders API 2026-01-01 or target newer Node than the machines
 * run; the surface we need is two GET operations and the LWA token call, so a client of our own
 * costs less than adapting one, and every request is visible here.
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
 *
 * Tokens, secrets and buyer data never appear in errors or logs: error messages carry the status,
 * Amazon's error code and the request ID only.
 */
import { z } from 'zod';
import { InputError, SpApiAuthorizationError, SpApiError, SpApiResponseError, SpApiThrottledError } from '../domain/errors';
import type { Region } from '../domain/marketplaces';
import type { OrdersApiVersion } from '../domain/order-sync';
import type { OrdersApi, OrdersPage, OrdersPageRequest } from '../domain/ports';
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
  /** Per-request timeout (default 30 s). */
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
    let res: Response | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await this.fetchWithTimeout(this.lwaTokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', 'user-agent': this.userAgent },
          body: form.toString(),
        });
      } catch (err) {
        if (attempt >= this.maxAttempts) throw new SpApiError('lwa-token', 0, `no response: ${(err as Error).message}`, {}, { cause: err });
        await this.sleep(this.backoff(attempt));
        continue;
      }
      if ((res.status === 429 || res.status >= 500) && attempt < this.maxAttempts) {
        await res.arrayBuffer().catch(() => undefined);
        await this.sleep(this.backoff(attempt));
        continue;
      }
      break;
    }
    const text = await res.text();
    const json = safeJson(text);
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
   */
  private async call(operation: string, request: OrdersPageRequest, url: string): Promise<{ body: unknown; rateLimitHeader?: string; throttled: number }> {
    let refreshed = false;
    let throttled = 0;
    let lastRateLimit: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken(request);
      let res: Response;
      try {
        res = await this.fetchWithTimeout(url, {
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
        const text = await res.text();
        const body = safeJson(text);
        if (body === undefined) throw new SpApiResponseError(operation, res.status, 'response is not JSON', { requestId });
        return lastRateLimit === undefined ? { body, throttled } : { body, rateLimitHeader: lastRateLimit, throttled };
      }

      const errorBody = ErrorBodySchema.safeParse(safeJson(await res.text()));
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

  private async fetchWithTimeout(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.requestTimeoutMs);
    try {
      return await this.fetchFn(url, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
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
