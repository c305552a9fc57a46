/**
 * The real SP-API client over real HTTP against a local server serving the sandbox examples.
 * Time, sleep and randomness are injected: no test waits for a real back-off.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { SpApiAuthorizationError, SpApiClient, SpApiError, SpApiThrottledError } from '../../functions/adapters/sp-api-client';
import type { OrdersPageRequest } from '../../functions/domain/ports';
import { FakeSpApi, sandboxOrders2026, variant2026 } from '../support/fake-sp-api';

const T0 = Date.parse('2024-12-26T00:00:00Z');

function harness(server: FakeSpApi, opts: { random?: number } = {}) {
  const clock = { t: T0, sleeps: [] as number[] };
  const client = new SpApiClient({
    lwaTokenUrl: server.lwaUrl,
    endpoints: server.endpoints,
    now: () => clock.t,
    sleep: async (ms) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
    random: () => opts.random ?? 0.5,
  });
  return { client, clock };
}

const CREDS = { clientId: 'amzn1.application-oa2-client.test', clientSecret: 'not-a-real-secret', refreshToken: 'Atzr|seller-1' };

function request(overrides: Partial<OrdersPageRequest> = {}): OrdersPageRequest {
  return {
    sellerId: 'A1SELLER',
    region: 'NA',
    marketplaceIds: ['ATVPDKIKX0DER', 'A2Q3Y263D00KWC'],
    lastUpdatedAfter: '2024-12-01T00:00:00.000Z',
    credentials: CREDS,
    deadlineMs: T0 + 10 * 60_000,
    ...overrides,
  };
}

describe('SpApiClient over HTTP', () => {
  let server: FakeSpApi;
  beforeEach(async () => {
    server = await new FakeSpApi().start();
  });
  afterEach(async () => {
    await server.stop();
  });

  test('searchOrders (2026-01-01): merchant orders, documented parameters, pagination, one LWA call', async () => {
    server.pageSize = 1;
    const { client } = harness(server);
    const first = await client.listOrders('2026-01-01', request());
    expect(first.orders.map((o) => o.orderId)).toEqual(['171-2345678-9012345']);
    expect(first.nextToken).toBe('tok-1');
    expect(first.rateLimitHeader).toBe('0.0056');
    const second = await client.listOrders('2026-01-01', request({ paginationToken: first.nextToken }));
    expect(second.orders).toEqual([
      expect.objectContaining({
        orderId: '123-4567890-1234567',
        marketplace: 'amazon.com',
        fulfilledBy: 'MERCHANT',
        orderState: 'Shipped',
        purchaseDate: '2024-12-25T10:30:00.000Z',
        lastUpdated: '2024-12-25T14:45:00.000Z',
        latestShipDate: '2024-12-27T23:59:59.000Z',
        source: 'sp-api-2026',
      }),
    ]);
    expect(second.nextToken).toBeUndefined();

    const calls = server.ordersRequests('na');
    expect(calls).toHaveLength(2);
    expect(calls[0].path).toBe('/na/orders/2026-01-01/orders');
    expect(Object.fromEntries(calls[0].query)).toEqual({
      marketplaceIds: 'ATVPDKIKX0DER,A2Q3Y263D00KWC',
      lastUpdatedAfter: '2024-12-01T00:00:00.000Z',
      fulfilledBy: 'MERCHANT',
      includedData: 'FULFILLMENT',
      maxResultsPerPage: '100',
    });
    expect(calls[1].query.get('paginationToken')).toBe('tok-1');
    expect(calls[0].headers['x-amz-access-token']).toBe('Atza|fake-1');
    expect(calls[1].headers['x-amz-access-token']).toBe('Atza|fake-1');
    // The token is cached per seller: one LWA call for both pages, with the refresh-token grant.
    expect(server.tokenRequests()).toHaveLength(1);
    const form = new URLSearchParams(server.tokenRequests()[0].body);
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe(CREDS.refreshToken);
    expect(form.get('client_id')).toBe(CREDS.clientId);
  });

  test('getOrders (v0, selectable): FulfillmentChannels=MFN, LastUpdatedAfter, NextToken', async () => {
    server.pageSize = 2;
    const { client } = harness(server);
    const req = request({ marketplaceIds: ['ATVPDKIKX0DER'], lastUpdatedAfter: '1970-01-01T00:00:00.000Z' });
    const first = await client.listOrders('v0', req);
    expect(first.orders).toHaveLength(2);
    expect(first.nextToken).toBe('v0-2');
    const second = await client.listOrders('v0', { ...req, paginationToken: first.nextToken });
    expect(second.orders.map((o) => [o.orderId, o.orderState, o.fulfilledBy, o.source])).toEqual([
      ['902-3159896-1390916', 'Pending', 'MERCHANT', 'sp-api-v0'],
    ]);
    expect(second.nextToken).toBeUndefined();
    const calls = server.ordersRequests('na');
    expect(calls[0].path).toBe('/na/orders/v0/orders');
    expect(calls[0].query.get('FulfillmentChannels')).toBe('MFN');
    expect(calls[0].query.get('LastUpdatedAfter')).toBe('1970-01-01T00:00:00.000Z');
    expect(calls[0].query.get('MarketplaceIds')).toBe('ATVPDKIKX0DER');
    expect(calls[0].query.has('NextToken')).toBe(false);
    expect(calls[1].query.get('NextToken')).toBe('v0-2');
  });

  test('the regional endpoint follows the request region', async () => {
    const { client } = harness(server);
    const page = await client.listOrders('2026-01-01', request({ region: 'EU', marketplaceIds: ['A1F83G8C2ARO7P'] }));
    expect(page.orders.map((o) => [o.orderId, o.marketplace])).toEqual([['202-7654321-1098765', 'amazon.co.uk']]);
    expect(server.ordersRequests('eu')).toHaveLength(1);
    expect(server.ordersRequests('na')).toHaveLength(0);
  });

  test.each([403, 401])('an expired access token (%i) is refreshed once and the call repeated', async (status) => {
    server.expiredTokenStatus = status;
    const { client } = harness(server);
    await client.listOrders('2026-01-01', request());
    server.expireAccessTokens();
    const page = await client.listOrders('2026-01-01', request());
    expect(page.orders).toHaveLength(2);
    expect(server.tokenRequests()).toHaveLength(2);
    expect(server.ordersRequests().map((r) => r.status)).toEqual([200, status, 200]);
    expect(server.ordersRequests()[2].headers['x-amz-access-token']).toBe('Atza|fake-2');
  });

  test('the cached token is renewed shortly before it expires, without a 401', async () => {
    server.expiresIn = 120;
    const { client, clock } = harness(server);
    await client.listOrders('2026-01-01', request());
    clock.t += 30_000; // 90 s left: still used
    await client.listOrders('2026-01-01', request());
    clock.t += 31_000; // 59 s left (< 60 s margin): renewed first
    await client.listOrders('2026-01-01', request());
    expect(server.tokenRequests()).toHaveLength(2);
    expect(server.ordersRequests().every((r) => r.status === 200)).toBe(true);
  });

  test('429 with x-amzn-RateLimit-Limit: waits at least one token at the announced rate, with jitter', async () => {
    server.faults.push({ status: 429, headers: { 'x-amzn-RateLimit-Limit': '0.5' } });
    const { client, clock } = harness(server, { random: 0.5 });
    const page = await client.listOrders('2026-01-01', request());
    expect(page.orders).toHaveLength(2);
    expect(page.throttled).toBe(1);
    // 1 / 0.5 per s = 2 s for one token, plus full jitter (0.5 x 1 s for the first retry).
    expect(clock.sleeps).toEqual([2000 + 500]);
    expect(page.rateLimitHeader).toBe('0.0056');
  });

  test('throttled past the deadline: SpApiThrottledError instead of sleeping beyond it', async () => {
    server.faults.push({ status: 429, headers: { 'x-amzn-RateLimit-Limit': '0.0056' } });
    const { client, clock } = harness(server);
    const err = await client.listOrders('2026-01-01', request({ deadlineMs: T0 + 60_000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiThrottledError);
    expect((err as SpApiThrottledError).retryAfterMs).toBeGreaterThanOrEqual(178_000);
    expect((err as SpApiThrottledError).rateLimitHeader).toBe('0.0056');
    expect(clock.sleeps).toEqual([]);
    expect(server.ordersRequests()).toHaveLength(1);
  });

  test('5xx is retried with jittered exponential back-off', async () => {
    server.faults.push({ status: 500 }, { status: 503 });
    const { client, clock } = harness(server, { random: 0.25 });
    const page = await client.listOrders('2026-01-01', request());
    expect(page.orders).toHaveLength(2);
    expect(clock.sleeps).toEqual([250, 500]); // 0.25 x 1 s, 0.25 x 2 s
    expect(server.ordersRequests().map((r) => r.status)).toEqual([500, 503, 200]);
  });

  test('5xx on every attempt: SpApiError with the status, after maxAttempts', async () => {
    for (let i = 0; i < 5; i++) server.faults.push({ status: 503 });
    const { client } = harness(server);
    const err = await client.listOrders('2026-01-01', request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiError);
    expect(err).not.toBeInstanceOf(SpApiAuthorizationError);
    expect((err as SpApiError).status).toBe(503);
    expect(server.ordersRequests()).toHaveLength(5);
  });

  test('invalid_grant: SpApiAuthorizationError, no orders call, no secret in the message', async () => {
    server.revokedRefreshTokens.add(CREDS.refreshToken);
    const { client } = harness(server);
    const err = await client.listOrders('2026-01-01', request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiAuthorizationError);
    expect((err as SpApiAuthorizationError).reason).toBe('invalid-grant');
    expect((err as Error).message).not.toContain(CREDS.refreshToken);
    expect((err as Error).message).not.toContain(CREDS.clientSecret);
    expect(server.ordersRequests()).toHaveLength(0);
  });

  test('403 Unauthorized again with a fresh token: authorisation revoked (one refresh, no loop)', async () => {
    server.deauthorized = true;
    const { client } = harness(server);
    const err = await client.listOrders('2026-01-01', request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiAuthorizationError);
    expect((err as SpApiAuthorizationError).reason).toBe('authorization-revoked');
    expect(server.ordersRequests().map((r) => r.status)).toEqual([403, 403]);
    expect(server.tokenRequests()).toHaveLength(2);
  });

  test('a response that is not the documented shape is an SpApiError, not a crash', async () => {
    server.orders2026 = [variant2026(sandboxOrders2026()[1], 'not-an-order-id', '2024-12-25T06:45:00Z')];
    const { client } = harness(server);
    const err = await client.listOrders('2026-01-01', request({ region: 'EU', marketplaceIds: ['A1F83G8C2ARO7P'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiError);
    expect((err as Error).message).toMatch(/orderId/);
  });

  test('every failure, as the Powertools logger writes it, carries no token or secret', async () => {
    // The reason the generated @sp-api-sdk clients were not adopted (docs/order-sync.md): their
    // errors keep the axios request config, which the logger prints with the secrets in it.
    const failures: unknown[] = [];
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => failures.push(new Error('no failure')),
        (e: unknown) => failures.push(e),
      );
    server.revokedRefreshTokens.add('Atzr|revoked');
    await fail(harness(server).client.listOrders('2026-01-01', request({ credentials: { ...CREDS, refreshToken: 'Atzr|revoked' } })));
    for (let i = 0; i < 5; i++) server.faults.push({ status: 503 });
    await fail(harness(server).client.listOrders('2026-01-01', request()));
    server.faults.push({ status: 429, headers: { 'x-amzn-RateLimit-Limit': '0.0056' } });
    await fail(harness(server).client.listOrders('v0', request({ deadlineMs: T0 + 1000 })));
    server.deauthorized = true;
    await fail(harness(server).client.listOrders('2026-01-01', request()));
    const unreachable = new SpApiClient({ lwaTokenUrl: server.lwaUrl, endpoints: { NA: 'http://127.0.0.1:9' }, maxAttempts: 1, now: () => T0 });
    await fail(unreachable.listOrders('2026-01-01', request()));
    expect(failures.map((e) => (e as Error).constructor.name)).toEqual(['SpApiAuthorizationError', 'SpApiError', 'SpApiThrottledError', 'SpApiAuthorizationError', 'SpApiError']);

    const lines: string[] = [];
    // The logger writes to process.stderr (or to console.error with POWERTOOLS_DEV set).
    const spies = [
      jest.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line))),
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0),
    ];
    try {
      const logger = new Logger({ serviceName: 'test', logLevel: 'ERROR' });
      for (const err of failures) logger.error('order sync failed', err as Error);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(lines).toHaveLength(5);
    const issued = server.requests.map((r) => r.headers['x-amz-access-token']).filter((t): t is string => typeof t === 'string');
    expect(issued.length).toBeGreaterThan(0);
    for (const line of lines) {
      for (const secret of [CREDS.clientSecret, CREDS.refreshToken, 'Atzr|revoked', 'Atza|', ...issued]) expect(line).not.toContain(secret);
    }
  });

  test('a body that stalls past requestTimeoutMs is a request without response: retried, then SpApiError', async () => {
    // Headers at once, then half a JSON body and silence: the timeout covers the body too.
    let stalled = 0;
    const stall = createServer((_req, res) => {
      stalled++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"orders": [');
    });
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(stall.address() as AddressInfo).port}`;
      const sleeps: number[] = [];
      const client = new SpApiClient({
        lwaTokenUrl: server.lwaUrl,
        endpoints: { NA: base },
        requestTimeoutMs: 100,
        maxAttempts: 2,
        now: () => T0,
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 0.5,
      });
      const err = await client.listOrders('2026-01-01', request()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SpApiError);
      expect((err as SpApiError).status).toBe(0);
      expect((err as Error).message).toMatch(/^searchOrders: no response/);
      expect(stalled).toBe(2);
      expect(sleeps).toEqual([500]);
    } finally {
      stall.closeAllConnections();
      await new Promise<void>((r) => stall.close(() => r()));
    }
  });

  test('LWA answering 503 or not at all is tried again with full-jitter waits; its last answer is judged, not retried past maxAttempts', async () => {
    // A token endpoint that fails the first `failFirst` requests with 503 (or drops the connection), then issues a token.
    const lwa = (failFirst: number, how: 'status' | 'drop') => {
      let seen = 0;
      const server = createServer((req, res) => {
        seen++;
        req.resume();
        if (seen <= failFirst) {
          if (how === 'drop') req.socket.destroy();
          else res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"server_error"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `Atza|after-${seen}`, token_type: 'bearer', expires_in: 3600 }));
      });
      return { server, requests: () => seen };
    };
    const run = async (failFirst: number, how: 'status' | 'drop') => {
      const { server, requests } = lwa(failFirst, how);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const sleeps: number[] = [];
        const client = new SpApiClient({
          lwaTokenUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/o2/token`,
          endpoints: { NA: 'http://127.0.0.1:9' },
          maxAttempts: 3,
          now: () => T0,
          sleep: async (ms) => void sleeps.push(ms),
          random: () => 0.5,
        });
        const out = await client.accessToken(request()).catch((e: unknown) => e);
        return { out, sleeps, requests: requests() };
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    };
    // 0.5 x 1 s after the first failure, 0.5 x 2 s after the second.
    expect(await run(2, 'status')).toEqual({ out: 'Atza|after-3', sleeps: [500, 1000], requests: 3 });
    const gaveUp = await run(3, 'status');
    expect(gaveUp).toMatchObject({ sleeps: [500, 1000], requests: 3 });
    expect(gaveUp.out).toBeInstanceOf(SpApiError);
    expect((gaveUp.out as SpApiError).status).toBe(503);
    expect((gaveUp.out as Error).message).toMatch(/LWA token request failed \(server_error\)/);
    expect(await run(1, 'drop')).toEqual({ out: 'Atza|after-2', sleeps: [500], requests: 2 });
    const unreachable = await run(3, 'drop');
    expect(unreachable).toMatchObject({ sleeps: [500, 1000], requests: 3 });
    expect(unreachable.out).toBeInstanceOf(SpApiError);
    expect((unreachable.out as SpApiError).status).toBe(0);
    expect((unreachable.out as Error).message).toMatch(/no response/);
  });
});
