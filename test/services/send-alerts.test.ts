/**
 * The sender on a real local DynamoDB (dynalite) with recording channels: claim, retry with
 * back-off, broken channel fall-through, digest, quiet hours, a crash between claim and send,
 * concurrent senders.
 */
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { type AlertChannel, type OutgoingMessage } from '../../functions/domain/ports';
import { PermanentChannelError, TransientChannelError } from '../../functions/domain/errors';
import type { Alert } from '../../functions/domain/alert-model';
import type { ChannelConfig } from '../../functions/domain/alert-settings';
import { brokenChannels } from '../../functions/services/channel-health';
import { sendDueAlerts, type SendAlertsDeps } from '../../functions/services/send-alerts';
import { useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const NOW = '2026-11-28T12:00:00.000Z';
const plus = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

const alert = (i: number, over: Partial<Alert> = {}): Alert => ({
  alertId: `notification-missing:112-0000000-000000${i}`,
  sellerId: 's1',
  kind: 'notification-missing',
  occurredAt: '2026-11-28T11:00:00.000Z',
  raisedAt: NOW,
  ...over,
});

type Behaviour = Array<'ok' | 'transient' | 'permanent'>;

function harness(channels: ChannelConfig[], behaviour: Record<string, Behaviour>, extra: Partial<SendAlertsDeps> = {}) {
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const sent: Array<{ channel: string; message: OutgoingMessage }> = [];
  const attempts: Record<string, number> = {};
  const sleeps: number[] = [];
  const events: Alert[][] = [];
  const factory = (c: ChannelConfig): AlertChannel => ({
    id: c.id,
    type: c.type,
    send: async (m) => {
      const n = (attempts[c.id] = (attempts[c.id] ?? 0) + 1);
      const plan = behaviour[c.id] ?? ['ok'];
      const what = plan[Math.min(n - 1, plan.length - 1)];
      if (what === 'transient') throw new TransientChannelError(c.id, 'HTTP 503');
      if (what === 'permanent') throw new PermanentChannelError(c.id, 'error 310000: sign not match');
      sent.push({ channel: c.id, message: m });
    },
  });
  const deps: SendAlertsDeps = {
    outbox,
    health: outbox,
    sellers: ddb.repository,
    channels: factory,
    events: { publish: async (a) => void events.push([...a]) },
    sleep: async (ms) => void sleeps.push(ms),
    ...extra,
  };
  return { deps, outbox, sent, attempts, sleeps, events, setup: () => seller(channels) };
}

async function seller(channels: ChannelConfig[], extra: object = {}) {
  await ddb.repository.putSeller({ sellerId: 's1', name: 'S1', marketplaces: ['amazon.com'], createdAt: NOW, alerting: { channels, ...extra } } as never);
}

const DT: ChannelConfig = { id: 'dingtalk', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=x', secret: 's' };
const SL: ChannelConfig = { id: 'slack', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' };

test('claims, publishes to the bus, sends through the first channel, marks sent', async () => {
  const h = harness([DT, SL], {});
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  const r = await sendDueAlerts(h.deps, NOW);
  expect(r).toMatchObject({ due: 1, claimed: 1, sent: 1, messages: 1, digests: 0, failed: 0, retried: 0 });
  expect(h.sent.map((s) => s.channel)).toEqual(['dingtalk']);
  expect(h.events).toEqual([[alert(1)]]);
  expect(await h.outbox.get('s1', alert(1).alertId)).toMatchObject({ status: 'sent', sentVia: ['dingtalk'], sentAt: NOW });
  // Nothing left: a second run sends nothing.
  expect((await sendDueAlerts(h.deps, plus(60_000))).sent).toBe(0);
});

test('transient failures are retried with exponential back-off', async () => {
  const h = harness([DT], { dingtalk: ['transient', 'transient', 'ok'] });
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  const r = await sendDueAlerts(h.deps, NOW, { backoffMs: 100 });
  expect(r.sent).toBe(1);
  expect(h.attempts.dingtalk).toBe(3);
  expect(h.sleeps).toEqual([100, 200]);
});

test('a permanent failure marks the channel broken and falls through to the next; later runs skip it', async () => {
  const h = harness([DT, SL], { dingtalk: ['permanent'] });
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  const r = await sendDueAlerts(h.deps, NOW);
  expect(r.brokenChannels).toEqual([{ sellerId: 's1', channelId: 'dingtalk', reason: 'dingtalk: error 310000: sign not match' }]);
  expect(h.sent.map((s) => s.channel)).toEqual(['slack']);
  expect(await h.outbox.brokenChannels('s1')).toEqual([expect.objectContaining({ channelId: 'dingtalk', since: NOW })]);

  await h.outbox.put(alert(2), plus(1000));
  await sendDueAlerts(h.deps, plus(1000));
  expect(h.attempts.dingtalk).toBe(1); // not tried again
  expect(h.sent.map((s) => s.channel)).toEqual(['slack', 'slack']);
});

test('a broken channel is tried again after its cool-off: broken again on failure, cleared on success', async () => {
  const HOUR = 3_600_000;
  const h = harness([DT, SL], { dingtalk: ['permanent', 'permanent', 'ok'] });
  await ddb.repository.putSeller({ sellerId: 's1', name: 'S1', marketplaces: ['amazon.com'], createdAt: NOW, alerting: { channels: [DT, SL], brokenChannelRetryHours: 2 } } as never);
  await h.outbox.put(alert(1), NOW);
  await sendDueAlerts(h.deps, NOW);
  expect(h.attempts.dingtalk).toBe(1);

  // Within the cool-off: skipped.
  await h.outbox.put(alert(2), plus(2 * HOUR - 1));
  await sendDueAlerts(h.deps, plus(2 * HOUR - 1));
  expect(h.attempts.dingtalk).toBe(1);

  // Cool-off over: tried again, fails again; the spell keeps its start, the cool-off restarts.
  await h.outbox.put(alert(3), plus(2 * HOUR));
  const again = await sendDueAlerts(h.deps, plus(2 * HOUR));
  expect(h.attempts.dingtalk).toBe(2);
  expect(again.brokenChannels.map((b) => b.channelId)).toEqual(['dingtalk']);
  expect(await h.outbox.brokenChannels('s1')).toEqual([expect.objectContaining({ channelId: 'dingtalk', since: NOW, lastFailedAt: plus(2 * HOUR) })]);
  await h.outbox.put(alert(4), plus(3 * HOUR));
  await sendDueAlerts(h.deps, plus(3 * HOUR));
  expect(h.attempts.dingtalk).toBe(2);

  // Next cool-off over: it works, is cleared, and is the first channel again.
  await h.outbox.put(alert(5), plus(4 * HOUR));
  const ok = await sendDueAlerts(h.deps, plus(4 * HOUR));
  expect(ok.recoveredChannels).toEqual([{ sellerId: 's1', channelId: 'dingtalk' }]);
  expect(await h.outbox.brokenChannels('s1')).toEqual([]);
  expect(h.sent.map((s) => s.channel)).toEqual(['slack', 'slack', 'slack', 'slack', 'dingtalk']);
});

test('the default cool-off is 6 hours', async () => {
  const h = harness([DT, SL], { dingtalk: ['permanent', 'ok'] });
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  await sendDueAlerts(h.deps, NOW);
  await h.outbox.put(alert(2), plus(6 * 3_600_000 - 1));
  await sendDueAlerts(h.deps, plus(6 * 3_600_000 - 1));
  expect(h.attempts.dingtalk).toBe(1);
  await h.outbox.put(alert(3), plus(6 * 3_600_000));
  await sendDueAlerts(h.deps, plus(6 * 3_600_000));
  expect(h.attempts.dingtalk).toBe(2);
  expect(await h.outbox.brokenChannels('s1')).toEqual([]);
});

test('operators list and clear broken channels (brokenChannels)', async () => {
  const h = harness([DT, SL], {});
  await h.outbox.markBroken('s1', 'dingtalk', 'sign not match', NOW);
  await h.outbox.markBroken('s1', 'slack', 'HTTP 404', NOW);
  const listed = await brokenChannels(h.outbox, 's1');
  expect(listed).toEqual({ broken: [expect.objectContaining({ channelId: 'dingtalk', reason: 'sign not match', since: NOW, lastFailedAt: NOW }), expect.objectContaining({ channelId: 'slack' })], cleared: [] });
  expect((await brokenChannels(h.outbox, 's1', { clear: ['slack', 'not-broken'] })).cleared).toEqual(['slack']);
  expect((await brokenChannels(h.outbox, 's1', { clear: 'all' })).cleared).toEqual(['dingtalk']);
  expect((await brokenChannels(h.outbox, 's1')).broken).toEqual([]);
});

test('every channel failing transiently: given back for a later retry, nothing lost', async () => {
  const h = harness([DT, SL], { dingtalk: ['transient'], slack: ['transient'] });
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  const r = await sendDueAlerts(h.deps, NOW, { attempts: 2 });
  expect(r).toMatchObject({ sent: 0, retried: 1 });
  const item = await h.outbox.get('s1', alert(1).alertId);
  expect(item).toMatchObject({ status: 'pending', attempts: 1, deliverAt: plus(2 * 60_000) });
  expect(item?.lastError).toContain('HTTP 503');
});

// Issue 10 changed this on purpose: `failed` was terminal after one run; now an alert that still
// matters waits with back-off and is tried again (its broken channel included, as the last one
// left), and is failed only once it no longer matters (alertMattersUntil: 72 h without deadlines).
test('no channel takes it: retried with back-off while it matters, failed (terminal) with the reason only after', async () => {
  const h = harness([DT], { dingtalk: ['permanent', 'permanent', 'permanent'] });
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  expect(await sendDueAlerts(h.deps, NOW)).toMatchObject({ failed: 0, retried: 1 });
  expect(await h.outbox.get('s1', alert(1).alertId)).toMatchObject({ status: 'pending', deliverAt: plus(2 * 60_000) });
  // Cooling off and the only channel: tried anyway, never failed without an attempt.
  expect(await sendDueAlerts(h.deps, plus(2 * 60_000))).toMatchObject({ failed: 0, retried: 1 });
  expect(h.attempts.dingtalk).toBe(2);
  const late = plus(72 * 3_600_000);
  expect(await sendDueAlerts(h.deps, late)).toMatchObject({ failed: 1 });
  expect(await h.outbox.get('s1', alert(1).alertId)).toMatchObject({ status: 'failed', lastError: 'dingtalk: error 310000: sign not match' });
});

test('fallback channels (the stack topic) come after the seller\'s own', async () => {
  const h = harness([DT], { dingtalk: ['permanent'] }, { fallbackChannels: [{ id: 'stack-topic', type: 'sns' }] });
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  await sendDueAlerts(h.deps, NOW);
  expect(h.sent.map((s) => s.channel)).toEqual(['stack-topic']);
});

test('more than 3 alerts for one seller in one run: one digest', async () => {
  const h = harness([SL], {});
  await h.setup();
  for (let i = 1; i <= 4; i++) await h.outbox.put(alert(i), NOW);
  const r = await sendDueAlerts(h.deps, NOW);
  expect(r).toMatchObject({ sent: 4, messages: 1, digests: 1 });
  expect(h.sent[0].message.alerts).toHaveLength(4);
  expect(h.sent[0].message.message.subject).toBe('[ShipNow Sentinel] 4 条提醒 / 4 alerts');
});

test('3 alerts: three messages (the threshold is "more than")', async () => {
  const h = harness([SL], {});
  await h.setup();
  for (let i = 1; i <= 3; i++) await h.outbox.put(alert(i), NOW);
  expect(await sendDueAlerts(h.deps, NOW)).toMatchObject({ sent: 3, messages: 3, digests: 0 });
});

test('quiet hours: an alert written for later waits until then', async () => {
  const h = harness([SL], {});
  await h.setup();
  await h.outbox.put(alert(1), plus(3_600_000));
  expect((await sendDueAlerts(h.deps, NOW)).sent).toBe(0);
  expect((await sendDueAlerts(h.deps, plus(3_600_000))).sent).toBe(1);
});

test('a crash between claim and send: after the lease expires the next run sends it', async () => {
  const h = harness([SL], {});
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  // A sender claims, then dies before sending.
  expect(await h.outbox.claim('s1', alert(1).alertId, NOW, plus(5 * 60_000))).not.toBeNull();
  expect(await sendDueAlerts(h.deps, plus(60_000))).toMatchObject({ sent: 0 });
  const r = await sendDueAlerts(h.deps, plus(5 * 60_000));
  expect(r).toMatchObject({ claimed: 1, sent: 1 });
  expect(h.sent).toHaveLength(1);
  expect(await h.outbox.get('s1', alert(1).alertId)).toMatchObject({ status: 'sent', attempts: 2 });
});

test('two senders at once: every alert is sent once', async () => {
  const h = harness([SL], {});
  await seller([SL], { digestThreshold: 100 });
  for (let i = 1; i <= 8; i++) await h.outbox.put(alert(i, { sellerId: 's1' }), NOW);
  const [a, b] = await Promise.all([sendDueAlerts(h.deps, NOW), sendDueAlerts({ ...h.deps, outbox: new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName }) }, NOW)]);
  expect(a.sent + b.sent).toBe(8);
  const ids = h.sent.flatMap((s) => s.message.alerts.map((x) => x.alertId));
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toHaveLength(8);
});

test('the event bus failing: nothing is sent, everything is given back', async () => {
  const h = harness([SL], {}, { events: { publish: async () => { throw new Error('PutEvents failed'); } } });
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  expect(await sendDueAlerts(h.deps, NOW)).toMatchObject({ sent: 0, retried: 1 });
  expect(h.sent).toEqual([]);
});

test('stops taking new sellers when told to', async () => {
  const h = harness([SL], {});
  await h.setup();
  await h.outbox.put(alert(1), NOW);
  expect(await sendDueAlerts(h.deps, NOW, { shouldStop: () => true })).toMatchObject({ due: 1, claimed: 0 });
});

test('an order alert that no longer holds at send time (the email came meanwhile) is suppressed, not sent', async () => {
  const h = harness([SL], {});
  await h.setup();
  await ddb.repository.saveOrder(
    {
      sellerId: 's1',
      orderId: '112-0000000-0000001',
      marketplace: 'amazon.com',
      fulfilledBy: 'MERCHANT',
      orderState: 'Unshipped',
      purchaseDate: '2026-11-28T10:00:00.000Z',
      source: 'report',
      firstSeenAt: '2026-11-28T10:00:00.000Z',
      notifiedAt: '2026-11-28T11:59:00.000Z',
      version: 1,
    },
    null,
  );
  const order = { orderId: '112-0000000-0000001', marketplace: 'amazon.com', orderState: 'Unshipped' as const, purchaseDate: '2026-11-28T10:00:00.000Z', expectedBy: '2026-11-28T11:00:00.000Z', shipBy: null, autoCancelAt: null };
  await h.outbox.put(alert(1, { order }), NOW);
  await h.outbox.put(alert(2, { kind: 'channel-down' }), NOW);
  const r = await sendDueAlerts({ ...h.deps, orders: { repo: ddb.repository, policy: { graceMinutes: 60 } } }, NOW);
  expect(r).toMatchObject({ suppressed: 1, sent: 1 });
  expect(h.sent.flatMap((s) => s.message.alerts.map((a) => a.alertId))).toEqual([alert(2).alertId]);
  expect(await h.outbox.get('s1', alert(1).alertId)).toMatchObject({ status: 'sent', sentVia: ['suppressed:stale'] });
});
