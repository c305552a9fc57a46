import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MailboxPoller } from '../../infra/constructs/mailbox-poller';
import { SentinelTable } from '../../infra/constructs/sentinel-table';

function build(enabled?: boolean) {
  const app = new App();
  const stack = new Stack(app, 'MailboxPollerTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new SentinelTable(stack, 'Data');
  const poller = new MailboxPoller(stack, 'MailboxPoller', { table, secretsParameterPrefix: '/shipnow-sentinel/', ...(enabled === undefined ? {} : { enabled }) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, poller, template: Template.fromStack(stack) };
}

describe('MailboxPoller construct', () => {
  const { template, stack, poller } = build();

  test('every 5 minutes, off until the AWS seller secret store is wired; failed runs to a DLQ with an alarm', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'DISABLED',
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(poller.deadLetterQueue.node.defaultChild as never), 'Arn'] } } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 1, AlarmDescription: Match.stringLikeRegexp('^Mailbox poller: ') });
    build(true).template.hasResourceProperties('AWS::Events::Rule', { State: 'ENABLED' });
  });

  test("reads only the sellers' secrets (SSM under <prefix>seller/*, decrypted via SSM), nothing written", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>);
    const ssm = policies.filter((s) => [s.Action].flat().some((a) => a.startsWith('ssm:')));
    expect(ssm).toEqual([
      expect.objectContaining({ Action: 'ssm:GetParameter', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:123456789012:parameter/shipnow-sentinel/seller/*']] } }),
    ]);
    const kms = policies.filter((s) => [s.Action].flat().includes('kms:Decrypt') && JSON.stringify(s.Resource).includes('alias/aws/ssm'));
    expect(kms).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } } })]);
    expect(policies.some((s) => [s.Action].flat().some((a) => /^(ssm:Put|ssm:Delete|secretsmanager:)/.test(a)))).toBe(false);
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => e.entry.data)).toEqual([]);
  });
});
