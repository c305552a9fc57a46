import { applyNotification, applyTransition, mergeFacts, mergeOrderFacts } from '../../functions/domain/order-merge';
import type { NotificationRecord, OrderFacts, OrderPolicy, StoredOrder } from '../../functions/domain/types';

const POLICY: OrderPolicy = { graceMinutes: 60 };
const NOW = '2026-11-28T10:20:00.000Z';

/** What the Unshipped Orders report says: payments date, no lastUpdated, no ship dates. */
function reportFacts(overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    sellerId: 'seller-1',
    orderId: '112-4455667-1000001',
    marketplace: 'amazon.com',
    fulfilledBy: 'MERCHANT',
    orderState: 'Unshipped',
    purchaseDate: '2026-11-28T10:00:00.000Z',
    paymentsDate: '2026-11-28T10:05:00.000Z',
    source: 'report',
    ...overrides,
  };
}

/** What the Orders API says: lastUpdated and ship dates, no payments date. */
function apiFacts(overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    sellerId: 'seller-1',
    orderId: '112-4455667-1000001',
    marketplace: 'amazon.com',
    fulfilledBy: 'MERCHANT',
    orderState: 'Unshipped',
    purchaseDate: '2026-11-28T10:00:00.000Z',
    earliestShipDate: '2026-11-28T08:00:00.000Z',
    latestShipDate: '2026-12-01T07:59:59.000Z',
    lastUpdated: '2026-11-28T10:15:00.000Z',
    source: 'sp-api-2026',
    ...overrides,
  };
}

function created(facts: OrderFacts, now = NOW): StoredOrder {
  const o = mergeOrderFacts(undefined, facts, now, POLICY);
  if (!o) throw new Error('expected a new order');
  return o;
}

function notification(receivedAt: string, messageId: string): NotificationRecord {
  return {
    sellerId: 'seller-1',
    orderId: '112-4455667-1000001',
    messageId,
    marketplace: 'amazon.com',
    language: 'en',
    receivedAt,
    location: `mail/${messageId}.eml`,
    verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
  };
}

describe('mergeOrderFacts', () => {
  it('creates a new order: version 1, firstSeenAt = now, alertAfter = expectedBy, no undefined values', () => {
    const o = created(reportFacts());
    expect(o).toEqual({ ...reportFacts(), firstSeenAt: NOW, version: 1, alertAfter: '2026-11-28T11:05:00.000Z' });
    expect(Object.values(o)).not.toContain(undefined);
  });

  it('replaying the same facts changes nothing (null), from any source', () => {
    const fromReport = created(reportFacts());
    expect(mergeOrderFacts(fromReport, reportFacts(), '2026-11-28T11:00:00.000Z', POLICY)).toBeNull();
    const fromApi = created(apiFacts());
    expect(mergeOrderFacts(fromApi, apiFacts(), '2026-11-28T11:00:00.000Z', POLICY)).toBeNull();
  });

  it('fills the fields the stored copy lacks (report: paymentsDate; API: ship dates, lastUpdated)', () => {
    const stored = created(reportFacts());
    const merged = mergeOrderFacts(stored, apiFacts(), '2026-11-28T10:30:00.000Z', POLICY);
    expect(merged).toMatchObject({
      paymentsDate: '2026-11-28T10:05:00.000Z',
      earliestShipDate: '2026-11-28T08:00:00.000Z',
      latestShipDate: '2026-12-01T07:59:59.000Z',
      lastUpdated: '2026-11-28T10:15:00.000Z',
      source: 'sp-api-2026',
      firstSeenAt: NOW,
      version: 2,
    });
    // And the other way round.
    const fromApi = created(apiFacts());
    const filled = mergeOrderFacts(fromApi, reportFacts(), '2026-11-28T10:30:00.000Z', POLICY);
    expect(filled).toMatchObject({ paymentsDate: '2026-11-28T10:05:00.000Z', latestShipDate: '2026-12-01T07:59:59.000Z', version: 2 });
    // Alternating sources settle: nothing changes any more.
    expect(mergeOrderFacts(filled!, apiFacts(), '2026-11-28T10:40:00.000Z', POLICY)).toBeNull();
    expect(mergeOrderFacts(filled!, reportFacts(), '2026-11-28T10:40:00.000Z', POLICY)).toBeNull();
  });

  it('recomputes alertAfter when a fact moves expectedBy', () => {
    const fromApi = created(apiFacts());
    expect(fromApi.alertAfter).toBe('2026-11-28T11:00:00.000Z');
    expect(mergeOrderFacts(fromApi, reportFacts(), NOW, POLICY)?.alertAfter).toBe('2026-11-28T11:05:00.000Z');
  });

  it('keeps the marketplace once known', () => {
    const stored = created(reportFacts());
    expect(mergeOrderFacts(stored, apiFacts({ marketplace: null }), NOW, POLICY)?.marketplace).toBe('amazon.com');
    const unknown = created(apiFacts({ marketplace: null }));
    expect(mergeOrderFacts(unknown, reportFacts(), NOW, POLICY)?.marketplace).toBe('amazon.com');
  });

  it('ignores a fact older than the stored one (no state change, no overwrite)', () => {
    const stored = created(apiFacts({ orderState: 'Shipped', lastUpdated: '2026-11-28T12:00:00.000Z' }));
    const older = apiFacts({ orderState: 'Unshipped', latestShipDate: '2026-12-05T07:59:59.000Z', lastUpdated: '2026-11-28T11:00:00.000Z' });
    expect(mergeOrderFacts(stored, older, NOW, POLICY)).toBeNull();
    // Even a state that would be "forward" is not taken from an older fact.
    const pending = created(apiFacts({ orderState: 'Pending', lastUpdated: '2026-11-28T12:00:00.000Z' }));
    expect(mergeOrderFacts(pending, apiFacts({ lastUpdated: '2026-11-28T11:00:00.000Z' }), NOW, POLICY)).toBeNull();
  });

  it('an older fact may still fill a field the stored copy lacks', () => {
    const stored = created(apiFacts({ latestShipDate: undefined, earliestShipDate: undefined, lastUpdated: '2026-11-28T12:00:00.000Z', orderState: 'Shipped' }));
    const merged = mergeOrderFacts(stored, apiFacts({ lastUpdated: '2026-11-28T11:00:00.000Z' }), NOW, POLICY);
    expect(merged).toMatchObject({ orderState: 'Shipped', latestShipDate: '2026-12-01T07:59:59.000Z', lastUpdated: '2026-11-28T12:00:00.000Z' });
  });

  it('state never moves backwards without a newer lastUpdated', () => {
    const shipped = created(apiFacts({ orderState: 'Shipped' }));
    // The report has no lastUpdated: it may fill paymentsDate but not undo Shipped.
    const merged = mergeOrderFacts(shipped, reportFacts(), NOW, POLICY);
    expect(merged).toMatchObject({ orderState: 'Shipped', paymentsDate: '2026-11-28T10:05:00.000Z' });
    // Same lastUpdated, lower state: ignored.
    expect(mergeOrderFacts(shipped, apiFacts({ orderState: 'PartiallyShipped' }), NOW, POLICY)).toBeNull();
    // A strictly newer fact is Amazon's word and wins, even backwards.
    expect(mergeOrderFacts(shipped, apiFacts({ orderState: 'PartiallyShipped', lastUpdated: '2026-11-28T13:00:00.000Z' }), NOW, POLICY)?.orderState).toBe(
      'PartiallyShipped',
    );
  });

  it('an API fact does not undo what a report (no lastUpdated) said: the two cannot be ordered', () => {
    const partial = created(reportFacts({ orderState: 'PartiallyShipped' }));
    const merged = mergeOrderFacts(partial, apiFacts(), NOW, POLICY);
    expect(merged).toMatchObject({ orderState: 'PartiallyShipped', latestShipDate: '2026-12-01T07:59:59.000Z', lastUpdated: '2026-11-28T10:15:00.000Z' });
  });

  it('moves forward on a fact without lastUpdated (Pending -> Unshipped from the report)', () => {
    const pending = created(apiFacts({ orderState: 'Pending' }));
    expect(pending.alertAfter).toBeUndefined();
    const merged = mergeOrderFacts(pending, reportFacts(), NOW, POLICY);
    expect(merged).toMatchObject({ orderState: 'Unshipped', alertAfter: '2026-11-28T11:05:00.000Z', source: 'report', version: 2 });
  });

  it('Canceled and Unfulfillable are final', () => {
    const canceled = created(apiFacts({ orderState: 'Canceled' }));
    expect(mergeOrderFacts(canceled, apiFacts({ orderState: 'Unshipped', lastUpdated: '2026-11-28T13:00:00.000Z' }), NOW, POLICY)?.orderState).toBe(
      'Canceled',
    );
    expect(mergeOrderFacts(canceled, reportFacts(), NOW, POLICY)?.orderState).toBe('Canceled');
    // A newer fact can cancel an order.
    const open = created(apiFacts());
    expect(mergeOrderFacts(open, apiFacts({ orderState: 'Canceled', lastUpdated: '2026-11-28T10:50:00.000Z' }), NOW, POLICY)).toMatchObject({
      orderState: 'Canceled',
      lastUpdated: '2026-11-28T10:50:00.000Z',
    });
  });

  it('keeps notifiedAt, notificationId and status from the stored order', () => {
    const { alertAfter: _dropped, ...base } = created(reportFacts());
    const stored: StoredOrder = {
      ...base,
      notifiedAt: '2026-11-28T10:07:00.000Z',
      notificationId: 'msg-1',
      status: 'notified',
      statusChangedAt: '2026-11-28T10:07:00.000Z',
    };
    const merged = mergeOrderFacts(stored, apiFacts(), NOW, POLICY);
    expect(merged).toMatchObject({ notifiedAt: '2026-11-28T10:07:00.000Z', notificationId: 'msg-1', status: 'notified', version: 2 });
    expect(merged).not.toHaveProperty('alertAfter');
  });

  it('refuses facts of another order or seller', () => {
    const stored = created(reportFacts());
    expect(() => mergeOrderFacts(stored, reportFacts({ orderId: '112-4455667-1000002' }), NOW, POLICY)).toThrow(/does not belong/);
    expect(() => mergeOrderFacts(stored, reportFacts({ sellerId: 'seller-2' }), NOW, POLICY)).toThrow(/does not belong/);
  });
});

describe('mergeFacts', () => {
  it('folds two facts; source names the last contributor', () => {
    expect(mergeFacts(reportFacts(), apiFacts())).toEqual({ ...apiFacts(), paymentsDate: '2026-11-28T10:05:00.000Z' });
    expect(mergeFacts(apiFacts(), apiFacts())).toEqual(apiFacts());
  });
});

describe('applyNotification', () => {
  it('marks the order notified and takes it out of the due index', () => {
    const stored = created(reportFacts());
    const n = applyNotification(stored, notification('2026-11-28T10:07:00.000Z', 'msg-1'), POLICY);
    expect(n).toMatchObject({ notifiedAt: '2026-11-28T10:07:00.000Z', notificationId: 'msg-1', version: 2 });
    expect(n).not.toHaveProperty('alertAfter');
  });

  it('keeps the earliest arrival', () => {
    const first = applyNotification(created(reportFacts()), notification('2026-11-28T10:07:00.000Z', 'msg-1'), POLICY)!;
    // A later copy (forwarded, re-ingested): nothing changes.
    expect(applyNotification(first, notification('2026-11-28T10:09:00.000Z', 'msg-2'), POLICY)).toBeNull();
    // The same email again: nothing changes.
    expect(applyNotification(first, notification('2026-11-28T10:07:00.000Z', 'msg-1'), POLICY)).toBeNull();
    // An earlier one found later: it wins.
    expect(applyNotification(first, notification('2026-11-28T10:06:00.000Z', 'msg-0'), POLICY)).toMatchObject({
      notifiedAt: '2026-11-28T10:06:00.000Z',
      notificationId: 'msg-0',
      version: 3,
    });
  });

  it('on an order already flagged missing, leaves it due so the recovery transition gets written', () => {
    const missing = applyTransition(created(reportFacts()), '2026-11-28T12:00:00.000Z', POLICY)!;
    const n = applyNotification(missing, notification('2026-11-28T12:10:00.000Z', 'msg-1'), POLICY);
    expect(n?.alertAfter).toBe('2026-11-28T12:10:00.000Z');
  });

  it('refuses a notification for another order', () => {
    const stored = created(reportFacts());
    expect(() => applyNotification(stored, { ...notification('2026-11-28T10:07:00.000Z', 'm'), orderId: '112-4455667-1000002' }, POLICY)).toThrow();
  });
});

describe('applyTransition', () => {
  it('a new order becomes awaiting as of firstSeenAt', () => {
    const t = applyTransition(created(reportFacts()), '2026-11-28T10:30:00.000Z', POLICY);
    expect(t).toMatchObject({ status: 'awaiting', statusChangedAt: NOW, alertAfter: '2026-11-28T11:05:00.000Z', version: 2 });
    expect(applyTransition(t!, '2026-11-28T10:40:00.000Z', POLICY)).toBeNull();
  });

  it('missing is recorded at expectedBy, not when the reconciler noticed, and leaves the due index', () => {
    const awaiting = applyTransition(created(reportFacts()), '2026-11-28T10:30:00.000Z', POLICY)!;
    const missing = applyTransition(awaiting, '2026-11-28T13:47:00.000Z', POLICY);
    expect(missing).toMatchObject({ status: 'missing', statusChangedAt: '2026-11-28T11:05:00.000Z', version: 3 });
    expect(missing).not.toHaveProperty('alertAfter');
    expect(applyTransition(missing!, '2026-11-28T14:00:00.000Z', POLICY)).toBeNull();
  });

  it('notified is recorded at the arrival of the email', () => {
    const awaiting = applyTransition(created(reportFacts()), '2026-11-28T10:30:00.000Z', POLICY)!;
    const n = applyNotification(awaiting, notification('2026-11-28T10:31:00.000Z', 'msg-1'), POLICY)!;
    expect(applyTransition(n, '2026-11-28T10:45:00.000Z', POLICY)).toMatchObject({
      status: 'notified',
      statusChangedAt: '2026-11-28T10:31:00.000Z',
      version: 4,
    });
  });

  it('a late email after the missing flip: notified no earlier than the flip (history stays in order)', () => {
    const missing = applyTransition(created(reportFacts()), '2026-11-28T12:00:00.000Z', POLICY)!;
    expect(missing.statusChangedAt).toBe('2026-11-28T11:05:00.000Z');
    // The email had arrived at 11:00 but was only matched now (e.g. the order came after it).
    const n = applyNotification(missing, notification('2026-11-28T11:00:00.000Z', 'msg-1'), POLICY)!;
    const t = applyTransition(n, '2026-11-28T12:30:00.000Z', POLICY);
    expect(t).toMatchObject({ status: 'notified', statusChangedAt: '2026-11-28T11:05:00.000Z' });
    expect(t).not.toHaveProperty('alertAfter');
  });

  it('not-expected after a cancellation is recorded at the source update time', () => {
    const awaiting = applyTransition(created(apiFacts()), '2026-11-28T10:30:00.000Z', POLICY)!;
    const canceled = mergeOrderFacts(awaiting, apiFacts({ orderState: 'Canceled', lastUpdated: '2026-11-28T10:50:00.000Z' }), '2026-11-28T11:30:00.000Z', POLICY)!;
    expect(canceled.alertAfter).toBe('2026-11-28T10:50:00.000Z'); // stale status: due now
    expect(applyTransition(canceled, '2026-11-28T11:30:00.000Z', POLICY)).toMatchObject({
      status: 'not-expected',
      statusChangedAt: '2026-11-28T10:50:00.000Z',
    });
  });

  it('an FBA order is not-expected since it was first seen', () => {
    const fba = created(apiFacts({ fulfilledBy: 'AMAZON' }));
    expect(applyTransition(fba, '2026-11-28T11:30:00.000Z', POLICY)).toMatchObject({ status: 'not-expected', statusChangedAt: NOW });
  });

  it('never records a change in the future', () => {
    const stored = created(apiFacts({ orderState: 'Pending', lastUpdated: '2026-11-28T10:15:00.000Z' }));
    const notExpected = applyTransition(stored, '2026-11-28T10:20:00.000Z', POLICY)!;
    // The source's clock runs ahead of ours: clamp to now.
    const unshipped = mergeOrderFacts(notExpected, apiFacts({ lastUpdated: '2026-11-28T10:45:00.000Z' }), '2026-11-28T10:40:00.000Z', POLICY)!;
    expect(applyTransition(unshipped, '2026-11-28T10:40:00.000Z', POLICY)).toMatchObject({
      status: 'awaiting',
      statusChangedAt: '2026-11-28T10:40:00.000Z',
    });
  });
});
