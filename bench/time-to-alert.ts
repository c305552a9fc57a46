/**
 * The `time to alert` section of `npm run bench` (issue 13): from the moment an order's grace
 * period ends to its alert leaving the sender, on the default schedules.
 *
 * Design: the reconciler runs every minute (reconcileIntervalMinutes, default 1) and, when a run
 * wrote alerts, invokes the alert sender asynchronously at once (infra/constructs/reconciler.ts,
 * functions/adapters/lambda-sender-trigger.ts); the sender's own minute schedule stays as the retry
 * path. Worst case: the grace period ends just after a reconciler run read the due index, so
 *
 *   time to alert = reconciler interval (60 s) + reconciler run + invoke and sender start
 *                   + sender run (claim, render, SES SendEmail, mark sent)
 *
 * The two runs are measured here on the real adapters (embedded dynalite) with `due` orders
 * turning missing at once (1 and 100 sellers, one order each), median of 5 fresh tables; the
 * channel is an in-process one, so the SES call is added as an assumption, as is the invoke.
 */
import { DynamoDbOutbox } from '../functions/adapters/dynamodb/outbox';
import type { AlertChannel } from '../functions/domain/ports';
import { DEFAULT_POLICY, type OrderFacts } from '../functions/domain/types';
import { startEmbeddedDynamoDb } from '../functions/local/embedded-dynamodb';
import { importOrders } from '../functions/services/import-orders';
import { reconcileDue } from '../functions/services/reconcile';
import { sendDueAlerts } from '../functions/services/send-alerts';

export const TIME_TO_ALERT_ASSUMPTIONS = {
  reconcilerIntervalS: 60,
  /** Async Invoke accepted + a sender environment started (a cold start when the scheduled one is busy). */
  invokeAndStartS: 0.8,
  /** One SES SendEmail round trip in the region. */
  sesSendS: 0.25,
  /** A DynamoDB round trip in the region, for each request the runs make (local dynalite is faster). */
  awsRequestS: 0.006,
} as const;

export interface TimeToAlertRow {
  sellers: number;
  reconcileMs: number;
  sendMs: number;
  requests: number;
  worstCaseS: number;
  targetS: number;
  before: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchTimeToAlert(sizes: readonly number[] = [1, 100], samples = 5): Promise<TimeToAlertRow[]> {
  const rows: TimeToAlertRow[] = [];
  for (const sellers of sizes) {
    const rec: number[] = [];
    const snd: number[] = [];
    let requests = 0;
    for (let s = 0; s < samples; s++) {
      const db = await startEmbeddedDynamoDb();
      try {
        const outbox = new DynamoDbOutbox({ client: db.client, tableName: db.tableName });
        const orders: OrderFacts[] = [];
        for (let k = 0; k < sellers; k++) {
          const sellerId = `S${String(k).padStart(4, '0')}`;
          await db.repository.putSeller({ sellerId, name: sellerId, marketplaces: ['amazon.com'], createdAt: '2026-11-01T00:00:00.000Z', alertEmails: [`${sellerId}@shop.cn`] } as never);
          orders.push({ sellerId, orderId: `112-0000000-${String(k).padStart(7, '0')}`, marketplace: 'amazon.com', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: '2026-11-30T08:00:00.000Z', source: 'sp-api-2026' });
        }
        await importOrders(db.repository, orders, '2026-11-30T08:01:00.000Z', DEFAULT_POLICY);
        let count = 0;
        db.client.middlewareStack.add((next) => async (args) => ((count++), next(args)), { step: 'initialize', name: 'ttaCount', override: true });
        // Just after every order's grace period (60 min) ended.
        const now = '2026-11-30T09:01:30.000Z';
        let t0 = performance.now();
        const r = await reconcileDue(db.repository, now, DEFAULT_POLICY, { alerting: { outbox } });
        rec.push(performance.now() - t0);
        if (r.alerts.length !== sellers) throw new Error(`expected ${sellers} alerts, got ${r.alerts.length}`);
        const channel: AlertChannel = { id: 'email', type: 'email', send: async () => undefined };
        // The sender the reconciler started (the alerts are due at once unless quiet hours defer them).
        const items = await Promise.all(orders.map((o) => outbox.listForSeller(o.sellerId)));
        const at = new Date(Math.max(Date.parse(now) + 1000, ...items.flat().map((i) => Date.parse(i.deliverAt)))).toISOString();
        t0 = performance.now();
        const sent = await sendDueAlerts({ outbox, health: outbox, sellers: db.repository, channels: () => channel, fallbackChannels: [{ id: 'email', type: 'email' } as never], orders: { repo: db.repository, policy: DEFAULT_POLICY } }, at);
        snd.push(performance.now() - t0);
        if (sent.sent !== sellers) throw new Error(`expected ${sellers} sent, got ${JSON.stringify(sent)}`);
        requests = count;
      } finally {
        await db.stop();
      }
    }
    const a = TIME_TO_ALERT_ASSUMPTIONS;
    const reconcileMs = Math.round(median(rec));
    const sendMs = Math.round(median(snd));
    // Conservative: every SES send and every DynamoDB request one after the other.
    const worst = a.reconcilerIntervalS + reconcileMs / 1000 + a.invokeAndStartS + sendMs / 1000 + sellers * a.sesSendS + requests * a.awsRequestS;
    rows.push({
      sellers,
      reconcileMs,
      sendMs,
      requests,
      worstCaseS: Math.round(worst * 10) / 10,
      targetS: 120,
      before: `5-min reconciler + 1-min sender: up to ${Math.round(300 + 60 + (reconcileMs + sendMs) / 1000)} s`,
    });
  }
  return rows;
}

export function timeToAlertArithmetic(r: TimeToAlertRow): string {
  const a = TIME_TO_ALERT_ASSUMPTIONS;
  return (
    `time to alert, ${r.sellers} seller(s) due at once: ${a.reconcilerIntervalS} s (reconciler interval) + ${r.reconcileMs} ms (reconciler run, measured) + ` +
    `${a.invokeAndStartS} s (invoke, sender start) + ${r.sendMs} ms (sender run, measured) + ${r.sellers} × ${a.sesSendS} s (SES) + ${r.requests} requests × ${a.awsRequestS * 1000} ms ` +
    `= ${r.worstCaseS} s worst case (target <= ${r.targetS} s; before: ${r.before})`
  );
}
