/**
 * SP-API `ORDER_CHANGE` notifications (delivered by Amazon to an SQS queue; schema in
 * Amazon's OrderChangeNotification.json, a copy in test/fixtures/reference/sp-api) -> an order update at once.
 *
 * A third signal, never the only one: the scheduled sync and the report still bring every order;
 * a lost or late notification changes nothing the next sync would not fix. The change is merged
 * like any other fact (importOrders / mergeOrderFacts): `TimeOfOrderChange` is its `lastUpdated`,
 * so an older notification arriving late never undoes a newer sync.
 *
 * The notification names the seller by its selling partner ID (`SellerId`, the merchant token).
 * Sellers synced from the SP-API are stored under that ID, so it is looked up as the seller ID;
 * a notification for a seller we do not know is dropped (and counted), not retried forever.
 * Buyer data: the notification carries only a destination postal code, which is never read.
 */
import * as z from 'zod';
import { InputError } from '../domain/errors';
import { marketplaceById } from '../domain/marketplaces';
import type { SentinelRepository } from '../domain/ports';
import type { IsoTime, OrderFacts, OrderPolicy } from '../domain/types';
import { IsoInstantSchema, ORDER_STATUS_V0 } from '../adapters/sp-api-json';
import { importOrders } from './import-orders';

const NullableInstant = IsoInstantSchema.nullish();

export const OrderChangeNotificationSchema = z.looseObject({
  NotificationVersion: z.string(),
  NotificationType: z.literal('ORDER_CHANGE'),
  PayloadVersion: z.string(),
  EventTime: IsoInstantSchema,
  Payload: z.looseObject({
    OrderChangeNotification: z.looseObject({
      NotificationLevel: z.string().optional(),
      SellerId: z.string().min(1),
      AmazonOrderId: z.string().regex(/^\d{3}-\d{7}-\d{7}$/, 'malformed order ID (expected 3-7-7 digits)'),
      OrderChangeType: z.string().optional(),
      OrderChangeTrigger: z.looseObject({ TimeOfOrderChange: NullableInstant, ChangeReason: z.string().optional() }).optional(),
      Summary: z.looseObject({
        MarketplaceId: z.string(),
        OrderStatus: z.enum(ORDER_STATUS_V0),
        PurchaseDate: NullableInstant,
        FulfillmentType: z.enum(['AFN', 'MFN']),
        EarliestShipDate: NullableInstant,
        LatestShipDate: NullableInstant,
      }),
    }),
  }),
  NotificationMetadata: z.looseObject({ NotificationId: z.string(), PublishTime: z.string().optional() }).optional(),
});
export type OrderChangeNotification = z.infer<typeof OrderChangeNotificationSchema>;

export type OrderChangeOutcome =
  | { outcome: 'applied'; sellerId: string; orderId: string; written: boolean }
  | { outcome: 'unknown-seller'; sellerId: string; orderId: string }
  /** No purchase date in the notification and the order is not stored yet: the sync will bring it. */
  | { outcome: 'deferred'; sellerId: string; orderId: string };

/** Parse an SQS message body. Throws InputError (not retryable) when it is not an ORDER_CHANGE. */
export function parseOrderChange(body: string, where = 'ORDER_CHANGE message'): OrderChangeNotification {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InputError(where, 'body is not JSON');
  }
  const r = OrderChangeNotificationSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError(where, `${issue.path.join('.') || '(root)'}: ${issue.message}`, undefined, { cause: r.error });
  }
  return r.data;
}

/** The facts a notification states. `purchaseDate` may be missing (null in the schema). */
export function factsFromOrderChange(n: OrderChangeNotification, sellerId: string): Omit<OrderFacts, 'purchaseDate'> & { purchaseDate?: IsoTime } {
  const c = n.Payload.OrderChangeNotification;
  const s = c.Summary;
  const f: Omit<OrderFacts, 'purchaseDate'> & { purchaseDate?: IsoTime } = {
    sellerId,
    orderId: c.AmazonOrderId,
    marketplace: marketplaceById(s.MarketplaceId)?.key ?? null,
    fulfilledBy: s.FulfillmentType === 'AFN' ? 'AMAZON' : 'MERCHANT',
    orderState: s.OrderStatus,
    // When the order changed; the time Amazon published the event is a fallback, never later than the change.
    lastUpdated: c.OrderChangeTrigger?.TimeOfOrderChange ?? n.EventTime,
    source: 'order-change',
  };
  if (s.PurchaseDate) f.purchaseDate = s.PurchaseDate;
  if (s.EarliestShipDate) f.earliestShipDate = s.EarliestShipDate;
  if (s.LatestShipDate) f.latestShipDate = s.LatestShipDate;
  return f;
}

export async function applyOrderChange(
  repo: SentinelRepository,
  notification: OrderChangeNotification,
  now: IsoTime,
  policy: OrderPolicy,
): Promise<OrderChangeOutcome> {
  const sellerId = notification.Payload.OrderChangeNotification.SellerId;
  const orderId = notification.Payload.OrderChangeNotification.AmazonOrderId;
  const seller = await repo.getSeller(sellerId);
  if (!seller) return { outcome: 'unknown-seller', sellerId, orderId };
  const partial = factsFromOrderChange(notification, seller.sellerId);
  let purchaseDate = partial.purchaseDate;
  if (!purchaseDate) {
    const stored = await repo.getOrder(seller.sellerId, orderId);
    if (!stored) return { outcome: 'deferred', sellerId, orderId };
    purchaseDate = stored.purchaseDate;
  }
  const facts: OrderFacts = { ...partial, purchaseDate };
  const r = await importOrders(repo, [facts], now, policy);
  return { outcome: 'applied', sellerId, orderId, written: r.written > 0 };
}
