import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DUE_INDEX_NAME, DUE_PARTITION_KEY, DUE_SORT_KEY, TTL_ATTRIBUTE } from '../../functions/adapters/table-schema';
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

  test('no physical table name, so two stages fit in one account', () => {
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
