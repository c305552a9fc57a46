/**
 * DynamoDbRepository against a real in-process DynamoDB (dynalite), no mocks: conditional writes,
 * the sparse due index and its read cost, notifications, tenant isolation, aliases, pagination.
 */
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { AliasTakenError, DynamoDbRepository, fromAttributes } from '../../functions/adapters/dynamodb/repository';
import {
  DUE_INDEX_NAME,
  DUE_SHARDS,
  InvalidKeyError,
  createTableInput,
  dueKey,
  dueShard,
  dueUpperBound,
  notificationKey,
  orderKey,
} from '../../functions/adapters/dynamodb/keys';
import { ConcurrentModificationError, NotFoundError } from '../../functions/domain/errors';
import type { NotificationRecord, Seller, StoredOrder } from '../../functions/domain/types';
import { startEmbeddedDynamoDb } from '../../functions/local/embedded-dynamodb';
import { recordCommands, useDynalite } from '../support/dynalite';
import { seedOrders } from '../support/seed';

const ddb = useDynalite({ freshTablePerTest: true });

const T0 = '2026-11-28T09:00:00.000Z';
const NOW = '2026-11-28T12:00:00.000Z';

/** ISO time `minutes` after T0. */
function at(minutes: number): string {
  return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

function order(over: Partial<StoredOrder> = {}): StoredOrder {
  return {
    sellerId: 'A1SELLER',
    orderId: '111-0000001-0000001',
    marketplace: 'amazon.de',
    fulfilledBy: 'MERCHANT',
    orderState: 'Unshipped',
    purchaseDate: T0,
    source: 'report',
    firstSeenAt: T0,
    version: 1,
    ...over,
  };
}

function notification(over: Partial<NotificationRecord> = {}): NotificationRecord {
  return {
    sellerId: 'A1SELLER',
    orderId: '111-0000001-0000001',
    messageId: 'msg-1',
    marketplace: 'amazon.de',
    language: 'de',
    receivedAt: at(5),
    location: 's3://mail/msg-1',
    verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass', authservId: 'amazonses.com' },
    ...over,
  };
}

function seller(over: Partial<Seller> = {}): Seller {
  return { sellerId: 'A1SELLER', name: 'Seller One', marketplaces: ['amazon.de'], createdAt: T0, ...over };
}

function orderIdFor(i: number): string {
  return `111-${String(i).padStart(7, '0')}-0000001`;
}

async function rawItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
  const res = await ddb.client.send(
    new GetItemCommand({ TableName: ddb.tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }),
  );
  return res.Item && fromAttributes(res.Item);
}

describe('table schema', () => {
  it('defines the table once: keys, sparse due index with ALL projection, on-demand billing', () => {
    const input = createTableInput('t');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: DUE_INDEX_NAME,
        KeySchema: [
          { AttributeName: 'duePk', KeyType: 'HASH' },
          { AttributeName: 'dueSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it('shards by a stable hash and sorts due keys by canonical time', () => {
    expect(dueShard('A1SELLER', '111-0000001-0000001')).toBe(dueShard('A1SELLER', '111-0000001-0000001'));
    const shards = new Set(Array.from({ length: 200 }, (_, i) => dueShard('A1SELLER', orderIdFor(i))));
    expect(shards.size).toBe(DUE_SHARDS);
    // Same instant in three spellings: one sort key.
    const k = dueKey('S', '1-2-3', '2026-11-28T09:30:00Z');
    expect(k.dueSk).toBe('2026-11-28T09:30:00.000Z#S#1-2-3');
    expect(dueKey('S', '1-2-3', '2026-11-28T18:30:00+09:00').dueSk).toBe(k.dueSk);
    expect(k.dueSk < dueUpperBound('2026-11-28T09:30:00.000Z')).toBe(true);
    expect(k.dueSk < dueUpperBound('2026-11-28T09:29:59.999Z')).toBe(false);
  });

  it('refuses key parts that would make keys ambiguous', () => {
    expect(() => orderKey('S', '111#2')).toThrow(InvalidKeyError);
    expect(() => orderKey('', '111')).toThrow(InvalidKeyError);
    expect(() => notificationKey('S', '111', '')).toThrow(InvalidKeyError);
  });
});

describe('saveOrder: conditional writes', () => {
  it('creates only when absent, updates only on the expected version', async () => {
    const repo = ddb.repository;
    await repo.saveOrder(order(), null);
    expect(await repo.getOrder('A1SELLER', '111-0000001-0000001')).toEqual(order());

    // Creating again is a lost race, not an overwrite.
    await expect(repo.saveOrder(order({ version: 1, orderState: 'Shipped' }), null)).rejects.toBeInstanceOf(
      ConcurrentModificationError,
    );

    await repo.saveOrder(order({ version: 2, orderState: 'Shipped' }), 1);
    expect((await repo.getOrder('A1SELLER', '111-0000001-0000001'))?.orderState).toBe('Shipped');

    // Stale version: rejected with the domain error carrying the key and the SDK cause.
    const err = await repo.saveOrder(order({ version: 2, orderState: 'Canceled' }), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrentModificationError);
    expect((err as ConcurrentModificationError).key).toBe('SELLER#A1SELLER|ORDER#111-0000001-0000001');
    expect(((err as ConcurrentModificationError).cause as Error).name).toBe('ConditionalCheckFailedException');
    expect((await repo.getOrder('A1SELLER', '111-0000001-0000001'))?.orderState).toBe('Shipped');

    // Updating an order that does not exist is also a lost race (someone deleted it / never was).
    await expect(repo.saveOrder(order({ orderId: '111-0000009-0000009', version: 2 }), 1)).rejects.toBeInstanceOf(
      ConcurrentModificationError,
    );
  });

  it('refuses a write whose version does not move forward (it would defeat the condition)', async () => {
    await ddb.repository.saveOrder(order(), null);
    await expect(ddb.repository.saveOrder(order({ version: 1 }), 1)).rejects.toThrow(RangeError);
  });

  it('lets exactly one of many concurrent writers with the same expected version win', async () => {
    const repo = ddb.repository;
    await repo.saveOrder(order(), null);
    const writers = Array.from({ length: 8 }, (_, i) =>
      repo.saveOrder(order({ version: 2, notificationId: `writer-${i}` }), 1),
    );
    const results = await Promise.allSettled(writers);
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrentModificationError);
    }
    const stored = await repo.getOrder('A1SELLER', '111-0000001-0000001');
    expect(stored).toMatchObject({ version: 2, notificationId: `writer-${won[0]}` });
  });

  it('two concurrent creations of the same order: one wins', async () => {
    const results = await Promise.allSettled([
      ddb.repository.saveOrder(order({ source: 'report' }), null),
      ddb.repository.saveOrder(order({ source: 'sp-api-2026' }), null),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('stores domain fields as plain attributes, no layout attributes leak back', async () => {
    const o = order({ alertAfter: at(60), paymentsDate: at(1), marketplace: null });
    await ddb.repository.saveOrder(o, null);
    const raw = await rawItem(orderKey(o.sellerId, o.orderId));
    expect(raw).toMatchObject({ sellerId: 'A1SELLER', orderState: 'Unshipped', version: 1, marketplace: null, alertAfter: at(60) });
    expect(raw).toMatchObject({ pk: 'SELLER#A1SELLER', sk: 'ORDER#111-0000001-0000001', duePk: expect.stringMatching(/^DUE#\d$/) });
    expect(await ddb.repository.getOrder(o.sellerId, o.orderId)).toEqual(o);
  });
});

describe('queryDue: the sparse due index', () => {
  it('holds an order exactly while alertAfter is set, and returns it once alertAfter <= now', async () => {
    const repo = ddb.repository;
    await repo.saveOrder(order({ orderId: '111-0000001-0000001', alertAfter: at(60) }), null);
    await repo.saveOrder(order({ orderId: '111-0000002-0000001', alertAfter: at(120) }), null);
    await repo.saveOrder(order({ orderId: '111-0000003-0000001' }), null); // nothing due

    expect((await repo.queryDue(at(59))).orders).toEqual([]);
    // Boundary: alertAfter == now is due.
    expect((await repo.queryDue(at(60))).orders.map((o) => o.orderId)).toEqual(['111-0000001-0000001']);
    const both = await repo.queryDue(at(600));
    expect(both.orders.map((o) => o.orderId)).toEqual(['111-0000001-0000001', '111-0000002-0000001']);
    expect(both.itemsRead).toBe(2);
    // Whole orders come from the index (projection ALL), without layout attributes.
    expect(both.orders[0]).toEqual(order({ orderId: '111-0000001-0000001', alertAfter: at(60) }));

    // Not in the index at all without alertAfter.
    const raw = await rawItem(orderKey('A1SELLER', '111-0000003-0000001'));
    expect(raw && 'duePk' in raw).toBe(false);

    // Clearing alertAfter (as `{ ...order, alertAfter: undefined }`) removes it from the index.
    const first = (await repo.getOrder('A1SELLER', '111-0000001-0000001'))!;
    await repo.saveOrder({ ...first, alertAfter: undefined, status: 'notified', version: 2 }, 1);
    expect((await repo.queryDue(at(600))).orders.map((o) => o.orderId)).toEqual(['111-0000002-0000001']);

    // Moving alertAfter later moves it out of the due range.
    const second = (await repo.getOrder('A1SELLER', '111-0000002-0000001'))!;
    await repo.saveOrder({ ...second, alertAfter: at(24 * 60), version: 2 }, 1);
    expect((await repo.queryDue(at(600))).orders).toEqual([]);
    expect((await repo.queryDue(at(24 * 60))).orders).toHaveLength(1);
  });

  it('compares instants, not spellings (no millis, offsets)', async () => {
    await ddb.repository.saveOrder(order({ alertAfter: '2026-11-28T10:00:00Z' }), null);
    expect((await ddb.repository.queryDue('2026-11-28T10:00:00.000Z')).orders).toHaveLength(1);
    expect((await ddb.repository.queryDue('2026-11-28T18:59:59.999+09:00')).orders).toHaveLength(0);
    expect((await ddb.repository.queryDue('2026-11-28T19:00:00+09:00')).orders).toHaveLength(1);
  });

  it('reads only the due orders: 2,000 stored, 10 due -> exactly 10 items read', async () => {
    const repo = ddb.repository;
    const orders = Array.from({ length: 2000 }, (_, i) =>
      order({
        orderId: orderIdFor(i),
        // 10 due (alertAfter before NOW), 1,490 due later, 500 with nothing due.
        alertAfter: i % 200 === 0 ? at(i / 200) : i % 4 === 1 ? undefined : at(24 * 60 + i),
      }),
    );
    await seedOrders(repo, orders);
    expect(await repo.listOrders('A1SELLER')).toHaveLength(2000);

    const { commands } = recordCommands(ddb.client);
    const due = await repo.queryDue(NOW);
    expect(due.orders).toHaveLength(10);
    expect(due.itemsRead).toBe(10);
    expect(due.readCapacityUnits).toBeGreaterThan(0);
    // Sorted by alertAfter.
    expect(due.orders.map((o) => o.alertAfter)).toEqual(Array.from({ length: 10 }, (_, i) => at(i)));

    // Exactly one Query per shard on the index; never a Scan, never a table read.
    expect(commands.map((c) => c.command)).toEqual(Array(DUE_SHARDS).fill('QueryCommand'));
    for (const c of commands) {
      expect(c.input).toMatchObject({
        IndexName: DUE_INDEX_NAME,
        KeyConditionExpression: 'duePk = :pk AND dueSk < :upper',
        ReturnConsumedCapacity: 'TOTAL',
      });
    }
  });

  it('honours limit across shards: the earliest due orders overall', async () => {
    const repo = ddb.repository;
    await seedOrders(repo, Array.from({ length: 40 }, (_, i) => order({ orderId: orderIdFor(i), alertAfter: at(40 - i) })));
    const due = await repo.queryDue(NOW, 5);
    expect(due.orders.map((o) => o.alertAfter)).toEqual([at(1), at(2), at(3), at(4), at(5)]);
    // Each shard reads at most `limit`: the cost is bounded by DUE_SHARDS x limit.
    expect(due.itemsRead).toBeLessThanOrEqual(DUE_SHARDS * 5);
    expect(await repo.queryDue(NOW, 0)).toEqual({ orders: [], itemsRead: 0, readCapacityUnits: 0 });
    await expect(repo.queryDue(NOW, -1)).rejects.toThrow(RangeError);
  });
});

describe('notifications', () => {
  it('are idempotent on (seller, order, message)', async () => {
    const repo = ddb.repository;
    expect(await repo.putNotification(notification())).toBe('created');
    expect(await repo.putNotification(notification({ location: 'elsewhere' }))).toBe('exists');
    expect(await repo.putNotification(notification({ messageId: 'msg-2' }))).toBe('created');
    const all = await repo.listNotifications('A1SELLER');
    expect(all.map((n) => n.messageId).sort()).toEqual(['msg-1', 'msg-2']);
    expect(all.find((n) => n.messageId === 'msg-1')).toEqual(notification()); // first write kept
  });

  it('an email stored before its order is found when the order is written', async () => {
    const repo = ddb.repository;
    await repo.putNotification(notification());
    // A neighbouring order ID that extends this one must not match the prefix.
    await repo.putNotification(notification({ orderId: '111-0000001-00000010', messageId: 'other' }));

    await repo.saveOrder(order(), null);
    const { commands } = recordCommands(ddb.client);
    const found = await repo.notificationsForOrder('A1SELLER', '111-0000001-0000001');
    expect(found).toEqual([notification()]);
    expect(commands).toHaveLength(1);
    expect(commands[0].input).toMatchObject({ ConsistentRead: true, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)' });
    expect(await repo.notificationsForOrder('A1SELLER', '111-0000002-0000001')).toEqual([]);
  });

  it('markNotificationMatched sets matchedAt once and fails loudly for an unknown notification', async () => {
    const repo = ddb.repository;
    await repo.putNotification(notification());
    await repo.markNotificationMatched(notification(), at(30));
    await repo.markNotificationMatched(notification(), at(90)); // repeat: no-op
    expect((await repo.notificationsForOrder('A1SELLER', '111-0000001-0000001'))[0].matchedAt).toBe(at(30));
    await expect(repo.markNotificationMatched(notification({ messageId: 'nope' }), at(30))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('writes expiresAt (epoch seconds) when a retention policy is given', async () => {
    const repo = ddb.repositoryWith({ retention: { notificationDays: 90, closedOrderDays: 30 } });
    await repo.putNotification(notification());
    const raw = await rawItem(notificationKey('A1SELLER', '111-0000001-0000001', 'msg-1'));
    expect(raw?.expiresAt).toBe(Date.parse(at(5)) / 1000 + 90 * 86400);
    expect((await repo.listNotifications('A1SELLER'))[0]).not.toHaveProperty('expiresAt');

    await repo.saveOrder(order({ alertAfter: at(60) }), null);
    expect(await rawItem(orderKey('A1SELLER', '111-0000001-0000001'))).not.toHaveProperty('expiresAt');
    await repo.saveOrder(order({ orderState: 'Shipped', lastUpdated: at(100), version: 2 }), 1);
    expect((await rawItem(orderKey('A1SELLER', '111-0000001-0000001')))?.expiresAt).toBe(
      Date.parse(at(100)) / 1000 + 30 * 86400,
    );
  });
});

describe('tenant isolation', () => {
  it("one seller's orders and notifications are invisible to another with the same order ID", async () => {
    const repo = ddb.repository;
    await repo.saveOrder(order({ sellerId: 'A1SELLER', alertAfter: at(10) }), null);
    await repo.putNotification(notification({ sellerId: 'A1SELLER' }));
    // Same order ID for seller B: a separate order, created without conflict.
    await repo.saveOrder(order({ sellerId: 'B2SELLER', orderState: 'Pending' }), null);

    expect((await repo.getOrder('B2SELLER', '111-0000001-0000001'))?.orderState).toBe('Pending');
    expect(await repo.listOrders('B2SELLER')).toHaveLength(1);
    expect(await repo.notificationsForOrder('B2SELLER', '111-0000001-0000001')).toEqual([]);
    expect(await repo.listNotifications('B2SELLER')).toEqual([]);
    expect(await repo.listNotifications('C3SELLER')).toEqual([]);
    expect(await repo.getOrder('C3SELLER', '111-0000001-0000001')).toBeUndefined();

    // A version race on B's order never touches A's.
    await expect(repo.saveOrder(order({ sellerId: 'B2SELLER', version: 5 }), 3)).rejects.toBeInstanceOf(
      ConcurrentModificationError,
    );
    expect((await repo.getOrder('A1SELLER', '111-0000001-0000001'))?.version).toBe(1);
  });
});

describe('sellers and inbound aliases', () => {
  it('creates a seller once', async () => {
    const repo = ddb.repository;
    expect(await repo.putSeller(seller())).toBe('created');
    expect(await repo.putSeller(seller({ name: 'Renamed' }))).toBe('exists');
    expect(await repo.getSeller('A1SELLER')).toEqual(seller());
    expect(await repo.getSeller('nobody')).toBeUndefined();
  });

  it('refuses an alias outside the one alias alphabet (a "+" would receive another seller\'s mail)', async () => {
    const repo = ddb.repository;
    await repo.putSeller(seller({ sellerId: 'PLAIN', inboundAlias: 'shop' }));
    await expect(repo.putSeller(seller({ sellerId: 'PLUS', inboundAlias: 'shop+x' }))).rejects.toThrow(/must not contain '\+'/);
    expect(await repo.getSeller('PLUS')).toBeUndefined();
    expect(await repo.sellerByAlias('shop')).toMatchObject({ sellerId: 'PLAIN' });
  });

  it('resolves an alias case-insensitively; two sellers can never share one', async () => {
    const repo = ddb.repository;
    await repo.putSeller(seller({ inboundAlias: 'Shop-7f3k9q' }));
    expect((await repo.sellerByAlias('shop-7f3k9q'))?.sellerId).toBe('A1SELLER');
    expect((await repo.sellerByAlias('SHOP-7F3K9Q'))?.sellerId).toBe('A1SELLER');
    expect(await repo.sellerByAlias('unknown')).toBeUndefined();

    const err = await repo
      .putSeller(seller({ sellerId: 'B2SELLER', inboundAlias: 'SHOP-7f3k9q' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AliasTakenError);
    expect((err as Error).message).not.toContain('A1SELLER'); // the owner is not disclosed
    expect(await repo.getSeller('B2SELLER')).toBeUndefined(); // nothing half-created
    expect((await repo.sellerByAlias('shop-7f3k9q'))?.sellerId).toBe('A1SELLER');

    // A retry by the owner is fine (idempotent).
    expect(await repo.putSeller(seller({ inboundAlias: 'shop-7F3K9Q' }))).toBe('exists');
  });

  it('concurrent claims of one alias: exactly one seller gets it', async () => {
    const repo = ddb.repository;
    const results = await Promise.allSettled(
      ['S1', 'S2', 'S3', 'S4'].map((id) => repo.putSeller(seller({ sellerId: id, inboundAlias: 'contested' }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof AliasTakenError)).toHaveLength(3);
    expect(await repo.listSellers()).toHaveLength(1);
  });

  it('does not keep an alias taken for a seller that already existed without it', async () => {
    const repo = ddb.repository;
    await repo.putSeller(seller({ inboundAlias: 'first' }));
    expect(await repo.putSeller(seller({ inboundAlias: 'second' }))).toBe('exists');
    expect(await repo.sellerByAlias('second')).toBeUndefined();
    // ... so another seller can still have it.
    expect(await repo.putSeller(seller({ sellerId: 'B2SELLER', inboundAlias: 'second' }))).toBe('created');
  });

  it('lists sellers with a Query, not a Scan, and not the alias items', async () => {
    const repo = ddb.repositoryWith({ queryPageSize: 2 });
    for (const id of ['S1', 'S2', 'S3', 'S4', 'S5']) await repo.putSeller(seller({ sellerId: id, inboundAlias: `alias-${id}` }));
    const { commands } = recordCommands(ddb.client);
    expect((await repo.listSellers()).map((s) => s.sellerId).sort()).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    expect(commands.map((c) => c.command)).toEqual(['QueryCommand', 'QueryCommand', 'QueryCommand']);
  });
});

describe('pagination', () => {
  it('follows LastEvaluatedKey on every query', async () => {
    const repo = ddb.repositoryWith({ queryPageSize: 3 });
    await seedOrders(repo, Array.from({ length: 11 }, (_, i) => order({ orderId: orderIdFor(i), alertAfter: at(i) })));
    for (let i = 0; i < 7; i++) await repo.putNotification(notification({ messageId: `m${i}` }));
    await repo.putNotification(notification({ orderId: orderIdFor(3), messageId: 'x' }));

    expect(await repo.listOrders('A1SELLER')).toHaveLength(11);
    expect(await repo.listNotifications('A1SELLER')).toHaveLength(8);
    expect(await repo.notificationsForOrder('A1SELLER', '111-0000001-0000001')).toHaveLength(7);
    const due = await repo.queryDue(NOW);
    expect(due.orders.map((o) => o.alertAfter)).toEqual(Array.from({ length: 11 }, (_, i) => at(i)));
    expect(due.itemsRead).toBe(11);
    const limited = await repo.queryDue(NOW, 4);
    expect(limited.orders.map((o) => o.alertAfter)).toEqual([at(0), at(1), at(2), at(3)]);
  });

  it('follows DynamoDB 1 MB pages without a configured page size', async () => {
    // ~2,200 orders of ~600 bytes: more than 1 MB in one partition, so the server itself pages.
    const padding = 'x'.repeat(500);
    const repo = ddb.repository;
    await seedOrders(repo, Array.from({ length: 2200 }, (_, i) => order({ orderId: orderIdFor(i), notificationId: padding })));
    const { commands } = recordCommands(ddb.client);
    expect(await repo.listOrders('A1SELLER')).toHaveLength(2200);
    expect(commands.length).toBeGreaterThan(1);
  });
});

describe('never scans', () => {
  it('no repository operation sends a Scan', async () => {
    const { commands } = recordCommands(ddb.client);
    const repo: DynamoDbRepository = ddb.repository;
    await repo.putSeller(seller({ inboundAlias: 'a' }));
    await repo.getSeller('A1SELLER');
    await repo.listSellers();
    await repo.sellerByAlias('A');
    await repo.saveOrder(order({ alertAfter: at(1) }), null);
    await repo.getOrder('A1SELLER', '111-0000001-0000001');
    await repo.listOrders('A1SELLER');
    await repo.queryDue(NOW, 10);
    await repo.putNotification(notification());
    await repo.notificationsForOrder('A1SELLER', '111-0000001-0000001');
    await repo.listNotifications('A1SELLER');
    await repo.markNotificationMatched(notification(), NOW);
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.map((c) => c.command)).not.toContain(ScanCommand.name);
  });
});

describe('embedded DynamoDB', () => {
  it('ignores AWS settings in the environment: local endpoint, dummy credentials, no account', async () => {
    const hostile: Record<string, string> = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_PROFILE: 'does-not-exist',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAREALLOOKINGKEY',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_USE_FIPS_ENDPOINT: 'true',
      AWS_ACCOUNT_ID_ENDPOINT_MODE: 'required',
    };
    const saved = Object.fromEntries(Object.keys(hostile).map((k) => [k, process.env[k]]));
    Object.assign(process.env, hostile);
    try {
      const db = await startEmbeddedDynamoDb({ tableName: 'env-check' });
      try {
        expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(await db.client.config.region()).toBe('us-east-1');
        expect((await db.client.config.credentials()).accessKeyId).toBe('local');
        expect(await db.repository.putSeller(seller())).toBe('created');
      } finally {
        await db.stop();
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
