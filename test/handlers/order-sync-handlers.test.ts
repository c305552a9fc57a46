/**
 * The order-sync handlers, built with makeHandler(deps): real middy + Powertools, the real client
 * against the local SP-API server, dynalite; a fake Lambda context and fake SQS/S3 clients.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, S3Event, SQSEvent } from 'aws-lambda';
import { DynamoDbSyncState } from '../../functions/adapters/dynamodb/sync-state';
import { StaticCredentials } from '../../functions/adapters/secrets';
import { SpApiClient } from '../../functions/adapters/sp-api-client';
import type { SyncEvent } from '../../functions/domain/ports';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import { makeHandler as makeDispatcher, oldestSuccessAgeSeconds } from '../../functions/handlers/sync-dispatcher';
import { makeHandler as makeWorker } from '../../functions/handlers/sync-worker';
import { makeHandler as makeOrderChange } from '../../functions/handlers/order-change';
import { makeHandler as makeReportImport, sellerIdFromKey } from '../../functions/handlers/report-import';
import { useDynalite } from '../support/dynalite';
import { FakeSpApi, sandboxOrderChangeExample } from '../support/fake-sp-api';

const ddb = useDynalite({ freshTablePerTest: true });
const T0 = Date.parse('2024-12-26T00:00:00Z');

function context(remainingMs = 120_000): Context {
  return {
    awsRequestId: 'req-1',
    functionName: 'test',
    functionVersion: '1',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
    memoryLimitInMB: '512',
    logGroupName: 'g',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function observability() {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
  const added: Array<[string, number]> = [];
  const orig = metrics.addMetric.bind(metrics);
  jest.spyOn(metrics, 'addMetric').mockImplementation((name, unit, value) => {
    added.push([name, value]);
    return orig(name, unit, value);
  });
  jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(function (this: Metrics) {
    this.clearMetrics();
    return this;
  });
  // Metrics with a dimension of their own (failure reason) go out as single metrics.
  const single: Array<[string, Record<string, string>, number]> = [];
  jest.spyOn(metrics, 'singleMetric').mockImplementation(() => {
    const dims: Record<string, string> = {};
    const m = {
      addDimension: (n: string, v: string) => ((dims[n] = v), m),
      addMetric: (n: string, _u: unknown, v: number) => (single.push([n, dims, v]), m),
    };
    return m as never;
  });
  return { logger, metrics, added, single };
}

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m-${i}`,
      receiptHandle: 'r',
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q',
      awsRegion: 'us-east-1',
    })),
  };
}

describe('sync-worker', () => {
  let server: FakeSpApi;
  beforeEach(async () => {
    server = await new FakeSpApi().start();
  });
  afterEach(async () => server.stop());

  test('syncs each seller of the batch; a bad message is a partial batch failure; metrics without seller dimensions', async () => {
    await ddb.repository.putSeller({ sellerId: 'A1SELLER', name: 'S', marketplaces: ['amazon.com'], createdAt: '2024-12-01T00:00:00.000Z' });
    await ddb.repository.putSeller({ sellerId: 'A2REVOKED', name: 'R', marketplaces: ['amazon.com'], createdAt: '2024-12-01T00:00:00.000Z' });
    server.revokedRefreshTokens.add('Atzr|revoked');
    const { logger, metrics, added, single } = observability();
    const events: SyncEvent[] = [];
    const clock = { t: T0 };
    const handler = makeWorker({
      sync: {
        repo: ddb.repository,
        state: new DynamoDbSyncState({ client: ddb.client, tableName: ddb.tableName }),
        api: new SpApiClient({ lwaTokenUrl: server.lwaUrl, endpoints: server.endpoints, now: () => clock.t, sleep: async () => undefined }),
        credentials: new StaticCredentials({ clientId: 'c', clientSecret: 's' }, { A1SELLER: 'Atzr|ok', A2REVOKED: 'Atzr|revoked' }),
        events: { publish: async (e) => void events.push(e) },
        now: () => clock.t,
        sleep: async () => undefined,
        policy: DEFAULT_POLICY,
      },
      logger,
      metrics,
      overlapMs: 10 * 60_000,
    });
    const out = await handler(sqsEvent([JSON.stringify({ sellerId: 'A1SELLER' }), 'not json', JSON.stringify({ sellerId: 'A2REVOKED' })]), context());
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(await ddb.repository.listOrders('A1SELLER')).toHaveLength(1);
    expect(events).toEqual([expect.objectContaining({ type: 'order-sync-broken', sellerId: 'A2REVOKED', reason: 'invalid-grant' })]);
    expect(added).toEqual(expect.arrayContaining([['OrdersSynced', 1], ['ThrottledCalls', 0]]));
    expect(single).toEqual([['SyncFailures', { Reason: 'invalid-grant' }, 1]]);
    // No seller appears in any metric dimension.
    expect(JSON.stringify(metrics.serializeMetrics())).not.toMatch(/A1SELLER|A2REVOKED/);
  });
});

describe('sync-dispatcher', () => {
  test('one message per active seller, in batches of 10; the oldest successful sync age', async () => {
    for (let i = 0; i < 12; i++) {
      await ddb.repository.putSeller({ sellerId: `S${i}`, name: 'S', marketplaces: ['amazon.de'], createdAt: '2024-12-01T00:00:00.000Z' });
    }
    await ddb.repository.putSeller({ sellerId: 'OFF', name: 'S', marketplaces: ['amazon.de'], createdAt: '2024-12-01T00:00:00.000Z', orderSync: { enabled: false } } as never);
    await ddb.repository.putSeller({ sellerId: 'NOMARKET', name: 'S', marketplaces: [], createdAt: '2024-12-01T00:00:00.000Z' });
    const state = new DynamoDbSyncState({ client: ddb.client, tableName: ddb.tableName });
    await state.markSuccess('S1', 'amazon.de', '2024-12-25T23:00:00.000Z');
    await state.markSuccess('S2', 'amazon.de', '2024-12-25T23:30:00.000Z');
    // Revoked weeks ago: counted as broken, not as the oldest successful sync.
    await state.markBroken('S3', 'amazon.de', 'invalid-grant', 'revoked', '2024-12-01T00:00:00.000Z');
    const sent: string[][] = [];
    const sqs = {
      send: async (cmd: { input: { Entries?: Array<{ MessageBody?: string }> } }) => {
        sent.push((cmd.input.Entries ?? []).map((e) => JSON.parse(e.MessageBody ?? '{}').sellerId));
        return { Successful: [], Failed: [] };
      },
    };
    const { logger, metrics, added } = observability();
    const handler = makeDispatcher({ repo: ddb.repository, state, sqs: sqs as never, queueUrl: 'https://sqs.local/q', logger, metrics, now: () => new Date(T0).toISOString() });
    const r = await handler({} as never, context());
    expect(r).toEqual({ dispatched: 12, oldestSuccessAgeSeconds: 3600, broken: 1 });
    expect(sent.map((b) => b.length).sort()).toEqual([10, 2]);
    expect(sent.flat()).not.toContain('OFF');
    expect(added).toEqual(expect.arrayContaining([['SellersDispatched', 12], ['OldestSuccessfulSyncAgeSeconds', 3600], ['BrokenSyncs', 1]]));
  });

  test('entries SendMessageBatch reports failed are resent alone, at most 3 calls; still failing then: thrown with the SQS code', async () => {
    for (const id of ['P1', 'P2', 'P3']) {
      await ddb.repository.putSeller({ sellerId: id, name: 'S', marketplaces: ['amazon.de'], createdAt: '2024-12-01T00:00:00.000Z' });
    }
    const state = new DynamoDbSyncState({ client: ddb.client, tableName: ddb.tableName });
    const run = async (failing: (call: number, id: string) => boolean) => {
      const sent: string[][] = [];
      const sqs = {
        send: async (cmd: { input: { QueueUrl?: string; Entries?: Array<{ Id?: string; MessageBody?: string }> } }) => {
          expect(cmd.input.QueueUrl).toBe('https://sqs.local/q');
          const entries = cmd.input.Entries ?? [];
          sent.push(entries.map((e) => JSON.parse(e.MessageBody ?? '{}').sellerId));
          const failed = entries.filter((e) => failing(sent.length, JSON.parse(e.MessageBody ?? '{}').sellerId));
          return {
            Successful: entries.filter((e) => !failed.includes(e)).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
            Failed: failed.map((e) => ({ Id: e.Id, Code: 'ThrottlingException', SenderFault: false })),
          };
        },
      };
      const { logger, metrics } = observability();
      const handler = makeDispatcher({ repo: ddb.repository, state, sqs: sqs as never, queueUrl: 'https://sqs.local/q', logger, metrics, now: () => new Date(T0).toISOString() });
      return { sent, result: handler({} as never, context()) };
    };
    const once = await run((call, id) => call === 1 && id === 'P2');
    await expect(once.result).resolves.toMatchObject({ dispatched: 3 });
    expect(once.sent.map((b) => [...b].sort())).toEqual([['P1', 'P2', 'P3'], ['P2']]);

    const always = await run((_call, id) => id === 'P3');
    await expect(always.result).rejects.toThrow('SendMessageBatch: 1 message(s) still failing after 3 attempts (ThrottlingException)');
    expect(always.sent.map((b) => [...b].sort())).toEqual([['P1', 'P2', 'P3'], ['P3'], ['P3']]);
  });

  test('oldest age counts a marketplace that never succeeded from its first attempt', () => {
    expect(
      oldestSuccessAgeSeconds(
        [
          { sellerId: 'a', marketplace: 'amazon.de', lastSuccessAt: '2024-12-25T23:00:00.000Z' },
          { sellerId: 'b', marketplace: 'amazon.de', lastAttemptAt: '2024-12-25T00:00:00.000Z' },
        ],
        T0,
      ),
    ).toBe(86_400);
    expect(oldestSuccessAgeSeconds([], T0)).toBeNull();
  });

  test('a broken sync (revoked authorization) is left out of the oldest age: it is counted in BrokenSyncs instead', () => {
    const health = [
      { sellerId: 'a', marketplace: 'amazon.de', lastSuccessAt: '2024-12-25T23:00:00.000Z' },
      {
        sellerId: 'b',
        marketplace: 'amazon.de',
        lastSuccessAt: '2024-11-01T00:00:00.000Z',
        broken: { reason: 'invalid-grant' as const, since: '2024-11-02T00:00:00.000Z', detail: '' },
      },
    ];
    expect(oldestSuccessAgeSeconds(health, T0)).toBe(3600);
    expect(oldestSuccessAgeSeconds(health.slice(1), T0)).toBeNull();
  });
});

describe('order-change handler', () => {
  test('applies the notification; a malformed one fails alone', async () => {
    await ddb.repository.putSeller({ sellerId: 'A3TH9S8BH6GOGM', name: 'S', marketplaces: ['amazon.com'], createdAt: '2022-01-01T00:00:00.000Z' });
    const { logger, metrics, added } = observability();
    const handler = makeOrderChange({ repo: ddb.repository, policy: DEFAULT_POLICY, logger, metrics, now: () => new Date(T0).toISOString() });
    const out = await handler(sqsEvent([JSON.stringify(sandboxOrderChangeExample()), '{"NotificationType":"ORDER_CHANGE"}']), context());
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect((await ddb.repository.getOrder('A3TH9S8BH6GOGM', '903-8868176-2219830'))?.source).toBe('order-change');
    expect(added).toEqual([['OrderChangesApplied', 1]]);
  });
});

describe('report-import handler', () => {
  const report = [
    'order-id\torder-item-id\tpurchase-date\tpayments-date\tquantity-shipped',
    '028-1234567-1234567\t1\t2024-12-24T10:00:00+00:00\t2024-12-24T10:05:00+00:00\t0',
    '028-1234567-7654321\t2\t2024-12-24T11:00:00+00:00\t\t0',
  ].join('\n');

  function s3Event(key: string): S3Event {
    return { Records: [{ s3: { bucket: { name: 'b' }, object: { key } } }] } as never;
  }

  test('imports reports/<sellerId>/ files for that seller, with its single marketplace', async () => {
    await ddb.repository.putSeller({ sellerId: 'A9DE', name: 'S', marketplaces: ['amazon.de'], createdAt: '2024-12-01T00:00:00.000Z' });
    const files: Record<string, string> = { 'reports/A9DE/unshipped 2024-12-24.txt': report, 'reports/A9DE/broken.txt': 'hello\tworld\n' };
    const s3 = { send: async (cmd: { input: { Key: string } }) => ({ Body: { transformToString: async () => files[cmd.input.Key] } }) };
    const { logger, metrics } = observability();
    const handler = makeReportImport({ repo: ddb.repository, s3: s3 as never, policy: DEFAULT_POLICY, logger, metrics, now: () => new Date(T0).toISOString() });
    expect(await handler(s3Event('reports/A9DE/unshipped+2024-12-24.txt'), context())).toEqual({ imported: 2, rejected: 0 });
    const stored = await ddb.repository.listOrders('A9DE');
    expect(stored.map((o) => [o.orderId, o.marketplace, o.source])).toEqual([
      ['028-1234567-1234567', 'amazon.de', 'report'],
      ['028-1234567-7654321', 'amazon.de', 'report'],
    ]);
    expect(await handler(s3Event('reports/A9DE/broken.txt'), context())).toEqual({ imported: 0, rejected: 1 });
    expect(await handler(s3Event('reports/NOSUCH/x.txt'), context())).toEqual({ imported: 0, rejected: 1 });
  });

  test('keys', () => {
    expect(sellerIdFromKey('reports/A9DE/a%2Bb+c.txt')).toEqual({ key: 'reports/A9DE/a+b c.txt', sellerId: 'A9DE' });
    expect(sellerIdFromKey('reports/x.txt')).toBeUndefined();
    expect(sellerIdFromKey('mail/A9DE/x.txt')).toBeUndefined();
  });
});
