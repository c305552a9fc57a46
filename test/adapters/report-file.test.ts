import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../functions/domain/errors';
import { isUnshippedReportHeader, marketplaceFromSalesChannel, parseUnshippedReport } from '../../functions/adapters/report-file';

// The documented column list: https://developer-docs.amazon.com/sp-api/docs/order-reports-attributes
const DOCUMENTED = [
  'order-id', 'order-item-id', 'purchase-date', 'payments-date', 'reporting-date', 'promise-date', 'days-past-promise',
  'buyer-email', 'buyer-phone-number', 'sku', 'product-name', 'quantity-purchased', 'quantity-shipped', 'quantity-to-ship',
  'ship-service-level', 'recipient-name', 'ship-address-1', 'ship-address-2', 'ship-address-3', 'ship-city', 'ship-state',
  'ship-postal-code', 'ship-country', 'is-business-order', 'purchase-order-number', 'price-designation', 'is-prime',
];

type Row = Record<string, string>;

const PERSONAL: Row = {
  'buyer-email': 'r2d2c3po4bb8xyz@marketplace.amazon.com',
  'buyer-name': 'Morgan T. Fictional',
  'buyer-phone-number': '+1 206-555-0199',
  'recipient-name': 'Morgan T. Fictional',
  'ship-address-1': '4242 Imaginary Blvd',
  'ship-address-2': 'Suite 9',
  'ship-city': 'Springfield',
  'ship-state': 'OR',
  'ship-postal-code': '97477',
};

function row(overrides: Row = {}): Row {
  return {
    'order-id': '112-4455667-1000001',
    'order-item-id': '62019384756201',
    'purchase-date': '2026-11-27T15:04:00+00:00',
    'payments-date': '2026-11-27T15:10:00+00:00',
    'reporting-date': '2026-11-27T15:40:00+00:00',
    'promise-date': '2026-11-30T07:59:59+00:00',
    'days-past-promise': '0',
    sku: 'MUG-1',
    'product-name': 'Mug "Classic", 12 oz',
    'quantity-purchased': '1',
    'quantity-shipped': '0',
    'quantity-to-ship': '1',
    'ship-service-level': 'Standard',
    'ship-country': 'US',
    'is-business-order': 'false',
    'is-prime': 'false',
    ...PERSONAL,
    ...overrides,
  };
}

function report(rows: Row[], columns: string[] = DOCUMENTED, eol = '\n'): string {
  return [columns.join('\t'), ...rows.map((r) => columns.map((c) => r[c] ?? '').join('\t'))].join(eol) + eol;
}

const OPTS = { sellerId: 'seller-1' };

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('parseUnshippedReport', () => {
  it('maps one row to OrderFacts: MERCHANT, Unshipped, dates in UTC, no ship dates', () => {
    expect(parseUnshippedReport(report([row()]), 'r.txt', OPTS)).toEqual([
      {
        sellerId: 'seller-1',
        orderId: '112-4455667-1000001',
        marketplace: null,
        fulfilledBy: 'MERCHANT',
        orderState: 'Unshipped',
        purchaseDate: '2026-11-27T15:04:00.000Z',
        paymentsDate: '2026-11-27T15:10:00.000Z',
        source: 'report',
      },
    ]);
  });

  it('folds several item rows of one order into one OrderFacts, keeping file order', () => {
    const text = report([
      row({ 'order-id': '112-4455667-1000002', 'order-item-id': '1' }),
      row({ 'order-id': '112-4455667-1000001' }),
      row({ 'order-id': '112-4455667-1000002', 'order-item-id': '2' }),
    ]);
    const facts = parseUnshippedReport(text, 'r.txt', OPTS);
    expect(facts.map((f) => f.orderId)).toEqual(['112-4455667-1000002', '112-4455667-1000001']);
  });

  it('an order with some quantity shipped is PartiallyShipped', () => {
    const text = report([
      row({ 'order-item-id': '1', 'quantity-shipped': '0' }),
      row({ 'order-item-id': '2', 'quantity-purchased': '2', 'quantity-shipped': '1', 'quantity-to-ship': '1' }),
    ]);
    expect(parseUnshippedReport(text, 'r.txt', OPTS)[0].orderState).toBe('PartiallyShipped');
  });

  it('handles a UTF-8 BOM and CRLF line ends', () => {
    const plain = parseUnshippedReport(report([row()]), 'r.txt', OPTS);
    expect(parseUnshippedReport(`\uFEFF${report([row()], DOCUMENTED, '\r\n')}`, 'r.txt', OPTS)).toEqual(plain);
  });

  it('finds columns by name: extra unknown columns, any order', () => {
    const columns = ['verge-of-cancellation', ...[...DOCUMENTED].reverse(), 'buyer-name', 'cpf'];
    const facts = parseUnshippedReport(report([row({ 'verge-of-cancellation': 'false', cpf: '000.000.000-00' })], columns), 'r.txt', OPTS);
    expect(facts[0]).toMatchObject({ orderId: '112-4455667-1000001', purchaseDate: '2026-11-27T15:04:00.000Z' });
  });

  it('drops all buyer personal data', () => {
    const columns = [...DOCUMENTED, 'buyer-name'];
    const facts = parseUnshippedReport(report([row()], columns), 'r.txt', OPTS);
    const serialised = JSON.stringify(facts);
    for (const value of Object.values(PERSONAL)) expect(serialised).not.toContain(value);
    expect(Object.keys(facts[0]).sort()).toEqual(
      ['fulfilledBy', 'marketplace', 'orderId', 'orderState', 'paymentsDate', 'purchaseDate', 'sellerId', 'source'].sort(),
    );
  });

  it('converts other offsets to UTC and accepts an empty payments-date', () => {
    const facts = parseUnshippedReport(
      report([row({ 'purchase-date': '2026-11-28T04:00:00+01:00', 'payments-date': '' })]),
      'r.txt',
      OPTS,
    );
    expect(facts[0].purchaseDate).toBe('2026-11-28T03:00:00.000Z');
    expect(facts[0]).not.toHaveProperty('paymentsDate');
  });

  it('takes the payments date from any row of the order', () => {
    const text = report([row({ 'order-item-id': '1', 'payments-date': '' }), row({ 'order-item-id': '2' })]);
    expect(parseUnshippedReport(text, 'r.txt', OPTS)[0].paymentsDate).toBe('2026-11-27T15:10:00.000Z');
  });

  it('does not map promise-date (undefined meaning) to latestShipDate', () => {
    const facts = parseUnshippedReport(report([row()]), 'r.txt', OPTS);
    expect(facts[0]).not.toHaveProperty('latestShipDate');
    expect(facts[0]).not.toHaveProperty('earliestShipDate');
  });

  it('maps sales-channel to the marketplace key; falls back to defaultMarketplace without the column', () => {
    const columns = [...DOCUMENTED, 'sales-channel'];
    const text = report(
      [
        row({ 'order-id': '028-4455667-1000003', 'sales-channel': 'Amazon.de' }),
        row({ 'order-id': '205-4455667-1000004', 'sales-channel': 'Amazon.co.uk' }),
        row({ 'order-id': '112-4455667-1000001', 'sales-channel': '' }),
      ],
      columns,
    );
    expect(parseUnshippedReport(text, 'r.txt', { sellerId: 's', defaultMarketplace: 'US' }).map((f) => f.marketplace)).toEqual([
      'amazon.de',
      'amazon.co.uk',
      'amazon.com',
    ]);
    expect(parseUnshippedReport(report([row()]), 'r.txt', { sellerId: 's', defaultMarketplace: 'amazon.fr' })[0].marketplace).toBe('amazon.fr');
    expect(parseUnshippedReport(report([row()]), 'r.txt', { sellerId: 's', defaultMarketplace: null })[0].marketplace).toBeNull();
  });

  it('ignores blank lines and returns [] for a header-only report', () => {
    expect(parseUnshippedReport(`${DOCUMENTED.join('\t')}\n\n`, 'r.txt', OPTS)).toEqual([]);
    const text = report([row()]).replace('\n', '\n\n');
    expect(parseUnshippedReport(text, 'r.txt', OPTS)).toHaveLength(1);
  });

  describe('errors carry the file and the 1-based line', () => {
    it('missing required column -> line 1', () => {
      const columns = DOCUMENTED.filter((c) => c !== 'purchase-date');
      const e = inputError(() => parseUnshippedReport(report([row()], columns), 'orders/r.txt', OPTS));
      expect(e).toMatchObject({ file: 'orders/r.txt', line: 1 });
      expect(e.message).toMatch(/^orders\/r\.txt:1: missing required column "purchase-date"/);
    });

    it('malformed order-id -> its line', () => {
      const text = report([row(), row({ 'order-id': '112-445566-1000001' })], DOCUMENTED, '\r\n');
      const e = inputError(() => parseUnshippedReport(text, 'r.txt', OPTS));
      expect(e.line).toBe(3);
      expect(e.message).toContain('malformed order-id "112-445566-1000001"');
    });

    it('unparsable date -> its line, naming the column', () => {
      const e = inputError(() => parseUnshippedReport(report([row(), row(), row({ 'payments-date': '27/11/2026 15:10' })]), 'r.txt', OPTS));
      expect(e.line).toBe(4);
      expect(e.message).toContain('unparsable payments-date "27/11/2026 15:10"');
      const noOffset = inputError(() => parseUnshippedReport(report([row({ 'purchase-date': '2026-11-27T15:04:00' })]), 'r.txt', OPTS));
      expect(noOffset.line).toBe(2);
      expect(noOffset.message).toContain('purchase-date');
    });

    it('truncated row -> its line', () => {
      const text = `${report([row()])}112-4455667-1000009\t123\t2026-11-27T15:04:00+00:00\n`;
      const e = inputError(() => parseUnshippedReport(text, 'r.txt', OPTS));
      expect(e.line).toBe(3);
      expect(e.message).toContain(`truncated row: 3 columns, the header has ${DOCUMENTED.length}`);
    });

    it('line numbers count a BOM-prefixed header as line 1', () => {
      const e = inputError(() => parseUnshippedReport(`\uFEFF${report([row({ 'order-id': 'x' })])}`, 'r.txt', OPTS));
      expect(e.line).toBe(2);
    });

    it('an error message never quotes personal data', () => {
      const e = inputError(() => parseUnshippedReport(report([row({ 'purchase-date': 'nope' })]), 'r.txt', OPTS));
      for (const value of Object.values(PERSONAL)) expect(e.message).not.toContain(value);
    });
  });
});

describe('helpers', () => {
  it('isUnshippedReportHeader', () => {
    expect(isUnshippedReportHeader(DOCUMENTED.join('\t'))).toBe(true);
    expect(isUnshippedReportHeader(`\uFEFF${DOCUMENTED.join('\t')}\r`)).toBe(true);
    expect(isUnshippedReportHeader('order-id,purchase-date')).toBe(false);
    expect(isUnshippedReportHeader('amazon-order-id\tpurchase-date')).toBe(false);
  });

  it.each([
    ['Amazon.de', 'amazon.de'],
    ['amazon.co.uk', 'amazon.co.uk'],
    ['www.amazon.fr', 'amazon.fr'],
    ['Amazon.com.tr', 'amazon.com.tr'],
    ['Non-Amazon', null],
    ['', null],
  ])('marketplaceFromSalesChannel(%j) = %p', (input, expected) => {
    expect(marketplaceFromSalesChannel(input)).toBe(expected);
  });
});

describe('the example report (examples/orders/unshipped-orders.txt)', () => {
  it('parses into the three orders of examples/README.md, buyer data dropped', () => {
    const file = path.join(__dirname, '..', '..', 'examples', 'orders', 'unshipped-orders.txt');
    const text = readFileSync(file, 'utf8');
    const facts = parseUnshippedReport(text, file, { sellerId: 'demo-seller' });
    expect(facts.map((f) => [f.orderId, f.marketplace, f.orderState, f.purchaseDate, f.paymentsDate])).toEqual([
      ['112-4455667-1000001', 'amazon.com', 'Unshipped', '2026-11-27T15:04:00.000Z', '2026-11-27T15:10:00.000Z'],
      ['112-4455667-1000002', 'amazon.com', 'Unshipped', '2026-11-27T18:30:00.000Z', undefined],
      ['028-4455667-1000003', 'amazon.de', 'Unshipped', '2026-11-28T03:00:00.000Z', '2026-11-28T03:02:00.000Z'],
    ]);
    expect(JSON.stringify(facts)).not.toMatch(/@marketplace|Mustermann|Example Avenue|555-01/);
  });
});
