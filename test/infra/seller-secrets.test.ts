/**
 * Issue 13 (6): the sellers' secrets are SSM parameters; the stack grants exactly the worker's read
 * of `sp-api`, with the key of the profile, and any other function can be given read or write with
 * one call (grantSellerSecrets) that cdk-nag accepts.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { grantSellerSecrets } from '../../infra/constructs/seller-secrets';
import { SentinelFunction } from '../../infra/constructs/sentinel-function';
import { SentinelStack } from '../../infra/sentinel-stack';

const REAL = { inboundDomain: 'inbound.shopsentinel.cn', alertFrom: 'alerts@shopsentinel.cn' };
const PARAM = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter/shipnow-sentinel/seller/*/${name}`]] });

function build(context: Record<string, unknown>, withWriter = false) {
  const app = new App({ context: { ...REAL, ...context } });
  const stack = new SentinelStack(app, 'Secrets');
  let writer: SentinelFunction | undefined;
  if (withWriter) {
    // What another construct (the web authorization, the IMAP setup) does to store seller secrets.
    writer = new SentinelFunction(stack, 'Writer', { handlerFile: 'reconciler.ts' });
    grantSellerSecrets(writer, 'write');
    // The finding every traced Sentinel function acknowledges (X-Ray has no resource-level permissions).
    writer.acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.' });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack), writer };
}

const statementsOf = (template: Template, roleLogicalId: string) =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);

describe.each([
  ['default', {}],
  ['lean', { profile: 'lean' }],
] as const)('%s profile', (profile, context) => {
  const { app, stack, template, writer } = build(context, true);
  const roleId = (fn: SentinelFunction) => stack.getLogicalId(fn.role!.node.defaultChild as never);

  test('the sync worker reads the sp-api parameters and nothing else of the store; its variables name the prefix and key', () => {
    const st = statementsOf(template, roleId(stack.orderSync.worker));
    expect(st.filter((s) => JSON.stringify(s.Action).includes('ssm:'))).toEqual([{ Sid: 'ReadSellerSecrets', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: PARAM('sp-api') }]);
    const kms = st.filter((s) => JSON.stringify(s.Action).includes('kms:'));
    const vars = template.toJSON().Resources[stack.getLogicalId(stack.orderSync.worker.node.defaultChild as never)].Properties.Environment.Variables;
    expect(vars.SENTINEL_SELLER_SECRETS_PREFIX).toBe('/shipnow-sentinel/');
    if (profile === 'default') {
      const keyId = stack.getLogicalId(stack.sellerSecrets.key!.node.defaultChild as never);
      expect(kms).toEqual([
        {
          Sid: 'DecryptSellerSecrets',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } },
        },
      ]);
      expect(vars.SENTINEL_SELLER_SECRETS_KEY_ID).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      template.hasResourceProperties('AWS::KMS::Key', { Description: 'ShipNow Sentinel seller secrets (SSM SecureString parameters)', EnableKeyRotation: true });
    } else {
      // The AWS managed key: no key of the stack, no KMS statement (its key policy allows use through SSM).
      expect(stack.sellerSecrets.key).toBeUndefined();
      expect(kms).toEqual([]);
      expect(vars.SENTINEL_SELLER_SECRETS_KEY_ID).toBe('alias/aws/ssm');
    }
    // The old per-seller Secrets Manager secrets stay readable (the fallback) with the LWA app secret.
    expect(st.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:')).map((s) => s.Action)).toEqual(['secretsmanager:GetSecretValue']);
  });

  test('grantSellerSecrets(fn, "write"): put and delete on both secret names, encrypt with the key, and cdk-nag stays silent', () => {
    const st = statementsOf(template, roleId(writer!));
    expect(st.find((s) => s.Sid === 'WriteSellerSecrets')).toEqual({
      Sid: 'WriteSellerSecrets',
      Effect: 'Allow',
      Action: ['ssm:PutParameter', 'ssm:DeleteParameter'],
      Resource: [PARAM('sp-api'), PARAM('imap')],
    });
    expect(st.filter((s) => s.Sid === 'EncryptSellerSecrets').map((s) => s.Action)).toEqual(profile === 'default' ? ['kms:Encrypt'] : []);
    expect(() => app.synth()).not.toThrow();
  });
});
