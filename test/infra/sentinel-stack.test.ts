import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DUE_INDEX_NAME, DUE_PARTITION_KEY, DUE_SORT_KEY, TTL_ATTRIBUTE } from '../../functions/adapters/dynamodb/keys';
import { SentinelStack } from '../../infra/sentinel-stack';

/** The app as infra/app.ts builds it: the stack, with cdk-nag checking every synth. */
function build(extra?: (stack: Stack) => void, context: Record<string, unknown> = {}, env?: { account: string; region: string }): { app: App; stack: SentinelStack } {
  const app = new App({ context });
  const stack = new SentinelStack(app, 'Test', env ? { env } : {});
  extra?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

describe('SentinelStack', () => {
  const template = Template.fromStack(build().stack);

  test('the table has the sparse due index the reconciler queries, with every attribute projected', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: DUE_INDEX_NAME,
          KeySchema: [
            { AttributeName: DUE_PARTITION_KEY, KeyType: 'HASH' },
            { AttributeName: DUE_SORT_KEY, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  test('the table is encrypted, recoverable, expires old items, and survives stack deletion', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  test('no physical table name, so two stages do not collide on it', () => {
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    for (const t of Object.values(tables)) expect(t.Properties.TableName).toBeUndefined();
  });
});

describe('security review (cdk-nag AwsSolutions)', () => {
  test('the stack synthesises with no unacknowledged finding', () => {
    const { app } = build();
    expect(() => app.synth()).not.toThrow();
  });

  test('a new unacknowledged finding fails the synth', () => {
    // A bucket without SSL enforcement, access logs or public-access block must be caught.
    const { app } = build((stack) => new Bucket(stack, 'Careless'));
    expect(() => app.synth()).toThrow(/AwsSolutions-S/);
  });

  test('an unencrypted topic, a queue without DLQ, or a wildcard grant added to a Sentinel function fail it too', () => {
    expect(() => build((stack) => new Topic(stack, 'Plain')).app.synth()).toThrow(/AwsSolutions-SNS/);
    expect(() => build((stack) => new Queue(stack, 'NoDlq', { enforceSSL: true })).app.synth()).toThrow(/AwsSolutions-SQS3/);
    expect(() =>
      build((stack) =>
        (stack as SentinelStack).reconciler.function.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['arn:aws:dynamodb:*:*:table/*'] })),
      ).app.synth(),
    ).toThrow(/AwsSolutions-IAM5/);
  });

  test('no unacknowledged finding with every optional setting, and with a concrete account and region', () => {
    const context = {
      stage: 'prod',
      alarmEmail: 'ops@example.com',
      alertFrom: 'alerts@shipnow.example.com',
      alertDomain: 'shipnow.example.com',
      inboundDomain: 'inbound.shipnow.example.com',
      activateRuleSet: 'false',
      createDomainIdentity: 'false',
      graceMinutes: '90',
      logRetentionDays: '90',
    };
    expect(() => build(undefined, context, { account: '123456789012', region: 'eu-west-1' }).app.synth()).not.toThrow();
    expect(() => build(undefined, { alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:oncall' }).app.synth()).not.toThrow();
  });

  test('every acknowledgement carries a written reason, and nothing is left unacknowledged', () => {
    const { app } = build();
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ violations: unknown[] }> };
    for (const r of report.pluginReports) expect(r.violations).toEqual([]);
    // cdk-nag's acknowledgements are recorded in the assembly metadata, each with its reason.
    const metadata = JSON.parse(readFileSync(join(assembly.directory, 'Test.metadata.json'), 'utf8')) as Record<string, Array<{ type: string; data: Record<string, string> }>>;
    const acks = Object.values(metadata)
      .flat()
      .filter((e) => e.type === 'aws:cdk:acknowledged-rules')
      .flatMap((e) => Object.entries(e.data))
      .filter(([id]) => id.includes('AwsSolutions-'));
    expect(acks.length).toBeGreaterThan(20);
    for (const [id, reason] of acks) expect({ id, reasonLength: reason.length >= 30 }).toEqual({ id, reasonLength: true });
  });
});

type Res = Record<string, { Type: string; Properties?: Record<string, any> }>;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('the whole stack, generically', () => {
  const { stack } = build();
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Res;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const refOf = (v: unknown): string | undefined => {
    const o = v as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
    return o?.Ref ?? o?.['Fn::GetAtt']?.[0];
  };

  test('-c graceMinutes reaches every function of the table, the same value everywhere (stored alertAfter depends on it)', () => {
    for (const [context, expected] of [[{}, '60'], [{ graceMinutes: '30' }, '30']] as const) {
      const t = Template.fromStack(build(undefined, context).stack);
      const fns = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([, r]) => r.Properties?.Environment?.Variables?.SENTINEL_TABLE_NAME);
      // intake, reconciler, alert sender, sync alerts, dispatcher, sync worker, ORDER_CHANGE, report import, mailbox poller, seller web, weekly report
      expect(fns).toHaveLength(11);
      for (const [id, fn] of fns) expect({ id, grace: fn.Properties.Environment.Variables.SENTINEL_GRACE_MINUTES }).toEqual({ id, grace: expected });
    }
  });

  test('every queue with a redrive policy keeps a message long enough to reach its DLQ (retention >= visibility x (maxReceiveCount + 1), with margin)', () => {
    const redriven = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties?.RedrivePolicy);
    expect(redriven.length).toBeGreaterThanOrEqual(3);
    for (const [id, q] of redriven) {
      const retention = q.Properties!.MessageRetentionPeriod ?? 345_600; // SQS default: 4 days
      const visibility = q.Properties!.VisibilityTimeout ?? 30; // SQS default
      const receives = q.Properties!.RedrivePolicy.maxReceiveCount as number;
      // Margin: at least one more visibility timeout than the receives need.
      expect({ id, enough: retention >= visibility * (receives + 2) }).toEqual({ id, enough: true });
    }
  });

  test('every scheduled or event-driven Lambda target has a DLQ, every project function an on-failure path, every DLQ an alarm to the operator topic', () => {
    const fnIds = new Set(ofType('AWS::Lambda::Function').map(([id]) => id));
    for (const [ruleId, rule] of ofType('AWS::Events::Rule')) {
      for (const target of rule.Properties!.Targets) {
        if (!fnIds.has(refOf(target.Arn)!)) continue;
        expect({ ruleId, dlq: refOf(target.DeadLetterConfig?.Arn) }).toEqual({ ruleId, dlq: expect.any(String) });
      }
    }
    const sqsFed = new Map<string, string>();
    for (const [, m] of ofType('AWS::Lambda::EventSourceMapping')) sqsFed.set(refOf(m.Properties!.FunctionName)!, refOf(m.Properties!.EventSourceArn)!);
    const dlqs = new Set<string>();
    // Invoked only synchronously through its Function URL (the browser gets the error): no DLQ applies.
    const urlOnly = new Set(ofType('AWS::Lambda::Url').map(([, u]) => refOf(u.Properties!.TargetFunctionArn)!));
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      if (fn.Properties!.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== 'shipnow-sentinel' || urlOnly.has(id)) continue;
      const asyncDlq = refOf(fn.Properties!.DeadLetterConfig?.TargetArn);
      const queue = sqsFed.get(id);
      const redriveDlq = queue ? refOf(resources[queue].Properties!.RedrivePolicy?.deadLetterTargetArn) : undefined;
      expect({ id, failuresGoTo: asyncDlq ?? redriveDlq }).toEqual({ id, failuresGoTo: expect.any(String) });
      dlqs.add((asyncDlq ?? redriveDlq)!);
    }
    const operatorTopic = stack.getLogicalId(stack.observability.topic.node.defaultChild as never);
    for (const dlq of dlqs) {
      const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible' && refOf(a.Properties!.Dimensions?.[0]?.Value) === dlq);
      expect({ dlq, alarms: alarms.length }).toEqual({ dlq, alarms: 1 });
      expect(asArray(alarms[0][1].Properties!.AlarmActions).map(refOf)).toEqual([operatorTopic]);
    }
  });

  test('outputs the deploy guide refers to', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const ref = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
    expect(outputs.TableName.Value).toEqual({ Ref: ref(stack.table.table) });
    expect(outputs.MailBucket.Value).toEqual({ Ref: ref(stack.inboundMail.bucket) });
    expect(outputs.OperatorTopicArn.Value).toEqual({ Ref: ref(stack.observability.topic as never) });
    expect(outputs.DashboardName.Value).toEqual({ Ref: ref(stack.observability.dashboard) });
    expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards:name=');
    // The inbound-mail outputs under the plain keys the guide names (no construct-path hash).
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['MxRecord', 'DkimRecord1', 'DkimRecord2', 'DkimRecord3', 'InboundDomain']));
    const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
    for (const key of ['TableName', 'MailBucket', 'OperatorTopicArn', 'DashboardName', 'MxRecord']) expect(guide).toContain(`\`${key}\``);
  });
});
