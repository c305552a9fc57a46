/**
 * A seller with one item of every kind the table keeps for it, written through the real adapters
 * (repository, outbox, sync state, intake ledger), for the removal tests.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { DynamoDbRepository } from '../../functions/adapters/dynamodb/repository';
import { DynamoDbSyncState } from '../../functions/adapters/dynamodb/sync-state';
import type { Seller, StoredOrder } from '../../functions/domain/types';

export const DATA_NOW = '2026-11-28T12:00:00.000Z';

export function order(sellerId: string, orderId: string, over: Partial<StoredOrder> = {}): StoredOrder {
  return {
    sellerId,
    orderId,
    marketplace: 'amazon.com',
    fulfilledBy: 'MERCHANT',
    orderState: 'Unshipped',
    purchaseDate: '2026-11-27T10:00:00.000Z',
    source: 'report',
    firstSeenAt: '2026-11-27T10:05:00.000Z',
    version: 1,
    ...over,
  };
}

/**
 * Writes, for `sellerId`: 3 orders (2 open, one of them due; 1 shipped), 2 notifications (one
 * unmatched, so in the due index), 2 outbox alerts (1 pending), 1 broken-channel mark, a sync
 * lease and a cursor, sync health for 2 marketplaces, order stats + a missing streak, and the last
 * email of a marketplace. The profile must exist already (or not: the removal copes).
 */
export async function writeSellerData(client: DynamoDBClient, tableName: string, sellerId: string): Promise<void> {
  const repo = new DynamoDbRepository({ client, tableName });
  const outbox = new DynamoDbOutbox({ client, tableName });
  const sync = new DynamoDbSyncState({ client, tableName });
  const ledger = new DynamoDbIntakeLedger({ client, tableName });
  await repo.saveOrder(order(sellerId, '111-0000000-0000001', { alertAfter: '2026-11-27T11:00:00.000Z' }), null);
  await repo.saveOrder(order(sellerId, '111-0000000-0000002'), null);
  await repo.saveOrder(order(sellerId, '111-0000000-0000003', { orderState: 'Shipped' }), null);
  const verdicts = { spf: 'pass', dkim: 'pass', dmarc: 'pass' } as const;
  await repo.putNotification({ sellerId, orderId: '111-0000000-0000002', messageId: 'm-1', marketplace: 'amazon.com', language: 'en', receivedAt: DATA_NOW, location: 'inbound/m-1', verdicts, matchedAt: DATA_NOW });
  await repo.putNotification({ sellerId, orderId: '111-9999999-0000009', messageId: 'm-2', marketplace: 'amazon.com', language: 'en', receivedAt: DATA_NOW, location: 'inbound/m-2', verdicts });
  await repo.addOrderStats(sellerId, 'amazon.com', '2026-11-27T11:00:00.000Z', { missing: 1 }, DATA_NOW);
  await repo.addToMissingStreak(sellerId, null, '111-0000000-0000001', '2026-11-27T10:00:00.000Z');
  await outbox.put({ alertId: 'notification-missing:111-0000000-0000001', sellerId, kind: 'notification-missing', occurredAt: DATA_NOW, raisedAt: DATA_NOW }, DATA_NOW);
  await outbox.put({ alertId: 'resolved:111-0000000-0000003', sellerId, kind: 'resolved', occurredAt: DATA_NOW, raisedAt: DATA_NOW }, DATA_NOW);
  const claimed = await outbox.claim(sellerId, 'resolved:111-0000000-0000003', DATA_NOW, '2026-11-28T12:05:00.000Z');
  if (claimed) await outbox.markSent(claimed, DATA_NOW, ['dingtalk']);
  await outbox.markBroken(sellerId, 'slack', 'HTTP 404: no_service', DATA_NOW);
  await sync.acquireLease(sellerId, 'worker-1', Date.parse(DATA_NOW), Date.parse(DATA_NOW) + 60_000);
  await sync.putCursor(sellerId, 'NA', '2026-01-01', { watermark: DATA_NOW });
  await sync.markSuccess(sellerId, 'amazon.com', DATA_NOW);
  await sync.markSuccess(sellerId, 'amazon.ca', DATA_NOW);
  await ledger.recordLastEmail({
    sellerId,
    marketplace: 'amazon.com',
    messageId: 'm-1',
    receivedAt: DATA_NOW,
    facts: { receivedAt: DATA_NOW, transitSeconds: 3, orderDelaySeconds: 60, spf: 'pass', dkim: 'pass', dmarc: 'pass', forwarding: { forwarded: false, evidence: [], receivedHops: 3 } },
  });
}

export function sellerProfile(sellerId: string, over: Partial<Seller> = {}): Seller {
  return { sellerId, name: `Shop ${sellerId}`, marketplaces: ['amazon.com', 'amazon.ca'], inboundAlias: `snw-${sellerId.toLowerCase()}aaaaaaaaaaaa`, createdAt: DATA_NOW, ...over };
}
