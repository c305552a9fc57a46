/** The intake ledger on a real local DynamoDB (dynalite): idempotency claims, counters, quarantine, last email. */
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { ConcurrentModificationError } from '../../functions/domain/errors';
import type { ChannelFacts } from '../../functions/domain/inbound';
import { useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const ledger = () => new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName, retention: { messageDays: 45 } });
const T = (min: number) => new Date(Date.parse('2026-11-28T12:00:00.000Z') + min * 60_000).toISOString();

const facts = (receivedAt: string): ChannelFacts => ({
  receivedAt,
  transitSeconds: 3,
  orderDelaySeconds: null,
  spf: 'pass',
  dkim: 'pass',
  dmarc: 'pass',
  forwarding: { forwarded: false, evidence: [], receivedHops: 1 },
});

describe('message claims (idempotency)', () => {
  test('first claim wins; a live claim is not taken; an expired one is; completed is final unless replayed', async () => {
    const l = ledger();
    const first = await l.claimMessage('m1', 'inbound/m1', T(0), T(1));
    expect(first).toMatchObject({ claimed: true, record: { status: 'in-progress', attempts: 1, firstSeenAt: T(0) } });
    expect(await l.claimMessage('m1', 'inbound/m1', T(0.5), T(1.5))).toMatchObject({ claimed: false, record: { status: 'in-progress' } });
    // The first worker crashed: after its lease another takes over.
    const second = await l.claimMessage('m1', 'inbound/m1', T(2), T(3));
    expect(second).toMatchObject({ claimed: true, record: { attempts: 2, firstSeenAt: T(0) } });
    await l.completeMessage('m1', { outcome: 'accepted', sellerId: 'S' }, T(2.5), second.record.owner!);
    expect(await l.claimMessage('m1', 'inbound/m1', T(10), T(11))).toMatchObject({ claimed: false, record: { status: 'completed', outcome: 'accepted' } });
    const replay = await l.claimMessage('m1', 'inbound/m1', T(10), T(11), { replay: true });
    expect(replay).toMatchObject({ claimed: true, record: { attempts: 3 } });
    // A failed replay gives the claim back and keeps the earlier outcome.
    await l.releaseMessage('m1', replay.record.owner!);
    expect(await l.getMessage('m1')).toMatchObject({ status: 'completed', outcome: 'accepted', sellerId: 'S' });
  });

  test('a claim released after a failure is gone, so the retry takes it at once', async () => {
    const l = ledger();
    const c = await l.claimMessage('m2', 'k', T(0), T(5));
    await l.releaseMessage('m2', c.record.owner!);
    expect(await l.getMessage('m2')).toBeUndefined();
    expect(await l.claimMessage('m2', 'k', T(0.1), T(5))).toMatchObject({ claimed: true });
  });

  test('only the holder of an in-progress claim completes it', async () => {
    const l = ledger();
    await expect(l.completeMessage('never-claimed', { outcome: 'accepted' }, T(0), 'anyone')).rejects.toBeInstanceOf(ConcurrentModificationError);
  });

  test('a stale worker whose lease ran out can neither release nor complete the claim of the one that took over', async () => {
    const l = ledger();
    const stale = await l.claimMessage('m4', 'k', T(0), T(1), { owner: 'stale' });
    const fresh = await l.claimMessage('m4', 'k', T(2), T(3), { owner: 'fresh' });
    expect([stale.record.owner, fresh.claimed, fresh.record.owner]).toEqual(['stale', true, 'fresh']);
    await l.releaseMessage('m4', 'stale');
    expect(await l.getMessage('m4')).toMatchObject({ status: 'in-progress', owner: 'fresh' });
    await expect(l.completeMessage('m4', { outcome: 'rejected', reason: 'x' }, T(2.5), 'stale')).rejects.toBeInstanceOf(ConcurrentModificationError);
    await l.completeMessage('m4', { outcome: 'accepted', sellerId: 'S', marketplace: 'amazon.com', orderIds: ['1'] }, T(2.5), 'fresh');
    expect(await l.getMessage('m4')).toMatchObject({ status: 'completed', outcome: 'accepted', sellerId: 'S' });
  });

  test('a replay that changed nothing keeps the whole record; a replay with a new outcome rewrites all of it', async () => {
    const l = ledger();
    const c = await l.claimMessage('m5', 'k', T(0), T(1));
    await l.completeMessage('m5', { outcome: 'accepted', sellerId: 'S', marketplace: 'amazon.de', orderIds: ['028-1'], facts: facts(T(0)) }, T(0.5), c.record.owner!);
    const r1 = await l.claimMessage('m5', 'k', T(10), T(11), { replay: true });
    await l.completeMessage('m5', 'unchanged', T(10.5), r1.record.owner!);
    expect(await l.getMessage('m5')).toMatchObject({ status: 'completed', outcome: 'accepted', sellerId: 'S', marketplace: 'amazon.de', orderIds: ['028-1'], facts: facts(T(0)), completedAt: T(0.5) });
    const r2 = await l.claimMessage('m5', 'k', T(20), T(21), { replay: true });
    await l.completeMessage('m5', { outcome: 'rejected', reason: 'dmarc-fail', sellerId: 'S' }, T(20.5), r2.record.owner!);
    const after = await l.getMessage('m5');
    expect(after).toMatchObject({ outcome: 'rejected', reason: 'dmarc-fail', sellerId: 'S' });
    expect(after).not.toHaveProperty('orderIds');
    expect(after).not.toHaveProperty('owner');
  });

  test('racing claims: exactly one wins', async () => {
    const l = ledger();
    const results = await Promise.all(Array.from({ length: 8 }, () => l.claimMessage('race', 'k', T(0), T(1))));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });

  test('message records expire (TTL) after the retention', async () => {
    const l = ledger();
    await l.claimMessage('m3', 'k', T(0), T(1));
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const res = await ddb.client.send(new GetItemCommand({ TableName: ddb.tableName, Key: { pk: { S: 'MSG#m3' }, sk: { S: 'MSG' } } }));
    expect(Number(res.Item?.expiresAt?.N)).toBe(Date.parse(T(0)) / 1000 + 45 * 86400);
  });
});

describe('rejections, quarantine, last email', () => {
  test('a rejection is logged and counted once per message', async () => {
    const l = ledger();
    const r = { messageId: 'r1', reason: 'unknown-alias', location: 'k', rejectedAt: T(0) };
    expect(await l.recordRejection(r)).toBe('created');
    expect(await l.recordRejection(r)).toBe('exists');
    await l.recordRejection({ ...r, messageId: 'r2' });
    await l.recordRejection({ ...r, messageId: 'r3', reason: 'malformed-mime: line 3' });
    expect(await l.rejectionCounts()).toEqual({ 'unknown-alias': 2, 'malformed-mime': 1 });
    expect((await l.listRejections()).map((x) => x.messageId)).toEqual(['r1', 'r2', 'r3']);
  });

  test('quarantine: listed, read, released', async () => {
    const l = ledger();
    await l.quarantine({ messageId: 'q1', reason: 'virus', location: 'inbound/q1', quarantinedAt: T(0) });
    expect(await l.quarantine({ messageId: 'q1', reason: 'virus', location: 'inbound/q1', quarantinedAt: T(1) })).toBe('exists');
    expect(await l.listQuarantine()).toEqual([{ messageId: 'q1', reason: 'virus', location: 'inbound/q1', quarantinedAt: T(0) }]);
    await l.releaseQuarantine('q1');
    expect(await l.getQuarantine('q1')).toBeUndefined();
  });

  test('last email per seller and marketplace: the newest wins, whatever the order of arrival', async () => {
    const l = ledger();
    expect(await l.recordLastEmail({ sellerId: 'S', marketplace: 'amazon.de', messageId: 'b', receivedAt: T(10), facts: facts(T(10)) })).toBe(true);
    expect(await l.recordLastEmail({ sellerId: 'S', marketplace: 'amazon.de', messageId: 'a', receivedAt: T(5), facts: facts(T(5)) })).toBe(false);
    expect(await l.recordLastEmail({ sellerId: 'S', marketplace: 'amazon.de', messageId: 'b', receivedAt: T(10), facts: facts(T(10)) })).toBe(true);
    await l.recordLastEmail({ sellerId: 'S', marketplace: 'amazon.com', messageId: 'c', receivedAt: T(1), facts: facts(T(1)) });
    await l.recordLastEmail({ sellerId: 'OTHER', marketplace: 'amazon.de', messageId: 'd', receivedAt: T(20), facts: facts(T(20)) });
    const last = await l.lastEmails('S');
    expect(last.map((x) => [x.marketplace, x.messageId])).toEqual([
      ['amazon.com', 'c'],
      ['amazon.de', 'b'],
    ]);
  });
});
