/**
 * Saved SP-API Orders responses (JSON) -> OrderFacts.
 *
 * Accepted shapes (Amazon's models, github.com/amzn/selling-partner-api-models; sandbox samples in
 * test/fixtures/reference/sp-api):
 * - Orders API 2026-01-01 searchOrders: `{orders: [...], pagination?: {nextToken}}`, also wrapped
 *   as `{payload: {orders: [...]}}` by some clients;
 * - 2026-01-01 getOrder: `{order: {...}}` (or `{payload: {order}}`, or a bare Order object);
 * - Orders API v0 getOrders: `{payload: {Orders: [...], NextToken?}}`, also `{Orders: [...]}`;
 * - v0 getOrder: `{payload: {AmazonOrderId, ...}}`, also the bare Order object.
 *
 * The zod schemas name only the fields we use and pass everything else through (looseObject), so
 * a new field in Amazon's model never breaks parsing. Buyer and recipient blocks pass through
 * validation but are never copied into OrderFacts. The schemas are exported for the live SP-API
 * client; note that their date-times are *transformed* to canonical UTC (`...T..:..:..000Z`).
 */
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import * as z from 'zod';
import { InputError } from '../domain/errors';
import { marketplaceById } from '../domain/marketplaces';
import { toUtcIso } from '../domain/deadlines';
import type { OrderFacts, OrderState } from '../domain/types';
import { marketplaceFromSalesChannel } from './report-file';

const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;
const ORDER_ID_MESSAGE = 'malformed order ID (expected 3-7-7 digits)';

/** An ISO-8601 date-time with offset, normalised to canonical UTC. */
export const IsoInstantSchema = z.string().transform((s, ctx) => {
  const iso = toUtcIso(s);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: `not an ISO-8601 date-time with offset: ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return iso;
});

// ---------------------------------------------------------------------------------------------
// Orders API 2026-01-01
// ---------------------------------------------------------------------------------------------

export const FULFILLMENT_STATUS_2026 = [
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
] as const;

const STATE_2026: Record<(typeof FULFILLMENT_STATUS_2026)[number], OrderState> = {
  PENDING_AVAILABILITY: 'PendingAvailability',
  PENDING: 'Pending',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
  UNFULFILLABLE: 'Unfulfillable',
};

export const DateTimeRange2026Schema = z.looseObject({
  earliestDateTime: IsoInstantSchema.optional(),
  latestDateTime: IsoInstantSchema.optional(),
});

export const Order2026Schema = z
  .looseObject({
    orderId: z.string().min(1),
    createdTime: IsoInstantSchema,
    lastUpdatedTime: IsoInstantSchema,
    salesChannel: z.looseObject({
      channelName: z.string(),
      marketplaceId: z.string().optional(),
      marketplaceName: z.string().optional(),
    }),
    // Optional in Amazon's model (present only with includedData=FULFILLMENT) but required here:
    // without it we cannot tell who fulfils the order or whether it is shippable.
    fulfillment: z.looseObject({
      fulfillmentStatus: z.enum(FULFILLMENT_STATUS_2026),
      fulfilledBy: z.enum(['AMAZON', 'MERCHANT']),
      shipByWindow: DateTimeRange2026Schema.optional(),
    }),
  })
  .superRefine((o, ctx) => {
    // NON_AMAZON (multi-channel) order IDs have no documented format; Amazon orders are 3-7-7.
    if (o.salesChannel.channelName !== 'NON_AMAZON' && !ORDER_ID.test(o.orderId)) {
      ctx.addIssue({ code: 'custom', path: ['orderId'], message: `${ORDER_ID_MESSAGE}: ${JSON.stringify(o.orderId)}` });
    }
  });
export type Order2026 = z.infer<typeof Order2026Schema>;

export const SearchOrders2026ResponseSchema = z.looseObject({
  orders: z.array(Order2026Schema),
  pagination: z.looseObject({ nextToken: z.string().optional() }).nullish(),
});

export const GetOrder2026ResponseSchema = z.looseObject({ order: Order2026Schema });

// ---------------------------------------------------------------------------------------------
// Orders API v0
// ---------------------------------------------------------------------------------------------

export const ORDER_STATUS_V0 = [
  'Pending',
  'Unshipped',
  'PartiallyShipped',
  'Shipped',
  'Canceled',
  'Unfulfillable',
  'InvoiceUnconfirmed',
  'PendingAvailability',
] as const satisfies readonly OrderState[];

export const OrderV0Schema = z.looseObject({
  AmazonOrderId: z.string().regex(ORDER_ID, ORDER_ID_MESSAGE),
  PurchaseDate: IsoInstantSchema,
  LastUpdateDate: IsoInstantSchema,
  OrderStatus: z.enum(ORDER_STATUS_V0),
  // Optional in the model; required here for the same reason as 2026 `fulfillment`.
  FulfillmentChannel: z.enum(['MFN', 'AFN']),
  MarketplaceId: z.string().nullish(),
  SalesChannel: z.string().nullish(),
  EarliestShipDate: IsoInstantSchema.optional(),
  LatestShipDate: IsoInstantSchema.optional(),
});
export type OrderV0 = z.infer<typeof OrderV0Schema>;

/** The `payload` of getOrders (the sandbox sends `NextToken: null` on the last page). */
export const OrdersListV0Schema = z.looseObject({
  Orders: z.array(OrderV0Schema),
  NextToken: z.string().nullish(),
});

export const GetOrdersV0ResponseSchema = z.looseObject({ payload: OrdersListV0Schema });
export const GetOrderV0ResponseSchema = z.looseObject({ payload: OrderV0Schema });

// ---------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------

export type SpApiFormat = 'sp-api-2026' | 'sp-api-v0';

export interface SpApiParseOptions {
  sellerId: string;
  /**
   * The JSON text the value was parsed from, if the caller has it: InputErrors then carry the line
   * of the failing field (or of its order when the field is missing).
   */
  sourceText?: string;
}

export interface SpApiParseResult {
  orders: OrderFacts[];
  format: SpApiFormat;
  nextToken?: string;
}

export function factsFrom2026(o: Order2026, sellerId: string): OrderFacts {
  const f: OrderFacts = {
    sellerId,
    orderId: o.orderId,
    marketplace:
      (o.salesChannel.marketplaceId ? marketplaceById(o.salesChannel.marketplaceId)?.key : undefined) ??
      (o.salesChannel.marketplaceName ? marketplaceFromSalesChannel(o.salesChannel.marketplaceName) : null),
    fulfilledBy: o.fulfillment.fulfilledBy,
    orderState: STATE_2026[o.fulfillment.fulfillmentStatus],
    purchaseDate: o.createdTime,
    lastUpdated: o.lastUpdatedTime,
    source: 'sp-api-2026',
  };
  const w = o.fulfillment.shipByWindow;
  if (w?.earliestDateTime) f.earliestShipDate = w.earliestDateTime;
  if (w?.latestDateTime) f.latestShipDate = w.latestDateTime;
  return f;
}

export function factsFromV0(o: OrderV0, sellerId: string): OrderFacts {
  const f: OrderFacts = {
    sellerId,
    orderId: o.AmazonOrderId,
    marketplace:
      (o.MarketplaceId ? marketplaceById(o.MarketplaceId)?.key : undefined) ??
      (o.SalesChannel ? marketplaceFromSalesChannel(o.SalesChannel) : null),
    fulfilledBy: o.FulfillmentChannel === 'AFN' ? 'AMAZON' : 'MERCHANT',
    orderState: o.OrderStatus,
    purchaseDate: o.PurchaseDate,
    lastUpdated: o.LastUpdateDate,
    source: 'sp-api-v0',
  };
  if (o.EarliestShipDate) f.earliestShipDate = o.EarliestShipDate;
  if (o.LatestShipDate) f.latestShipDate = o.LatestShipDate;
  return f;
}

type PathSegment = string | number;

/** `['payload', 'Orders', 3, 'PurchaseDate']` -> `payload.Orders[3].PurchaseDate`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || '(root)';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type Shape =
  | { format: 'sp-api-2026'; kind: 'list' | 'single'; at: PathSegment[] }
  | { format: 'sp-api-v0'; kind: 'list' | 'single'; at: PathSegment[] };

/** Which response this is, and where its orders container sits. */
function detectShape(json: unknown, file: string): Shape {
  if (!isRecord(json)) {
    throw new InputError(file, `not an SP-API orders response: expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  }
  const payload = json.payload;
  if (Array.isArray(json.orders)) return { format: 'sp-api-2026', kind: 'list', at: [] };
  if (isRecord(payload) && Array.isArray(payload.orders)) return { format: 'sp-api-2026', kind: 'list', at: ['payload'] };
  if (isRecord(json.order)) return { format: 'sp-api-2026', kind: 'single', at: ['order'] };
  if (isRecord(payload) && isRecord(payload.order)) return { format: 'sp-api-2026', kind: 'single', at: ['payload', 'order'] };
  if (isRecord(payload) && Array.isArray(payload.Orders)) return { format: 'sp-api-v0', kind: 'list', at: ['payload'] };
  if (Array.isArray(json.Orders)) return { format: 'sp-api-v0', kind: 'list', at: [] };
  if (isRecord(payload) && 'AmazonOrderId' in payload) return { format: 'sp-api-v0', kind: 'single', at: ['payload'] };
  if ('AmazonOrderId' in json) return { format: 'sp-api-v0', kind: 'single', at: [] };
  if ('orderId' in json && 'createdTime' in json) return { format: 'sp-api-2026', kind: 'single', at: [] };
  if (Array.isArray(json.errors)) {
    const first = json.errors.find(isRecord);
    const what = first ? [first.code, first.message].filter((x) => typeof x === 'string').join(': ') : '';
    throw new InputError(file, `the file holds an SP-API error response${what ? ` (${what})` : ''}, not orders`);
  }
  throw new InputError(
    file,
    'not an SP-API orders response: expected `orders` (2026-01-01 searchOrders), `order` (getOrder), ' +
      '`payload.Orders` / `Orders` (v0 getOrders) or `payload.AmazonOrderId` (v0 getOrder)',
  );
}

function valueAt(json: unknown, at: readonly PathSegment[]): unknown {
  let v = json;
  for (const seg of at) v = (v as Record<string | number, unknown>)[seg];
  return v;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // Zod says "Invalid input: expected string, received undefined" for a missing field.
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `missing (expected ${issue.expected})`;
  }
  return issue.message;
}

function issueToError(error: z.ZodError, at: readonly PathSegment[], file: string, sourceText: string | undefined): InputError {
  const issue = error.issues[0];
  const path = [...at, ...(issue.path as PathSegment[])];
  let problem = `${formatJsonPath(path)}: ${describeIssue(issue)}`;
  if (path[path.length - 1] === 'fulfillment' && /^missing/.test(describeIssue(issue))) {
    problem += ' (call searchOrders/getOrder with includedData=FULFILLMENT)';
  }
  if (error.issues.length > 1) problem += ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})`;
  return new InputError(file, problem, sourceText === undefined ? undefined : lineOfPath(sourceText, path), { cause: error });
}

/**
 * Map a saved SP-API orders response to OrderFacts. Orders of channel NON_AMAZON (multi-channel
 * fulfilment of orders placed elsewhere) are skipped: Amazon sends no Sold, Ship Now for them.
 * Throws InputError naming the JSON path of the first problem, e.g. `orders[3].createdTime`.
 */
export function parseSpApiOrders(json: unknown, file: string, opts: SpApiParseOptions): SpApiParseResult {
  const shape = detectShape(json, file);
  const container = valueAt(json, shape.at);
  const fail = (e: z.ZodError): never => {
    throw issueToError(e, shape.at, file, opts.sourceText);
  };

  if (shape.format === 'sp-api-2026') {
    if (shape.kind === 'single') {
      const r = Order2026Schema.safeParse(container);
      if (!r.success) return fail(r.error);
      return { format: shape.format, orders: r.data.salesChannel.channelName === 'NON_AMAZON' ? [] : [factsFrom2026(r.data, opts.sellerId)] };
    }
    const r = SearchOrders2026ResponseSchema.safeParse(container);
    if (!r.success) return fail(r.error);
    const orders = r.data.orders.filter((o) => o.salesChannel.channelName !== 'NON_AMAZON').map((o) => factsFrom2026(o, opts.sellerId));
    const nextToken = r.data.pagination?.nextToken || undefined;
    return nextToken ? { format: shape.format, orders, nextToken } : { format: shape.format, orders };
  }

  if (shape.kind === 'single') {
    const r = OrderV0Schema.safeParse(container);
    if (!r.success) return fail(r.error);
    return { format: shape.format, orders: [factsFromV0(r.data, opts.sellerId)] };
  }
  const r = OrdersListV0Schema.safeParse(container);
  if (!r.success) return fail(r.error);
  const orders = r.data.Orders.map((o) => factsFromV0(o, opts.sellerId));
  const nextToken = r.data.NextToken || undefined;
  return nextToken ? { format: shape.format, orders, nextToken } : { format: shape.format, orders };
}

// ---------------------------------------------------------------------------------------------
// Line numbers in JSON text
// ---------------------------------------------------------------------------------------------

/**
 * 1-based line of the deepest value along `path` that exists in `text` (the failing field, or the
 * object that lacks it). Undefined if the text does not hold the path at all.
 */
export function lineOfPath(text: string, path: readonly PathSegment[]): number | undefined {
  const root = parseTree(text);
  if (root === undefined) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (node !== undefined) return lineAtOffset(text, node.offset);
  }
  return undefined;
}

/**
 * Offset in `text` (valid JSON) where the value at `path` starts; undefined if absent.
 * jsonc-parser's tree keeps every value's offset; duplicate keys: the first occurrence is reported.
 * Only used on the error path.
 */
export function locateJsonPath(text: string, path: readonly PathSegment[]): number | undefined {
  const root = parseTree(text);
  return root === undefined ? undefined : findNodeAtLocation(root, [...path])?.offset;
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
