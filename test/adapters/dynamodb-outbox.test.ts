/**
 * The outbox on a real local DynamoDB (dynalite): conditional put de-duplicates, the claim is a
 * compare-and-set, only the lease holder completes, and a crash between claim and send is
 * recovered when the lease expires.
 */
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import type { Alert } from '../../functions/domain/alert-model';
import { ConcurrentModificationError } from '../../functions/domain/errors';
import { recordCommands, useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const outbox = () => new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });

const NOW = '2026-11-28T12:00:00.000Z';
const alert = (id = 'notification-missing:112-0000000-0000001', sellerId = 's1'): Alert => ({
  alertId: id,
  sellerId,
  kind: 'notification-missing',
  occurredAt: '2026-11-28T11:00:00.000Z',
  raisedAt: NOW,
});
const plus = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

test('one item per alert ID, whatever happens: the second put is "exists"', async () => {
  const o = outbox();
  expect(await o.put(alert(), NOW)).toBe('created');
  expect(await o.put({ ...alert(), raisedAt: plus(1000) }, NOW)).toBe('exists');
  const [a, b] = await Promise.all([o.put(alert('x:1'), NOW), outbox().put(alert('x:1'), NOW)]);
  expect([a, b].sort()).toEqual(['created', 'exists']);
  expect((await o.listForSeller('s1')).map((i) => i.alert.alertId).sort()).toEqual(['notification-missing:112-0000000-0000001', 'x:1']);
});

test('due: only what may be sent now, from the sparse index (no Scan); not the orders due index', async () => {
  const o = outbox();
  await o.put(alert('a'), NOW);
  await o.put(alert('b'), plus(60_000)); // quiet hours: later
  const rec = recordCommands(ddb.client);
  expect((await o.due(NOW)).map((i) => i.alert.alertId)).toEqual(['a']);
  expect((await o.due(plus(60_000))).map((i) => i.alert.alertId)).toEqual(['a', 'b']);
  expect(rec.commands.map((c) => c.command)).not.toContain('ScanCommand');
  // The reconciler's due index query never sees alerts.
  expect((await ddb.repository.queryDue(plus(3_600_000))).orders).toEqual([]);
});

test('claim is a compare-and-set: of two concurrent claims exactly one wins', async () => {
  const o = outbox();
  await o.put(alert(), NOW);
  const [a, b] = await Promise.all([o.claim('s1', alert().alertId, NOW, plus(60_000)), outbox().claim('s1', alert().alertId, NOW, plus(60_000))]);
  expect([a, b].filter(Boolean)).toHaveLength(1);
  const won = (a ?? b)!;
  expect(won).toMatchObject({ status: 'sending', attempts: 1, leaseUntil: plus(60_000) });
  // Claimed: not due again before the lease expires.
  expect(await o.due(plus(59_999))).toEqual([]);
});

test('a claim before deliverAt fails (quiet hours are respected even if the index lags)', async () => {
  const o = outbox();
  await o.put(alert(), plus(60_000));
  expect(await o.claim('s1', alert().alertId, NOW, plus(120_000))).toBeNull();
});

test('crash between claim and send: due again when the lease expires, taken over, sent once', async () => {
  const o = outbox();
  await o.put(alert(), NOW);
  const first = await o.claim('s1', alert().alertId, NOW, plus(60_000));
  expect(first).not.toBeNull();
  // ... the sender crashes here. Before the lease runs out nobody can take it:
  expect(await o.claim('s1', alert().alertId, plus(30_000), plus(90_000))).toBeNull();
  // At the lease expiry it is due again and claimable.
  expect((await o.due(plus(60_000))).map((i) => i.status)).toEqual(['sending']);
  const second = await o.claim('s1', alert().alertId, plus(60_000), plus(120_000));
  expect(second).toMatchObject({ attempts: 2, leaseUntil: plus(120_000) });
  // The crashed holder cannot complete any more; the new one can.
  await expect(o.markSent(first!, plus(61_000), ['slack'])).rejects.toBeInstanceOf(ConcurrentModificationError);
  await o.markSent(second!, plus(61_000), ['slack']);
  expect(await o.get('s1', alert().alertId)).toMatchObject({ status: 'sent', sentVia: ['slack'], sentAt: plus(61_000) });
  expect(await o.due(plus(10 * 3_600_000))).toEqual([]);
});

test('release for a retry later; markFailed is terminal', async () => {
  const o = outbox();
  await o.put(alert('a'), NOW);
  const c = (await o.claim('s1', 'a', NOW, plus(60_000)))!;
  await o.release(c, plus(120_000), 'HTTP 503');
  expect(await o.get('s1', 'a')).toMatchObject({ status: 'pending', deliverAt: plus(120_000), lastError: 'HTTP 503' });
  expect(await o.due(plus(119_999))).toEqual([]);
  const c2 = (await o.claim('s1', 'a', plus(120_000), plus(180_000)))!;
  await o.markFailed(c2, plus(121_000), 'no channel');
  expect(await o.get('s1', 'a')).toMatchObject({ status: 'failed', lastError: 'no channel' });
  expect(await o.due(plus(10 * 3_600_000))).toEqual([]);
});

test('channel health: broken once (first since kept, latest failure and reason recorded), listed, cleared', async () => {
  const o = outbox();
  expect(await o.markBroken('s1', 'dingtalk-1', 'error 310000: sign not match', NOW)).toBe(true);
  expect(await o.markBroken('s1', 'dingtalk-1', 'again', plus(1000))).toBe(false);
  expect(await o.brokenChannels('s1')).toEqual([{ sellerId: 's1', channelId: 'dingtalk-1', since: NOW, lastFailedAt: plus(1000), reason: 'again' }]);
  expect(await o.brokenChannels('s2')).toEqual([]);
  await o.clear('s1', 'dingtalk-1');
  expect(await o.brokenChannels('s1')).toEqual([]);
});

test('alert IDs with "#" are refused (they would make keys ambiguous)', async () => {
  await expect(outbox().put(alert('a#b'), NOW)).rejects.toThrow(/must not contain/);
});
