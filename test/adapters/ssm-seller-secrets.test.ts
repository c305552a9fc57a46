/**
 * Issue 13 (6): seller secrets in SSM Parameter Store (no local SSM emulator, so the client is
 * mocked and the exact requests are asserted), and the SP-API credentials reading the seller's
 * token from it, with the old Secrets Manager seller secret as the fallback.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteParameterCommand, GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerCredentials } from '../../functions/adapters/secrets';
import { SsmSellerSecretStore, sellerParameterName } from '../../functions/adapters/ssm-seller-secrets';
import { sellerSecretStore } from '../../functions/wiring';

const ssm = mockClient(SSMClient);
const sm = mockClient(SecretsManagerClient);
beforeEach(() => {
  ssm.reset();
  sm.reset();
});
const notFound = () => new ParameterNotFound({ message: 'not found', $metadata: {} });

describe('SsmSellerSecretStore', () => {
  const store = new SsmSellerSecretStore({ client: new SSMClient({}), prefix: '/shipnow-sentinel/', keyId: 'arn:aws:kms:us-east-1:123456789012:key/k-1' });

  test('put: one standard-tier SecureString per seller and secret, with the configured key, overwriting', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' });
    await store.putSellerSecret('A1SHOP', 'sp-api', { refreshTokens: { NA: 'Atzr|na', EU: 'Atzr|eu' } });
    await store.putSellerSecret('A1SHOP', 'imap', { host: 'imap.qq.com', user: 'u', password: 'p' });
    expect(ssm.calls().map((c) => c.args[0].input)).toEqual([
      {
        Name: '/shipnow-sentinel/seller/A1SHOP/sp-api',
        Value: '{"refreshTokens":{"NA":"Atzr|na","EU":"Atzr|eu"}}',
        Type: 'SecureString',
        KeyId: 'arn:aws:kms:us-east-1:123456789012:key/k-1',
        Tier: 'Standard',
        Overwrite: true,
        Description: 'ShipNow Sentinel sp-api secret of seller A1SHOP',
      },
      expect.objectContaining({ Name: '/shipnow-sentinel/seller/A1SHOP/imap', Value: '{"host":"imap.qq.com","user":"u","password":"p"}', Type: 'SecureString' }),
    ]);
  });

  test('get: decrypted, parsed; a missing parameter is undefined; a value that is not a JSON object is an error that does not echo it', async () => {
    ssm.on(GetParameterCommand, { Name: '/shipnow-sentinel/seller/A1SHOP/sp-api' }).resolves({ Parameter: { Value: '{"refreshToken":"Atzr|x"}' } });
    ssm.on(GetParameterCommand, { Name: '/shipnow-sentinel/seller/A2/sp-api' }).rejects(notFound());
    ssm.on(GetParameterCommand, { Name: '/shipnow-sentinel/seller/A3/sp-api' }).resolves({ Parameter: { Value: 'Atzr|plain' } });
    expect(await store.getSellerSecret('A1SHOP', 'sp-api')).toEqual({ refreshToken: 'Atzr|x' });
    expect(await store.getSellerSecret('A2', 'sp-api')).toBeUndefined();
    const err = (await store.getSellerSecret('A3', 'sp-api').catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('parameter /shipnow-sentinel/seller/A3/sp-api is not JSON');
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: '/shipnow-sentinel/seller/A1SHOP/sp-api', WithDecryption: true },
      { Name: '/shipnow-sentinel/seller/A2/sp-api', WithDecryption: true },
      { Name: '/shipnow-sentinel/seller/A3/sp-api', WithDecryption: true },
    ]);
  });

  test('delete: one DeleteParameter, idempotent; other errors are not swallowed', async () => {
    ssm.on(DeleteParameterCommand, { Name: '/shipnow-sentinel/seller/A1SHOP/imap' }).resolves({});
    ssm.on(DeleteParameterCommand, { Name: '/shipnow-sentinel/seller/GONE/imap' }).rejects(notFound());
    ssm.on(DeleteParameterCommand, { Name: '/shipnow-sentinel/seller/DENIED/imap' }).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await store.deleteSellerSecret('A1SHOP', 'imap');
    await store.deleteSellerSecret('GONE', 'imap');
    await expect(store.deleteSellerSecret('DENIED', 'imap')).rejects.toThrow('not authorized');
    expect(ssm.commandCalls(DeleteParameterCommand).map((c) => c.args[0].input.Name)).toEqual([
      '/shipnow-sentinel/seller/A1SHOP/imap',
      '/shipnow-sentinel/seller/GONE/imap',
      '/shipnow-sentinel/seller/DENIED/imap',
    ]);
  });

  test('names: seller IDs that could escape the path and prefixes that are not a parameter path are refused before any call', async () => {
    for (const bad of ['../x', 'a/b', '.hidden', '']) expect(() => sellerParameterName('/p/', bad, 'sp-api')).toThrow(/cannot name a parameter/);
    for (const bad of ['shipnow/', '/shipnow', '/aws/x/', '/ssm/']) expect(() => new SsmSellerSecretStore({ client: new SSMClient({}), prefix: bad })).toThrow(/parameter path/);
    await expect(store.putSellerSecret('../x', 'sp-api', {})).rejects.toThrow();
    await expect(store.putSellerSecret('A1', 'sp-api', { refreshToken: 'x'.repeat(5000) })).rejects.toThrow(/at most 4096/);
    expect(ssm.calls()).toHaveLength(0);
  });

  test("wiring's factory takes prefix and key from the stack's variables (AWS managed key by default)", async () => {
    ssm.on(PutParameterCommand).resolves({});
    await sellerSecretStore({ SENTINEL_SELLER_SECRETS_PREFIX: '/prod/sentinel/' }, new SSMClient({})).putSellerSecret('S1', 'imap', { a: 1 });
    expect(ssm.commandCalls(PutParameterCommand)[0].args[0].input).toEqual(expect.objectContaining({ Name: '/prod/sentinel/seller/S1/imap', KeyId: 'alias/aws/ssm' }));
    expect(() => sellerSecretStore({ SENTINEL_SELLER_SECRETS_PREFIX: 'no-slash' })).toThrow(/SENTINEL_SELLER_SECRETS_PREFIX/);
  });
});

describe('SP-API credentials with the seller store', () => {
  const build = (now: () => number = Date.now) =>
    new SecretsManagerCredentials({
      client: new SecretsManagerClient({}),
      prefix: 'shipnow-sentinel/sp-api/',
      sellerSecrets: new SsmSellerSecretStore({ client: new SSMClient({}) }),
      now,
    });

  test("the seller's token comes from the parameter; Secrets Manager is asked only for the LWA app", async () => {
    ssm.on(GetParameterCommand, { Name: '/shipnow-sentinel/seller/A1/sp-api' }).resolves({ Parameter: { Value: '{"refreshTokens":{"EU":"Atzr|eu"},"refreshToken":"Atzr|any"}' } });
    sm.on(GetSecretValueCommand, { SecretId: 'shipnow-sentinel/sp-api/lwa-app' }).resolves({ SecretString: '{"clientId":"c","clientSecret":"s"}' });
    let t = 0;
    const creds = build(() => t);
    expect(await creds.lwaApp()).toEqual({ clientId: 'c', clientSecret: 's' });
    expect(await creds.refreshToken('A1', 'EU')).toBe('Atzr|eu');
    expect(await creds.refreshToken('A1', 'NA')).toBe('Atzr|any');
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual(['shipnow-sentinel/sp-api/lwa-app']);
    // Cached for 5 minutes: one GetParameter for both regions, another after the cache time, and at once after forget().
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    t += 5 * 60_000 + 1;
    await creds.refreshToken('A1', 'EU');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
    creds.forget('A1');
    await creds.refreshToken('A1', 'EU');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(3);
  });

  test('a seller not moved yet: no parameter, so the old Secrets Manager secret is read (existing deployments keep syncing)', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    sm.on(GetSecretValueCommand, { SecretId: 'shipnow-sentinel/sp-api/seller/OLD' }).resolves({ SecretString: '{"refreshToken":"Atzr|old"}' });
    sm.on(GetSecretValueCommand, { SecretId: 'shipnow-sentinel/sp-api/seller/NONE' }).rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
    const creds = build();
    expect(await creds.refreshToken('OLD', 'NA')).toBe('Atzr|old');
    await expect(creds.refreshToken('NONE', 'NA')).rejects.toThrow(/shipnow-sentinel\/sp-api\/seller\/NONE.*no such secret/);
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).toEqual(['/shipnow-sentinel/seller/OLD/sp-api', '/shipnow-sentinel/seller/NONE/sp-api']);
  });

  test('a malformed parameter is CredentialsMissingError naming the store entry, never the value', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '{"token":"Atzr|secret-value"}' } });
    const err = (await build().refreshToken('A1', 'NA').catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('CredentialsMissingError');
    expect(err.message).toContain('A1/sp-api');
    expect(err.message).not.toContain('secret-value');
    expect(sm.calls()).toHaveLength(0);
  });
});
