/**
 * The seller web's Lambda entry: a Function URL event (payload 2.0) through the same handler as
 * the local server, against dynalite; and the AWS wiring, whose clients without a local
 * equivalent (Secrets Manager, SSM) are mocked with the exact requests asserted.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { signLink } from '../../functions/domain/signed-links';
import { makeHandler } from '../../functions/handlers/seller-web';
import { wireSellerWeb } from '../../functions/wiring-web';
import { useDynalite } from '../support/dynalite';
import { order, sellerProfile } from '../support/seller-data';
import { startWebHarness, type WebHarness } from '../support/web-harness';

const ddb = useDynalite();
let h: WebHarness;
beforeAll(async () => {
  h = await startWebHarness(ddb);
  await h.repo.putSeller(sellerProfile('S1'));
  await h.repo.saveOrder(order('S1', '111-0000000-0000001'), null);
});
afterAll(() => h.close());

function event(method: string, rawPath: string, rawQueryString: string, extra: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { 'Accept-Language': 'zh-CN', host: 'abc.lambda-url.us-east-1.on.aws' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc',
      domainName: 'abc.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '198.51.100.9', userAgent: 'test' },
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: '28/Nov/2026:12:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...extra,
  };
}

test('a Function URL GET and a base64-encoded form POST go through the one handler', async () => {
  const handler = makeHandler(h.deps);
  const t = h.link('S1', 'ack', { orderId: '111-0000000-0000001' });
  const get = await handler(event('GET', '/ack', `t=${t}`));
  expect(get.statusCode).toBe(200);
  expect(get.headers!['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(get.body).toContain('将订单 111-0000000-0000001 标记为已处理？');
  const csrf = /name="csrf" value="([^"]+)"/.exec(String(get.body))![1]!;
  const form = new URLSearchParams({ token: t, csrf }).toString();
  const post = await handler(
    event('POST', '/ack', '', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://abc.lambda-url.us-east-1.on.aws', 'sec-fetch-site': 'same-origin' },
      body: Buffer.from(form).toString('base64'),
      isBase64Encoded: true,
    }),
  );
  expect(post.statusCode).toBe(200);
  expect((await h.repo.getOrder('S1', '111-0000000-0000001'))!.acknowledgement).toMatchObject({ kind: 'handled', via: 'link' });
  // The redirect URI is the Function URL's own origin when none is configured.
  const start = await handler(event('GET', '/authorize/start', 'marketplaces=US'));
  expect(new URL(String(start.headers!.location)).searchParams.get('redirect_uri')).toBe('https://abc.lambda-url.us-east-1.on.aws/authorize/callback');
});

describe('AWS wiring', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());
  const env = {
    SENTINEL_TABLE_NAME: 'T',
    SENTINEL_INBOUND_DOMAIN: 'in.example.com',
    SENTINEL_LINK_KEY_SECRET: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:LinkKey-abc',
    SENTINEL_SP_API_APPLICATION_ID: 'amzn1.sp.solution.x',
    SENTINEL_SP_API_DRAFT_APP: 'true',
  };

  test('reads the link keys (one per line: current, then the one being retired) and the LWA app from Secrets Manager, once per cache period', async () => {
    const current = 'c'.repeat(64);
    sm.on(GetSecretValueCommand, { SecretId: env.SENTINEL_LINK_KEY_SECRET }).resolves({ SecretString: `${current}\n${'p'.repeat(64)}\n` });
    sm.on(GetSecretValueCommand, { SecretId: 'shipnow-sentinel/sp-api/lwa-app' }).resolves({ SecretString: JSON.stringify({ clientId: 'id', clientSecret: 'secret' }) });
    const deps = wireSellerWeb(env, { secrets: new SecretsManagerClient({}) });
    const keys = await deps.linkKeys();
    expect(keys.map((k) => Buffer.from(k).toString())).toEqual([current, 'p'.repeat(64)]);
    await deps.linkKeys();
    expect(await deps.authorization.app()).toEqual({ applicationId: 'amzn1.sp.solution.x', clientId: 'id', clientSecret: 'secret' });
    expect(deps.authorization.draft).toBe(true);
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([env.SENTINEL_LINK_KEY_SECRET, 'shipnow-sentinel/sp-api/lwa-app']);
    // A link signed with the current key verifies with the wired keys.
    expect(signLink({ sellerId: 'S1', purpose: 'status', expiresAt: 2e9 }, keys[0]!)).toMatch(/\./);
  });

  test('without the LWA app secret or the application ID, authorization is "not configured" (no throw)', async () => {
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
    expect(await wireSellerWeb(env, { secrets: new SecretsManagerClient({}) }).authorization.app()).toBeUndefined();
    const { SENTINEL_SP_API_APPLICATION_ID: _omit, ...noApp } = env;
    expect(await wireSellerWeb(noApp, { secrets: new SecretsManagerClient({}) }).authorization.app()).toBeUndefined();
  });

  test('the refresh token is written where the order sync reads it: the seller\'s SSM SecureString', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    try {
      const deps = wireSellerWeb({ ...env, SENTINEL_SELLER_SECRETS_PREFIX: '/shipnow-sentinel/', SENTINEL_SELLER_SECRETS_KEY_ID: 'alias/aws/ssm' }, { secrets: new SecretsManagerClient({}), ssm: new SSMClient({}) });
      await deps.secrets.putSellerSecret('A2SELLER', 'sp-api', { refreshTokens: { EU: 'Atzr|x' } });
      expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
        expect.objectContaining({ Name: '/shipnow-sentinel/seller/A2SELLER/sp-api', Value: '{"refreshTokens":{"EU":"Atzr|x"}}', Type: 'SecureString', KeyId: 'alias/aws/ssm', Tier: 'Standard', Overwrite: true }),
      ]);
    } finally {
      ssm.restore();
    }
  });
});
