import {
  computeStatus,
  expectedAt,
  expectedBy,
  expectsEmail,
  nextAlertAfter,
  nextCheckpoint,
} from '../../functions/domain/order-status';
import type { OrderPolicy, OrderState, StoredOrder } from '../../functions/domain/types';

const POLICY: OrderPolicy = { graceMinutes: 60 };

function order(overrides: Partial<StoredOrder> = {}): StoredOrder {
  return {
    sellerId: 'seller-1',
    orderId: '112-4455667-1000001',
    marketplace: 'amazon.com',
    fulfilledBy: 'MERCHANT',
    orderState: 'Unshipped',
    purchaseDate: '2026-11-28T10:00:00.000Z',
    source: 'report',
    firstSeenAt: '2026-11-28T10:20:00.000Z',
    version: 1,
    ...overrides,
  };
}

describe('expectsEmail', () => {
  it.each<[OrderState, boolean]>([
    ['Unshipped', true],
    ['PartiallyShipped', true],
    // Shipped: the order was shippable before it shipped, so its email was due.
    ['Shipped', true],
    ['Pending', false],
    ['PendingAvailability', false],
    ['Canceled', false],
    ['Unfulfillable', false],
    ['InvoiceUnconfirmed', false],
  ])('merchant-fulfilled %s -> %p', (orderState, expected) => {
    expect(expectsEmail({ fulfilledBy: 'MERCHANT', orderState })).toBe(expected);
  });

  it.each<OrderState>(['Unshipped', 'PartiallyShipped', 'Shipped'])('fulfilled by Amazon (%s) -> false', (orderState) => {
    expect(expectsEmail({ fulfilledBy: 'AMAZON', orderState })).toBe(false);
  });
});

describe('expectedAt / expectedBy', () => {
  it('uses the payments date when known, else the purchase date', () => {
    expect(expectedAt(order())).toBe('2026-11-28T10:00:00.000Z');
    expect(expectedAt(order({ paymentsDate: '2026-11-28T10:30:00.000Z' }))).toBe('2026-11-28T10:30:00.000Z');
  });

  it('adds the grace period', () => {
    expect(expectedBy(order(), POLICY)).toBe('2026-11-28T11:00:00.000Z');
    expect(expectedBy(order({ paymentsDate: '2026-11-28T10:30:00.000Z' }), POLICY)).toBe('2026-11-28T11:30:00.000Z');
    expect(expectedBy(order(), { graceMinutes: 0 })).toBe('2026-11-28T10:00:00.000Z');
  });
});

describe('computeStatus', () => {
  it('awaiting 1 ms before expectedBy, missing exactly at it and 1 ms after', () => {
    expect(computeStatus(order(), '2026-11-28T10:59:59.999Z', POLICY)).toBe('awaiting');
    expect(computeStatus(order(), '2026-11-28T11:00:00.000Z', POLICY)).toBe('missing');
    expect(computeStatus(order(), '2026-11-28T11:00:00.001Z', POLICY)).toBe('missing');
  });

  it('compares instants, not strings: a `now` without milliseconds hits the same boundary', () => {
    expect(computeStatus(order(), '2026-11-28T11:00:00Z', POLICY)).toBe('missing');
    expect(computeStatus(order(), '2026-11-28T10:59:59Z', POLICY)).toBe('awaiting');
  });

  it('the boundary moves with the payments date', () => {
    const paid = order({ paymentsDate: '2026-11-28T10:30:00.000Z' });
    expect(computeStatus(paid, '2026-11-28T11:29:59.999Z', POLICY)).toBe('awaiting');
    expect(computeStatus(paid, '2026-11-28T11:30:00.000Z', POLICY)).toBe('missing');
  });

  it('notified from the moment the email arrived, late or not; not before (a check "as of" an earlier time)', () => {
    const n = order({ notifiedAt: '2026-11-28T12:30:00.000Z' });
    expect(computeStatus(n, '2026-11-28T10:10:00.000Z', POLICY)).toBe('awaiting');
    expect(computeStatus(n, '2026-11-28T12:29:59.999Z', POLICY)).toBe('missing');
    expect(computeStatus(n, '2026-11-28T12:30:00.000Z', POLICY)).toBe('notified');
    expect(computeStatus(n, '2026-11-29T00:00:00.000Z', POLICY)).toBe('notified');
  });

  it('a shipped order still expects its email', () => {
    expect(computeStatus(order({ orderState: 'Shipped' }), '2026-11-28T12:00:00.000Z', POLICY)).toBe('missing');
  });

  it.each<Partial<StoredOrder>>([
    { fulfilledBy: 'AMAZON' },
    { orderState: 'Pending' },
    { orderState: 'PendingAvailability' },
    { orderState: 'Canceled' },
    { orderState: 'Canceled', notifiedAt: '2026-11-28T10:05:00.000Z' },
    { orderState: 'Unfulfillable' },
    { orderState: 'InvoiceUnconfirmed' },
  ])('not-expected for %j', (overrides) => {
    expect(computeStatus(order(overrides), '2026-11-28T12:00:00.000Z', POLICY)).toBe('not-expected');
  });
});

describe('nextAlertAfter', () => {
  it('is expectedBy while the email is expected and not yet flagged missing', () => {
    expect(nextAlertAfter(order(), POLICY)).toBe('2026-11-28T11:00:00.000Z');
    expect(nextAlertAfter(order({ status: 'awaiting' }), POLICY)).toBe('2026-11-28T11:00:00.000Z');
    expect(nextCheckpoint(order(), POLICY)).toEqual({ at: '2026-11-28T11:00:00.000Z', kind: 'email-due' });
  });

  it('is undefined once the missing transition is written (the order leaves the due index)', () => {
    expect(nextAlertAfter(order({ status: 'missing' }), POLICY)).toBeUndefined();
  });

  it('is undefined when notified or not expected', () => {
    expect(nextAlertAfter(order({ notifiedAt: '2026-11-28T10:05:00.000Z' }), POLICY)).toBeUndefined();
    expect(nextAlertAfter(order({ notifiedAt: '2026-11-28T10:05:00.000Z', status: 'notified' }), POLICY)).toBeUndefined();
    expect(nextAlertAfter(order({ fulfilledBy: 'AMAZON' }), POLICY)).toBeUndefined();
    expect(nextAlertAfter(order({ orderState: 'Canceled', status: 'not-expected' }), POLICY)).toBeUndefined();
  });

  it('keeps an order due while its stored waiting status is stale, so the transition is not lost', () => {
    // Flagged missing, then the email is matched: due at the arrival, i.e. now.
    expect(nextCheckpoint(order({ status: 'missing', notifiedAt: '2026-11-28T11:20:00.000Z' }), POLICY)).toEqual({
      at: '2026-11-28T11:20:00.000Z',
      kind: 'status-stale',
    });
    // Awaiting, then cancelled: due at the cancellation time.
    expect(
      nextCheckpoint(order({ status: 'awaiting', orderState: 'Canceled', lastUpdated: '2026-11-28T10:40:00.000Z' }), POLICY),
    ).toEqual({ at: '2026-11-28T10:40:00.000Z', kind: 'status-stale' });
    // Same without a source update time (a report): firstSeenAt.
    expect(nextAlertAfter(order({ status: 'missing', orderState: 'Canceled' }), POLICY)).toBe('2026-11-28T10:20:00.000Z');
  });

  it('an order that becomes expected again is due at its expectedBy', () => {
    expect(nextAlertAfter(order({ status: 'not-expected' }), POLICY)).toBe('2026-11-28T11:00:00.000Z');
  });
});
