/**
 * A local fake of the two Amazon sides of the SP-API website authorization, on node:http:
 *
 * - Seller Central's consent page, `GET /apps/authorize/consent?application_id&state&redirect_uri[&version]`:
 *   an HTML page with "Confirm" (back to redirect_uri with state, selling_partner_id and a fresh
 *   spapi_oauth_code) and "Cancel" (back with state and error=access_denied);
 * - Login with Amazon's token endpoint, `POST /auth/o2/token`: grant_type=authorization_code, each
 *   code good once and only with the client ID / secret / redirect URI it was issued for; answers
 *   as LWA does (`invalid_grant`, `invalid_client`), or 503 when told to.
 *
 * Every token request is recorded, so tests assert exactly what was sent.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAmazonAuth {
  url: string;
  tokenEndpoint: string;
  /** Form bodies of every token request, in order. */
  tokenRequests: Array<Record<string, string>>;
  /** Refresh token issued per selling partner ID. */
  issued: Map<string, string>;
  /** The next token requests answer 503 (LWA down). */
  failNext: number;
  /** The seller who "signs in" to the fake Seller Central (change it to onboard another). */
  sellingPartnerId: string;
  /** Issue a code directly (for tests that skip the consent page). */
  issueCode(sellingPartnerId: string, redirectUri: string): string;
  close(): Promise<void>;
}

export interface FakeAmazonAuthOptions {
  clientId: string;
  clientSecret: string;
  applicationId: string;
  /** The seller who first "signs in" to the fake Seller Central. */
  sellingPartnerId: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startFakeAmazonAuth(o: FakeAmazonAuthOptions): Promise<FakeAmazonAuth> {
  const codes = new Map<string, { sellingPartnerId: string; redirectUri: string; used: boolean }>();
  const fake: Omit<FakeAmazonAuth, 'url' | 'tokenEndpoint' | 'close'> = {
    sellingPartnerId: o.sellingPartnerId,
    tokenRequests: [],
    issued: new Map(),
    failNext: 0,
    issueCode(sellingPartnerId, redirectUri) {
      const code = `ANfake${randomBytes(12).toString('hex')}`;
      codes.set(code, { sellingPartnerId, redirectUri, used: false });
      return code;
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method === 'GET' && url.pathname === '/apps/authorize/consent') {
        const state = url.searchParams.get('state') ?? '';
        const redirect = url.searchParams.get('redirect_uri') ?? '';
        if (url.searchParams.get('application_id') !== o.applicationId || !redirect) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown application or no redirect_uri');
          return;
        }
        const back = new URL(redirect);
        back.searchParams.set('state', state);
        back.searchParams.set('selling_partner_id', fake.sellingPartnerId);
        back.searchParams.set('spapi_oauth_code', fake.issueCode(fake.sellingPartnerId, redirect));
        const cancel = new URL(redirect);
        cancel.searchParams.set('state', state);
        cancel.searchParams.set('error', 'access_denied');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
          `<!doctype html><html><head><meta name="viewport" content="width=device-width"><title>Fake Seller Central</title></head><body style="font-family:sans-serif;padding:1rem">` +
            `<h1>Fake Seller Central</h1><p>Allow <b>${esc(o.applicationId)}</b> to access your account ${esc(fake.sellingPartnerId)}?` +
            `${url.searchParams.get('version') === 'beta' ? ' (draft app)' : ''}</p>` +
            `<p><a id="confirm" href="${esc(back.toString())}">Confirm</a> &nbsp; <a id="cancel" href="${esc(cancel.toString())}">Cancel</a></p></body></html>`,
        );
        return;
      }
      if (req.method === 'POST' && url.pathname === '/auth/o2/token') {
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        fake.tokenRequests.push(form);
        const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (fake.failNext > 0) {
          fake.failNext--;
          json(503, { error: 'ServiceUnavailable' });
          return;
        }
        const code = codes.get(form.code ?? '');
        if (form.client_id !== o.clientId || form.client_secret !== o.clientSecret) json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
        else if (form.grant_type !== 'authorization_code') json(400, { error: 'unsupported_grant_type' });
        else if (!code || code.used || code.redirectUri !== form.redirect_uri) json(400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : code' });
        else {
          code.used = true;
          const refresh = `Atzr|fake-${randomBytes(16).toString('hex')}`;
          fake.issued.set(code.sellingPartnerId, refresh);
          json(200, { access_token: `Atza|fake-${randomBytes(8).toString('hex')}`, refresh_token: refresh, token_type: 'bearer', expires_in: 3600 });
        }
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url,
    tokenEndpoint: `${url}/auth/o2/token`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}
