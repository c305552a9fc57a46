/**
 * `shipnow serve` on the embedded store: prints where to look (its URL, the authorize link, the
 * inbox, each seller's setup and status links), serves the pages over HTTP with the security
 * headers, keeps the link key in a 0600 file, takes emails dropped into the inbox, and stops.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../functions/local/cli';
import { serveCommand } from '../../functions/local/commands/serve';
import type { LocalWebServer } from '../../functions/local/web-server';

jest.setTimeout(60_000);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipnow-serve-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('serves the pages, prints the links, takes dropped emails, and stops', async () => {
  const env = { ...process.env, SHIPNOW_DATA_DIR: dir, SENTINEL_INBOUND_DOMAIN: 'in.test.example' };
  const add = capture();
  expect(await main(['seller', 'add', '--id', 'S1', '--name', 'Shop One', '--marketplaces', 'US', '--alias', 'snw-s1-abcdefghij', '--data', dir], add.io)).toBe(0);

  const c = capture();
  const stop = new AbortController();
  let server: LocalWebServer | undefined;
  const running = serveCommand(['--port', '0'], c.io, { env, signal: stop.signal, onListening: (s) => (server = s) });
  for (let i = 0; i < 200 && !server; i++) await new Promise((r) => setTimeout(r, 50));
  expect(server).toBeDefined();
  const url = server!.url;
  expect(c.out[0]).toBe(`ShipNow Sentinel seller pages: ${url}`);
  expect(c.out.join('\n')).toContain(`authorize (give this link to sellers): ${url}/authorize`);
  expect(c.out.join('\n')).toContain('set SHIPNOW_LWA_CLIENT_ID, SHIPNOW_LWA_CLIENT_SECRET and SHIPNOW_SP_API_APP_ID');
  expect(c.out.join('\n')).toContain(`drop raw .eml files into ${join(dir, 'inbox')}`);
  const setupLink = c.out.find((l) => l.startsWith('  S1: setup '))!.slice('  S1: setup '.length);

  const res = await fetch(setupLink);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await res.text()).toContain('snw-s1-abcdefghij@in.test.example');
  expect(statSync(join(dir, 'link-key')).mode & 0o777).toBe(0o600);

  // Without the app's credentials the authorization says the operator must finish the set-up.
  const start = await fetch(`${url}/authorize/start?marketplaces=US`, { redirect: 'manual' });
  expect(start.status).toBe(503);

  // An email dropped into the inbox (written elsewhere, then moved in) shows on the live check.
  const raw = readFileSync(join(__dirname, '..', '..', 'examples', 'mail', 'us-sold-ship-now.eml'), 'latin1').replaceAll('demo-seller.k7q2m9@in.shipnow.example', 'snw-s1-abcdefghij@in.test.example');
  writeFileSync(join(dir, 'drop.tmp'), raw, 'latin1');
  renameSync(join(dir, 'drop.tmp'), join(dir, 'inbox', 'first.eml'));
  const checkUrl = setupLink.replace('/setup?', '/setup/check?');
  let check: { received: boolean; lines: string[] } = { received: false, lines: [] };
  for (let i = 0; i < 100 && !check.received; i++) {
    await new Promise((r) => setTimeout(r, 100));
    check = (await (await fetch(checkUrl)).json()) as typeof check;
  }
  expect(check.received).toBe(true);
  expect(check.lines.join(' ')).toContain('It passed the authenticity check');

  stop.abort();
  expect(await running).toBe(0);
});

test('bad flags exit 2 with one line', async () => {
  const c = capture();
  expect(await serveCommand(['--port', '99999'], c.io, { env: { ...process.env, SHIPNOW_DATA_DIR: dir } })).toBe(2);
  expect(c.err.join('\n')).toContain('--port must be a port number from 0 to 65535');
  const d = capture();
  expect(await serveCommand(['--lwa-url', 'ftp://x'], d.io, { env: { ...process.env, SHIPNOW_DATA_DIR: dir } })).toBe(2);
  expect(d.err.join('\n')).toContain('--lwa-url needs an http(s) URL');
});
