/**
 * Issue 13 (7): after a run that wrote alerts, the reconciler starts the alert sender at once (an
 * asynchronous Lambda invoke; no local Lambda, so the client is mocked and the exact request
 * asserted), on a real local DynamoDB. A failed invoke loses nothing: the alert stays in the outbox.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LambdaAlertSenderTrigger } from '../../functions/adapters/lambda-sender-trigger';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { makeHandler as makeReconciler } from '../../functions/handlers/reconciler';
import { importOrders } from '../../functions/services/import-orders';
import { wireReconciler } from '../../functions/wiring';
import { useDynalite } from '../support/dynalite';

process.env.POWERTOOLS_DEV = 'true';
const ddb = useDynalite({ freshTablePerTest: true });
const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());
const POLICY = { graceMinutes: 60 };
const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as unknown as ScheduledEvent;
const order = { sellerId: 's1', orderId: '112-4455667-3000001', marketplace: 'amazon.com', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: '2026-11-27T10:00:00.000Z', source: 'report' } as const;

function reconciler(warnings: unknown[] = []) {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  logger.warn = ((msg: string, extra: unknown) => void warnings.push([msg, extra])) as never;
  return makeReconciler({
    repo: ddb.repository,
    outbox: new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName }),
    policy: POLICY,
    logger,
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    sender: new LambdaAlertSenderTrigger(new LambdaClient({}), 'Sender-abc'),
    now: () => '2026-11-27T11:10:00.000Z',
  });
}

test('a run that wrote an alert invokes the sender asynchronously, once; a run with nothing new does not', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  await importOrders(ddb.repository, [order], '2026-11-27T10:01:00.000Z', POLICY);
  const run = reconciler();
  expect((await run(scheduled, context)).alerts).toBe(1);
  expect(lambda.calls().map((c) => c.args[0].input)).toEqual([
    {
      FunctionName: 'Sender-abc',
      InvocationType: 'Event',
      Payload: new TextEncoder().encode('{"source":"shipnow.reconciler","detail-type":"Alerts written","detail":{"alerts":1}}'),
    },
  ]);
  expect((await run(scheduled, context)).alerts).toBe(0);
  expect(lambda.calls()).toHaveLength(1);
});

test('an invoke that fails is logged; the run succeeds and the alert waits in the outbox for the scheduled sender', async () => {
  lambda.on(InvokeCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
  await importOrders(ddb.repository, [order], '2026-11-27T10:01:00.000Z', POLICY);
  const warnings: unknown[] = [];
  expect((await reconciler(warnings)(scheduled, context)).alerts).toBe(1);
  expect(warnings).toEqual([['could not start the alert sender; its schedule will send the alerts', expect.objectContaining({ alerts: 1 })]]);
  const due = await new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName }).due('2026-11-27T11:11:00.000Z');
  expect(due).toHaveLength(1);
});

test('wiring: the sender is started only when the stack names it', () => {
  expect(wireReconciler({ SENTINEL_TABLE_NAME: 't', SENTINEL_ALERT_SENDER_FUNCTION: 'Sender-abc' }).sender).toBeInstanceOf(LambdaAlertSenderTrigger);
  expect(wireReconciler({ SENTINEL_TABLE_NAME: 't' }).sender).toBeUndefined();
});
