/**
 * The credential provider the Lambda bundles use instead of the SDK's Node default chain
 * (infra/bundling/lambda-credentials.ts): environment credentials as the Lambda runtime sets
 * them, else the runtime's HTTP endpoint (a real local server here), else a clear error.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { defaultProvider } from '../../infra/bundling/lambda-credentials';
import { sendJson } from '../support/local-servers';

const VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'];
const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  for (const k of VARS) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
});
afterEach(() => {
  for (const k of VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

test("the Lambda runtime's environment credentials, session token included", async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
  await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
});

describe('over HTTP', () => {
  const requests: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  let expiration = '';

  test('when only the runtime endpoint is set: read from it, and cached until shortly before expiry', async () => {
    let calls = 0;
    const http = createServer((req, res) => {
      calls++;
      requests.push({ path: req.url ?? '', headers: req.headers });
      sendJson(res, 200, { AccessKeyId: 'ASIAHTTP', SecretAccessKey: 's', Token: 't', Expiration: expiration });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const port = (http.address() as { port: number }).port;
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/credentials`;
      process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'auth-token';
      expiration = new Date(Date.now() + 3600_000).toISOString();
      const provider = defaultProvider();
      await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIAHTTP', sessionToken: 't' });
      await provider();
      expect(calls).toBe(1);
      expect(requests[0]!.path).toBe('/credentials');
      expect(requests[0]!.headers.authorization).toBe('auth-token');
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });
});

test('no credentials at all: the SDK says which variables it looked for', async () => {
  await expect(defaultProvider()()).rejects.toThrow(/AWS_ACCESS_KEY_ID|credentials/i);
});
