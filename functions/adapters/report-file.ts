/**
 * The Unshipped Orders report (GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING) -> OrderFacts.
 *
 * Facts about the report (https://developer-docs.amazon.com/sp-api/docs/order-reports-attributes):
 * tab-delimited flat file, header row of documented column names, one row per order ITEM,
 * merchant-fulfilled (MFN) orders only, only orders not yet confirmed as shipped. Real files carry more columns than documented (and a
 * `sales-channel` column with reportOptions ShowSalesChannel=true), so columns are found by
 * name and unknown ones are ignored.
 *
 * Buyer personal data (buyer-email, buyer-name, buyer-phone-number, recipient-name, ship-address-*,
 * ship-city/state/postal-code, ...) is never read: only the columns listed in USED_COLUMNS are
 * looked at, and no raw row is kept, so it cannot leak into OrderFacts, logs or errors.
 */
import { InputError } from '../domain/errors';
import { marketplaceByCode, marketplaceByKey } from '../domain/marketplaces';
import { toUtcIso } from '../domain/deadlines';
import type { OrderFacts, OrderState } from '../domain/types';

export const REQUIRED_COLUMNS = ['order-id', 'purchase-date'] as const;

/**
 * The only columns read. Deliberately NOT read:
 * - `promise-date` / `days-past-promise`: the SP-API report documentation (order-reports-attributes,
 *   GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING) lists them without defining them, and Seller
 *   Central's table of Unshipped Orders report fields does not define them either; only
 *   third-party order tools describe the promise date as the ship-by date. Seen in the wild as a
 *   single time or as a "from - to" range. Mapping it to latestShipDate would feed the auto-cancel
 *   rule (7 business days after the latest ship date) an undocumented date. Instead a report
 *   order's ship-by comes from its Sold, Ship Now email (`Ship by:`, see deadlines.ts `shipBy`),
 *   and the Orders API gives LatestShipDate / shipByWindow authoritatively (mergeOrderFacts).
 * - `reporting-date`: when the order became eligible for the report, not an update time of the
 *   order, so it is not a `lastUpdated`.
 */
const USED_COLUMNS = ['order-id', 'purchase-date', 'payments-date', 'quantity-shipped', 'sales-channel'] as const;
type UsedColumn = (typeof USED_COLUMNS)[number];

const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;

export interface ReportParseOptions {
  sellerId: string;
  /**
   * Marketplace of every row when the report has no `sales-channel` column (a report is
   * requested per marketplace). A key (`amazon.de`) or a code (`DE`). Null or absent: unknown.
   */
  defaultMarketplace?: string | null;
}

/** Does this first line look like the Unshipped Orders report header? (Used to detect the format.) */
export function isUnshippedReportHeader(firstLine: string): boolean {
  const cols = splitRow(stripBom(firstLine).replace(/\r$/, ''));
  return cols.length > 1 && cols.includes('order-id');
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function splitRow(line: string): string[] {
  // Amazon flat files are not quoted: a tab never occurs inside a value, and a double quote in a
  // product name is just a character. So no CSV-style quote handling.
  return line.split('\t').map((c) => c.trim());
}

/** `Amazon.de` / `amazon.co.uk` / `www.amazon.fr` -> marketplace key; null when not an Amazon domain. */
export function marketplaceFromSalesChannel(value: string): string | null {
  const v = value.trim().toLowerCase().replace(/^www\./, '');
  if (!v) return null;
  const known = marketplaceByKey(v);
  if (known) return known.key;
  // An Amazon retail domain we have no table entry for (e.g. amazon.com.tr): keep it as the key,
  // since keys are retail domains; the rest of the system treats it as an unknown marketplace.
  // Anything else (`Non-Amazon`, a web-store name) is not a marketplace.
  return /^amazon(\.[a-z]{2,3}){1,2}$/.test(v) ? v : null;
}

function resolveDefaultMarketplace(value: string | null | undefined): string | null {
  if (!value || !value.trim()) return null;
  return marketplaceByCode(value)?.key ?? value.trim().toLowerCase();
}

interface Row {
  orderId: string;
  purchaseDate: string;
  paymentsDate?: string;
  quantityShipped: number;
  marketplace: string | null;
}

/**
 * Parse the report text. Several rows of one order fold into one OrderFacts (first-seen order of
 * the file). Throws InputError(file, problem, line) with the 1-based physical line for: a missing
 * required column (line 1), a row with fewer columns than the header, a malformed order-id, an
 * unparsable date or quantity.
 */
export function parseUnshippedReport(text: string, file: string, opts: ReportParseOptions): OrderFacts[] {
  // CR LF, LF and lone CR all end a line; numbering follows the physical lines of the file.
  const lines = stripBom(text).split(/\r\n|\n|\r/);
  const header = splitRow(lines[0] ?? '');
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    // First occurrence wins if a column name repeats.
    if (name && !index.has(name)) index.set(name, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new InputError(
      file,
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} in the header ` +
        `(expected the Unshipped Orders report, tab-delimited; found ${header.length} column${header.length === 1 ? '' : 's'})`,
      1,
    );
  }
  const col = (name: UsedColumn): number | undefined => index.get(name);
  const defaultMarketplace = resolveDefaultMarketplace(opts.defaultMarketplace);

  const byOrder = new Map<string, Row[]>();
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '') continue; // blank lines (e.g. the trailing newline) carry nothing
    const lineNo = i + 1;
    const cells = raw.split('\t');
    if (cells.length < header.length) {
      throw new InputError(file, `truncated row: ${cells.length} column${cells.length === 1 ? '' : 's'}, the header has ${header.length}`, lineNo);
    }
    const cell = (name: UsedColumn): string => {
      const c = col(name);
      return c === undefined ? '' : cells[c].trim();
    };

    const orderId = cell('order-id');
    if (!ORDER_ID.test(orderId)) {
      // Quote the value: an order ID is not personal data, and the user needs to see it.
      throw new InputError(file, `malformed order-id ${JSON.stringify(orderId)} (expected 3-7-7 digits, e.g. 112-4455667-1000001)`, lineNo);
    }
    const purchaseDate = parseDate(cell('purchase-date'), 'purchase-date', file, lineNo, true);
    const paymentsDate = parseDate(cell('payments-date'), 'payments-date', file, lineNo, false);
    const qs = cell('quantity-shipped');
    if (qs !== '' && !/^\d+$/.test(qs)) {
      throw new InputError(file, `malformed quantity-shipped ${JSON.stringify(qs)} (expected a whole number)`, lineNo);
    }
    const channel = col('sales-channel') === undefined ? '' : cell('sales-channel');
    const row: Row = {
      orderId,
      purchaseDate,
      paymentsDate,
      quantityShipped: qs === '' ? 0 : Number(qs),
      marketplace: channel ? marketplaceFromSalesChannel(channel) : defaultMarketplace,
    };
    const group = byOrder.get(orderId);
    if (group) group.push(row);
    else byOrder.set(orderId, [row]);
  }

  const out: OrderFacts[] = [];
  for (const [orderId, rows] of byOrder) {
    // Order-level columns repeat on every item row; take the first non-empty value. (Amazon
    // writes identical values; should rows disagree, the first row of the order wins.)
    const first = rows[0];
    const orderState: OrderState = rows.some((r) => r.quantityShipped > 0) ? 'PartiallyShipped' : 'Unshipped';
    const facts: OrderFacts = {
      sellerId: opts.sellerId,
      orderId,
      marketplace: rows.find((r) => r.marketplace !== null)?.marketplace ?? null,
      // The report lists merchant-fulfilled orders only.
      fulfilledBy: 'MERCHANT',
      orderState,
      purchaseDate: first.purchaseDate,
      source: 'report',
    };
    const paymentsDate = rows.find((r) => r.paymentsDate)?.paymentsDate;
    if (paymentsDate) facts.paymentsDate = paymentsDate;
    out.push(facts);
  }
  return out;
}

function parseDate(value: string, column: string, file: string, line: number, required: true): string;
function parseDate(value: string, column: string, file: string, line: number, required: false): string | undefined;
function parseDate(value: string, column: string, file: string, line: number, required: boolean): string | undefined {
  if (value === '') {
    // payments-date is empty while payment is not yet confirmed; purchase-date never is.
    if (!required) return undefined;
    throw new InputError(file, `empty ${column}`, line);
  }
  const iso = toUtcIso(value);
  if (!iso) {
    throw new InputError(file, `unparsable ${column} ${JSON.stringify(value)} (expected ISO-8601 with an offset, e.g. 2026-11-27T15:04:00+00:00)`, line);
  }
  return iso;
}
