/**
 * The seller web's endpoint as synthesised: a Function URL with authType NONE (the signed links
 * are the auth), no CORS, buffered responses, reserved concurrency (it bounds the in-memory rate
 * limits and the cost), the link key as a generated secret, and IAM scoped to what the pages need.
 * cdk-nag runs over the whole stack and must report nothing unacknowledged.
 */

import { buildStack, type Resources } from './template-support';

const { app, stack, template } = buildStack({ spApiApplicationId: 'amzn1.sp.solution.abc', spApiDraftApp: 'true' });
const resources = template.toJSON().Resources as Resources;
const fnId = stack.getLogicalId(stack.sellerWeb.function.node.defaultChild as never);

test('the endpoint: Function URL, AuthType NONE, no CORS, BUFFERED, on the seller-web function', () => {
  const urls = Object.values(template.findResources('AWS::Lambda::Url'));
  expect(urls).toHaveLength(1);
  expect(urls[0]!.Properties).toEqual({ AuthType: 'NONE', InvokeMode: 'BUFFERED', TargetFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] } });
  expect(urls[0]!.Properties.Cors).toBeUndefined();
  // The public permissions are for calls through the Function URL only, never a direct invoke.
  const invokes = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p) => JSON.stringify(p.Properties.FunctionName).includes(fnId));
  expect(invokes.map((p) => p.Properties).sort((a, b) => String(a.Action).localeCompare(String(b.Action)))).toEqual([
    { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: '*', InvokedViaFunctionUrl: true },
    { Action: 'lambda:InvokeFunctionUrl', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: '*', FunctionUrlAuthType: 'NONE' },
  ]);
});

test('the function: reserved concurrency, its configuration, the link key by ARN (never the key itself)', () => {
  const fn = resources[fnId]!.Properties!;
  expect(fn.ReservedConcurrentExecutions).toBe(5);
  expect(fn.Runtime).toBe('nodejs24.x');
  const keyId = stack.getLogicalId(stack.sellerWeb.linkKey.node.defaultChild as never);
  expect(fn.Environment.Variables).toMatchObject({
    SENTINEL_LINK_KEY_SECRET: { Ref: keyId },
    SENTINEL_SP_API_APPLICATION_ID: 'amzn1.sp.solution.abc',
    SENTINEL_SP_API_DRAFT_APP: 'true',
    SENTINEL_SP_API_SECRETS_PREFIX: 'shipnow-sentinel/sp-api/',
    SENTINEL_INBOUND_DOMAIN: 'inbound.shipnow.example',
    SENTINEL_TABLE_NAME: { Ref: stack.getLogicalId(stack.table.table.node.defaultChild as never) },
  });
  template.hasResourceProperties('AWS::SecretsManager::Secret', {
    GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
  });
});

test('IAM: the link key read, the LWA app read, the sellers\' SP-API token parameters written, nothing else', () => {
  const roleId = resources[fnId]!.Properties!.Role['Fn::GetAtt'][0];
  const statements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties!.Roles as Array<{ Ref: string }>).some((x) => x.Ref === roleId))
    .flatMap((p) => p.Properties!.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Sid?: string }>);
  const secrets = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
  const text = JSON.stringify(secrets);
  expect(text).toContain('shipnow-sentinel/sp-api/lwa-app-*');
  expect(text).not.toMatch(/secretsmanager:(CreateSecret|PutSecretValue|DeleteSecret|\*)|"Resource":"\*"/);
  // The refresh token it receives: the seller's SSM parameter <prefix>seller/<id>/sp-api only.
  const write = statements.find((s) => s.Sid === 'WriteSellerSecrets')!;
  expect(write.Action).toEqual(['ssm:PutParameter', 'ssm:DeleteParameter']);
  expect(JSON.stringify(write.Resource)).toContain(':parameter/shipnow-sentinel/seller/*/sp-api');
  expect(JSON.stringify(statements)).not.toContain('seller/*/imap');
});

test('the alert sender may sign links to the pages: their base URL, the key ARN, read access to the key only', () => {
  const sender = resources[stack.getLogicalId(stack.alerting.sender.node.defaultChild as never)]!.Properties!;
  const keyId = stack.getLogicalId(stack.sellerWeb.linkKey.node.defaultChild as never);
  const urlId = stack.getLogicalId(stack.sellerWeb.url.node.defaultChild as never);
  expect(sender.Environment.Variables.SENTINEL_LINK_KEY_SECRET).toEqual({ Ref: keyId });
  expect(JSON.stringify(sender.Environment.Variables.SENTINEL_WEB_BASE_URL)).toContain(urlId);
  const roleId = sender.Role['Fn::GetAtt'][0];
  const secretStatements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties!.Roles as Array<{ Ref: string }>).some((x) => x.Ref === roleId))
    .flatMap((p) => p.Properties!.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
    .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
  expect(secretStatements).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: keyId } }]);
});

test('outputs: the pages and the redirect URI to register', () => {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
  expect(JSON.stringify(outputs.SpApiRedirectUri!.Value)).toContain('authorize/callback');
  expect(outputs.SellerWebUrl).toBeDefined();
});

test('cdk-nag stays silent (an unacknowledged finding fails the synth: test/infra/sentinel-stack.test.ts)', () => {
  expect(() => app.synth()).not.toThrow();
});
