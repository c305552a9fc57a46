/** ORDER_CHANGE notifications (the schema's own example) update the stored order at once. */
import { DEFAULT_POLICY } from '../../functions/domain/types';
import { InputError } from '../../functions/domain/errors';
import { importOrders } from '../../functions/services/import-orders';
import { applyOrderChange, parseOrderChange } from '../../functions/services/order-change';
import { useDynalite } from '../support/dynalite';
import { sandboxOrderChangeExample } from '../support/fake-sp-api';

const ddb = useDynalite({ freshTablePerTest: true });
const NOW = '2022-11-29T20:00:00.000Z';

beforeEach(async () => {
  await ddb.repository.putSeller({ sellerId: 'A3TH9S8BH6GOGM', name: 'S', marketplaces: ['amazon.com'], createdAt: NOW });
});

test('the example notification creates the order, source order-change, merchant-fulfilled', async () => {
  const n = parseOrderChange(JSON.stringify(sandboxOrderChangeExample()));
  const r = await applyOrderChange(ddb.repository, n, NOW, DEFAULT_POLICY);
  expect(r).toEqual({ outcome: 'applied', sellerId: 'A3TH9S8BH6GOGM', orderId: '903-8868176-2219830', written: true });
  expect(await ddb.repository.getOrder('A3TH9S8BH6GOGM', '903-8868176-2219830')).toEqual(
    expect.objectContaining({
      marketplace: 'amazon.com',
      fulfilledBy: 'MERCHANT',
      orderState: 'Unshipped',
      purchaseDate: '2022-07-13T19:42:04.284Z',
      latestShipDate: '2022-12-07T19:42:04.284Z',
      lastUpdated: '2022-11-29T19:42:04.284Z',
      source: 'order-change',
    }),
  );
  // Replaying the same notification (SQS delivers at least once) writes nothing.
  expect(await applyOrderChange(ddb.repository, n, NOW, DEFAULT_POLICY)).toEqual(expect.objectContaining({ written: false }));
});

test('a late, older notification never undoes a newer state from the sync', async () => {
  await importOrders(
    ddb.repository,
    [
      {
        sellerId: 'A3TH9S8BH6GOGM',
        orderId: '903-8868176-2219830',
        marketplace: 'amazon.com',
        fulfilledBy: 'MERCHANT',
        orderState: 'Shipped',
        purchaseDate: '2022-07-13T19:42:04.284Z',
        lastUpdated: '2022-11-30T00:00:00.000Z',
        source: 'sp-api-2026',
      },
    ],
    NOW,
    DEFAULT_POLICY,
  );
  const r = await applyOrderChange(ddb.repository, parseOrderChange(JSON.stringify(sandboxOrderChangeExample())), NOW, DEFAULT_POLICY);
  expect(r).toEqual(expect.objectContaining({ outcome: 'applied' }));
  const stored = await ddb.repository.getOrder('A3TH9S8BH6GOGM', '903-8868176-2219830');
  // The older fact may only fill what was unknown (the ship dates), never move the state back.
  expect(stored?.orderState).toBe('Shipped');
  expect(stored?.lastUpdated).toBe('2022-11-30T00:00:00.000Z');
  expect(stored?.latestShipDate).toBe('2022-12-07T19:42:04.284Z');
});

test('unknown seller: dropped, nothing stored; no purchase date and no order: deferred to the sync', async () => {
  const other = sandboxOrderChangeExample();
  other.Payload.OrderChangeNotification.SellerId = 'AUNKNOWN';
  expect(await applyOrderChange(ddb.repository, parseOrderChange(JSON.stringify(other)), NOW, DEFAULT_POLICY)).toEqual(
    expect.objectContaining({ outcome: 'unknown-seller' }),
  );
  const noDate = sandboxOrderChangeExample();
  noDate.Payload.OrderChangeNotification.Summary.PurchaseDate = null;
  expect(await applyOrderChange(ddb.repository, parseOrderChange(JSON.stringify(noDate)), NOW, DEFAULT_POLICY)).toEqual(
    expect.objectContaining({ outcome: 'deferred' }),
  );
  expect(await ddb.repository.listOrders('A3TH9S8BH6GOGM')).toEqual([]);
});

test('not an ORDER_CHANGE: InputError naming the field', () => {
  expect(() => parseOrderChange('{nope')).toThrow(InputError);
  const wrong = sandboxOrderChangeExample();
  wrong.NotificationType = 'ANY_OFFER_CHANGED';
  expect(() => parseOrderChange(JSON.stringify(wrong))).toThrow(/NotificationType/);
});
