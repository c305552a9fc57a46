/**
 * Issue 13 (4): placeholders synthesise but cannot be deployed (a CloudFormation template rule
 * that CloudFormation evaluates before creating anything, naming the context key); every DLQ ARN
 * is a stack output.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../infra/config';
import { isReservedDomain, placeholdersIn } from '../../infra/deploy-guards';
import { buildStack, type Resources } from './template-support';

const REAL = { inboundDomain: 'inbound.shopsentinel.cn', alertFrom: 'alerts@shopsentinel.cn' };

describe('deploy guards', () => {
  test('the offline defaults synthesise, each with a template rule naming the key to set, and a synth warning', () => {
    const { app, stack, template } = buildStack({});
    expect(() => app.synth()).not.toThrow();
    const rules = template.toJSON().Rules as Record<string, { Assertions: Array<{ Assert: unknown; AssertDescription: string }> }>;
    expect(Object.keys(rules).filter((k) => k.startsWith('Placeholder')).sort()).toEqual(['PlaceholderAlertFrom', 'PlaceholderInboundDomain']);
    expect(rules.PlaceholderInboundDomain.Assertions).toEqual([
      {
        Assert: { 'Fn::Equals': ['inbound.shipnow.example', 'a value other than inbound.shipnow.example'] },
        AssertDescription: expect.stringMatching(/^ShipNow Sentinel: context key "inboundDomain" is the placeholder "inbound\.shipnow\.example".*-c inboundDomain=/),
      },
    ]);
    expect(rules.PlaceholderAlertFrom.Assertions[0].AssertDescription).toMatch(/context key "alertFrom" .*-c alertFrom=/);
    // The assertion can never hold: both sides are different literals.
    const [a, b] = (rules.PlaceholderAlertFrom.Assertions[0].Assert as { 'Fn::Equals': [string, string] })['Fn::Equals'];
    expect(a).not.toBe(b);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('context key "inboundDomain"'));
  });

  test('real values: no rule, no warning', () => {
    const { stack, template } = buildStack({ ...REAL, alarmEmail: 'ops@shopsentinel.cn', alertDomain: 'shopsentinel.cn' });
    expect(Object.keys(template.toJSON().Rules ?? {}).filter((k) => k.startsWith('Placeholder'))).toEqual([]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('placeholder'));
  });

  test('every reserved documentation/test domain counts, in any key that names a domain or an address', () => {
    for (const d of ['example', 'x.example', 'example.com', 'inbound.example.com', 'example.net', 'a.example.org', 'shop.test', 'x.invalid', 'localhost']) expect([d, isReservedDomain(d)]).toEqual([d, true]);
    for (const d of ['example.cn', 'myexample.com', 'examples.com', 'testing.com', 'shop.com']) expect([d, isReservedDomain(d)]).toEqual([d, false]);
    const keys = placeholdersIn(parseConfig({ inboundDomain: 'in.example.com', alertFrom: 'a@shop.test', alertDomain: 'example.org', alarmEmail: 'ops@example.com' })).map((p) => p.key);
    expect(keys).toEqual(['inboundDomain', 'alertFrom', 'alertDomain', 'alarmEmail']);
  });
});

describe('dead-letter queue outputs', () => {
  const { template } = buildStack(REAL);
  const json = template.toJSON();
  const resources = json.Resources as Resources;
  const outputs = json.Outputs as Record<string, { Value: unknown; Description: string }>;

  test('every queue used as a dead-letter queue (SQS redrive, Lambda on-failure, EventBridge target) has an ARN output', () => {
    const dlqIds = new Set<string>();
    const getAttArn = (v: unknown): string | undefined => {
      const g = (v as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
      return g && g[1] === 'Arn' ? g[0] : undefined;
    };
    for (const r of Object.values(resources)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::SQS::Queue') dlqIds.add(getAttArn(p.RedrivePolicy?.deadLetterTargetArn)!);
      if (r.Type === 'AWS::Lambda::Function' && p.DeadLetterConfig) dlqIds.add(getAttArn(p.DeadLetterConfig.TargetArn)!);
      if (r.Type === 'AWS::Events::Rule') for (const t of p.Targets ?? []) if (t.DeadLetterConfig) dlqIds.add(getAttArn(t.DeadLetterConfig.Arn)!);
    }
    dlqIds.delete(undefined as never);
    expect(dlqIds.size).toBe(9);
    const outputArns = new Set(Object.entries(outputs).filter(([k]) => k.endsWith('DlqArn')).map(([, o]) => getAttArn(o.Value)));
    expect(outputArns).toEqual(dlqIds);
    expect(Object.keys(outputs).filter((k) => k.endsWith('DlqArn')).sort()).toEqual(
      ['AlertingDlqArn', 'DispatcherDlqArn', 'IntakeDlqArn', 'MailboxPollerDlqArn', 'OrderChangeDlqArn', 'ReconcilerDlqArn', 'ReportImportDlqArn', 'SyncDlqArn', 'WeeklyReportDlqArn'],
    );
  });
});
