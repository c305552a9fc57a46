import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MailboxPoller } from '../../infra/constructs/mailbox-poller';
import { SellerSecrets } from '../../infra/constructs/seller-secrets';
import { SentinelTable } from '../../infra/constructs/sentinel-table';

function build(enabled?: boolean) {
  const app = new App();
  const stack = new Stack(app, 'MailboxPollerTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new SentinelTable(stack, 'Data');
  const sellerSecrets = new SellerSecrets(stack, 'SellerSecrets', { customerManagedKey: false });
  const poller = new MailboxPoller(stack, 'MailboxPoller', { table, sellerSecrets, ...(enabled === undefined ? {} : { enabled }) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, poller, template: Template.fromStack(stack) };
}

describe('MailboxPoller construct', () => {
  const { template, stack, poller } = build();

  test('every 5 minutes (can be switched off); failed runs to a DLQ with an alarm', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(poller.deadLetterQueue.node.defaultChild as never), 'Arn'] } } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 1, AlarmDescription: Match.stringLikeRegexp('^Mailbox poller: ') });
    build(false).template.hasResourceProperties('AWS::Events::Rule', { State: 'DISABLED' });
  });

  test("reads only the sellers' mailbox passwords (SSM <prefix>seller/*/imap, decrypted via SSM), nothing written", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>);
    const ssm = policies.filter((s) => [s.Action].flat().some((a) => a.startsWith('ssm:')));
    expect(ssm).toEqual([
      expect.objectContaining({ Action: 'ssm:GetParameter', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:123456789012:parameter/shipnow-sentinel/seller/*/imap']] } }),
    ]);
    // The AWS managed aws/ssm key needs no IAM grant (its key policy allows use through SSM); with
    // a customer managed key SellerSecrets adds kms:Decrypt through SSM only (its own test).
    expect(policies.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')))).toEqual([]);
    expect(policies.some((s) => [s.Action].flat().some((a) => /^(ssm:Put|ssm:Delete|secretsmanager:)/.test(a)))).toBe(false);
  });

  test('cdk-nag: no unacknowledged finding', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => e.entry.data)).toEqual([]);
  });
});
