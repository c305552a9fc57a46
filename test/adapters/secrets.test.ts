/** Credentials from Secrets Manager: exact requests (mocked client), caching, and no secret in errors. */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { CredentialsMissingError, SecretsManagerCredentials, StaticCredentials } from '../../functions/adapters/secrets';

const sm = mockClient(SecretsManagerClient);
beforeEach(() => sm.reset());

test('reads the app and the seller secret under the prefix, per region, and caches them', async () => {
  sm.on(GetSecretValueCommand, { SecretId: 'p/lwa-app' }).resolves({ SecretString: '{"clientId":"cid","clientSecret":"cs"}' });
  sm.on(GetSecretValueCommand, { SecretId: 'p/seller/A1' }).resolves({ SecretString: '{"refreshToken":"Atzr|all","refreshTokens":{"EU":"Atzr|eu"}}' });
  let t = 0;
  const creds = new SecretsManagerCredentials({ client: new SecretsManagerClient({}), prefix: 'p/', now: () => t });
  expect(await creds.lwaApp()).toEqual({ clientId: 'cid', clientSecret: 'cs' });
  expect(await creds.refreshToken('A1', 'EU')).toBe('Atzr|eu');
  expect(await creds.refreshToken('A1', 'NA')).toBe('Atzr|all');
  expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual(['p/lwa-app', 'p/seller/A1']);
  t += 6 * 60_000; // past the 5-minute cache
  await creds.refreshToken('A1', 'NA');
  expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
});

test('a missing or malformed secret is CredentialsMissingError naming the secret, never its value', async () => {
  sm.on(GetSecretValueCommand, { SecretId: 'p/seller/A2' }).rejects(new ResourceNotFoundException({ message: 'nope', $metadata: {} }));
  sm.on(GetSecretValueCommand, { SecretId: 'p/seller/A3' }).resolves({ SecretString: 'Atzr|plain-text-token' });
  const creds = new SecretsManagerCredentials({ client: new SecretsManagerClient({}), prefix: 'p/' });
  await expect(creds.refreshToken('A2', 'NA')).rejects.toThrow(CredentialsMissingError);
  const err = (await creds.refreshToken('A3', 'NA').catch((e: unknown) => e)) as Error;
  expect(err).toBeInstanceOf(CredentialsMissingError);
  expect(err.message).toContain('p/seller/A3');
  expect(err.message).not.toContain('plain-text-token');
  await expect(creds.refreshToken('../etc', 'NA')).rejects.toThrow(CredentialsMissingError);
});

test('static credentials (tests, CLI)', async () => {
  const creds = new StaticCredentials({ clientId: 'c', clientSecret: 's' }, { A1: 'Atzr|1', A2: { FE: 'Atzr|fe' } });
  expect(await creds.refreshToken('A1', 'EU')).toBe('Atzr|1');
  expect(await creds.refreshToken('A2', 'FE')).toBe('Atzr|fe');
  await expect(creds.refreshToken('A2', 'NA')).rejects.toThrow(CredentialsMissingError);
});
