/**
 * The seller's pages in a real browser: Debian's chromium driven by playwright-core, against the
 * same wiring as `shipnow serve` (embedded store, file secrets, the inbox standing in for SES) and
 * a local fake of Seller Central's consent page and Login with Amazon. For each language (en,
 * zh-CN, chosen by the browser's Accept-Language) and width (phone 390x844, desktop 1280x800):
 * authorize → the seller is created → copy the address → an email dropped into the inbox shows
 * on the setup page's live check → status page → acknowledge an order; plus a denied consent and
 * the language switch. Screenshots of every page go to test-artifacts/screenshots/.
 *
 * This is also the end-to-end proof of onboarding with no command typed for the seller: from the
 * authorize link to the first email on the setup page.
 *
 * Chromium missing is a failure with the fix, never a skip (.ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { localWeb } from '../../functions/local/commands/serve';
import { openStore, type OpenStore } from '../../functions/local/commands/store';
import { startWebServer, type InboxWatcher, type LocalWebServer } from '../../functions/local/web-server';
import { FileSellerSecretStore } from '../../functions/adapters/file-seller-secrets';
import { linkClaims, signLink } from '../../functions/domain/signed-links';
import { startFakeAmazonAuth, type FakeAmazonAuth } from '../support/fake-amazon-auth';
import { order } from '../support/seller-data';

jest.setTimeout(120_000);

const CHROMIUM = process.env.SHIPNOW_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const APP = { applicationId: 'amzn1.sp.solution.browser-test', clientId: 'amzn1.application-oa2-client.browser', clientSecret: 'browser-secret' };
const INBOUND = 'in.test.example';
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;
const LANGS = { en: 'en-US', 'zh-CN': 'zh-CN' } as const;

let dataDir: string;
let store: OpenStore;
let fake: FakeAmazonAuth;
let server: LocalWebServer;
let inbox: InboxWatcher;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const profiles: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium is missing at ${CHROMIUM}: the browser tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it). They fail rather than skip.`);
  }
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'shipnow-browser-'));
  fake = await startFakeAmazonAuth({ ...APP, sellingPartnerId: 'A1BROWSER00' });
  store = await openStore({ data: dataDir });
  const web = await localWeb({
    store,
    dataDir,
    env: { SHIPNOW_LWA_CLIENT_ID: APP.clientId, SHIPNOW_LWA_CLIENT_SECRET: APP.clientSecret, SHIPNOW_SP_API_APP_ID: APP.applicationId },
    inboundDomain: INBOUND,
    lwaUrl: fake.tokenEndpoint,
    sellerCentralUrl: fake.url,
    draftApp: true,
    pollMs: 300,
    inboxIntervalMs: 200,
    rateLimits: { perIp: { ratePerSecond: 50, burst: 500 }, perSeller: { ratePerSecond: 50, burst: 500 }, authorizePerIp: { ratePerSecond: 50, burst: 50 } },
  });
  inbox = web.inbox;
  server = await startWebServer(web.handler);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  inbox?.stop();
  await server?.close();
  await store?.close();
  await fake?.close();
  for (const p of profiles) rmSync(p, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function browser(lang: keyof typeof LANGS, viewport: keyof typeof VIEWPORTS): Promise<Page> {
  const profile = mkdtempSync(join(tmpdir(), 'shipnow-chromium-'));
  profiles.push(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: VIEWPORTS[viewport],
    locale: LANGS[lang],
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  // A script error or a CSP violation on a page is a test failure, not something to find in a screenshot.
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  page.on('console', (m) => {
    // Failure pages answer 4xx on purpose ("Failed to load resource"); a CSP violation or any
    // other error on our own pages is a failure.
    if (m.type() === 'error' && page.url().startsWith(server.url) && !m.text().startsWith('Failed to load resource')) pageErrors.push(`${page.url()}: console: ${m.text()}`);
  });
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** A real Sold, Ship Now email (examples/mail) addressed to the seller, dropped into the inbox as a finished file. */
function dropEmail(alias: string): void {
  const raw = readFileSync(join(__dirname, '..', '..', 'examples', 'mail', 'us-sold-ship-now.eml'), 'latin1').replaceAll('demo-seller.k7q2m9@in.shipnow.example', `${alias}@${INBOUND}`);
  const tmp = join(dataDir, `.${alias}.tmp`);
  writeFileSync(tmp, raw, 'latin1');
  renameSync(tmp, join(dataDir, 'inbox', `${alias}.eml`));
}

const WORDS = {
  en: { start: 'Connect your Amazon seller account', cont: 'Continue to Seller Central', setup: 'Set up your Sold, Ship Now notifications', waiting: 'No email has arrived yet', authentic: 'It passed the authenticity check', copied: 'Copied', status: 'Open your order status page', orders: 'Your orders', missing: 'Missing', ackQ: 'as handled?', ackB: 'Yes, it is handled', done: 'no more reminders', denied: 'The authorization was not granted', switchTo: '中文', other: '设置「Sold, Ship Now」通知' },
  'zh-CN': { start: '连接您的亚马逊卖家账户', cont: '前往卖家平台', setup: '设置「Sold, Ship Now」通知', waiting: '尚未收到邮件', authentic: '该邮件通过了真实性校验', copied: '已复制', status: '打开订单状态页面', orders: '您的订单', missing: '缺失', ackQ: '标记为已处理？', ackB: '是，已处理', done: '不会再收到关于它的提醒', denied: '您没有在卖家平台中授权', switchTo: 'English', other: 'Set up your Sold, Ship Now notifications' },
} as const;

const COMBOS = (['en', 'zh-CN'] as const).flatMap((lang) => (['phone', 'desktop'] as const).map((viewport) => ({ lang, viewport })));

describe.each(COMBOS)('$lang at $viewport width', ({ lang, viewport }) => {
  const w = WORDS[lang];
  const sellerId = `A1${lang === 'en' ? 'EN' : 'ZH'}${viewport === 'phone' ? 'PHONE' : 'DESK'}01`;
  const name = (n: number, page: string) => `${lang}-${viewport}-${String(n).padStart(2, '0')}-${page}`;
  let page: Page;

  beforeAll(async () => {
    page = await browser(lang, viewport);
  });
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  test('onboarding end to end: authorize → seller created → email dropped into the inbox → the setup page shows it; then status and acknowledge', async () => {
    // 1. The authorize link the operator gives sellers.
    await page.goto(`${server.url}/authorize`);
    await expect(page.locator('h1').textContent()).resolves.toBe(w.start);
    await page.fill('#name', `Shop ${sellerId}`);
    await page.check('input[name=marketplaces][value=US]');
    await page.check('input[name=marketplaces][value=CA]');
    await shot(page, name(1, 'authorize-start'));
    fake.sellingPartnerId = sellerId;
    await page.click('#continue');

    // 2. Seller Central's consent (the local fake): confirm.
    await page.waitForURL(`${fake.url}/apps/authorize/consent?**`);
    expect(new URL(page.url()).searchParams.get('version')).toBe('beta');
    await shot(page, name(2, 'seller-central-consent-fake'));
    await page.click('#confirm');

    // 3. Back on our setup page: the seller exists, with its alias and refresh token.
    await page.waitForURL(`${server.url}/setup?**`);
    await expect(page.locator('h1').textContent()).resolves.toBe(w.setup);
    const seller = await store.repo.getSeller(sellerId);
    expect(seller).toMatchObject({ sellerId, name: `Shop ${sellerId}`, marketplaces: ['amazon.com', 'amazon.ca'], language: lang });
    expect(await new FileSellerSecretStore(join(dataDir, 'secrets')).getSellerSecret(sellerId, 'sp-api')).toMatchObject({ refreshTokens: { NA: fake.issued.get(sellerId) } });
    const address = `${seller!.inboundAlias}@${INBOUND}`;
    await expect(page.locator('#address').textContent()).resolves.toBe(address);
    await expect(page.locator('#check').textContent()).resolves.toContain(w.waiting);
    const prefs = await page.locator('a[data-marketplace]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(prefs).toEqual(['https://sellercentral.amazon.com/notifications/preferences', 'https://sellercentral.amazon.ca/notifications/preferences']);
    await page.click('#copy');
    await page.waitForFunction((done) => (globalThis as any).document.querySelector('#copy')?.textContent === done, w.copied, { timeout: 5000 });
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(address);
    await shot(page, name(3, 'setup-waiting'));

    // 4. The first email arrives (dropped into the inbox): the live check shows it without a reload.
    // Its order is known (placed before the email was sent), so the email marks it notified.
    await store.repo.saveOrder(order(sellerId, '112-4455667-1000001', { purchaseDate: '2026-11-27T14:00:00.000Z' }), null);
    dropEmail(seller!.inboundAlias!);
    await page.waitForSelector('#check[data-state=received]', { timeout: 20_000 });
    await expect(page.locator('#check').textContent()).resolves.toContain(w.authentic);
    await shot(page, name(4, 'setup-email-received'));

    // 5. The status page, with orders: two missing (the one whose ship-by is sooner first), one awaiting.
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await store.repo.saveOrder(order(sellerId, '113-1000000-0000001', { purchaseDate: iso(now - 30 * 3600_000), latestShipDate: iso(now + 50 * 3600_000) }), null);
    await store.repo.saveOrder(order(sellerId, '113-1000000-0000002', { purchaseDate: iso(now - 28 * 3600_000), latestShipDate: iso(now + 6 * 3600_000) }), null);
    await store.repo.saveOrder(order(sellerId, '113-1000000-0000003', { marketplace: 'amazon.ca', purchaseDate: iso(now - 10 * 60_000) }), null);
    await page.click('#to-status');
    await page.waitForURL(`${server.url}/status?**`);
    await expect(page.locator('h1').textContent()).resolves.toBe(w.orders);
    const rows = await page.locator('#orders tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-order'), tr.getAttribute('data-status')]));
    expect(rows).toEqual([
      ['113-1000000-0000002', 'missing'],
      ['113-1000000-0000001', 'missing'],
      ['113-1000000-0000003', 'awaiting'],
      ['112-4455667-1000001', 'notified'],
    ]);
    // The weekly chart of each marketplace, drawn by the server, is shown (an SVG image that loaded).
    const charts = await page.locator('img.week-chart').evaluateAll((imgs) => imgs.map((i) => [(i as any).complete && (i as any).naturalWidth > 0, i.getAttribute('alt')]));
    expect(charts).toEqual([[true, expect.stringMatching(/\d/)], [true, expect.stringMatching(/\d/)]]);
    await expect(page.locator('#orders tbody tr').first().textContent()).resolves.toContain(w.missing);
    await shot(page, name(5, 'status'));

    // 6. Acknowledge from an alert's link: the GET asks, the click does it.
    const link = ackLink(sellerId, '113-1000000-0000002');
    await page.goto(`${server.url}/ack?t=${link}`);
    await expect(page.locator('#question').textContent()).resolves.toContain(w.ackQ);
    expect((await store.repo.getOrder(sellerId, '113-1000000-0000002'))!.acknowledgement).toBeUndefined();
    await shot(page, name(6, 'ack-confirm'));
    await page.click('#confirm');
    await expect(page.locator('#done').textContent()).resolves.toContain(w.done);
    expect((await store.repo.getOrder(sellerId, '113-1000000-0000002'))!.acknowledgement).toMatchObject({ kind: 'handled', via: 'link' });
    await shot(page, name(7, 'ack-done'));
  });

  test('a denied consent is explained in plain words; the language switch shows the other language', async () => {
    await page.goto(`${server.url}/authorize`);
    await page.check('input[name=marketplaces][value=DE]');
    fake.sellingPartnerId = `${sellerId}X`;
    await page.click('#continue');
    await page.waitForURL(`${fake.url}/apps/authorize/consent?**`);
    await page.click('#cancel');
    await page.waitForURL(`${server.url}/authorize/callback?**`);
    await expect(page.locator('#failure').textContent()).resolves.toContain(w.denied);
    await shot(page, name(8, 'authorize-denied'));

    await page.goto(`${server.url}/setup?t=${setupLink(sellerId)}`);
    await expect(page.locator('#lang-switch').textContent()).resolves.toBe(w.switchTo);
    await page.click('#lang-switch');
    await expect(page.locator('h1').textContent()).resolves.toBe(w.other);
    await shot(page, name(9, 'setup-switched-language'));
  });
});

/** Links as an alert would carry them, signed with the server's key file. */
function key(): Buffer {
  return Buffer.from(readFileSync(join(dataDir, 'link-key'), 'utf8').split('\n')[0]!.trim(), 'utf8');
}
function ackLink(sellerId: string, orderId: string): string {
  return signLink(linkClaims(sellerId, 'ack', Date.now(), { orderId }), key());
}
function setupLink(sellerId: string): string {
  return signLink(linkClaims(sellerId, 'setup', Date.now()), key());
}
