import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DUE_INDEX_NAME, DUE_PARTITION_KEY, DUE_SORT_KEY, TTL_ATTRIBUTE } from '../../functions/adapters/table-schema';
import { SentinelStack } from '../../infra/sentinel-stack';

/** The app as infra/app.ts builds it: the stack, with cdk-nag checking every synth. */
function build(extra?: (stack: Stack) => void): { app: App; stack: SentinelStack } {
  const app = new App();
  const stack = new SentinelStack(app, 'Test');
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
});
