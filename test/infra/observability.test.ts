/**
 * Issue 6, observability: the dashboard an operator reads, every alarm (metric, threshold,
 * action, what to do), the operator topic apart from the sellers' topic, no per-seller metric
 * dimension (in the template and in what the handlers emit), and the typed CDK context.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Match } from 'aws-cdk-lib/assertions';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import type { AlertChannel } from '../../functions/domain/ports';
import { makeHandler as makeSender } from '../../functions/handlers/alert-sender';
import { makeHandler as makeReconciler } from '../../functions/handlers/reconciler';
import { importOrders } from '../../functions/services/import-orders';
import { useDynalite } from '../support/dynalite';
import {
  ALERT_SENDER_METRICS,
  CHANNEL_DIMENSION,
  FAILURE_REASON_DIMENSION,
  INBOUND_MAIL_METRICS as INBOUND_METRIC,
  ORDER_SYNC_METRICS,
  REASON_DIMENSION,
  RECONCILER_METRICS as RECONCILER_METRIC,
} from '../../functions/metrics';
import { parseConfig, SentinelConfigError } from '../../infra/config';
import { ALLOWED_METRIC_DIMENSIONS } from '../../infra/constructs/observability';
import { buildStack, dashboardBody, dashboardMetrics, type Resources } from './template-support';

const { stack, template } = buildStack();
const ref = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resources[string][];
const operatorTopic = { Ref: ref(stack.observability.topic as never) };

/** Every metric name a handler emits (their METRIC constants). */
const EMITTED = new Set<string>([
  ...Object.values(INBOUND_METRIC),
  ...Object.values(RECONCILER_METRIC),
  ...Object.values(ALERT_SENDER_METRICS),
  ...Object.values(ORDER_SYNC_METRICS),
]);

describe('dashboard', () => {
  const body = dashboardBody(template);
  const titles = body.widgets.map((w) => String(w.properties.title ?? w.properties.markdown ?? ''));
  const { metrics, expressions } = dashboardMetrics(template);

  test('starts with a plain-language explanation for someone who never saw the code', () => {
    expect(body.widgets[0].type).toBe('text');
    expect(body.widgets[0].properties.markdown).toMatch(/Sold, Ship Now/);
    expect(body.widgets[0].properties.markdown).toMatch(/shipnow status/);
  });

  test.each([
    [/Funnel, last 24 h: orders → notified → missing → alerted/],
    [/Funnel over time/],
    [/Email delay/],
    [/by reason/],
    [/Order sync health/],
    [/Order sync failures by reason/],
    [/Reconciler: duration/],
    [/Alert deliveries and failures by channel/],
    [/Lambda errors/],
    [/Lambda throttles/],
    [/Lambda duration/],
    [/Work queues: messages waiting/],
    [/Dead-letter queues/],
    [/Alarms/],
  ])('has a widget %s', (title) => {
    expect(titles.some((t) => title.test(t))).toBe(true);
  });

  test('the funnel is orders in -> orders notified -> orders missing -> alerts delivered, in that order', () => {
    const funnel = body.widgets.find((w) => /^Funnel, last 24 h/.test(w.properties.title));
    expect(funnel?.properties.metrics.map((m: unknown[]) => m[1])).toEqual(['OrdersWritten', 'OrdersNotified', 'OrdersMissing', 'AlertsSent']);
  });

  test('every Sentinel metric on it is one a handler emits (no dead graph), with the service dimension only', () => {
    const own = metrics.filter((m) => m.namespace === 'ShipNowSentinel');
    expect(own.length).toBeGreaterThan(15);
    for (const m of own) {
      expect(EMITTED).toContain(m.name);
      expect(m.dimensions).toEqual({ service: 'shipnow-sentinel' });
    }
  });

  test('breakdowns use one fixed dimension each (reason, Reason, channel), never a seller', () => {
    expect(expressions).toEqual(
      expect.arrayContaining([
        expect.stringContaining('{ShipNowSentinel,reason,service} MetricName="MailRejected"'),
        expect.stringContaining('{ShipNowSentinel,Reason,service} MetricName="SyncFailures"'),
        expect.stringContaining('{ShipNowSentinel,channel,service} MetricName="AlertDeliveries"'),
        expect.stringContaining('{ShipNowSentinel,channel,service} MetricName="AlertDeliveryFailures"'),
      ]),
    );
    for (const e of expressions) expect(e).not.toMatch(/seller/i);
  });

  test('Lambda errors, throttles and durations for each of the 11 functions; every queue and DLQ depth', () => {
    for (const name of ['Errors', 'Throttles', 'Duration']) {
      expect(metrics.filter((m) => m.namespace === 'AWS/Lambda' && m.name === name)).toHaveLength(11);
    }
    expect(metrics.filter((m) => m.namespace === 'AWS/SQS' && m.name === 'ApproximateNumberOfMessagesVisible')).toHaveLength(3 + 9);
    expect(metrics.filter((m) => m.namespace === 'AWS/SQS' && m.name === 'ApproximateAgeOfOldestMessage')).toHaveLength(3);
  });

  test('no physical dashboard name (two stages do not collide)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: Match.absent() });
  });
});

describe('alarms', () => {
  test('every alarm goes to the operator topic, none to the sellers\' alert topic, and says what to do', () => {
    // 22 since issue 10 added "an alert has waited too long"; + the seller web's and the mailbox
    // poller's errors, the mailbox poller's and the weekly report's DLQ and errors (issues 14, 15).
    expect(alarms.length).toBe(27);
    for (const a of alarms) {
      expect(a.Properties!.AlarmActions).toEqual([operatorTopic]);
      expect(a.Properties!.AlarmDescription).toMatch(/What to do:/);
      expect(a.Properties!.AlarmName).toBeUndefined();
    }
    expect(JSON.stringify(alarms)).not.toContain(ref(stack.alerting.topic));
  });

  test('any message in any of the seven DLQs', () => {
    const dlqs = [
      stack.inboundMail.deadLetterQueue,
      stack.reconciler.deadLetterQueue,
      stack.alerting.deadLetterQueue,
      stack.orderSync.deadLetterQueue,
      stack.orderSync.orderChangeDeadLetterQueue,
      stack.orderSync.reportImportDeadLetterQueue,
      stack.orderSync.dispatcherDeadLetterQueue,
    ];
    for (const q of dlqs) {
      const a = alarms.filter((x) => JSON.stringify(x.Properties!.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ref(q), 'QueueName'] } }]));
      expect(a).toHaveLength(1);
      const p = a[0].Properties!;
      expect(p.MetricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(p.Statistic).toBe('Maximum');
      // ">= 1" and "> 0" are the same on a message count.
      expect([`${p.ComparisonOperator} ${p.Threshold}`]).toEqual([expect.stringMatching(/^(GreaterThanOrEqualToThreshold 1|GreaterThanThreshold 0)$/)]);
      expect(p.TreatMissingData).toBe('notBreaching');
    }
  });

  test('Lambda errors: one alarm per function, >= 1 error in 5 minutes', () => {
    const fns = [
      stack.inboundMail.function,
      stack.reconciler.function,
      stack.alerting.sender,
      stack.alerting.syncAlerts,
      stack.orderSync.dispatcher,
      stack.orderSync.worker,
      stack.orderSync.orderChangeFunction,
      stack.orderSync.reportImport,
    ];
    for (const fn of fns) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: ref(fn) } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [operatorTopic],
      });
    }
  });

  test('no successful order sync for two intervals (or the dispatcher silent)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ShipNowSentinel',
      MetricName: 'OldestSuccessfulSyncAgeSeconds',
      Dimensions: [{ Name: 'service', Value: 'shipnow-sentinel' }],
      Statistic: 'Maximum',
      Period: 900,
      Threshold: 2 * 900,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: [operatorTopic],
    });
  });

  test('no inbound email at all for the configured time while orders keep coming', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      AlarmActions: [operatorTopic],
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('IF\\(.*> 0 AND .*== 0, 1, 0\\)'), ReturnData: true }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'OrdersWritten' }), Period: 6 * 3600, Stat: 'Sum' }), ReturnData: false }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'MailAccepted' }), Period: 6 * 3600, Stat: 'Sum' }), ReturnData: false }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'MailRejected' }) }) }),
      ]),
    });
    const other = buildStack({ mailSilenceHours: '12' }, 'Silence').template;
    other.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'MailAccepted' }), Period: 12 * 3600 }) })]),
    });
  });

  test('any alert waiting longer than the configured time (default 30 min) alarms the operator', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ShipNowSentinel',
      MetricName: 'AlertOldestWaitingSeconds',
      Statistic: 'Maximum',
      Period: 900,
      Threshold: 1800,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      AlarmActions: [operatorTopic],
      AlarmDescription: Match.stringLikeRegexp('waited more than 30 min'),
    });
    buildStack({ alertMaxWaitMinutes: '10' }, 'Wait').template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'AlertOldestWaitingSeconds', Threshold: 600 });
    expect(() => buildStack({ alertMaxWaitMinutes: '2' }, 'WaitBad')).toThrow(/alertMaxWaitMinutes/);
  });

  test('alert delivery failing: undeliverable alerts and broken channels', () => {
    for (const name of ['AlertsFailed', 'AlertChannelBroken']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'ShipNowSentinel',
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: 'shipnow-sentinel' }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [operatorTopic],
      });
    }
  });

  test('reconciler (and alert sender) not running: no invocation for 3 (5) intervals, missing data breaches', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ref(stack.reconciler.function) } }],
      // Three intervals of the default 1 minute, at least 5 minutes.
      Period: 5 * 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [operatorTopic],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ref(stack.alerting.sender) } }],
      Period: 300,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });
});

describe('operator topic', () => {
  test('separate from the sellers\' topic, KMS-encrypted, TLS only; CloudWatch may use its key, the sellers\' key grants CloudWatch nothing', () => {
    expect(ref(stack.observability.topic as never)).not.toBe(ref(stack.alerting.topic));
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'ShipNow Sentinel operator alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [ref(stack.observability.topicKey!), 'Arn'] },
    });
    const keys = template.findResources('AWS::KMS::Key');
    expect(JSON.stringify(keys[ref(stack.observability.topicKey!)].Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    expect(JSON.stringify(keys[ref(stack.alerting.topicKey!)].Properties.KeyPolicy)).not.toContain('cloudwatch.amazonaws.com');
  });

  test('alarmEmail subscribes an address; alarmTopicArn uses an existing topic instead of creating one', () => {
    buildStack({ alarmEmail: 'ops@example.com' }, 'Email').template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const arn = 'arn:aws:sns:us-east-1:123456789012:oncall';
    const t = buildStack({ alarmTopicArn: arn }, 'External').template;
    expect(Object.keys(t.findResources('AWS::SNS::Topic'))).toHaveLength(1); // the sellers' topic only
    for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) expect(a.Properties.AlarmActions).toEqual([arn]);
  });
});

describe('no per-seller metric dimension', () => {
  test('in the template: every alarm metric carries only allowed dimensions', () => {
    const dims = new Set<string>();
    for (const a of alarms) {
      for (const d of (a.Properties!.Dimensions ?? []) as Array<{ Name: string }>) dims.add(d.Name);
      for (const m of (a.Properties!.Metrics ?? []) as Array<{ MetricStat?: { Metric: { Dimensions?: Array<{ Name: string }> } } }>) {
        for (const d of m.MetricStat?.Metric.Dimensions ?? []) dims.add(d.Name);
      }
    }
    for (const d of dims) expect([...ALLOWED_METRIC_DIMENSIONS, 'FunctionName', 'QueueName']).toContain(d);
    expect([...dims].some((d) => /seller|order|marketplace/i.test(d))).toBe(false);
  });

  test('in the handlers: every addDimension names an allowed, constant dimension', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(__dirname, '..', '..', 'functions'));
    const constants: Record<string, string> = { REASON_DIMENSION, FAILURE_REASON_DIMENSION, CHANNEL_DIMENSION };
    const found: string[] = [];
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      expect(src).not.toMatch(/addDimensions\(|setDefaultDimensions\(|defaultDimensions:/);
      for (const m of src.matchAll(/addDimension\(\s*([^,]+),/g)) {
        const arg = m[1].trim();
        const name = /^['"`]/.test(arg) ? arg.slice(1, -1) : constants[arg];
        expect({ file: f, arg, name }).toEqual({ file: f, arg, name: expect.any(String) });
        found.push(name);
      }
    }
    expect(found.length).toBeGreaterThanOrEqual(3);
    for (const d of found) expect(ALLOWED_METRIC_DIMENSIONS as readonly string[]).toContain(d);
  });

  test('metric names the issue asks for are emitted', () => {
    for (const name of [
      'OrdersSynced',
      'MailAccepted',
      'MailRejected',
      'OrdersMissing',
      'AlertsSent',
      'AlertsFailed',
      'AlertDeliveries',
      'AlertDeliveryFailures',
      'MailArrivalDelay',
      'ReconcileDuration',
      'ReconcileItemsRead',
      'OldestSuccessfulSyncAgeSeconds',
    ]) {
      expect(EMITTED).toContain(name);
    }
  });
});

describe('typed CDK context (infra/config.ts)', () => {
  test('defaults: synth needs no context', () => {
    expect(parseConfig({})).toEqual(
      expect.objectContaining({ stage: 'dev', inboundDomain: 'inbound.shipnow.example', syncIntervalMinutes: 15, reconcileIntervalMinutes: 1, logRetentionDays: 30, mailSilenceHours: 6, activateRuleSet: true }),
    );
  });

  test('-c values arrive as strings and are converted', () => {
    const c = parseConfig({ syncIntervalMinutes: '30', activateRuleSet: 'false', logRetentionDays: '90', inboundDomain: 'Inbound.Example.COM' });
    expect(c).toEqual(expect.objectContaining({ syncIntervalMinutes: 30, activateRuleSet: false, logRetentionDays: 90, inboundDomain: 'inbound.example.com' }));
  });

  test('clear errors: the key, what is wrong, what was given; typos get a hint; CDK flags are ignored', () => {
    let err: unknown;
    try {
      parseConfig({ syncIntervalMinutes: 'often', logRetentionDays: 31, alarmEmial: 'x@y.z', alarmTopicArn: 'topic', '@aws-cdk/core:checkSecretUsage': true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SentinelConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/"syncIntervalMinutes" must be a whole number \(got "often"\)/);
    expect(msg).toMatch(/"logRetentionDays" must be one of 1, 3, 5, 7, 14, 30/);
    expect(msg).toMatch(/unknown key "alarmEmial" \(did you mean "alarmEmail"\?\)/);
    expect(msg).toMatch(/"alarmTopicArn" must be an SNS topic ARN/);
    expect(msg).not.toMatch(/checkSecretUsage/);
  });

  test('the stack applies the context: schedules and retention', () => {
    const t = buildStack({ syncIntervalMinutes: 30, reconcileIntervalMinutes: 10, alertIntervalMinutes: 2, logRetentionDays: 90 }, 'Ctx').template;
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(10 minutes)' });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 minutes)' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OldestSuccessfulSyncAgeSeconds', Period: 1800, Threshold: 3600 });
    for (const g of Object.values(t.findResources('AWS::Logs::LogGroup'))) expect(g.Properties.RetentionInDays).toBe(90);
  });
});

describe('what the handlers emit at run time (reconciler, alert sender)', () => {
  const ddb = useDynalite({ freshTablePerTest: true });
  const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-27T11:00:00Z', detail: {} } as unknown as ScheduledEvent;
  const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000, callbackWaitsForEmptyEventLoop: true } as unknown as Context;

  function recording() {
    const metrics = new Metrics({ namespace: 'ShipNowSentinel', serviceName: 'shipnow-sentinel' });
    const emitted: Array<{ name: string; dimensions: Record<string, string>; value: number }> = [];
    const orig = metrics.addMetric.bind(metrics);
    jest.spyOn(metrics, 'addMetric').mockImplementation((name, unit, value) => {
      emitted.push({ name, dimensions: {}, value });
      return orig(name, unit, value);
    });
    jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(function (this: Metrics) {
      this.clearMetrics();
      return this;
    });
    jest.spyOn(metrics, 'singleMetric').mockImplementation(() => {
      const dims: Record<string, string> = {};
      const m = {
        addDimension: (n: string, v: string) => ((dims[n] = v), m),
        addMetric: (n: string, _u: unknown, v: number) => (emitted.push({ name: n, dimensions: dims, value: v }), m),
      };
      return m as never;
    });
    return { metrics, emitted, logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }) };
  }

  test('an order turning missing and its alert: OrdersMissing, reconcile duration and items read, deliveries by channel type; no seller anywhere', async () => {
    await ddb.repository.putSeller({ sellerId: 's1', name: 'S', marketplaces: ['amazon.com'], createdAt: '2026-01-01T00:00:00.000Z' });
    await importOrders(
      ddb.repository,
      [{ sellerId: 's1', orderId: '112-4455667-3000001', marketplace: 'amazon.com', fulfilledBy: 'MERCHANT', orderState: 'Unshipped', purchaseDate: '2026-11-27T10:00:00.000Z', source: 'report' }],
      '2026-11-27T10:01:00.000Z',
      { graceMinutes: 60 },
    );
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    const r = recording();
    await makeReconciler({ repo: ddb.repository, outbox, policy: { graceMinutes: 60 }, logger: r.logger, metrics: r.metrics, now: () => new Date('2026-11-27T11:10:00.000Z').toISOString() })(scheduled, context);
    const channel = (): AlertChannel => ({ id: 'hook', type: 'webhook', send: async () => undefined });
    await makeSender({
      outbox,
      health: outbox,
      sellers: ddb.repository,
      channels: channel,
      fallbackChannels: [{ id: 'hook', type: 'webhook', url: 'https://example.com/h' } as never],
      logger: r.logger,
      metrics: r.metrics,
      now: () => new Date('2026-11-27T11:11:00.000Z').toISOString(),
    })(scheduled, context);

    const value = (name: string) => r.emitted.filter((e) => e.name === name).reduce((n, e) => n + e.value, 0);
    expect(value('OrdersMissing')).toBe(1);
    expect(value('ReconcileItemsRead')).toBeGreaterThanOrEqual(1);
    expect(r.emitted.some((e) => e.name === 'ReconcileDuration')).toBe(true);
    expect(value('AlertsSent')).toBe(1);
    expect(r.emitted.filter((e) => e.name === 'AlertDeliveries')).toEqual([{ name: 'AlertDeliveries', dimensions: { channel: 'webhook' }, value: 1 }]);
    for (const e of r.emitted) {
      expect(EMITTED).toContain(e.name);
      for (const d of Object.keys(e.dimensions)) expect(ALLOWED_METRIC_DIMENSIONS as readonly string[]).toContain(d);
      expect(JSON.stringify(e.dimensions)).not.toContain('s1');
    }
  });
});
