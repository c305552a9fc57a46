import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../functions/domain/errors';
import {
  GetOrdersV0ResponseSchema,
  SearchOrders2026ResponseSchema,
  formatJsonPath,
  lineOfPath,
  parseSpApiOrders,
} from '../../functions/adapters/sp-api-json';
import { SP_API_REFERENCE } from '../support/reference';

const OPTS = { sellerId: 'seller-1' };
const REPO = path.join(__dirname, '..', '..');
// Amazon's published sandbox responses, kept in the repository (see test/fixtures/reference/SOURCES.md).
const SANDBOX_DIR = SP_API_REFERENCE;
const EXAMPLES_DIR = path.join(REPO, 'examples', 'orders');

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

interface SandboxFile {
  'x-amzn-api-sandbox': Record<string, { static: Array<{ response: unknown }> }>;
  examples: Record<string, { 'application/json': unknown }>;
}

/** Every 200 response in a sandbox extract: the static sandbox responses and the model example. */
function sandbox200(name: string): unknown[] {
  const f = readJson(path.join(SANDBOX_DIR, name)) as SandboxFile;
  return [...f['x-amzn-api-sandbox']['200'].static.map((s) => s.response), f.examples['200']['application/json']];
}

describe('real SP-API sandbox responses (test/fixtures/reference/sp-api)', () => {
  it('2026-01-01 searchOrders: every 200 response parses', () => {
    const results = sandbox200('orders-2026-01-01-searchOrders.sandbox.json').map((r) => parseSpApiOrders(r, 'searchOrders', OPTS));
    expect(results.every((r) => r.format === 'sp-api-2026')).toBe(true);
    const all = results.flatMap((r) => r.orders);
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(results[0].nextToken).toBe('2YgYW55IGNhcm5hbCBwbGVhc3VyZS4');
    expect(results[1].nextToken).toBeUndefined();
    expect(results[0].orders[0]).toEqual({
      sellerId: 'seller-1',
      orderId: '250-1234567-8901234',
      marketplace: 'amazon.co.jp',
      fulfilledBy: 'AMAZON',
      orderState: 'Shipped',
      purchaseDate: '2024-12-25T02:30:00.000Z',
      earliestShipDate: '2024-12-25T00:00:00.000Z',
      latestShipDate: '2024-12-25T23:59:59.000Z',
      lastUpdated: '2024-12-25T06:45:00.000Z',
      source: 'sp-api-2026',
    });
    expect(all.find((o) => o.orderId === '171-2345678-9012345')).toMatchObject({
      marketplace: 'amazon.com.br',
      fulfilledBy: 'MERCHANT',
      orderState: 'Unshipped',
    });
    // The sandbox carries buyer names, emails and addresses; none of it comes through.
    expect(JSON.stringify(all)).not.toMatch(/buyer|Sarah Thompson|SW1A|@marketplace/i);
  });

  it('2026-01-01 getOrder: every 200 response parses; a marketplace missing from our table keeps its domain', () => {
    const orders = sandbox200('orders-2026-01-01-getOrder.sandbox.json').flatMap((r) => parseSpApiOrders(r, 'getOrder', OPTS).orders);
    expect(orders).toHaveLength(4);
    expect(orders.find((o) => o.orderId === '028-1234567-8901234')?.marketplace).toBe('amazon.com.tr');
    // An order without shipByWindow has no ship dates.
    const noWindow = orders.find((o) => o.orderId === '114-9876543-1234567');
    expect(noWindow).toMatchObject({ marketplace: 'amazon.com', orderState: 'Unshipped' });
    expect(noWindow).not.toHaveProperty('latestShipDate');
  });

  it('v0 getOrders: every 200 response parses (NextToken null on the last page)', () => {
    const results = sandbox200('orders-v0-getOrders.sandbox.json').map((r) => parseSpApiOrders(r, 'getOrders', OPTS));
    expect(results.every((r) => r.format === 'sp-api-v0')).toBe(true);
    expect(results[0].nextToken).toBeUndefined();
    expect(results[1].nextToken).toBe('2YgYW55IGNhcm5hbCBwbGVhc3VyZS4');
    expect(results[0].orders[0]).toEqual({
      sellerId: 'seller-1',
      orderId: '902-1845936-5435065',
      marketplace: 'amazon.com',
      fulfilledBy: 'MERCHANT',
      orderState: 'Unshipped',
      purchaseDate: '1970-01-19T03:58:30.000Z',
      earliestShipDate: '1970-01-19T03:59:27.000Z',
      latestShipDate: '1970-01-19T04:05:13.000Z',
      lastUpdated: '1970-01-19T03:58:32.000Z',
      source: 'sp-api-v0',
    });
    expect(JSON.stringify(results)).not.toMatch(/user@example\.com|John Doe|Cross St/);
  });

  it('v0 getOrder: every 200 response parses', () => {
    const orders = sandbox200('orders-v0-getOrder.sandbox.json').flatMap((r) => parseSpApiOrders(r, 'getOrder', OPTS).orders);
    expect(orders.map((o) => [o.orderId, o.fulfilledBy, o.orderState, o.marketplace])).toEqual([
      ['902-1845936-5435065', 'MERCHANT', 'Unshipped', 'amazon.com'],
      ['921-3175655-0452641', 'AMAZON', 'Shipped', 'amazon.de'],
      ['902-3159896-1390916', 'MERCHANT', 'Pending', 'amazon.com'],
    ]);
    expect(orders[1].purchaseDate).toBe('2019-05-07T15:42:57.058Z');
  });

  it('a 400 sandbox response is reported as an SP-API error, not orders', () => {
    const f = readJson(path.join(SANDBOX_DIR, 'orders-2026-01-01-searchOrders.sandbox.json')) as SandboxFile;
    const e = inputError(() => parseSpApiOrders(f['x-amzn-api-sandbox']['400'].static[0].response, 'err.json', OPTS));
    expect(e.message).toBe('err.json: the file holds an SP-API error response (InvalidInput: Invalid Input), not orders');
  });
});

describe('our example files (examples/orders)', () => {
  it('search-orders.json: the seven 2026-01-01 orders of examples/README.md', () => {
    const r = parseSpApiOrders(readJson(path.join(EXAMPLES_DIR, 'search-orders.json')), 'search-orders.json', { sellerId: 'demo-seller' });
    expect(r.format).toBe('sp-api-2026');
    expect(r.nextToken).toBeUndefined();
    expect(r.orders.map((o) => [o.orderId, o.marketplace, o.fulfilledBy, o.orderState, o.purchaseDate])).toEqual([
      ['205-4455667-1000004', 'amazon.co.uk', 'MERCHANT', 'Unshipped', '2026-11-28T07:00:00.000Z'],
      ['407-4455667-1000005', 'amazon.fr', 'MERCHANT', 'Unshipped', '2026-11-28T08:00:00.000Z'],
      ['171-4455667-1000006', 'amazon.it', 'MERCHANT', 'PartiallyShipped', '2026-11-27T10:00:00.000Z'],
      ['406-4455667-1000007', 'amazon.es', 'MERCHANT', 'Shipped', '2026-11-26T10:00:00.000Z'],
      ['250-4455667-1000008', 'amazon.co.jp', 'MERCHANT', 'Unshipped', '2026-11-28T02:00:00.000Z'],
      ['250-4455667-1000009', 'amazon.co.jp', 'AMAZON', 'Unshipped', '2026-11-28T01:00:00.000Z'],
      ['113-4455667-1000010', 'amazon.com', 'MERCHANT', 'Pending', '2026-11-28T09:00:00.000Z'],
    ]);
    for (const o of r.orders) {
      // Ship-by 1-3 days after purchase.
      const days = (Date.parse(o.latestShipDate!) - Date.parse(o.purchaseDate)) / 86_400_000;
      expect(days).toBeGreaterThan(0.5);
      expect(days).toBeLessThan(4);
    }
    expect(JSON.stringify(r)).not.toMatch(/Placeholder|@marketplace|Sample Lane|見本/);
  });

  it('get-orders-v0.json: the two v0 orders of examples/README.md', () => {
    const r = parseSpApiOrders(readJson(path.join(EXAMPLES_DIR, 'get-orders-v0.json')), 'get-orders-v0.json', { sellerId: 'demo-seller' });
    expect(r.format).toBe('sp-api-v0');
    expect(r.orders.map((o) => [o.orderId, o.marketplace, o.fulfilledBy, o.orderState, o.purchaseDate])).toEqual([
      ['702-4455667-1000011', 'amazon.ca', 'MERCHANT', 'Unshipped', '2026-11-28T11:30:00.000Z'],
      ['114-4455667-1000012', 'amazon.com', 'MERCHANT', 'Canceled', '2026-11-26T12:00:00.000Z'],
    ]);
  });
});

describe('accepted shapes', () => {
  const order2026 = {
    orderId: '205-4455667-1000004',
    createdTime: '2026-11-28T07:00:00Z',
    lastUpdatedTime: '2026-11-28T07:31:00Z',
    salesChannel: { channelName: 'AMAZON', marketplaceId: 'A1F83G8C2ARO7P' },
    fulfillment: { fulfillmentStatus: 'CANCELLED', fulfilledBy: 'MERCHANT' },
    orderItems: [],
  };
  const orderV0 = {
    AmazonOrderId: '702-4455667-1000011',
    PurchaseDate: '2026-11-28T11:30:00Z',
    LastUpdateDate: '2026-11-28T11:52:00Z',
    OrderStatus: 'Unshipped',
    FulfillmentChannel: 'AFN',
    MarketplaceId: 'A2EUQ1WTGCTBG2',
  };

  it.each([
    ['searchOrders body', { orders: [order2026] }],
    ['searchOrders wrapped in payload', { payload: { orders: [order2026] } }],
    ['getOrder', { order: order2026 }],
    ['getOrder wrapped in payload', { payload: { order: order2026 } }],
    ['a bare Order', order2026],
  ])('2026-01-01: %s', (_name, json) => {
    const r = parseSpApiOrders(json, 'f.json', OPTS);
    expect(r.format).toBe('sp-api-2026');
    expect(r.orders).toEqual([expect.objectContaining({ orderId: '205-4455667-1000004', orderState: 'Canceled', marketplace: 'amazon.co.uk' })]);
  });

  it.each([
    ['getOrders', { payload: { Orders: [orderV0], NextToken: 'abc' } }],
    ['getOrders payload only', { Orders: [orderV0], NextToken: 'abc' }],
    ['getOrder', { payload: orderV0 }],
    ['a bare Order', orderV0],
  ])('v0: %s', (_name, json) => {
    const r = parseSpApiOrders(json, 'f.json', OPTS);
    expect(r.format).toBe('sp-api-v0');
    expect(r.orders).toEqual([expect.objectContaining({ orderId: '702-4455667-1000011', fulfilledBy: 'AMAZON', marketplace: 'amazon.ca' })]);
  });

  it('skips NON_AMAZON (multi-channel) orders, whose IDs have no documented format', () => {
    const other = { ...order2026, orderId: 'S01-ABC', salesChannel: { channelName: 'NON_AMAZON' } };
    expect(parseSpApiOrders({ orders: [other, order2026] }, 'f.json', OPTS).orders.map((o) => o.orderId)).toEqual(['205-4455667-1000004']);
  });

  it('exports the schemas for the live client (date-times come out canonical)', () => {
    expect(SearchOrders2026ResponseSchema.parse({ orders: [order2026] }).orders[0].createdTime).toBe('2026-11-28T07:00:00.000Z');
    expect(GetOrdersV0ResponseSchema.safeParse({ payload: { Orders: [orderV0] } }).success).toBe(true);
  });
});

describe('bad shapes give InputError naming the JSON path', () => {
  const good = readJson(path.join(EXAMPLES_DIR, 'search-orders.json')) as { orders: Array<Record<string, unknown>> };

  function withOrder(i: number, patch: (o: Record<string, unknown>) => void): unknown {
    const copy = JSON.parse(JSON.stringify(good)) as typeof good;
    patch(copy.orders[i]);
    return copy;
  }

  it('an unparsable date', () => {
    const e = inputError(() => parseSpApiOrders(withOrder(3, (o) => (o.createdTime = 'yesterday')), 'so.json', OPTS));
    expect(e.message).toBe('so.json: orders[3].createdTime: not an ISO-8601 date-time with offset: "yesterday"');
    expect(e.line).toBeUndefined();
  });

  it('a missing fulfillment block says which includedData is needed', () => {
    const e = inputError(() => parseSpApiOrders(withOrder(1, (o) => delete o.fulfillment), 'so.json', OPTS));
    expect(e.message).toBe('so.json: orders[1].fulfillment: missing (expected object) (call searchOrders/getOrder with includedData=FULFILLMENT)');
  });

  it('an unknown status', () => {
    const e = inputError(() =>
      parseSpApiOrders(withOrder(0, (o) => ((o.fulfillment as Record<string, unknown>).fulfillmentStatus = 'LOST')), 'so.json', OPTS),
    );
    expect(e.message).toMatch(/^so\.json: orders\[0\]\.fulfillment\.fulfillmentStatus: /);
  });

  it('a malformed order ID', () => {
    const e = inputError(() => parseSpApiOrders(withOrder(2, (o) => (o.orderId = '171-4455667')), 'so.json', OPTS));
    expect(e.message).toBe('so.json: orders[2].orderId: malformed order ID (expected 3-7-7 digits): "171-4455667"');
  });

  it('v0: a bad field inside payload.Orders', () => {
    const v0 = readJson(path.join(EXAMPLES_DIR, 'get-orders-v0.json')) as { payload: { Orders: Array<Record<string, unknown>> } };
    v0.payload.Orders[1].OrderStatus = 'Lost';
    delete v0.payload.Orders[0].PurchaseDate;
    const e = inputError(() => parseSpApiOrders(v0, 'v0.json', OPTS));
    expect(e.message).toMatch(/^v0\.json: payload\.Orders\[0\]\.PurchaseDate: missing \(expected string\) \(and 1 more problem\)$/);
  });

  it('with the source text, the error carries the line of the failing field or order', () => {
    const json = withOrder(3, (o) => (o.createdTime = 'yesterday'));
    const text = JSON.stringify(json, null, 2);
    const e = inputError(() => parseSpApiOrders(json, 'so.json', { ...OPTS, sourceText: text }));
    const expected = text.split('\n').findIndex((l) => l.includes('"yesterday"')) + 1;
    expect(e.line).toBe(expected);
    expect(e.message.startsWith(`so.json:${expected}: orders[3].createdTime`)).toBe(true);
    // A missing field: the line of its order.
    const missing = withOrder(2, (o) => delete o.fulfillment);
    const mtext = JSON.stringify(missing, null, 2);
    const m = inputError(() => parseSpApiOrders(missing, 'so.json', { ...OPTS, sourceText: mtext }));
    expect(m.line).toBe(mtext.split('\n').findIndex((l) => l.includes('"171-4455667-1000006"')));
  });

  it.each([
    [[], 'expected a JSON object, got an array'],
    ['text', 'expected a JSON object, got string'],
    [{ reports: [] }, 'not an SP-API orders response'],
  ])('not an orders response: %j', (json, message) => {
    expect(inputError(() => parseSpApiOrders(json, 'x.json', OPTS)).message).toContain(message);
  });
});

describe('JSON path helpers', () => {
  it('formatJsonPath', () => {
    expect(formatJsonPath(['orders', 3, 'createdTime'])).toBe('orders[3].createdTime');
    expect(formatJsonPath(['payload', 'Orders', 0, 'a-b'])).toBe('payload.Orders[0]["a-b"]');
    expect(formatJsonPath([])).toBe('(root)');
  });

  it('lineOfPath handles strings with brackets, escapes and nesting', () => {
    const text = '{\n "a": "x]}\\"{",\n "orders": [\n  {"b": [1, {"c": 2}]},\n  {\n   "d": "e"\n  }\n ]\n}';
    expect(lineOfPath(text, ['orders', 1, 'd'])).toBe(6);
    expect(lineOfPath(text, ['orders', 1, 'missing'])).toBe(5);
    expect(lineOfPath(text, ['orders', 0, 'b', 1, 'c'])).toBe(4);
    expect(lineOfPath(text, ['nope'])).toBe(1);
  });
});
