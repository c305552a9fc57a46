/**
 * The inbound-mail construct, in a test stack with the Sentinel table, checked on what matters:
 * the bucket's protection and expiry, the receipt rule and who may write to the bucket, the
 * queue/DLQ redrive, the event source's partial batch failures, the function's runtime and the
 * scope of its permissions, the rule-set activation, and a clean cdk-nag AwsSolutions review.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InboundMail } from '../../infra/constructs/inbound-mail';
import { SentinelTable } from '../../infra/constructs/sentinel-table';

function build(context: Record<string, unknown> = {}, props: Partial<ConstructorParameters<typeof InboundMail>[2]> = {}) {
  const app = new App({ context });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const table = new SentinelTable(stack, 'Data');
  const inbound = new InboundMail(stack, 'Inbound', { table, ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, inbound };
}

const { app, stack, inbound } = build({ inboundDomain: 'Mail.Seller-Sentinel.example' });
const template = Template.fromStack(stack);
const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

describe('raw-mail bucket', () => {
  test('encrypted, public access blocked, TLS only, raw mail expiring after 30 days by default', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Prefix: 'inbound/', ExpirationInDays: 30, Status: 'Enabled' })] },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'raw-mail/' }),
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(inbound.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('the expiry is configurable from context', () => {
    const t = Template.fromStack(build({ rawMailExpirationDays: 7 }).stack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ Prefix: 'inbound/', ExpirationInDays: 7 })] },
    });
  });

  test('only SES, for this account and this rule set, may write, and only under inbound/', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(inbound.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowSesToStoreInboundMail',
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(inbound.bucket), 'Arn'] }, '/inbound/*']] },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '123456789012' },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:us-east-1:123456789012:receipt-rule-set/', { Ref: id(inbound.ruleSet) }, ':receipt-rule/*']],
                },
              },
            },
          },
        ]),
      },
    });
  });
});

describe('SES receipt rule', () => {
  test('for the inbound domain (from context, lower-cased), scanning on, storing the raw message in the bucket', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      RuleSetName: { Ref: id(inbound.ruleSet) },
      Rule: Match.objectLike({
        Enabled: true,
        Recipients: ['mail.seller-sentinel.example'],
        ScanEnabled: true,
        Actions: [{ S3Action: { BucketName: { Ref: id(inbound.bucket) }, ObjectKeyPrefix: 'inbound/' } }],
      }),
    });
  });

  test('the rule is created only after the bucket policy that lets SES write', () => {
    const rules = template.findResources('AWS::SES::ReceiptRule');
    const [rule] = Object.values(rules);
    const policyId = stack.getLogicalId(inbound.bucket.policy!.node.defaultChild as never);
    expect(rule.DependsOn).toEqual(expect.arrayContaining([policyId]));
  });

  test('the rule set is activated by a custom resource calling SetActiveReceiptRuleSet, and deactivated on delete', () => {
    const crs = template.findResources('Custom::AWS');
    const [cr] = Object.values(crs);
    // Create is a Fn::Join around the rule set's Ref: join it with the Ref as a placeholder.
    const parts = (cr.Properties.Create as { 'Fn::Join': [string, Array<string | { Ref: string }>] })['Fn::Join'][1];
    const create = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `<Ref ${p.Ref}>`)).join(''));
    expect(create).toMatchObject({
      service: 'SES',
      action: 'SetActiveReceiptRuleSet',
      parameters: { RuleSetName: `<Ref ${id(inbound.ruleSet)}>` },
    });
    expect(JSON.parse(cr.Properties.Delete as string)).toEqual({ service: 'SES', action: 'SetActiveReceiptRuleSet', parameters: {} });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'ses:SetActiveReceiptRuleSet', Effect: 'Allow', Resource: '*' }] },
    });
  });

  test('activation can be turned off (an account that already has an active rule set)', () => {
    const t = Template.fromStack(build({ activateRuleSet: 'false' }).stack);
    expect(Object.keys(t.findResources('Custom::AWS'))).toHaveLength(0);
  });

  test('the MX record to publish is an output', () => {
    template.hasOutput('*', { Value: { 'Fn::Join': ['', ['mail.seller-sentinel.example MX 10 inbound-smtp.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } });
  });
});

describe('queue and DLQ', () => {
  test('object-created events under inbound/ go to the queue', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: id(inbound.bucket) },
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbound/' }] } },
            QueueArn: { 'Fn::GetAtt': [id(inbound.queue), 'Arn'] },
          },
        ],
      },
    });
  });

  test('the queue is encrypted, redrives to the DLQ after 5 receives, and outlasts the function 6x', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [id(inbound.deadLetterQueue), 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600, RedrivePolicy: Match.absent() });
  });
});

describe('intake function', () => {
  test('newest Node runtime on ARM64, with its configuration in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          SENTINEL_MAIL_BUCKET: { Ref: id(inbound.bucket) },
          SENTINEL_INBOUND_DOMAIN: 'mail.seller-sentinel.example',
          SENTINEL_MAX_MESSAGE_BYTES: '10485760',
          SENTINEL_TABLE_NAME: { Ref: Match.stringLikeRegexp('DataTable') },
        }),
      },
    });
  });

  test('fed by the queue with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(inbound.queue), 'Arn'] },
      FunctionName: { Ref: id(inbound.function) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('least privilege: raw mail read under inbound/ only, single-item table access on the base table, no Scan', () => {
    const roleId = stack.getLogicalId(inbound.function.role!.node.defaultChild as never);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
    const actionsOf = (s: Record<string, unknown>) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[];
    const all = statements.flatMap(actionsOf);

    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(inbound.bucket), 'Arn'] }, '/inbound/*']] } },
    ]);
    const table = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(table).toEqual([
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DataTable/), 'Arn'] },
      },
    ]);
    // The queue: only what the event source mapping needs.
    const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [id(inbound.queue), 'Arn'] } })]);
    for (const forbidden of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable', 's3:PutObject', 's3:DeleteObject', 's3:*', 'dynamodb:*', 'sqs:*']) {
      expect(all).not.toContain(forbidden);
    }
  });

  test('a record left in the DLQ raises an alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(inbound.deadLetterQueue), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });
});

describe('security review (cdk-nag AwsSolutions)', () => {
  test('synthesises with no unacknowledged finding', () => {
    expect(() => app.synth()).not.toThrow();
  });
});
