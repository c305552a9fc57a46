/**
 * The seller web's one request handler (functions/web/app.ts) against dynalite, a file secret
 * store and the local fake of Seller Central + Login with Amazon: the website authorization and
 * each of its failures, the setup page's live check, the status page, acknowledge / snooze, access
 * (one seller never sees another's data), rate limits and security headers.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDbUsedStates } from '../../functions/adapters/dynamodb/used-states';
import { signAuthorizeState } from '../../functions/domain/web-tokens';
import { signLink } from '../../functions/domain/signed-links';
import type { WebResponse } from '../../functions/web/app';
import { weeklyChartsFrom } from '../../functions/web/weekly-charts';
import { useDynalite } from '../support/dynalite';
import { order, sellerProfile } from '../support/seller-data';
import { APP, INBOUND_DOMAIN, SELLING_PARTNER_ID, request, startWebHarness, type WebHarness } from '../support/web-harness';

const ddb = useDynalite({ freshTablePerTest: true });
let h: WebHarness;

beforeEach(async () => {
  h = await startWebHarness(ddb);
});
afterEach(async () => {
  await h.close();
});

const text = (r: WebResponse) => r.body.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

/** Start → consent (the fake) → the callback URL Amazon would send the browser to. */
async function authorizeUntilCallback(query = 'marketplaces=US&marketplaces=CA&name=Shenzhen%20Demo&language=zh-CN'): Promise<URL> {
  const start = await request(h.app, 'GET', `/authorize/start?${query}`);
  expect(start.status).toBe(303);
  const consent = new URL(start.headers.location!);
  const res = await fetch(consent);
  const page = await res.text();
  const href = /id="confirm" href="([^"]+)"/.exec(page)![1]!.replace(/&#38;/g, '&');
  return new URL(href);
}

describe('website authorization', () => {
  it('start redirects to Seller Central consent with application_id, a signed state, the redirect URI and version=beta', async () => {
    const res = await request(h.app, 'GET', '/authorize/start?marketplaces=DE,FR&name=Acme');
    expect(res.status).toBe(303);
    const to = new URL(res.headers.location!);
    expect(to.origin).toBe(h.fake.url);
    expect(to.pathname).toBe('/apps/authorize/consent');
    expect(to.searchParams.get('application_id')).toBe(APP.applicationId);
    expect(to.searchParams.get('redirect_uri')).toBe('https://web.test/authorize/callback');
    expect(to.searchParams.get('version')).toBe('beta');
    expect(to.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('without the local fake the consent is on the marketplace region’s Seller Central', async () => {
    const h2 = await startWebHarness(ddb, { authorization: { app: async () => APP, draft: false } });
    try {
      const to = new URL((await request(h2.app, 'GET', '/authorize/start?marketplaces=DE')).headers.location!);
      expect(to.origin).toBe('https://sellercentral.amazon.de');
      expect(to.searchParams.has('version')).toBe(false);
    } finally {
      await h2.close();
    }
  });

  it('the callback exchanges the code with LWA, stores the refresh token (0600), creates the seller with its alias and lands on the setup page', async () => {
    const callback = await authorizeUntilCallback();
    const res = await request(h.app, 'GET', callback.pathname + callback.search);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/setup\?token=[^&]+&lang=zh-CN$/);

    expect(h.fake.tokenRequests).toHaveLength(1);
    expect(h.fake.tokenRequests[0]).toEqual({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('spapi_oauth_code'),
      redirect_uri: 'https://web.test/authorize/callback',
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    });
    const seller = await h.repo.getSeller(SELLING_PARTNER_ID);
    expect(seller).toMatchObject({ sellerId: SELLING_PARTNER_ID, name: 'Shenzhen Demo', marketplaces: ['amazon.com', 'amazon.ca'], language: 'zh-CN' });
    expect(seller!.inboundAlias).toMatch(/^[a-z0-9-]{10,}$/);
    expect(await h.repo.sellerByAlias(seller!.inboundAlias!)).toMatchObject({ sellerId: SELLING_PARTNER_ID });
    expect(await h.deps.secrets.getSellerSecret(SELLING_PARTNER_ID, 'sp-api')).toEqual({
      refreshTokens: { NA: h.fake.issued.get(SELLING_PARTNER_ID) },
      sellingPartnerId: SELLING_PARTNER_ID,
      authorizedAt: '2026-11-28T12:00:00.000Z',
    });
    expect(statSync(join(h.secretsDir, SELLING_PARTNER_ID, 'sp-api.json')).mode & 0o777).toBe(0o600);

    const setup = await request(h.app, 'GET', res.headers.location!);
    expect(setup.status).toBe(200);
    expect(setup.body).toContain(`${seller!.inboundAlias}@${INBOUND_DOMAIN}`);
  });

  it('a state is single-use: the same answer again is refused and never reaches LWA', async () => {
    const callback = await authorizeUntilCallback();
    expect((await request(h.app, 'GET', callback.pathname + callback.search)).status).toBe(303);
    const again = await request(h.app, 'GET', callback.pathname + callback.search);
    expect(again.status).toBe(409);
    expect(text(again)).toContain('already used once');
    // Its language switch leads to the start page, never to the used answer again.
    expect(again.body).toContain('href="/authorize?lang=zh-CN" hreflang="zh-CN" id="lang-switch"');
    expect(h.fake.tokenRequests).toHaveLength(1);
  });

  it('single use holds under a race: of two concurrent uses of one nonce exactly one is first', async () => {
    const states = new DynamoDbUsedStates({ client: ddb.client, tableName: ddb.tableName });
    const results = await Promise.all([states.use('n'.repeat(24), 2e9, 'now'), states.use('n'.repeat(24), 2e9, 'now')]);
    expect(results.sort()).toEqual(['first', 'reused']);
  });

  it('an expired state (over 15 minutes) is refused in plain words', async () => {
    const callback = await authorizeUntilCallback();
    h.clock.now += 16 * 60_000;
    const res = await request(h.app, 'GET', callback.pathname + callback.search);
    expect(res.status).toBe(400);
    expect(text(res)).toContain('took too long (more than 15 minutes)');
    expect(h.fake.tokenRequests).toHaveLength(0);
  });

  it('a forged or tampered state is refused (CSRF), in Chinese too', async () => {
    const forged = signAuthorizeState({ nonce: 'x'.repeat(24), region: 'NA', marketplaces: ['amazon.com'], expiresAt: 2e9 }, Buffer.alloc(32, 9));
    const res = await request(h.app, 'GET', `/authorize/callback?state=${forged}&selling_partner_id=A1&spapi_oauth_code=c`, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(res.status).toBe(400);
    expect(text(res)).toContain('不是由本站发起的请求');
    expect(h.fake.tokenRequests).toHaveLength(0);
  });

  it('a denied consent (error=access_denied) says nothing was connected', async () => {
    const callback = await authorizeUntilCallback();
    const res = await request(h.app, 'GET', `/authorize/callback?state=${callback.searchParams.get('state')}&error=access_denied`);
    expect(text(res)).toContain('The authorization was not granted in Seller Central');
    expect(await h.repo.getSeller(SELLING_PARTNER_ID)).toBeUndefined();
  });

  it('LWA refusing the code, LWA down and bad app credentials are each said in plain words; no seller is created', async () => {
    const cb1 = await authorizeUntilCallback();
    cb1.searchParams.set('spapi_oauth_code', 'ANnot-issued');
    expect(text(await request(h.app, 'GET', cb1.pathname + cb1.search))).toContain('valid for a few minutes only, and only once');

    const cb2 = await authorizeUntilCallback();
    h.fake.failNext = 1;
    const down = await request(h.app, 'GET', cb2.pathname + cb2.search);
    expect(down.status).toBe(502);
    expect(text(down)).toContain('Login with Amazon did not answer');

    const h2 = await startWebHarness(ddb, { authorization: { app: async () => ({ ...APP, clientSecret: 'wrong' }), tokenEndpoint: h.fake.tokenEndpoint, draft: true, sellerCentralOrigin: h.fake.url } });
    try {
      const start = await request(h2.app, 'GET', '/authorize/start?marketplaces=US');
      const state = new URL(start.headers.location!).searchParams.get('state')!;
      const code = h.fake.issueCode(SELLING_PARTNER_ID, 'https://web.test/authorize/callback');
      expect(text(await request(h2.app, 'GET', `/authorize/callback?state=${state}&selling_partner_id=${SELLING_PARTNER_ID}&spapi_oauth_code=${code}`))).toContain('refused this app’s credentials');
    } finally {
      await h2.close();
    }
    expect(await h.repo.getSeller(SELLING_PARTNER_ID)).toBeUndefined();
  });

  it('unknown marketplaces, mixed regions, a non-Amazon Appstore callback and a missing app are refused before Amazon is involved', async () => {
    expect(text(await request(h.app, 'GET', '/authorize/start?marketplaces=XX'))).toContain('Unknown region or marketplace');
    expect(text(await request(h.app, 'GET', '/authorize/start'))).toContain('Unknown region or marketplace');
    expect(text(await request(h.app, 'GET', '/authorize/start?marketplaces=US,DE'))).toContain('different regions');
    expect(text(await request(h.app, 'GET', '/authorize?amazon_callback_uri=https://evil.example/cb&amazon_state=s'))).toContain('not a Seller Central address');
    const h2 = await startWebHarness(ddb, { authorization: { app: async () => undefined, draft: false } });
    try {
      const res = await request(h2.app, 'GET', '/authorize/start?marketplaces=US');
      expect(res.status).toBe(503);
      expect(text(res)).toContain('has not finished setting up');
    } finally {
      await h2.close();
    }
  });

  it('the Appstore flow (login URI) goes back to amazon_callback_uri with redirect_uri, amazon_state and state', async () => {
    const page = await request(h.app, 'GET', '/authorize?amazon_callback_uri=https%3A%2F%2Fsellercentral.amazon.com%2Fapps%2Fauthorize%2Fconfirm%2Famzn1.sp.solution.x&amazon_state=amz-123&selling_partner_id=A2TESTSELLER01');
    expect(page.status).toBe(200);
    expect(page.body).toContain('name="amazon_state" value="amz-123"');
    const res = await request(h.app, 'GET', '/authorize/start?marketplaces=US&amazon_callback_uri=https%3A%2F%2Fsellercentral.amazon.com%2Fapps%2Fauthorize%2Fconfirm%2Famzn1.sp.solution.x&amazon_state=amz-123');
    const to = new URL(res.headers.location!);
    expect(to.origin + to.pathname).toBe('https://sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.x');
    expect(to.searchParams.get('amazon_state')).toBe('amz-123');
    expect(to.searchParams.get('redirect_uri')).toBe('https://web.test/authorize/callback');
    expect(to.searchParams.get('state')).toBeTruthy();
    expect(to.searchParams.get('version')).toBe('beta');
  });

  it('an Amazon account that is already connected is not taken over (the selling partner ID comes from the query string)', async () => {
    await h.repo.putSeller(sellerProfile(SELLING_PARTNER_ID, { inboundAlias: 'existing-alias-0001' }));
    const callback = await authorizeUntilCallback();
    const res = await request(h.app, 'GET', callback.pathname + callback.search);
    expect(res.status).toBe(409);
    expect(text(res)).toContain('already connected');
    expect(h.fake.tokenRequests).toHaveLength(0);
    expect(await h.deps.secrets.getSellerSecret(SELLING_PARTNER_ID, 'sp-api')).toBeUndefined();
    expect((await h.repo.getSeller(SELLING_PARTNER_ID))!.inboundAlias).toBe('existing-alias-0001');
  });
});

describe('setup page', () => {
  it('shows the address, the steps, a Notification Preferences link per marketplace, and the live check turns from waiting to received', async () => {
    await h.repo.putSeller(sellerProfile('S1', { marketplaces: ['amazon.com', 'amazon.de'], inboundAlias: 'snw-s1-abcdefgh' }));
    const t = h.link('S1', 'setup');
    const page = await request(h.app, 'GET', `/setup?t=${t}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('snw-s1-abcdefgh@in.test.example');
    expect(page.body).toContain('href="https://sellercentral.amazon.com/notifications/preferences"');
    expect(page.body).toContain('href="https://sellercentral.amazon.de/notifications/preferences"');
    expect(text(page)).toContain('No email has arrived yet');

    const before = JSON.parse((await request(h.app, 'GET', `/setup/check?t=${t}`)).body);
    expect(before).toEqual({ received: false, lines: ['No email has arrived yet. This page checks again every few seconds.'] });

    expect(await h.dropEmail('snw-s1-abcdefgh')).toMatchObject({ outcome: 'accepted', sellerId: 'S1' });
    const after = JSON.parse((await request(h.app, 'GET', `/setup/check?t=${t}&lang=zh-CN`)).body);
    expect(after.received).toBe(true);
    expect(after.lines[0]).toMatch(/^已于 2026-11-2\d \d\d:\d\d GMT-8 \(已过 .*\) 收到来自 amazon\.com 的邮件。$/);
    expect(after.lines).toContain('该邮件通过了真实性校验：确实来自亚马逊。');
    expect(after.lines).toContain('SPF pass，DKIM pass，DMARC pass');
  });
});

describe('status page', () => {
  beforeEach(async () => {
    await h.repo.putSeller(sellerProfile('S1', { marketplaces: ['amazon.com'] }));
    await h.repo.putSeller(sellerProfile('S2', { inboundAlias: 'snw-s2-bbbbbbbbbbbb' }));
    // Missing (purchased yesterday, no email), one with an earlier ship-by first; awaiting (just now); shipped (not open).
    await h.repo.saveOrder(order('S1', '111-0000000-0000001', { purchaseDate: '2026-11-27T08:00:00.000Z', latestShipDate: '2026-12-01T07:59:59.000Z' }), null);
    await h.repo.saveOrder(order('S1', '111-0000000-0000002', { purchaseDate: '2026-11-27T09:00:00.000Z', latestShipDate: '2026-11-29T07:59:59.000Z' }), null);
    await h.repo.saveOrder(order('S1', '111-0000000-0000003', { purchaseDate: '2026-11-28T11:30:00.000Z' }), null);
    await h.repo.saveOrder(order('S1', '111-0000000-0000004', { orderState: 'Shipped' }), null);
    await h.repo.saveOrder(order('S2', '222-0000000-0000009'), null);
  });

  it('lists every open order, missing first by deadline, with countdowns and the diagnosis in words', async () => {
    const page = await request(h.app, 'GET', `/status?t=${h.link('S1', 'status')}`);
    expect(page.status).toBe(200);
    const rows = [...page.body.matchAll(/data-order="([^"]+)" data-status="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['111-0000000-0000002', 'missing'],
      ['111-0000000-0000001', 'missing'],
      ['111-0000000-0000003', 'awaiting'],
    ]);
    const t = text(page);
    expect(t).toContain('Ship by in 19h 59m');
    expect(t).toContain('2 missing');
    expect(t).toContain('Likely cause: all Amazon mail has stopped');
    expect(t).toContain('What to do: Contact your email provider');
  });

  it('draws the weekly chart of each marketplace (server-side SVG, as an image: no script, no inline style under the CSP)', async () => {
    const h2 = await startWebHarness(ddb, { weeklyCharts: weeklyChartsFrom(ddb.repository) });
    try {
      await h2.repo.putSeller(sellerProfile('S3', { marketplaces: ['amazon.com', 'amazon.de'], inboundAlias: 'snw-s3-cccccccccccc', timeZone: 'Asia/Shanghai' }));
      await h2.repo.saveOrder(order('S3', '112-4455667-1000001', { purchaseDate: '2026-11-27T14:00:00.000Z' }), null);
      expect(await h2.dropEmail('snw-s3-cccccccccccc')).toMatchObject({ outcome: 'accepted', matched: ['112-4455667-1000001'] });
      const page = await request(h2.app, 'GET', `/status?t=${h2.link('S3', 'status')}`);
      const charts = [...page.body.matchAll(/<img class="week-chart" width="640" height="320" alt="([^"]*)" src="data:image\/svg\+xml;base64,([^"]+)">/g)];
      expect(charts.map((c) => c[1])).toEqual([expect.stringContaining('received 1'), expect.stringContaining('received 0')]);
      const svg = Buffer.from(charts[0]![2]!, 'base64').toString('utf8');
      expect(svg).toMatch(/^<svg[\s\S]*Received[\s\S]*<\/svg>$/);
      expect(svg).not.toMatch(/<script/i);
    } finally {
      await h2.close();
    }
  });

  it('never shows another seller’s orders, and a link cannot be bent to another seller', async () => {
    const page = await request(h.app, 'GET', `/status?t=${h.link('S1', 'status')}`);
    expect(page.body).not.toContain('222-0000000-0000009');
    const s2 = await request(h.app, 'GET', `/status?t=${h.link('S2', 'status')}&sellerId=S1&seller=S1`);
    expect(s2.body).toContain('222-0000000-0000009');
    expect(s2.body).not.toContain('111-0000000-000000');
    // Change the seller inside the token: the signature no longer matches.
    const [payload, mac] = h.link('S2', 'status').split('.');
    const bent = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('"S2"', '"S1"')).toString('base64url');
    const res = await request(h.app, 'GET', `/status?t=${bent}.${mac}`);
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('111-0000000-000000');
  });

  it('refuses links of another purpose, expired links, and keys it does not know', async () => {
    expect((await request(h.app, 'GET', `/status?t=${h.link('S1', 'setup')}`)).status).toBe(403);
    const old = h.link('S1', 'status');
    h.clock.now += 31 * 24 * 3600_000;
    const expired = await request(h.app, 'GET', `/status?t=${old}`);
    expect(expired.status).toBe(410);
    expect(text(expired)).toContain('This link has expired');
    const foreign = signLink({ sellerId: 'S1', purpose: 'status', expiresAt: 3e9 }, Buffer.alloc(32, 1));
    expect((await request(h.app, 'GET', `/status?t=${foreign}`)).status).toBe(403);
  });
});

describe('acknowledge and snooze', () => {
  beforeEach(async () => {
    await h.repo.putSeller(sellerProfile('S1'));
    await h.repo.saveOrder(order('S1', '111-0000000-0000001'), null);
  });

  async function confirmForm(path: string): Promise<{ t: string; csrf: string; page: WebResponse }> {
    const page = await request(h.app, 'GET', path);
    const t = /name="token" value="([^"]+)"/.exec(page.body)![1]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    return { t, csrf, page };
  }

  it('GET only asks (a mail scanner prefetching the link acknowledges nothing); POST with the CSRF token does it', async () => {
    const { t, csrf, page } = await confirmForm(`/ack?t=${h.link('S1', 'ack', { orderId: '111-0000000-0000001' })}`);
    expect(page.status).toBe(200);
    expect(text(page)).toContain('Mark order 111-0000000-0000001 as handled?');
    expect((await h.repo.getOrder('S1', '111-0000000-0000001'))!.acknowledgement).toBeUndefined();

    const done = await request(h.app, 'POST', '/ack', { form: { t, csrf }, headers: { origin: 'https://web.test', 'sec-fetch-site': 'same-origin' } });
    expect(done.status).toBe(200);
    expect(text(done)).toContain('no more reminders');
    expect((await h.repo.getOrder('S1', '111-0000000-0000001'))!.acknowledgement).toEqual({ kind: 'handled', at: '2026-11-28T12:00:00.000Z', via: 'link' });
  });

  it('the alerts’ snooze link (/ack?token=, the purpose in the token) pauses for the link’s minutes', async () => {
    const token = h.link('S1', 'snooze', { orderId: '111-0000000-0000001', snoozeMinutes: 120 });
    const page = await request(h.app, 'GET', `/ack?token=${token}`);
    expect(text(page)).toContain('Pause the reminders of order 111-0000000-0000001 for 2 h?');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    expect(/action="([^"]+)"/.exec(page.body)![1]).toBe('/ack');
    const done = await request(h.app, 'POST', '/ack', { form: { token, csrf } });
    expect(text(done)).toContain('paused until');
    expect((await h.repo.getOrder('S1', '111-0000000-0000001'))!.acknowledgement).toMatchObject({ kind: 'snoozed', until: '2026-11-28T14:00:00.000Z' });
  });

  it('snooze pauses for the link’s minutes', async () => {
    const { t, csrf } = await confirmForm(`/snooze?t=${h.link('S1', 'snooze', { orderId: '111-0000000-0000001', snoozeMinutes: 240 })}&lang=zh-CN`);
    const done = await request(h.app, 'POST', '/snooze', { form: { t, csrf, lang: 'zh-CN' } });
    expect(text(done)).toContain('订单 111-0000000-0000001 的提醒已暂停至');
    expect((await h.repo.getOrder('S1', '111-0000000-0000001'))!.acknowledgement).toEqual({ kind: 'snoozed', at: '2026-11-28T12:00:00.000Z', until: '2026-11-28T16:00:00.000Z', via: 'link' });
  });

  it('refuses a POST without a valid CSRF token, from another site, or with a token of another link', async () => {
    const ackLink = h.link('S1', 'ack', { orderId: '111-0000000-0000001' });
    const { t, csrf } = await confirmForm(`/ack?t=${ackLink}`);
    expect((await request(h.app, 'POST', '/ack', { form: { t } })).status).toBe(403);
    expect((await request(h.app, 'POST', '/ack', { form: { t, csrf }, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await request(h.app, 'POST', '/ack', { form: { t, csrf }, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    h.clock.now += 1000;
    const other = h.link('S1', 'ack', { orderId: '111-0000000-0000001' });
    expect((await request(h.app, 'POST', '/ack', { form: { t: other, csrf } })).status).toBe(403);
    h.clock.now += 61 * 60_000;
    const late = await request(h.app, 'POST', '/ack', { form: { t, csrf } });
    expect(late.status).toBe(403);
    expect(text(late)).toContain('The form has expired');
    expect((await h.repo.getOrder('S1', '111-0000000-0000001'))!.acknowledgement).toBeUndefined();
  });

  it('explains expired and invalid links, a status link used as an ack link, and an unknown order', async () => {
    const ackLink = h.link('S1', 'ack', { orderId: '111-0000000-0000001' });
    expect(text(await request(h.app, 'GET', `/ack?t=${ackLink.slice(0, 30)}`))).toContain('not complete');
    expect((await request(h.app, 'GET', `/ack?t=${h.link('S1', 'status')}`)).status).toBe(403);
    expect((await request(h.app, 'GET', `/snooze?t=${ackLink}`)).status).toBe(403);
    const { t, csrf } = await confirmForm(`/ack?t=${h.link('S1', 'ack', { orderId: '999-0000000-0000000' })}`);
    const unknown = await request(h.app, 'POST', '/ack', { form: { t, csrf } });
    expect(unknown.status).toBe(404);
    expect(text(unknown)).toContain('is not known');
    h.clock.now += 8 * 24 * 3600_000;
    expect(text(await request(h.app, 'GET', `/ack?t=${ackLink}`))).toContain('This link has expired');
  });
});

describe('headers and limits', () => {
  it('every response carries the security headers; the inline script and style use the response’s nonce', async () => {
    await h.repo.putSeller(sellerProfile('S1'));
    for (const path of ['/authorize', `/setup?t=${h.link('S1', 'setup')}`, `/status?t=${h.link('S1', 'status')}`, '/nope', '/authorize/callback']) {
      const res = await request(h.app, 'GET', path);
      expect(res.headers).toMatchObject({
        'strict-transport-security': 'max-age=63072000; includeSubDomains',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'cache-control': 'no-store',
      });
      const csp = res.headers['content-security-policy']!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      for (const tag of res.body.matchAll(/<(script|style)\b[^>]*>/g)) expect(tag[0]).toContain(`nonce="${nonce}"`);
    }
    const a = (await request(h.app, 'GET', '/authorize')).headers['content-security-policy'];
    const b = (await request(h.app, 'GET', '/authorize')).headers['content-security-policy'];
    expect(a).not.toBe(b);
    expect(a).toContain('form-action \'self\' https://sellercentral.amazon.com');
  });

  it('rate limits per IP and per seller, with Retry-After', async () => {
    await h.repo.putSeller(sellerProfile('S1'));
    const h2 = await startWebHarness(ddb, { rateLimits: { perIp: { ratePerSecond: 0.1, burst: 3 }, perSeller: { ratePerSecond: 0.1, burst: 4 }, authorizePerIp: { ratePerSecond: 0.1, burst: 1 } } });
    try {
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await request(h2.app, 'GET', '/authorize', { ip: '203.0.113.1' })).status);
      expect(codes).toEqual([200, 200, 200, 429]);
      const limited = await request(h2.app, 'GET', '/authorize', { ip: '203.0.113.1' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const t = h.link('S1', 'status');
      const bySeller = [];
      for (let i = 0; i < 5; i++) bySeller.push((await request(h2.app, 'GET', `/status?t=${t}`, { ip: `203.0.113.${10 + i}` })).status);
      expect(bySeller).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await h2.close();
    }
  });

  it('no page repeats what buyers wrote: the status page shows order IDs, never the email’s item title or buyer data', async () => {
    await h.repo.putSeller(sellerProfile('S1', { inboundAlias: 'snw-s1-abcdefgh' }));
    await h.repo.saveOrder(order('S1', '112-4455667-1000001', { purchaseDate: '2026-11-27T14:00:00.000Z' }), null);
    await h.dropEmail('snw-s1-abcdefgh');
    const status = await request(h.app, 'GET', `/status?t=${h.link('S1', 'status')}`);
    const setup = await request(h.app, 'GET', `/setup?t=${h.link('S1', 'setup')}`);
    for (const page of [status.body, setup.body]) {
      expect(page).not.toMatch(/Kettle|Stainless|Ship to|Buyer/i);
    }
  });
});
