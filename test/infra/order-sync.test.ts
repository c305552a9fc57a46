import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENV } from '../../functions/constants';
import { OrderSync } from '../../infra/constructs/order-sync';
import { SentinelTable } from '../../infra/constructs/sentinel-table';

/** A test stack: the table, a compliant bucket, the construct; cdk-nag on every synth. */
function build(props: Partial<ConstructorParameters<typeof OrderSync>[2]> = {}) {
  const app = new App();
  const stack = new Stack(app, 'OrderSyncTest');
  const table = new SentinelTable(stack, 'Data');
  const logs = new Bucket(stack, 'Logs', { encryption: BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: BlockPublicAccess.BLOCK_ALL });
  Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'test: the access-log bucket itself' });
  const bucket = new Bucket(stack, 'Files', {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    serverAccessLogsBucket: logs,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const sync = new OrderSync(stack, 'OrderSync', { table, bucket, ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, sync, template: Template.fromStack(stack) };
}

describe('OrderSync construct', () => {
  const { template, stack, sync } = build();

  test('an EventBridge schedule every 15 minutes starts the dispatcher, with retries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [stack.getLogicalId(sync.dispatcher.node.defaultChild as never), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(sync.dispatcherDeadLetterQueue.node.defaultChild as never), 'Arn'] } },
        }),
      ],
    });
    // Asynchronous invocations that still fail after Lambda's retries land in the same DLQ.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Order sync: one SQS message'),
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [stack.getLogicalId(sync.dispatcherDeadLetterQueue.node.defaultChild as never), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  test('the sync queue redrives to a DLQ; the worker takes one seller per invocation with partial batch failures', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 1800,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [stack.getLogicalId(sync.deadLetterQueue.node.defaultChild as never), 'Arn'] }, maxReceiveCount: 3 },
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [stack.getLogicalId(sync.queue.node.defaultChild as never), 'Arn'] },
      FunctionName: { Ref: stack.getLogicalId(sync.worker.node.defaultChild as never) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 100 },
    });
  });

  test('the worker reads only the sellers’ secrets (name prefix), puts events on one bus, and is told both', () => {
    const worker = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ [ENV.SP_API_SECRETS_PREFIX]: 'shipnow-sentinel/sp-api/' }) } },
    });
    expect(Object.keys(worker)).toHaveLength(1);
    const env = Object.values(worker)[0].Properties.Environment.Variables;
    expect(env[ENV.SYNC_EVENT_BUS]).toBe('default');
    expect(env[ENV.TABLE_NAME]).toBeDefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadSpApiCredentials',
            Action: 'secretsmanager:GetSecretValue',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:shipnow-sentinel/sp-api/*']] },
          }),
          Match.objectLike({ Action: 'events:PutEvents' }),
        ]),
      },
      Roles: [{ Ref: stack.getLogicalId(sync.worker.role!.node.defaultChild as never) }],
    });
    // No other function can read secrets.
    const withSecrets = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('secretsmanager:'));
    expect(withSecrets).toHaveLength(1);
  });

  test('the ORDER_CHANGE queue lets Amazon’s SP-API notification account send, and only send', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: stack.getLogicalId(sync.orderChangeQueue.node.defaultChild as never) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::437568002678:root']] } },
            Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [stack.getLogicalId(sync.orderChangeQueue.node.defaultChild as never), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('report files under reports/ trigger the import, which may read only that prefix', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({ Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'reports/' }] } } }),
        ],
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(sync.reportImport.role!.node.defaultChild as never)),
    );
    const s3Resources = JSON.stringify(policies.map((p) => p.Properties.PolicyDocument.Statement.filter((s: { Action: unknown }) => JSON.stringify(s.Action).includes('s3:'))));
    expect(s3Resources).toContain('/reports/*');
    expect(s3Resources).not.toMatch(/Arn"\]\},"\/\*"/);
  });

  test('alarms: a stale sync (or a silent dispatcher), and any message in a dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ShipNowSentinel',
      MetricName: 'OldestSuccessfulSyncAgeSeconds',
      Dimensions: [{ Name: 'service', Value: 'shipnow-sentinel' }],
      Statistic: 'Maximum',
      Period: 900,
      Threshold: 2700,
      ComparisonOperator: 'GreaterThanThreshold',
      // 2 of 3 intervals: one interval without a datapoint (schedule jitter, a fresh deployment)
      // does not page; a dispatcher silent for two intervals does.
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
    for (const q of [sync.deadLetterQueue, sync.orderChangeDeadLetterQueue, sync.reportImportDeadLetterQueue, sync.dispatcherDeadLetterQueue]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(q.node.defaultChild as never), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  test('a different interval and concurrency', () => {
    const t = build({ interval: Duration.minutes(5), maxConcurrency: 20 }).template;
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 20 } });
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    const { app } = build();
    expect(() => app.synth()).not.toThrow();
  });
});
