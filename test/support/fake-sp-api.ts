/**
 * A local SP-API over real HTTP (node:http on 127.0.0.1, port chosen by the OS), serving orders
 * taken from Amazon's published sandbox examples (test/fixtures/reference/sp-api), in the documented envelopes:
 * - POST /auth/o2/token (LWA, grant_type=refresh_token; `invalid_grant` for revoked tokens)
 * - GET  /<region>/orders/2026-01-01/orders (searchOrders: marketplaceIds, lastUpdatedAfter,
 *   fulfilledBy, includedData, paginationToken, maxResultsPerPage)
 * - GET  /<region>/orders/v0/orders (getOrders: MarketplaceIds, LastUpdatedAfter,
 *   FulfillmentChannels, NextToken)
 * Every request is recorded, so tests assert exactly what the client asked and how often.
 * Faults (429 with rate-limit headers, 5xx) are queued and served before the next orders answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SP_API_REFERENCE } from './reference';

export { SP_API_REFERENCE };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function loadSandbox(file: string): Json {
  return JSON.parse(readFileSync(join(SP_API_REFERENCE, file), 'utf8')) as Json;
}

/** Every Order object in the searchOrders sandbox (static responses and the example), deep-copied. */
export function sandboxOrders2026(): Json[] {
  const d = loadSandbox('orders-2026-01-01-searchOrders.sandbox.json');
  const out: Json[] = [];
  for (const s of d['x-amzn-api-sandbox']['200'].static) out.push(...s.response.orders);
  out.push(...d.examples['200']['application/json'].orders);
  return JSON.parse(JSON.stringify(out)) as Json[];
}

/** Every Order object in the v0 getOrders sandbox, de-duplicated by AmazonOrderId. */
export function sandboxOrdersV0(): Json[] {
  const d = loadSandbox('orders-v0-getOrders.sandbox.json');
  const seen = new Map<string, Json>();
  for (const s of d['x-amzn-api-sandbox']['200'].static) for (const o of s.response.payload.Orders) seen.set(o.AmazonOrderId, o);
  return JSON.parse(JSON.stringify([...seen.values()])) as Json[];
}

export function sandboxOrderChangeExample(): Json {
  const schema = loadSandbox('OrderChangeNotification.schema.json');
  return JSON.parse(JSON.stringify(schema.examples[0])) as Json;
}

/** A copy of a 2026 order with another ID and update time (to make pages of many orders). */
export function variant2026(template: Json, orderId: string, lastUpdatedTime: string, patch: Json = {}): Json {
  const o = JSON.parse(JSON.stringify(template)) as Json;
  o.orderId = orderId;
  o.lastUpdatedTime = lastUpdatedTime;
  return { ...o, ...patch };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeSpApiOptions {
  orders2026?: Json[];
  ordersV0?: Json[];
  /** Orders per page regardless of what the client asks (default 100). */
  pageSize?: number;
  /** `expires_in` of issued access tokens (default 3600). */
  expiresIn?: number;
  /** `x-amzn-RateLimit-Limit` sent with every orders response (default '0.0056'). */
  rateLimit?: string;
  /** Milliseconds every orders response is held back (to overlap concurrent runs). */
  delayMs?: number;
}

export class FakeSpApi {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly revokedRefreshTokens = new Set<string>();
  orders2026: Json[];
  ordersV0: Json[];
  pageSize: number;
  expiresIn: number;
  rateLimit: string;
  delayMs: number;
  /** Answer 403 Unauthorized to every orders call (the seller removed the app). */
  deauthorized = false;
  /** `createdBefore` of every searchOrders answer (the sandbox's; a test on the wall clock sets a recent one). */
  createdBefore = '2024-12-25T15:00:00Z';
  /** Status for an expired or unknown access token (403 as the SP-API does; 401 to test that too). */
  expiredTokenStatus = 403;
  private readonly validTokens = new Set<string>();
  private issued = 0;
  private server?: Server;
  private base = '';

  constructor(options: FakeSpApiOptions = {}) {
    this.orders2026 = options.orders2026 ?? sandboxOrders2026();
    this.ordersV0 = options.ordersV0 ?? sandboxOrdersV0();
    this.pageSize = options.pageSize ?? 100;
    this.expiresIn = options.expiresIn ?? 3600;
    this.rateLimit = options.rateLimit ?? '0.0056';
    this.delayMs = options.delayMs ?? 0;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  get lwaUrl(): string {
    return `${this.base}/auth/o2/token`;
  }

  get endpoints(): { NA: string; EU: string; FE: string } {
    return { NA: `${this.base}/na`, EU: `${this.base}/eu`, FE: `${this.base}/fe` };
  }

  /** Orders requests (not LWA), optionally of one region. */
  ordersRequests(region?: 'na' | 'eu' | 'fe'): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes('/orders/') && (!region || r.path.startsWith(`/${region}/`)));
  }

  tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/auth/o2/token');
  }

  /** Every access token issued so far stops working (as if an hour had passed). */
  expireAccessTokens(): void {
    this.validTokens.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, status: 0 };
    this.requests.push(rec);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': `req-${this.requests.length}`, ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };

    if (url.pathname === '/auth/o2/token') {
      const form = new URLSearchParams(body);
      if (req.method !== 'POST' || form.get('grant_type') !== 'refresh_token' || !form.get('client_id') || !form.get('client_secret')) {
        return send(400, { error: 'invalid_request', error_description: 'bad token request' });
      }
      if (this.revokedRefreshTokens.has(form.get('refresh_token') ?? '')) {
        return send(400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' });
      }
      const token = `Atza|fake-${++this.issued}`;
      this.validTokens.add(token);
      return send(200, { access_token: token, refresh_token: form.get('refresh_token'), token_type: 'bearer', expires_in: this.expiresIn });
    }

    const m = /^\/(na|eu|fe)(\/orders\/(2026-01-01|v0)\/orders)$/.exec(url.pathname);
    if (!m) return send(404, { errors: [{ code: 'NotFound', message: 'no such resource' }] });
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const limitHeader = { 'x-amzn-RateLimit-Limit': this.rateLimit };

    const fault = this.faults.shift();
    if (fault) return send(fault.status, fault.body ?? { errors: [{ code: fault.status === 429 ? 'QuotaExceeded' : 'InternalFailure', message: 'fault' }] }, fault.headers ?? {});

    const token = String(req.headers['x-amz-access-token'] ?? '');
    if (!this.validTokens.has(token)) {
      // What the SP-API answers an expired access token: 403 Unauthorized, the reason in `details`.
      return send(this.expiredTokenStatus, {
        errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The access token you provided has expired.' }],
      });
    }
    if (this.deauthorized) {
      return send(403, { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] });
    }

    if (m[3] === '2026-01-01') {
      const q = url.searchParams;
      const ids = (q.get('marketplaceIds') ?? '').split(',');
      const after = Date.parse(q.get('lastUpdatedAfter') ?? '');
      if (!ids[0] || Number.isNaN(after)) return send(400, { errors: [{ code: 'InvalidInput', message: 'Invalid Input', details: 'Invalid Input' }] });
      const all = this.orders2026
        .filter((o) => ids.includes(o.salesChannel.marketplaceId))
        .filter((o) => !q.get('fulfilledBy') || o.fulfillment?.fulfilledBy === q.get('fulfilledBy'))
        .filter((o) => Date.parse(o.lastUpdatedTime) > after);
      const offset = q.get('paginationToken') ? Number(/^tok-(\d+)$/.exec(q.get('paginationToken')!)?.[1] ?? NaN) : 0;
      if (Number.isNaN(offset)) return send(400, { errors: [{ code: 'InvalidInput', message: 'Invalid paginationToken' }] });
      const page = all.slice(offset, offset + this.pageSize);
      const next = offset + this.pageSize < all.length ? `tok-${offset + this.pageSize}` : undefined;
      return send(200, { orders: page, ...(next ? { pagination: { nextToken: next } } : {}), createdBefore: this.createdBefore }, limitHeader);
    }

    const q = url.searchParams;
    const ids = (q.get('MarketplaceIds') ?? '').split(',');
    const after = Date.parse(q.get('LastUpdatedAfter') ?? '');
    if (!ids[0] || Number.isNaN(after)) return send(400, { errors: [{ code: 'InvalidInput', message: 'Invalid Input' }] });
    const channels = q.get('FulfillmentChannels');
    const all = this.ordersV0
      .filter((o) => ids.includes(o.MarketplaceId))
      .filter((o) => !channels || channels.split(',').includes(o.FulfillmentChannel))
      .filter((o) => Date.parse(o.LastUpdateDate) > after);
    const offset = q.get('NextToken') ? Number(/^v0-(\d+)$/.exec(q.get('NextToken')!)?.[1] ?? NaN) : 0;
    if (Number.isNaN(offset)) return send(400, { errors: [{ code: 'InvalidInput', message: 'Invalid NextToken' }] });
    const page = all.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < all.length ? `v0-${offset + this.pageSize}` : null;
    return send(200, { payload: { CreatedBefore: '1.569521782042E9', Orders: page, NextToken: next } }, { 'x-amzn-RateLimit-Limit': this.rateLimit });
  }
}
