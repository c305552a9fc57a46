/**
 * One seller's sync end to end: the real client over real HTTP (local server with the sandbox
 * orders), the real sync state and repository on dynalite, a fake clock.
 */
import { SpApiClient } from '../../functions/adapters/sp-api-client';
import { DynamoDbSyncState } from '../../functions/adapters/dynamodb/sync-state';
import { StaticCredentials } from '../../functions/adapters/secrets';
import { parseUnshippedReport } from '../../functions/adapters/report-file';
import type { OrdersApi, SyncEvent } from '../../functions/domain/ports';
import { DEFAULT_POLICY, type Seller } from '../../functions/domain/types';
import { importOrders } from '../../functions/services/import-orders';
import { syncSellerOrders, type SyncOrdersDeps } from '../../functions/services/sync-orders';
import { useDynalite } from '../support/dynalite';
import { FakeSpApi, sandboxOrders2026, variant2026 } from '../support/fake-sp-api';

const T0 = Date.parse('2024-12-26T00:00:00Z');
const SELLER: Seller = {
  sellerId: 'A1SELLER',
  name: 'Test seller',
  marketplaces: ['amazon.com', 'amazon.com.br', 'amazon.co.uk'],
  createdAt: '2024-12-01T00:00:00.000Z',
};
const APP = { clientId: 'amzn1.application-oa2-client.test', clientSecret: 'not-a-real-secret' };

const ddb = useDynalite({ freshTablePerTest: true });

interface Harness {
  deps: SyncOrdersDeps;
  clock: { t: number };
  events: SyncEvent[];
  state: DynamoDbSyncState;
  credentials: StaticCredentials;
}

/** `callMs`: how much fake time each API call takes. */
function harness(server: FakeSpApi, opts: { callMs?: number; refreshToken?: string } = {}): Harness {
  const clock = { t: T0 };
  const client = new SpApiClient({
    lwaTokenUrl: server.lwaUrl,
    endpoints: server.endpoints,
    now: () => clock.t,
    sleep: async (ms) => void (clock.t += ms),
    random: () => 0.5,
  });
  const api: OrdersApi = {
    listOrders: async (v, req) => {
      clock.t += opts.callMs ?? 1000;
      return client.listOrders(v, req);
    },
  };
  const events: SyncEvent[] = [];
  const state = new DynamoDbSyncState({ client: ddb.client, tableName: ddb.tableName });
  const credentials = new StaticCredentials(APP, { A1SELLER: opts.refreshToken ?? 'Atzr|seller-1' });
  return {
    clock,
    events,
    state,
    credentials,
    deps: {
      repo: ddb.repository,
      state,
      api,
      credentials,
      events: { publish: async (e) => void events.push(e) },
      now: () => clock.t,
      sleep: async (ms) => void (clock.t += ms),
      policy: DEFAULT_POLICY,
    },
  };
}

describe('syncSellerOrders', () => {
  let server: FakeSpApi;
  beforeEach(async () => {
    server = await new FakeSpApi().start();
    await ddb.repository.putSeller(SELLER);
  });
  afterEach(async () => {
    await server.stop();
  });

  test('2026-01-01: every region of the seller, orders stored, watermark and health recorded', async () => {
    const h = harness(server);
    const r = await syncSellerOrders(h.deps, { sellerId: 'A1SELLER', owner: 'run-1', deadlineMs: T0 + 10 * 60_000 });
    expect(r.status).toBe('synced');
    expect(r.regions.map((x) => [x.region, x.outcome])).toEqual([
      ['NA', 'complete'],
      ['EU', 'complete'],
    ]);
    const stored = await ddb.repository.listOrders('A1SELLER');
    expect(stored.map((o) => o.orderId).sort()).toEqual(['123-4567890-1234567', '171-2345678-9012345', '202-7654321-1098765']);
    expect(r.ordersWritten).toBe(3);
    // First query reaches back 30 days; the cursor's watermark is when the query started.
    const first = server.ordersRequests('na')[0];
    expect(first.query.get('lastUpdatedAfter')).toBe('2024-11-26T00:00:00.000Z');
    expect(first.query.get('marketplaceIds')).toBe('ATVPDKIKX0DER,A2Q3Y263D00KWC');
    expect((await h.state.getCursor('A1SELLER', 'NA', '2026-01-01')).watermark).toBe('2024-12-26T00:00:00.000Z');
    for (const m of SELLER.marketplaces) {
      expect(await h.state.getHealth('A1SELLER', m)).toEqual(expect.objectContaining({ lastSuccessAt: expect.any(String) }));
    }
    // The token bucket is persisted per seller + region + operation, with Amazon's announced rate.
    expect(await h.state.getBucket('A1SELLER', 'NA', 'searchOrders')).toEqual(expect.objectContaining({ observedRatePerSecond: 0.0056 }));

    // Next run: watermark minus the 10-minute overlap; replayed orders write nothing.
    h.clock.t += 15 * 60_000;
    const again = await syncSellerOrders(h.deps, { sellerId: 'A1SELLER', owner: 'run-2', deadlineMs: h.clock.t + 10 * 60_000 });
    expect(again.status).toBe('synced');
    expect(server.ordersRequests('na')[1].query.get('lastUpdatedAfter')).toBe('2024-12-25T23:50:00.000Z');
  });

  test('v0 getOrders when the seller is set to it', async () => {
    await ddb.repository.putSeller({ ...SELLER, sellerId: 'A2VZERO', marketplaces: ['amazon.com'], orderSync: { api: 'v0' } } as Seller);
    const h = harness(server);
    // The v0 sandbox orders are dated 1970: reach back far enough.
    const r = await syncSellerOrders(h.deps, {
      sellerId: 'A2VZERO',
      owner: 'run-1',
      deadlineMs: T0 + 10 * 60_000,
      initialLookbackMs: T0,
    });
    expect(r.failures).toEqual(['credentials-missing']); // no token for this seller yet: broken, loudly
    const h2 = harness(server);
    const creds = new StaticCredentials(APP, { A2VZERO: 'Atzr|v0' });
    const r2 = await syncSellerOrders({ ...h2.deps, credentials: creds }, { sellerId: 'A2VZERO', owner: 'run-2', deadlineMs: T0 + 10 * 60_000, initialLookbackMs: T0 });
    expect(r2.status).toBe('synced');
    expect(server.ordersRequests('na').every((q) => q.path === '/na/orders/v0/orders' && q.query.get('FulfillmentChannels') === 'MFN')).toBe(true);
    const stored = await ddb.repository.listOrders('A2VZERO');
    expect(stored.map((o) => [o.orderId, o.source]).sort()).toEqual([
      ['902-1845936-5435065', 'sp-api-v0'],
      ['902-3159896-1390916', 'sp-api-v0'],
      ['902-8745147-1934268', 'sp-api-v0'],
    ]);
    expect(h.events.concat(h2.events).map((e) => e.type)).toEqual(['order-sync-broken', 'order-sync-recovered']);
  });

  test('runs out of time mid-pagination, saves the page token, and the next run resumes it', async () => {
    const template = sandboxOrders2026()[3]; // amazon.com, MERCHANT
    server.orders2026 = Array.from({ length: 6 }, (_, i) => variant2026(template, `111-0000000-000000${i}`, `2024-12-25T1${i}:00:00Z`));
    server.pageSize = 2;
    await ddb.repository.putSeller({ ...SELLER, sellerId: 'A3PAGES', marketplaces: ['amazon.com'] });
    const h = harness(server, { callMs: 20_000 });
    const creds = new StaticCredentials(APP, { A3PAGES: 'Atzr|p' });
    const deps = { ...h.deps, credentials: creds };
    // Room for two calls (20 s each; another starts only with 10 s budget + 5 s safety left), not three.
    const first = await syncSellerOrders(deps, { sellerId: 'A3PAGES', owner: 'run-1', deadlineMs: T0 + 50_000 });
    expect(first.status).toBe('partial');
    expect(first.regions).toEqual([{ region: 'NA', outcome: 'paused' }]);
    expect(first.pages).toBe(2);
    const cursor = await h.state.getCursor('A3PAGES', 'NA', '2026-01-01');
    expect(cursor.pending).toEqual({ paginationToken: 'tok-4', lastUpdatedAfter: '2024-11-26T00:00:00.000Z', queryStartedAt: '2024-12-26T00:00:00.000Z' });
    expect(cursor.watermark).toBeUndefined();
    expect(await h.state.getHealth('A3PAGES', 'amazon.com')).toBeUndefined(); // not a success yet

    h.clock.t += 15 * 60_000;
    const second = await syncSellerOrders(deps, { sellerId: 'A3PAGES', owner: 'run-2', deadlineMs: h.clock.t + 60_000 });
    expect(second.status).toBe('synced');
    const calls = server.ordersRequests('na');
    expect(calls).toHaveLength(3);
    // Resumed with the same parameters and the token, not restarted.
    expect(calls[2].query.get('paginationToken')).toBe('tok-4');
    expect(calls[2].query.get('lastUpdatedAfter')).toBe('2024-11-26T00:00:00.000Z');
    expect((await ddb.repository.listOrders('A3PAGES')).map((o) => [o.orderId, o.version])).toEqual(
      Array.from({ length: 6 }, (_, i) => [`111-0000000-000000${i}`, 1]),
    );
    expect((await h.state.getCursor('A3PAGES', 'NA', '2026-01-01'))).toEqual({ watermark: '2024-12-26T00:00:00.000Z' });
  });

  test('an empty token bucket whose next token comes after the deadline: no call, state kept', async () => {
    const h = harness(server);
    await h.state.putBucket('A1SELLER', 'NA', 'searchOrders', { tokens: 0, updatedAtMs: T0 });
    const r = await syncSellerOrders(h.deps, { sellerId: 'A1SELLER', owner: 'run-1', deadlineMs: T0 + 60_000 });
    expect(r.regions.find((x) => x.region === 'NA')?.outcome).toBe('paused');
    expect(server.ordersRequests('na')).toHaveLength(0);
    expect(server.ordersRequests('eu')).toHaveLength(1); // the other region has its own bucket
  });

  test('invalid_grant marks every marketplace of the region broken with reason and since, one event, and the next run tries again', async () => {
    server.revokedRefreshTokens.add('Atzr|seller-1');
    const h = harness(server);
    const r = await syncSellerOrders(h.deps, { sellerId: 'A1SELLER', owner: 'run-1', deadlineMs: T0 + 10 * 60_000 });
    expect(r.failures).toEqual(['invalid-grant', 'invalid-grant']);
    const health = await h.state.getHealth('A1SELLER', 'amazon.com');
    // `since` is when the failing call happened (each fake call takes 1 s).
    expect(health?.broken).toEqual({ reason: 'invalid-grant', since: '2024-12-26T00:00:01.000Z', detail: expect.stringContaining('invalid_grant') });
    expect(h.events.map((e) => [e.type, e.marketplace])).toEqual([
      ['order-sync-broken', 'amazon.com'],
      ['order-sync-broken', 'amazon.com.br'],
      ['order-sync-broken', 'amazon.co.uk'],
    ]);

    // Still broken next run: tried again (never switched off), `since` kept, no second event.
    h.clock.t += 15 * 60_000;
    await syncSellerOrders(h.deps, { sellerId: 'A1SELLER', owner: 'run-2', deadlineMs: h.clock.t + 10 * 60_000 });
    expect(server.tokenRequests()).toHaveLength(4);
    expect((await h.state.getHealth('A1SELLER', 'amazon.com'))?.broken?.since).toBe('2024-12-26T00:00:01.000Z');
    expect(h.events).toHaveLength(3);

    // The seller re-authorises: the next run succeeds and says so.
    server.revokedRefreshTokens.clear();
    h.clock.t += 15 * 60_000;
    const ok = await syncSellerOrders(h.deps, { sellerId: 'A1SELLER', owner: 'run-3', deadlineMs: h.clock.t + 10 * 60_000 });
    expect(ok.status).toBe('synced');
    expect((await h.state.getHealth('A1SELLER', 'amazon.com'))?.broken).toBeUndefined();
    expect(h.events.slice(3).map((e) => e.type)).toEqual(['order-sync-recovered', 'order-sync-recovered', 'order-sync-recovered']);
  });

  test('throttled beyond the time left: recorded as an error, bucket drained, not broken, token kept', async () => {
    server.faults.push({ status: 429, headers: { 'x-amzn-RateLimit-Limit': '0.0056' } });
    const h = harness(server);
    const r = await syncSellerOrders(h.deps, { sellerId: 'A1SELLER', owner: 'run-1', deadlineMs: T0 + 60_000 });
    expect(r.regions[0]).toEqual({ region: 'NA', outcome: 'throttled', reason: 'throttled' });
    expect(r.throttledCalls).toBe(1);
    expect(await h.state.getBucket('A1SELLER', 'NA', 'searchOrders')).toEqual(expect.objectContaining({ tokens: 0, observedRatePerSecond: 0.0056 }));
    const health = await h.state.getHealth('A1SELLER', 'amazon.com');
    expect(health?.broken).toBeUndefined();
    expect(health?.lastError?.reason).toBe('throttled');
  });

  test('two concurrent syncs of one seller make no duplicate calls and store each order once', async () => {
    server.delayMs = 50;
    const h1 = harness(server);
    const h2 = harness(server);
    const [a, b] = await Promise.all([
      syncSellerOrders(h1.deps, { sellerId: 'A1SELLER', owner: 'run-a', deadlineMs: T0 + 10 * 60_000 }),
      syncSellerOrders(h2.deps, { sellerId: 'A1SELLER', owner: 'run-b', deadlineMs: T0 + 10 * 60_000 }),
    ]);
    expect([a.status, b.status].sort()).toEqual(['skipped-leased', 'synced']);
    // Exactly one call per region, one LWA call per region: what a single run makes.
    expect(server.ordersRequests('na')).toHaveLength(1);
    expect(server.ordersRequests('eu')).toHaveLength(1);
    expect(server.tokenRequests()).toHaveLength(2);
    const stored = await ddb.repository.listOrders('A1SELLER');
    expect(stored).toHaveLength(3);
    expect(stored.every((o) => o.version === 1)).toBe(true);
    // The lease is released: a later run goes ahead.
    const c = await syncSellerOrders(h1.deps, { sellerId: 'A1SELLER', owner: 'run-c', deadlineMs: T0 + 10 * 60_000 });
    expect(c.status).toBe('synced');
  });

  test('a report import and an API sync of the same order agree, in either order', async () => {
    // The amazon.com.br order of the sandbox, as the Unshipped Orders report lists it.
    const report = [
      ['order-id', 'order-item-id', 'purchase-date', 'payments-date', 'quantity-purchased', 'quantity-shipped', 'sales-channel'].join('\t'),
      ['171-2345678-9012345', '17123456789012', '2024-12-22T15:30:00+00:00', '2024-12-22T15:35:00+00:00', '1', '0', 'Amazon.com.br'].join('\t'),
    ].join('\n');
    const now = new Date(T0).toISOString();
    const fields = (o: Record<string, unknown> | undefined) => ({
      orderId: o?.orderId,
      marketplace: o?.marketplace,
      fulfilledBy: o?.fulfilledBy,
      orderState: o?.orderState,
      purchaseDate: o?.purchaseDate,
      status: o?.status,
    });
    const apiOrder = sandboxOrders2026().find((o) => o.orderId === '171-2345678-9012345')!;
    expect(apiOrder.createdTime).toBe('2024-12-22T15:30:00Z'); // the report row above says the same

    for (const [sellerId, first] of [
      ['A4REPORTFIRST', 'report'],
      ['A5APIFIRST', 'api'],
    ] as const) {
      await ddb.repository.putSeller({ ...SELLER, sellerId, marketplaces: ['amazon.com.br'] });
      const h = harness(server);
      const deps = { ...h.deps, credentials: new StaticCredentials(APP, { [sellerId]: 'Atzr|x' }) };
      const viaReport = () => importOrders(ddb.repository, parseUnshippedReport(report, 'report.txt', { sellerId }), now, DEFAULT_POLICY);
      const viaApi = () => syncSellerOrders(deps, { sellerId, owner: 'run', deadlineMs: T0 + 10 * 60_000 });
      if (first === 'report') {
        await viaReport();
        const afterReport = fields(await ddb.repository.getOrder(sellerId, '171-2345678-9012345') as never);
        await viaApi();
        expect(fields(await ddb.repository.getOrder(sellerId, '171-2345678-9012345') as never)).toEqual(afterReport);
      } else {
        await viaApi();
        const afterApi = fields(await ddb.repository.getOrder(sellerId, '171-2345678-9012345') as never);
        await viaReport();
        expect(fields(await ddb.repository.getOrder(sellerId, '171-2345678-9012345') as never)).toEqual(afterApi);
      }
    }
    const a = await ddb.repository.getOrder('A4REPORTFIRST', '171-2345678-9012345');
    const b = await ddb.repository.getOrder('A5APIFIRST', '171-2345678-9012345');
    expect(fields(a as never)).toEqual(fields(b as never));
    expect(fields(a as never)).toEqual(
      expect.objectContaining({ marketplace: 'amazon.com.br', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: '2024-12-22T15:30:00.000Z' }),
    );
  });
});

describe('syncSellerOrders pacing', () => {
  let server: FakeSpApi;
  beforeEach(async () => {
    server = await new FakeSpApi().start();
    await ddb.repository.putSeller({ ...SELLER, marketplaces: ['amazon.com'] });
  });
  afterEach(async () => server.stop());

  test('after the burst, a run does not sleep 3 minutes for the next token: it pauses and the next run resumes', async () => {
    const template = sandboxOrders2026()[3];
    server.orders2026 = Array.from({ length: 25 }, (_, i) => variant2026(template, `111-0000000-00000${String(i).padStart(2, '0')}`, '2024-12-25T10:00:00Z'));
    server.pageSize = 1;
    const h = harness(server, { callMs: 500 });
    const slept: number[] = [];
    const deps = { ...h.deps, sleep: async (ms: number) => void (slept.push(ms), (h.clock.t += ms)) };
    const r = await syncSellerOrders(deps, { sellerId: 'A1SELLER', owner: 'run-1', deadlineMs: T0 + 14 * 60_000 });
    expect(r.pages).toBe(20); // the burst
    expect(r.regions).toEqual([{ region: 'NA', outcome: 'paused' }]);
    expect(slept).toEqual([]);
    expect((await h.state.getCursor('A1SELLER', 'NA', '2026-01-01')).pending?.paginationToken).toBe('tok-20');
    // 15 minutes later: 5 tokens refilled (one per 180 s at the announced 0.0056/s), the rest is read.
    h.clock.t += 15 * 60_000;
    const next = await syncSellerOrders(deps, { sellerId: 'A1SELLER', owner: 'run-2', deadlineMs: h.clock.t + 14 * 60_000 });
    expect(next.pages).toBe(5);
    expect(next.status).toBe('synced');
    expect(await ddb.repository.listOrders('A1SELLER')).toHaveLength(25);
  });
});
