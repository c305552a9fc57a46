/**
 * The environment each function of the synthesized stack gets is exactly what its wiring needs:
 * every function's `wireX` (functions/wiring.ts) builds from the variables the construct sets,
 * with CloudFormation references stood in by placeholders. A variable the code requires but the
 * stack forgot, or one the stack sets in a shape the code refuses, fails here and not at the
 * first cold start in someone's account.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '../../functions/constants';
import type { Env } from '../../functions/config';
import * as wiring from '../../functions/wiring';
import { wireMailboxPoller } from '../../functions/wiring-mailbox';
import { wireSellerWeb } from '../../functions/wiring-web';
import { buildStack } from '../infra/template-support';

const { template } = buildStack({}, 'Wiring');

/** The function's variables; a reference (Ref, Fn::GetAtt, Fn::Join) becomes a value of the right shape. */
function envOf(pathSuffix: string): Env {
  // The logical ID is the construct path without slashes, plus a hash of eight characters.
  const prefix = pathSuffix.replace(/\//g, '');
  const fns = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  expect(fns).toHaveLength(1);
  const vars = (fns[0][1].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : k === ENV.ALERT_TOPIC_ARN ? 'arn:aws:sns:eu-west-1:123456789012:alerts' : k === ENV.SYNC_QUEUE_URL ? 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync' : k === ENV.WEB_BASE_URL ? 'https://abc123.lambda-url.eu-west-1.on.aws' : `ref-${k.toLowerCase()}`,
    ]),
  );
}

const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
afterAll(() => dynamodb.destroy());

test.each([
  ['InboundMail/Intake', () => wiring.wireInboundMail(envOf('InboundMail/Intake'), { dynamodb })],
  ['Reconciler/Function', () => wiring.wireReconciler(envOf('Reconciler/Function'), { dynamodb })],
  ['Alerting/Sender', () => wiring.wireAlertSender(envOf('Alerting/Sender'), { dynamodb })],
  ['Alerting/SyncAlerts', () => wiring.wireSyncAlerts(envOf('Alerting/SyncAlerts'), { dynamodb })],
  ['OrderSync/Dispatcher', () => wiring.wireDispatcher(envOf('OrderSync/Dispatcher'), { dynamodb })],
  ['OrderSync/Worker', () => wiring.wireSyncWorker(envOf('OrderSync/Worker'), { dynamodb })],
  ['OrderSync/OrderChange', () => wiring.wireOrderChange(envOf('OrderSync/OrderChange'), { dynamodb })],
  ['OrderSync/ReportImport', () => wiring.wireReportImport(envOf('OrderSync/ReportImport'), { dynamodb })],
  ['MailboxPoller/Function', () => wireMailboxPoller(envOf('MailboxPoller/Function'), { dynamodb })],
  ['SellerWeb/Function', () => wireSellerWeb(envOf('SellerWeb/Function'), { dynamodb })],
  ['WeeklyReport/Function', () => wiring.wireWeeklyReport(envOf('WeeklyReport/Function'), { dynamodb })],
])('%s wires from the environment the stack gives it', (_name, wire) => {
  expect(wire).not.toThrow();
});

test('what the stack sets reaches the deps: deadline margin, grace, queue, alert sender', () => {
  const reconciler = wiring.wireReconciler(envOf('Reconciler/Function'), { dynamodb });
  const env = envOf('Reconciler/Function');
  expect(reconciler.stopBeforeDeadlineMs).toBe(Number(env[ENV.STOP_BEFORE_DEADLINE_MS]));
  expect(reconciler.policy.graceMinutes).toBe(Number(env[ENV.GRACE_MINUTES]));

  expect(wiring.wireDispatcher(envOf('OrderSync/Dispatcher'), { dynamodb }).queueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/sync');

  const sender = wiring.wireAlertSender(envOf('Alerting/Sender'), { dynamodb });
  expect(sender.fallbackChannels).toEqual([{ id: 'stack-topic', type: 'sns' }]);
  expect(sender.events).toBeDefined();
});

test('a function without the sync queue cannot be wired as the dispatcher', () => {
  expect(() => wiring.wireDispatcher(envOf('OrderSync/OrderChange'), { dynamodb })).toThrow(/^order-sync configuration: the sync queue URL is not set/);
});
