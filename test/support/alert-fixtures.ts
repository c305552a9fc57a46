/** The order alert several suites render and send: order 028-4455667-1000003 on amazon.de, missing. */
import type { Alert } from '../../functions/domain/alert-model';

export const FIXTURE_NOW = '2026-11-28T12:00:00.000Z';

export const MISSING_ALERT: Readonly<Alert> = Object.freeze({
  alertId: 'notification-missing:028-4455667-1000003',
  sellerId: 's1',
  kind: 'notification-missing',
  occurredAt: '2026-11-27T11:00:00.000Z',
  raisedAt: FIXTURE_NOW,
  marketplace: 'amazon.de',
  order: {
    orderId: '028-4455667-1000003',
    marketplace: 'amazon.de',
    orderState: 'Unshipped',
    purchaseDate: '2026-11-27T10:00:00.000Z',
    expectedBy: '2026-11-27T11:00:00.000Z',
    shipBy: '2026-11-29T22:59:59.000Z',
    autoCancelAt: '2026-12-08T22:59:59.000Z',
  },
} as Alert);
