/**
 * Template assertions for the reconciler and alerting constructs in a test stack, with cdk-nag
 * AwsSolutions on every synth (NodejsFunction bundles with the local esbuild, offline).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENV } from '../../functions/constants';
import { Alerting } from '../../infra/constructs/alerting';
import { Reconciler } from '../../infra/constructs/reconciler';
import { SentinelTable } from '../../infra/constructs/sentinel-table';
import { loadConfig } from '../../infra/config';
import { SentinelStack } from '../../infra/sentinel-stack';

function build() {
  const app = new App();
  const stack = new Stack(app, 'AlertingTest');
  const table = new SentinelTable(stack, 'Data');
  const reconciler = new Reconciler(stack, 'Reconciler', { table });
  const alerting = new Alerting(stack, 'Alerting', { table, senderAddress: 'alerts@shipnow.example.com' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, table, reconciler, alerting, template: Template.fromStack(stack) };
}

const ref = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

describe('Reconciler construct', () => {
  const { template, stack, reconciler, table } = build();

  test('an EventBridge schedule every minute invokes the reconciler, with retries and a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [ref(stack, reconciler.function), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ref(stack, reconciler.deadLetterQueue), 'Arn'] } },
        }),
      ],
    });
  });

  test('the function: table name, stop margin before its 2-minute timeout, async DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 120,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [ref(stack, reconciler.deadLetterQueue), 'Arn'] } },
      Environment: { Variables: Match.objectLike({ [ENV.TABLE_NAME]: { Ref: ref(stack, table.table) }, [ENV.STOP_BEFORE_DEADLINE_MS]: '15000' }) },
    });
  });

  test('the DLQ has an alarm, never routed to the sellers\' alert topic (the operator topic is wired by the stack)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ref(stack, reconciler.deadLetterQueue), 'QueueName'] } }],
      AlarmActions: Match.absent(),
    });
  });
});

describe('Alerting construct', () => {
  const { template, stack, alerting } = build();

  test('the sender runs every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ref(stack, alerting.sender), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  test('SNS topic: KMS-encrypted with a rotating key, TLS-only policy', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [ref(stack, alerting.topicKey!), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('SES: an identity for the sender with its configuration set', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { ReputationOptions: { ReputationMetricsEnabled: true }, SendingOptions: { SendingEnabled: true } });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'alerts@shipnow.example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: ref(stack, alerting.configurationSet) } },
    });
  });

  test('the sender is told where everything is', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.ALERT_FROM_ADDRESS]: 'alerts@shipnow.example.com',
          [ENV.ALERT_SES_CONFIGURATION_SET]: { Ref: ref(stack, alerting.configurationSet) },
          [ENV.ALERT_TOPIC_ARN]: { Ref: ref(stack, alerting.topic) },
          [ENV.ALERT_EVENT_BUS]: { Ref: ref(stack, alerting.eventBus as never) },
        }),
      },
    });
  });

  test('least privilege: SES send on the one identity and configuration set, publish on the one topic, PutEvents on the one bus', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> }; Roles: unknown[] } }>;
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const ses = statements.filter((s) => JSON.stringify(s.Action).includes('ses:'));
    expect(ses).toHaveLength(1);
    expect(ses[0].Action).toBe('ses:SendEmail');
    expect(JSON.stringify(ses[0].Resource)).toContain(`":identity/",{"Ref":"${ref(stack, alerting.identity)}"}`);
    expect(JSON.stringify(ses[0].Resource)).toContain(':configuration-set/');
    const sns = statements.filter((s) => JSON.stringify(s.Action).includes('sns:'));
    expect(sns).toEqual([expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: ref(stack, alerting.topic) } })]);
    const events = statements.filter((s) => JSON.stringify(s.Action).includes('events:'));
    expect(events).toEqual([expect.objectContaining({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [ref(stack, alerting.eventBus as never), 'Arn'] } })]);
    expect(statements.some((s) => s.Action === '*' || (Array.isArray(s.Action) && s.Action.includes('*')))).toBe(false);
  });

  test('order-sync events on the bus become alerts', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: ref(stack, alerting.eventBus as never) },
      EventPattern: { source: ['shipnow.sentinel'], 'detail-type': ['Order sync broken', 'Order sync recovered'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ref(stack, alerting.syncAlerts), 'Arn'] } })],
    });
  });

  test('alarms (DLQ, undeliverable alerts, broken channels) exist and do not notify the sellers\' topic', () => {
    for (const name of ['AlertsFailed', 'AlertChannelBroken']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: name, Namespace: 'ShipNowSentinel', AlarmActions: Match.absent() });
    }
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toContain(ref(stack, alerting.topic));
  });
});

test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
  const { app } = build();
  expect(() => app.synth()).not.toThrow();
});

describe('web links and the weekly report', () => {
  test('one link key (the seller web\'s), read by the alert sender; links go to the Function URL; the weekly report runs hourly', () => {
    const t = Template.fromStack(new SentinelStack(new App(), 'NoWeb'));
    t.resourceCountIs('AWS::SecretsManager::Secret', 1);
    t.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
    const sender = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => /^Alert sender/.test(String(f.Properties.Description)))!;
    expect(JSON.stringify(sender.Properties.Environment.Variables.SENTINEL_WEB_BASE_URL)).toContain('SellerWebFunctionFunctionUrl');
    const rules = Object.values(t.findResources('AWS::Events::Rule')).filter((r) => /weekly report/.test(String(r.Properties?.Description)));
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(1 hour)']);
  });

  test('with -c webBaseUrl (a CloudFront alias of the pages): alerts link there, still one key', () => {
    const app = new App({ context: { webBaseUrl: 'https://status.shipnow.example' } });
    const t = Template.fromStack(new SentinelStack(app, 'Web'));
    t.resourceCountIs('AWS::SecretsManager::Secret', 1);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Alert sender'),
      Environment: { Variables: Match.objectLike({ SENTINEL_WEB_BASE_URL: 'https://status.shipnow.example', SENTINEL_LINK_KEY_SECRET: Match.anyValue() }) },
    });
    expect(() => loadConfig(new App({ context: { webBaseUrl: 'http://status.example' } }).node)).toThrow(/webBaseUrl.*https/);
  });
});
