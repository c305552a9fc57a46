/**
 * What `npm start` would send: the bundled examples, the local check, the alerts rendered in both
 * languages; and delivery to an aws-ses-v2-local server started here.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import { deliverToLocalSes, localAlerts, renderAlerts } from '../../functions/local/alerts-preview';
import { runCheck, type CheckOutcome } from '../../functions/local/run-check';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
let outcome: CheckOutcome;

beforeAll(async () => {
  outcome = await runCheck({
    orders: [join(EXAMPLES, 'orders')],
    mailDir: join(EXAMPLES, 'mail'),
    now: '2026-11-28T12:00:00.000Z',
    policy: DEFAULT_POLICY,
    sellerId: 'demo-seller',
  });
});

test('one alert per missing order, in both languages, with deadlines and the Seller Central link', () => {
  const missing = outcome.report.orders.filter((o) => o.status === 'missing').map((o) => o.orderId);
  const alerts = localAlerts(outcome).filter((a) => a.kind === 'notification-missing');
  expect(alerts.map((a) => a.order?.orderId).sort()).toEqual([...missing].sort());
  const text = renderAlerts(outcome);
  expect(text).toMatch(/^Alerts that would be sent \(\d+ messages?\):/);
  for (const id of missing) {
    expect(text).toContain(`未收到「Sold, Ship Now」邮件: ${id}`);
    expect(text).toContain(`Sold, Ship Now email missing: ${id}`);
    expect(text).toContain(`/orders-v3/order/${id}`);
  }
  expect(text).toContain('Auto-cancel:');
  expect(text).toContain('自动取消:');
});

describe('delivery to a local aws-ses-v2-local', () => {
  let ses: Server;
  let endpoint: string;
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const start = (require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> }).default;
    ses = await start({ host: '127.0.0.1', port: 0 });
    endpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    ses.closeAllConnections();
    await new Promise((r) => ses.close(r));
  });

  test('every previewed message arrives, to the given address', async () => {
    await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    const n = await deliverToLocalSes(outcome, { endpoint, to: ['seller@example.cn'] });
    const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: Array<{ subject: string; destination: { to: string[] }; body: { text?: string } }> };
    expect(store.emails).toHaveLength(n);
    expect(n).toBeGreaterThan(0);
    for (const e of store.emails) {
      expect(e.destination.to).toEqual(['seller@example.cn']);
      expect(e.subject).toMatch(/^\[ShipNow Sentinel\] /);
      expect(e.body.text).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
