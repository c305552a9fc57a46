/**
 * Issue 13 (5): `-c profile=lean` for one seller in their own account: at most 10 custom metrics
 * and 10 alarms, no customer managed KMS key, no X-Ray, one dashboard; the default profile keeps
 * every alarm, its keys and tracing. cdk-nag silent for both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEAN_METRICS } from '../../functions/lean-metrics';
import { METRICS_NAMESPACE } from '../../functions/metrics';
import { buildStack, dashboardMetrics, type Resources } from './template-support';

const REAL = { inboundDomain: 'inbound.shopsentinel.cn', alertFrom: 'alerts@shopsentinel.cn' };

/** Every custom (Sentinel namespace) metric name an alarm reads. */
function alarmCustomMetrics(resources: Resources): string[] {
  const names: string[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = r.Properties!;
    if (p.Namespace === METRICS_NAMESPACE) names.push(p.MetricName);
    for (const m of p.Metrics ?? []) if (m.MetricStat?.Metric?.Namespace === METRICS_NAMESPACE) names.push(m.MetricStat.Metric.MetricName);
  }
  return names;
}

/** Metrics an alarm reads (one for a plain alarm; each metric of a math expression): CloudWatch bills per alarm metric. */
const alarmMetricCount = (r: { Properties?: Record<string, any> }) => (r.Properties!.Metrics ? r.Properties!.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).length : 1);

describe.each([
  ['default', {}],
  ['lean', { profile: 'lean' }],
] as const)('%s profile', (profile, context) => {
  const { app, stack, template } = buildStack({ ...REAL, ...context }, `Profile${profile}`);
  const resources = template.toJSON().Resources as Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const projectFunctions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties!.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'shipnow-sentinel');
  const lean = profile === 'lean';

  test(`alarms: ${lean ? 'at most 10' : 'every one of the default (22)'}, each routed to the operator topic`, () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    if (lean) expect(alarms.length).toBeLessThanOrEqual(10);
    // 22 before issues 14 and 15; + errors of the mailbox poller, seller web and weekly report, and
    // the DLQs of the mailbox poller and weekly report.
    else expect(alarms).toHaveLength(27);
    expect(stack.observability.alarms).toHaveLength(alarms.length);
    for (const [, a] of alarms) expect(a.Properties!.AlarmActions).toEqual([{ Ref: expect.stringContaining('OperatorTopic') }]);
    if (lean) {
      // Alarms over all DLQs and over all functions' errors cover what default has one alarm each
      // for; a metric math alarm reads at most 10 metrics (CloudWatch's hard limit), so one per 10.
      const metricsOf = (prefix: string) => alarms.filter(([id]) => id.includes(prefix)).map(([, a]) => a.Properties!.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).length);
      // Only the DLQs of SQS sources with partial batch responses: the others fill after function errors.
      expect(metricsOf('DeadLetters')).toEqual([3]);
      // ... exactly the DLQs (redrive targets) of the queues whose event source reports batch item failures.
      const partialQueues = ofType('AWS::Lambda::EventSourceMapping')
        .filter(([, m]) => (m.Properties!.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'))
        .map(([, m]) => m.Properties!.EventSourceArn['Fn::GetAtt'][0] as string);
      const dlqsOf = partialQueues.map((q) => resources[q]!.Properties!.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string).sort();
      const watched = alarms
        .filter(([id]) => id.includes('DeadLetters'))
        .flatMap(([, a]) => a.Properties!.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map((m: { MetricStat: { Metric: { Dimensions: Array<{ Value: { 'Fn::GetAtt': string[] } }> } } }) => m.MetricStat.Metric.Dimensions[0]!.Value['Fn::GetAtt'][0]))
        .sort();
      expect(watched).toEqual(dlqsOf);
      expect(metricsOf('LambdaErrors').reduce((x, y) => x + y, 0)).toBe(projectFunctions.length);
      for (const n of [...metricsOf('DeadLetters'), ...metricsOf('LambdaErrors')]) expect(n).toBeLessThanOrEqual(10);
      expect(alarms.map(([, a]) => alarmMetricCount(a)).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(30);
    }
  });

  test(`KMS: ${lean ? 'no customer managed key (AWS managed keys for SNS, SSM, DynamoDB; SQS- and S3-managed)' : 'the two topic keys and the seller-secrets key, rotation on'}`, () => {
    const keys = ofType('AWS::KMS::Key');
    if (lean) {
      expect(keys).toEqual([]);
      const topics = ofType('AWS::SNS::Topic');
      expect(topics.map(([, t]) => t.Properties!.KmsMasterKeyId)).toEqual(expect.arrayContaining([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alias/aws/sns']] }]));
    } else {
      expect(keys).toHaveLength(3);
      for (const [, k] of keys) expect(k.Properties!.EnableKeyRotation).toBe(true);
    }
  });

  test(`X-Ray: ${lean ? 'no function traced, no X-Ray permission' : 'every function traced but the two that run once per seller event (sync worker, intake)'}`, () => {
    expect(projectFunctions).toHaveLength(11);
    const perSellerEvent = /one seller's orders|SES inbound mail/;
    for (const [id, fn] of projectFunctions) {
      const traced = fn.Properties!.TracingConfig?.Mode === 'Active';
      expect([id, traced]).toEqual([id, !lean && !perSellerEvent.test(String(fn.Properties!.Description))]);
    }
    const xray = JSON.stringify(ofType('AWS::IAM::Policy').map(([, p]) => p.Properties!.PolicyDocument)).includes('xray:');
    expect(xray).toBe(!lean);
  });

  test(`custom metrics: ${lean ? 'at most 10, exactly the lean list, and every function emits only those' : 'the full set'}; one dashboard`, () => {
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(1);
    const { metrics, expressions } = dashboardMetrics(template);
    const custom = new Set([...alarmCustomMetrics(resources), ...metrics.filter((m) => m.namespace === METRICS_NAMESPACE).map((m) => m.name)]);
    for (const [, fn] of projectFunctions) expect(fn.Properties!.Environment.Variables.SENTINEL_METRICS_PROFILE).toBe(lean ? 'lean' : undefined);
    if (lean) {
      expect(LEAN_METRICS.length).toBeLessThanOrEqual(10);
      expect([...custom].sort()).toEqual([...LEAN_METRICS].sort());
      // No per-reason / per-channel SEARCH (those metrics are not emitted in lean); at most 50 metrics, CloudWatch's free dashboard size.
      expect(expressions).toEqual([]);
      expect(metrics.length).toBeLessThanOrEqual(50);
    } else {
      expect(custom.size).toBeGreaterThan(20);
    }
  });

  test('time to alert: the reconciler runs every minute and may start the alert sender, that one function only', () => {
    const rule = ofType('AWS::Events::Rule').find(([id]) => id.startsWith('ReconcilerSchedule'))![1];
    expect(rule.Properties!.ScheduleExpression).toBe('rate(1 minute)');
    const senderId = stack.getLogicalId(stack.alerting.sender.node.defaultChild as never);
    const reconcilerFn = resources[stack.getLogicalId(stack.reconciler.function.node.defaultChild as never)];
    expect(reconcilerFn.Properties!.Environment.Variables.SENTINEL_ALERT_SENDER_FUNCTION).toEqual({ Ref: senderId });
    const invokes = ofType('AWS::IAM::Policy').flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Array<Record<string, unknown>>).filter((st) => JSON.stringify(st.Action).includes('lambda:InvokeFunction'));
    expect(invokes).toEqual([{ Sid: 'StartAlertSender', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [senderId, 'Arn'] } }]);
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ violations: unknown[] }> };
    for (const r of report.pluginReports) expect(r.violations).toEqual([]);
  });
});
