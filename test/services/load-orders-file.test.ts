import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../functions/domain/errors';
import { computeStatus } from '../../functions/domain/order-status';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import { loadOrdersFile } from '../../functions/services/load-orders-file';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples', 'orders');
const OPTS = { sellerId: 'demo-seller' };

const HEADER = 'order-id\torder-item-id\tpurchase-date\tpayments-date\tquantity-purchased\tquantity-shipped\tbuyer-email';
const REPORT = `${HEADER}\n112-4455667-1000001\t1\t2026-11-27T15:04:00+00:00\t2026-11-27T15:10:00+00:00\t1\t0\tx@marketplace.amazon.com\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'load-orders-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('format detection by content, not by file name', () => {
  it.each([
    ['unshipped-orders.txt', 'report', 3],
    ['search-orders.json', 'sp-api-2026', 7],
    ['get-orders-v0.json', 'sp-api-v0', 2],
  ])('%s -> %s', async (name, format, count) => {
    const r = await loadOrdersFile(path.join(EXAMPLES, name), OPTS);
    expect(r.format).toBe(format);
    expect(r.orders).toHaveLength(count);
    expect(r.files).toEqual([{ file: path.join(EXAMPLES, name), format, orders: count }]);
  });

  it('a report saved as .json and JSON saved as .txt are still recognised', async () => {
    expect((await loadOrdersFile(write('orders.json', REPORT), OPTS)).format).toBe('report');
    expect((await loadOrdersFile(write('orders.txt', '\n  {"Orders": []}'), OPTS)).format).toBe('sp-api-v0');
  });

  it('a UTF-8 BOM before JSON, and a UTF-16 report re-saved by a spreadsheet', async () => {
    expect((await loadOrdersFile(write('bom.json', '\uFEFF{"orders": []}'), OPTS)).format).toBe('sp-api-2026');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(REPORT.replace(/\n/g, '\r\n'), 'utf16le')]);
    const r = await loadOrdersFile(write('utf16.txt', utf16), OPTS);
    expect(r.orders.map((o) => o.orderId)).toEqual(['112-4455667-1000001']);
  });

  it('passes defaultMarketplace to the report', async () => {
    const r = await loadOrdersFile(write('r.txt', REPORT), { ...OPTS, defaultMarketplace: 'DE' });
    expect(r.orders[0].marketplace).toBe('amazon.de');
  });
});

describe('errors', () => {
  it('unreadable: cannot read with the system error', async () => {
    const missing = path.join(dir, 'nope.txt');
    const e = await inputError(loadOrdersFile(missing, OPTS));
    expect(e.file).toBe(missing);
    expect(e.line).toBeUndefined();
    expect(e.message).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read: ENOENT`));
  });

  it.each([
    ['orders.csv', 'order-id,purchase-date\n112-4455667-1000001,2026-11-27T15:04:00+00:00\n', /unrecognised orders file: .*first line "order-id,purchase-date"/],
    ['empty.txt', '', /unrecognised orders file: .*the file is empty/],
    ['orders.xml', '<?xml version="1.0"?><AmazonEnvelope/>', /unrecognised orders file/],
    ['orders.xlsx', 'PK\u0003\u0004\u0014\u0000\u0006\u0000[Content_Types].xml', /unrecognised orders file: .*the file is binary, not text/],
  ])('unrecognised: %s', async (name, content, message) => {
    const e = await inputError(loadOrdersFile(write(name, content), OPTS));
    expect(e.message).toMatch(message);
    expect(e.line).toBeUndefined();
  });

  it('invalid JSON: the line of the parse error', async () => {
    const file = write('broken.json', '{\n  "orders": [\n    {"orderId": "112-4455667-1000001",}\n  ]\n}\n');
    const e = await inputError(loadOrdersFile(file, OPTS));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^.*broken\.json:3: invalid JSON: /);
  });

  it('truncated JSON: the last line', async () => {
    const e = await inputError(loadOrdersFile(write('cut.json', '{\n  "orders": [\n    {"orderId": "112-'), OPTS));
    expect(e.line).toBe(3);
  });

  it('valid JSON of the wrong shape: the path, and the line of the failing field', async () => {
    const json = JSON.stringify({ payload: { Orders: [{ AmazonOrderId: '702-4455667-1000011', PurchaseDate: 'soon' }] } }, null, 2);
    const e = await inputError(loadOrdersFile(write('v0.json', json), OPTS));
    expect(e.message).toContain('payload.Orders[0].PurchaseDate: not an ISO-8601 date-time');
    expect(e.line).toBe(json.split('\n').findIndex((l) => l.includes('"soon"')) + 1);
  });

  it('a bad report row keeps its line', async () => {
    const e = await inputError(loadOrdersFile(write('r.txt', `${REPORT}bad-id\t1\t2026-11-27T15:04:00+00:00\t\t1\t0\tx\n`), OPTS));
    expect(e.line).toBe(3);
    expect(e.message).toContain('malformed order-id');
  });
});

describe('duplicates fold into one order', () => {
  it('within one file: the newest fact wins', async () => {
    const order = (status: string, updated: string) => ({
      AmazonOrderId: '702-4455667-1000011',
      PurchaseDate: '2026-11-28T11:30:00Z',
      LastUpdateDate: updated,
      OrderStatus: status,
      FulfillmentChannel: 'MFN',
      MarketplaceId: 'A2EUQ1WTGCTBG2',
    });
    const file = write('pages.json', JSON.stringify({ Orders: [order('Shipped', '2026-11-28T14:00:00Z'), order('Unshipped', '2026-11-28T11:52:00Z')] }));
    const r = await loadOrdersFile(file, OPTS);
    expect(r.orders).toHaveLength(1);
    expect(r.orders[0]).toMatchObject({ orderState: 'Shipped', lastUpdated: '2026-11-28T14:00:00.000Z' });
  });

  it('across the files of a directory: report and API facts combine', async () => {
    write('a-report.txt', REPORT);
    write(
      'b-api.json',
      JSON.stringify({
        orders: [
          {
            orderId: '112-4455667-1000001',
            createdTime: '2026-11-27T15:04:00Z',
            lastUpdatedTime: '2026-11-27T15:40:00Z',
            salesChannel: { channelName: 'AMAZON', marketplaceId: 'ATVPDKIKX0DER' },
            fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT', shipByWindow: { latestDateTime: '2026-11-30T07:59:59Z' } },
            orderItems: [],
          },
        ],
      }),
    );
    const r = await loadOrdersFile(dir, OPTS);
    expect(r.format).toBe('mixed');
    expect(r.orders).toEqual([
      {
        sellerId: 'demo-seller',
        orderId: '112-4455667-1000001',
        marketplace: 'amazon.com',
        fulfilledBy: 'MERCHANT',
        orderState: 'Unshipped',
        purchaseDate: '2026-11-27T15:04:00.000Z',
        paymentsDate: '2026-11-27T15:10:00.000Z',
        latestShipDate: '2026-11-30T07:59:59.000Z',
        lastUpdated: '2026-11-27T15:40:00.000Z',
        source: 'sp-api-2026',
      },
    ]);
  });
});

describe('a directory', () => {
  it('loads every file in name order, skipping hidden files and subdirectories', async () => {
    write('b.txt', REPORT.replace('1000001', '1000002'));
    write('a.txt', REPORT);
    write('.DS_Store', 'junk');
    mkdirSync(path.join(dir, 'sub'));
    write(path.join('sub', 'c.txt'), 'junk');
    const r = await loadOrdersFile(dir, OPTS);
    expect(r.format).toBe('report');
    expect(r.files.map((f) => path.basename(f.file))).toEqual(['a.txt', 'b.txt']);
    expect(r.orders.map((o) => o.orderId)).toEqual(['112-4455667-1000001', '112-4455667-1000002']);
  });

  it('an empty directory is an error', async () => {
    const e = await inputError(loadOrdersFile(dir, OPTS));
    expect(e.message).toContain('no orders files in this directory');
  });

  it('examples/orders: the twelve orders of examples/README.md, with the expected status before any email', async () => {
    const r = await loadOrdersFile(EXAMPLES, OPTS);
    expect(r.format).toBe('mixed');
    expect(r.files.map((f) => [path.basename(f.file), f.format, f.orders])).toEqual([
      ['get-orders-v0.json', 'sp-api-v0', 2],
      ['search-orders.json', 'sp-api-2026', 7],
      ['unshipped-orders.txt', 'report', 3],
    ]);
    expect(r.orders).toHaveLength(12);
    const now = '2026-11-28T12:00:00.000Z';
    const status = Object.fromEntries(r.orders.map((o) => [o.orderId, computeStatus(o, now, DEFAULT_POLICY)]));
    // Orders the README lists as notified depend on mail; without it they are missing or awaiting.
    expect(status).toEqual({
      '702-4455667-1000011': 'awaiting',
      '114-4455667-1000012': 'not-expected',
      '205-4455667-1000004': 'missing',
      '407-4455667-1000005': 'missing',
      '171-4455667-1000006': 'missing',
      '406-4455667-1000007': 'missing',
      '250-4455667-1000008': 'missing',
      '250-4455667-1000009': 'not-expected',
      '113-4455667-1000010': 'not-expected',
      '112-4455667-1000001': 'missing',
      '112-4455667-1000002': 'missing',
      '028-4455667-1000003': 'missing',
    });
    expect(computeStatus(r.orders[0], '2026-11-28T12:29:59.999Z', DEFAULT_POLICY)).toBe('awaiting');
    expect(computeStatus(r.orders[0], '2026-11-28T12:30:00.000Z', DEFAULT_POLICY)).toBe('missing');
  });
});
