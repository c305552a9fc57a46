/**
 * The seller lifecycle adapter on a real local DynamoDB (dynalite): a profile changed field by
 * field under its version, and a removal that deletes exactly one seller's items, all of them.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbSellerAdmin, PROFILE_VERSION_ATTRIBUTE } from '../../functions/adapters/dynamodb/seller-admin';
import { SYNC_HEALTH_PARTITION } from '../../functions/adapters/dynamodb/sync-state';
import { toAttributes } from '../../functions/adapters/dynamodb/table';
import { ConcurrentModificationError, NotFoundError } from '../../functions/domain/errors';
import { changeSellerProfile } from '../../functions/services/manage-sellers';
import { recordCommands, useDynalite } from '../support/dynalite';
import { order, sellerProfile, writeSellerData } from '../support/seller-data';

const ddb = useDynalite({ freshTablePerTest: true });
const admin = () => new DynamoDbSellerAdmin({ client: ddb.client, tableName: ddb.tableName });

async function partition(pk: string): Promise<string[]> {
  const res = await ddb.client.send(new QueryCommand({ TableName: ddb.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: toAttributes({ ':pk': pk }) }));
  return (res.Items ?? []).map((i) => String(i.sk.S));
}

describe('updateProfile', () => {
  test('sets and removes only the named attributes; the version counts up from 0 (a profile written before versions)', async () => {
    await ddb.repository.putSeller(sellerProfile('A1', { language: 'en', timeZone: 'Asia/Shanghai', alertEmails: ['a@b.example'] }));
    const a = admin();
    expect((await a.getProfile('A1'))?.version).toBe(0);
    expect(await a.updateProfile('A1', 0, { name: 'New name' }, ['timeZone'])).toBe(1);
    const after = await a.getProfile('A1');
    expect(after?.version).toBe(1);
    expect(after?.seller).toEqual({ ...sellerProfile('A1', { language: 'en', alertEmails: ['a@b.example'] }), name: 'New name' });
    expect(after?.seller).not.toHaveProperty(PROFILE_VERSION_ATTRIBUTE);
    // What the rest of the system reads still works.
    expect((await ddb.repository.sellerByAlias('snw-a1aaaaaaaaaaaa'))?.name).toBe('New name');
  });

  test('a stale version is a ConcurrentModificationError; no seller is NotFoundError; keys, ID, alias and createdAt cannot change', async () => {
    await ddb.repository.putSeller(sellerProfile('A1'));
    const a = admin();
    await a.updateProfile('A1', 0, { name: 'first' });
    await expect(a.updateProfile('A1', 0, { name: 'second' })).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect((await a.getProfile('A1'))?.seller.name).toBe('first');
    await expect(a.updateProfile('NOPE', 0, { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    for (const attr of ['inboundAlias', 'sellerId', 'createdAt', 'pk', PROFILE_VERSION_ATTRIBUTE]) {
      await expect(a.updateProfile('A1', 1, { [attr]: 'x' })).rejects.toThrow(/cannot be changed/);
    }
  });

  test('changeSellerProfile: a change made between the read and the write is kept, and this one re-applied', async () => {
    await ddb.repository.putSeller(sellerProfile('A1'));
    const a = admin();
    let reads = 0;
    const racing = {
      getProfile: async (id: string) => {
        const p = await a.getProfile(id);
        // Someone else changes another field right after our first read.
        if (reads++ === 0) await a.updateProfile(id, p!.version, { timeZone: 'Europe/Berlin' });
        return p;
      },
      updateProfile: a.updateProfile.bind(a),
    };
    const { change } = await changeSellerProfile(racing, 'A1', () => ({ set: { name: 'Renamed' }, remove: [] }));
    expect(change).toEqual({ set: { name: 'Renamed' }, remove: [] });
    expect(reads).toBe(2);
    const p = await a.getProfile('A1');
    expect(p).toMatchObject({ version: 2, seller: { name: 'Renamed', timeZone: 'Europe/Berlin' } });
  });
});

describe('inventory and remove', () => {
  test('counts every kind of item of the seller, and only its own (A1 is not A10)', async () => {
    await ddb.repository.putSeller(sellerProfile('A1', { alerting: { channels: [{ id: 'w', type: 'webhook', url: 'https://x.example/h' }] } } as never));
    await writeSellerData(ddb.client, ddb.tableName, 'A1');
    await ddb.repository.putSeller(sellerProfile('A10'));
    await writeSellerData(ddb.client, ddb.tableName, 'A10');
    const rec = recordCommands(ddb.client);
    const inv = await admin().inventory('A1');
    expect(rec.commands.map((c) => c.command)).not.toContain('ScanCommand');
    expect(inv.profile?.sellerId).toBe('A1');
    expect(inv.aliasClaimed).toBe(true);
    expect(inv.counts).toEqual({ orders: 3, notifications: 2, outboxAlerts: 2, channelHealth: 1, syncState: 2, syncHealth: 2, history: 3, lastEmails: 1, other: 0 });
    expect(inv.openOrders).toBe(2);
    expect(inv.unsentAlerts).toBe(1);
    expect(inv.keys).toHaveLength(16);
    expect(inv.keys.every((k) => k.pk === 'SELLER#A1' || (k.pk === SYNC_HEALTH_PARTITION && k.sk.startsWith('A1#')))).toBe(true);
  });

  test('remove deletes the alias, the profile, the partition and the sync health of that seller; the other seller keeps everything', async () => {
    await ddb.repository.putSeller(sellerProfile('A1'));
    await writeSellerData(ddb.client, ddb.tableName, 'A1');
    await ddb.repository.putSeller(sellerProfile('A10'));
    await writeSellerData(ddb.client, ddb.tableName, 'A10');
    const before10 = await partition('SELLER#A10');
    const a = admin();
    const result = await a.remove(await a.inventory('A1'));
    expect(result).toEqual({ aliasReleased: true, profileDeleted: true, itemsDeleted: 16 });

    expect(await ddb.repository.getSeller('A1')).toBeUndefined();
    expect(await ddb.repository.sellerByAlias('snw-a1aaaaaaaaaaaa')).toBeUndefined();
    expect(await partition('ALIAS#snw-a1aaaaaaaaaaaa')).toEqual([]);
    expect(await partition('SELLER#A1')).toEqual([]);
    expect((await partition(SYNC_HEALTH_PARTITION)).sort()).toEqual(['A10#amazon.ca', 'A10#amazon.com']);
    expect((await ddb.repository.queryDue('2026-12-31T00:00:00.000Z')).orders.map((o) => o.sellerId)).toEqual(['A10']);
    expect((await ddb.repository.queryDueNotifications('2026-12-31T00:00:00.000Z')).notifications.map((n) => n.sellerId)).toEqual(['A10']);

    expect(await partition('SELLER#A10')).toEqual(before10);
    expect((await ddb.repository.sellerByAlias('snw-a10aaaaaaaaaaaa'))?.sellerId).toBe('A10');
    expect((await a.inventory('A1')).keys).toEqual([]);
  });

  test('an interrupted removal (profile gone, items left) is finished by the next one', async () => {
    await ddb.repository.putSeller(sellerProfile('A1'));
    await writeSellerData(ddb.client, ddb.tableName, 'A1');
    const a = admin();
    const inv = await a.inventory('A1');
    // "Crash" after the alias and the profile: none of the partition deleted.
    await a.remove({ ...inv, keys: [] });
    const left = await a.inventory('A1');
    expect(left.profile).toBeUndefined();
    expect(left.keys).toHaveLength(16);
    expect(await a.remove(left)).toEqual({ aliasReleased: false, profileDeleted: false, itemsDeleted: 16 });
    expect((await a.inventory('A1')).keys).toEqual([]);
  });

  test('more than one BatchWriteItem: 60 orders are all deleted', async () => {
    await ddb.repository.putSeller(sellerProfile('B1'));
    for (let i = 0; i < 60; i++) await ddb.repository.saveOrder(order('B1', `111-0000000-${String(i).padStart(7, '0')}`), null);
    const a = admin();
    const rec = recordCommands(ddb.client);
    await a.remove(await a.inventory('B1'));
    expect(rec.commands.filter((c) => c.command === 'BatchWriteItemCommand')).toHaveLength(3);
    expect(await partition('SELLER#B1')).toEqual([]);
  });
});
