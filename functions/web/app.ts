/**
 * The seller web: ONE request handler behind both the Lambda Function URL
 * (functions/handlers/seller-web.ts) and `shipnow serve` (functions/local/commands/serve.ts).
 *
 *   GET  /authorize             start page (also the login URI of the Appstore flow:
 *                               amazon_callback_uri, amazon_state, selling_partner_id)
 *   GET  /authorize/start       signs a single-use `state` and redirects to Seller Central's consent
 *   GET  /authorize/callback    the redirect URI: state, selling_partner_id, spapi_oauth_code
 *   GET  /setup?t=LINK          inbound address, Seller Central steps, live check
 *   GET  /setup/check?t=LINK    the live check as JSON (polled by the setup page)
 *   GET  /status?t=LINK         open orders, missing first by deadline, diagnosis, weekly chart
 *   GET  /ack?t=LINK, /snooze?t=LINK   a confirmation form (mail scanners prefetch links)
 *   POST /ack, /snooze          performs it (CSRF token bound to the link)
 *
 * Five routes need no router: a switch on method and path. Access is by per-seller signed,
 * expiring links (functions/domain/signed-links.ts): the seller ID comes from the verified token
 * only, never from the query, and each page accepts only its own purpose. Every response carries
 * the security headers (CSP with a per-response nonce, HSTS, nosniff, no referrer, no framing,
 * no caching).
 */
import { randomBytes } from 'node:crypto';
import { LwaExchangeError, exchangeAuthorizationCode } from '../adapters/lwa-authorization';
import type { UsedStateStore } from '../adapters/dynamodb/used-states';
import { countdown, diagnosisWords, formatTime } from '../domain/alert-message';
import { buildHistory, diagnose } from '../domain/diagnosis';
import { inboundAddress } from '../domain/inbound';
import { MARKETPLACES, marketplaceByCode, marketplaceByKey, type Marketplace, type Region } from '../domain/marketplaces';
import type { AcknowledgementStore, IntakeLedger, LastEmailRecord, SellerSecretStore, SentinelRepository } from '../domain/ports';
import { linkClaims, signLink, verifyLink, type LinkClaims, type LinkPurpose } from '../domain/signed-links';
import { DEFAULT_POLICY, type IsoTime, type Seller } from '../domain/types';
import { AUTHORIZE_STATE_LIFETIME_SECONDS, csrfToken, signAuthorizeState, verifyAuthorizeState, verifyCsrfToken } from '../domain/web-tokens';
import { byUrgency } from '../local/format';
import { createSellerWithAlias } from '../services/manage-sellers';
import { sellerReport } from '../services/seller-report';
import { trustedHtml } from './html';
import type { WeeklyCharts } from './weekly-charts';
import { confirmPage, donePage, failurePage, setupPage, startPage, statusPage, type CheckView, type PageContext, type StatusOrderView } from './pages';
import { DEFAULT_WEB_RATE_LIMITS, RateLimiter, type WebRateLimits } from './rate-limiter';
import { chooseLanguage, words, type FailureCode, type WebLanguage } from './words';

export interface WebRequest {
  method: string;
  /** Path without the query, e.g. `/setup`. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Raw body (a form: application/x-www-form-urlencoded). */
  body: string;
  sourceIp: string;
  /** `https://host` the request came to (for the redirect URI when none is configured). */
  origin: string;
}

export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SpApiApp {
  /** The app's ID in Solution Provider Portal (`amzn1.sp.solution....`): `application_id` of the consent URI. */
  applicationId: string;
  clientId: string;
  clientSecret: string;
}

export interface WebAppDeps {
  repo: SentinelRepository;
  ledger: Pick<IntakeLedger, 'lastEmails'>;
  acks: AcknowledgementStore;
  secrets: SellerSecretStore;
  usedStates: UsedStateStore;
  /** Link keys, current first (rotation: the retired ones after it). */
  linkKeys: () => Promise<readonly Uint8Array[]>;
  authorization: {
    /** undefined: not configured (the callback says so in plain words). */
    app: () => Promise<SpApiApp | undefined>;
    /** Login with Amazon's token endpoint (default https://api.amazon.com/auth/o2/token). */
    tokenEndpoint?: string;
    /** Draft app (`version=beta` on the consent URI). */
    draft: boolean;
    /** Tests and the local fake only: the origin that stands in for every Seller Central. */
    sellerCentralOrigin?: string;
    fetch?: (url: string, init: RequestInit) => Promise<Response>;
  };
  /** Public origin of the pages (the redirect URI is `<origin>/authorize/callback`); default: the request's. */
  publicOrigin?: string;
  inboundDomain: string;
  now: () => Date;
  random?: (n: number) => Uint8Array;
  rateLimits?: WebRateLimits;
  /** The weekly chart of each marketplace, drawn by the server (./weekly-charts.ts); absent: none shown. */
  weeklyCharts?: WeeklyCharts;
  /** Live check polling interval of the setup page (ms). */
  pollMs?: number;
  /** Shows that Seller Central and LWA are local fakes. */
  testMode?: boolean;
  /** One line per notable event (IDs and outcomes only, never tokens or codes). */
  log?: (event: string, data: Record<string, unknown>) => void;
}

export type WebHandler = (req: WebRequest) => Promise<WebResponse>;

const SELLING_PARTNER_ID = /^[A-Z0-9]{6,32}$/;
const SNOOZE_DEFAULT_MINUTES = 240;
const OPEN_STATES = new Set(['PendingAvailability', 'Pending', 'Unshipped', 'PartiallyShipped']);

export function makeWebApp(deps: WebAppDeps): WebHandler {
  const limiter = new RateLimiter();
  const limits = deps.rateLimits ?? DEFAULT_WEB_RATE_LIMITS;
  const random = deps.random ?? ((n: number) => randomBytes(n));
  const log = deps.log ?? (() => undefined);

  return async (req) => {
    const nonce = Buffer.from(random(16)).toString('base64url');
    const nowMs = deps.now().getTime();
    const lang = chooseLanguage(req.query.get('lang') ?? formValue(req, 'lang'), req.headers['accept-language']);
    const ctx: PageContext = { lang, w: words(lang), nonce, switchHref: switchHref(req, lang), ...(deps.testMode ? { testMode: true } : {}) };
    const respond = (status: number, body: string, extra: Record<string, string> = {}): WebResponse => ({
      status,
      headers: { ...securityHeaders(nonce, req.path === '/authorize' || req.path === '/' ? consentOrigins(deps) : []), 'content-type': 'text/html; charset=utf-8', ...extra },
      body,
    });
    const fail = (status: number, code: FailureCode, retry?: boolean, extra: Record<string, string> = {}): WebResponse => {
      log('web-failure', { path: req.path, code });
      return respond(status, failurePage(ctx, ctx.w.failures[code], retry ? `/authorize?lang=${lang}` : undefined), extra);
    };

    const ip = limiter.take(`ip:${req.sourceIp}`, limits.perIp, nowMs);
    if (!ip.ok) return fail(429, 'rate-limited', false, { 'retry-after': String(ip.retryAfterSeconds) });

    const sellerLink = async (purposes: readonly LinkPurpose[]): Promise<{ ok: true; claims: LinkClaims; seller: Seller; token: string } | { ok: false; res: WebResponse }> => {
      // `token` (what alerts carry, functions/domain/alert-links.ts), or the short `t`.
      const token = req.query.get('token') ?? req.query.get('t') ?? formValue(req, 'token') ?? formValue(req, 't') ?? '';
      const verdict = verifyLink(token, await deps.linkKeys(), nowMs, purposes);
      if (!verdict.ok) return { ok: false, res: fail(verdict.reason === 'expired' ? 410 : 403, `link-${verdict.reason}`) };
      const perSeller = limiter.take(`seller:${verdict.claims.sellerId}`, limits.perSeller, nowMs);
      if (!perSeller.ok) return { ok: false, res: fail(429, 'rate-limited', false, { 'retry-after': String(perSeller.retryAfterSeconds) }) };
      const seller = await deps.repo.getSeller(verdict.claims.sellerId);
      if (!seller) return { ok: false, res: fail(404, 'link-unknown-seller') };
      return { ok: true, claims: verdict.claims, seller, token };
    };
    const link = async (sellerId: string, purpose: LinkPurpose, extra: Record<string, string> = {}) => {
      const [key] = await deps.linkKeys();
      const token = signLink(linkClaims(sellerId, purpose, nowMs), key!);
      return `/${purpose}?${new URLSearchParams({ token, lang, ...extra }).toString()}`;
    };

    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'GET /favicon.ico':
        return { status: 204, headers: securityHeaders(nonce, []), body: '' };
      case 'GET /':
      case 'GET /authorize':
        return startRoute();
      case 'GET /authorize/start':
        return authorizeStart();
      case 'GET /authorize/callback':
        return authorizeCallback();
      case 'GET /setup':
        return setupRoute();
      case 'GET /setup/check':
        return setupCheck();
      case 'GET /status':
        return statusRoute();
      case 'GET /ack':
      case 'GET /snooze':
      case 'POST /ack':
      case 'POST /snooze':
        // Alerts link both answers to /ack (the token's purpose says which); /snooze takes snooze links only.
        return ackRoute(req.path === '/ack' ? ['ack', 'snooze'] : ['snooze'], req.method === 'POST');
      default:
        if (['/', '/authorize', '/authorize/start', '/authorize/callback', '/setup', '/setup/check', '/status', '/ack', '/snooze'].includes(req.path)) {
          return fail(405, 'method', false, { allow: req.path === '/ack' || req.path === '/snooze' ? 'GET, POST' : 'GET' });
        }
        return fail(404, 'not-found');
    }

    // ---- authorize ------------------------------------------------------------------------------

    function startRoute(): WebResponse {
      const callback = req.query.get('amazon_callback_uri') ?? undefined;
      if (callback !== undefined && !isSellerCentralUrl(callback, deps)) return fail(400, 'bad-callback-uri', true);
      const regions: Region[] = ['NA', 'EU', 'FE'];
      return respond(
        200,
        startPage(ctx, {
          marketplacesByRegion: regions.map((region) => ({ region, marketplaces: MARKETPLACES.filter((m) => m.region === region) })),
          ...(callback ? { amazonCallbackUri: callback, amazonState: req.query.get('amazon_state') ?? '' } : {}),
        }),
      );
    }

    async function authorizeStart(): Promise<WebResponse> {
      const codes = req.query.getAll('marketplaces').flatMap((v) => v.split(',')).map((c) => c.trim()).filter(Boolean);
      const chosen = codes.map((c) => marketplaceByCode(c.toUpperCase()) ?? marketplaceByKey(c.toLowerCase()));
      if (chosen.length === 0 || chosen.some((m) => !m)) return fail(400, 'unknown-marketplace', true);
      const markets = [...new Map((chosen as Marketplace[]).map((m) => [m.key, m])).values()];
      const region = markets[0]!.region;
      if (markets.some((m) => m.region !== region)) return fail(400, 'mixed-regions', true);
      const callback = req.query.get('amazon_callback_uri') ?? undefined;
      if (callback !== undefined && !isSellerCentralUrl(callback, deps)) return fail(400, 'bad-callback-uri', true);
      const app = await deps.authorization.app();
      if (!app) return fail(503, 'not-configured');
      const name = (req.query.get('name') ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 80);
      const language = req.query.get('language');
      const [key] = await deps.linkKeys();
      const state = signAuthorizeState(
        {
          nonce: Buffer.from(random(18)).toString('base64url'),
          region,
          marketplaces: markets.map((m) => m.key),
          ...(name ? { name } : {}),
          ...(language === 'en' || language === 'zh-CN' ? { language } : {}),
          expiresAt: Math.floor(nowMs / 1000) + AUTHORIZE_STATE_LIFETIME_SECONDS,
        },
        key!,
      );
      const redirectUri = `${deps.publicOrigin ?? req.origin}/authorize/callback`;
      let target: URL;
      if (callback) {
        // Appstore flow: back to Amazon's callback with our redirect URI, its state and ours.
        target = new URL(callback);
        target.searchParams.set('redirect_uri', redirectUri);
        target.searchParams.set('amazon_state', req.query.get('amazon_state') ?? '');
        target.searchParams.set('state', state);
      } else {
        target = new URL('/apps/authorize/consent', deps.authorization.sellerCentralOrigin ?? markets[0]!.sellerCentral);
        target.searchParams.set('application_id', app.applicationId);
        target.searchParams.set('state', state);
        target.searchParams.set('redirect_uri', redirectUri);
      }
      if (deps.authorization.draft) target.searchParams.set('version', 'beta');
      log('authorize-start', { region, marketplaces: markets.map((m) => m.code) });
      return respond(303, '', { location: target.toString() });
    }

    async function authorizeCallback(): Promise<WebResponse> {
      const perIp = limiter.take(`authorize:${req.sourceIp}`, limits.authorizePerIp, nowMs);
      if (!perIp.ok) return fail(429, 'rate-limited', false, { 'retry-after': String(perIp.retryAfterSeconds) });
      const q = req.query;
      const verdict = verifyAuthorizeState(q.get('state'), await deps.linkKeys(), nowMs);
      if (!verdict.ok) return fail(400, verdict.reason === 'expired' ? 'expired-state' : 'invalid-state', true);
      const state = verdict.value;
      const code = q.get('spapi_oauth_code');
      if (q.has('error') || !code) return fail(400, 'denied', true);
      const sellingPartnerId = q.get('selling_partner_id') ?? '';
      if (!SELLING_PARTNER_ID.test(sellingPartnerId)) return fail(400, 'bad-callback', true);
      // Single use, recorded BEFORE the code is exchanged: a replayed answer never reaches LWA.
      if ((await deps.usedStates.use(state.nonce, state.expiresAt, new Date(nowMs).toISOString())) === 'reused') return fail(409, 'reused-state', true);
      // The selling partner ID comes in the query string, not from LWA: never let an answer take
      // over (or reveal the links of) a seller that exists. Re-authorizing is the operator's step.
      if (await deps.repo.getSeller(sellingPartnerId)) return fail(409, 'already-connected');
      const app = await deps.authorization.app();
      if (!app) return fail(503, 'not-configured');
      let refreshToken: string;
      try {
        ({ refreshToken } = await exchangeAuthorizationCode(
          { code, redirectUri: `${deps.publicOrigin ?? req.origin}/authorize/callback`, clientId: app.clientId, clientSecret: app.clientSecret },
          { ...(deps.authorization.tokenEndpoint ? { tokenEndpoint: deps.authorization.tokenEndpoint } : {}), ...(deps.authorization.fetch ? { fetch: deps.authorization.fetch } : {}) },
        ));
      } catch (err) {
        if (!(err instanceof LwaExchangeError)) throw err;
        return fail(err.failure === 'unavailable' ? 502 : 400, `lwa-${err.failure}`, true);
      }
      const at = new Date(nowMs).toISOString();
      await deps.secrets.putSellerSecret(sellingPartnerId, 'sp-api', { refreshTokens: { [state.region]: refreshToken }, sellingPartnerId, authorizedAt: at });
      const created = await createSellerWithAlias(
        deps.repo,
        {
          sellerId: sellingPartnerId,
          name: state.name || sellingPartnerId,
          marketplaces: state.marketplaces,
          ...(state.language ? { language: state.language } : {}),
          createdAt: at,
        },
        random,
      );
      if (created.result === 'exists') return fail(409, 'already-connected');
      log('seller-authorized', { sellerId: sellingPartnerId, region: state.region, marketplaces: state.marketplaces });
      return respond(303, '', { location: await link(sellingPartnerId, 'setup', { lang: state.language ?? lang }) });
    }

    // ---- setup ----------------------------------------------------------------------------------

    async function setupRoute(): Promise<WebResponse> {
      const l = await sellerLink(['setup']);
      if (!l.ok) return l.res;
      const { seller, token } = l;
      const markets = seller.marketplaces.map((k) => marketplaceByKey(k)).filter((m): m is Marketplace => Boolean(m));
      const check = await liveCheck(seller);
      return respond(
        200,
        setupPage(ctx, {
          sellerName: seller.name,
          address: seller.inboundAlias ? inboundAddress(seller.inboundAlias, deps.inboundDomain) : '—',
          marketplaces: markets,
          check,
          checkUrl: `/setup/check?${new URLSearchParams({ token, lang }).toString()}`,
          statusHref: await link(seller.sellerId, 'status'),
          pollMs: deps.pollMs ?? 3000,
        }),
      );
    }

    async function setupCheck(): Promise<WebResponse> {
      const l = await sellerLink(['setup']);
      if (!l.ok) return { ...l.res, headers: { ...l.res.headers } };
      const check = await liveCheck(l.seller);
      return { status: 200, headers: { ...securityHeaders(nonce, []), 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(check) };
    }

    async function liveCheck(seller: Seller): Promise<CheckView> {
      const w = ctx.w;
      const emails = (await deps.ledger.lastEmails(seller.sellerId)).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
      if (emails.length === 0) return { received: false, lines: [w.checkWaiting] };
      const lines: string[] = [];
      for (const e of emails) {
        lines.push(w.checkReceived(e.marketplace, when(e.receivedAt, e.marketplace)));
        if (authentic(e)) lines.push(w.checkAuthentic);
        lines.push(w.checkVerdicts(e.facts.spf, e.facts.dkim, e.facts.dmarc));
      }
      return { received: true, lines };
    }

    // ---- status ---------------------------------------------------------------------------------

    async function statusRoute(): Promise<WebResponse> {
      const l = await sellerLink(['status']);
      if (!l.ok) return l.res;
      const { seller } = l;
      const now = new Date(nowMs).toISOString();
      const [report, stored, lastEmails, charts] = await Promise.all([
        sellerReport(deps.repo, seller.sellerId, now, DEFAULT_POLICY),
        deps.repo.listOrders(seller.sellerId),
        deps.ledger.lastEmails(seller.sellerId),
        deps.weeklyCharts ? deps.weeklyCharts(seller, now, lang) : Promise.resolve({} as Record<string, string>),
      ]);
      const open = new Set(stored.filter((o) => OPEN_STATES.has(o.orderState)).map((o) => o.orderId));
      const rows = byUrgency(report.orders.filter((r) => open.has(r.orderId)));
      const diagnosis = diagnose(
        buildHistory(
          report.orders.map((r) => ({ marketplace: r.marketplace, expectedBy: r.expectedBy, ...(r.notifiedAt ? { notifiedAt: r.notifiedAt } : {}) })),
          lastEmails.map((e) => ({ marketplace: e.marketplace, receivedAt: e.receivedAt, spf: e.facts.spf, ...(e.facts.spam ? { spam: e.facts.spam } : {}), forwarded: e.facts.forwarding?.forwarded ?? false })),
          now,
        ),
      );
      const dw = diagnosisWords(lang);
      const marketKeys = [...new Set([...seller.marketplaces, ...rows.map((r) => r.marketplace).filter((m): m is string => Boolean(m))])];
      const markets = await Promise.all(
        marketKeys.map((m) => {
          const inMarket = rows.filter((r) => r.marketplace === m);
          const missing = inMarket.filter((r) => r.status === 'missing').length;
          const awaiting = inMarket.filter((r) => r.status === 'awaiting').length;
          const last = lastEmails.find((e) => e.marketplace === m);
          const cause = missing > 0 ? (diagnosis.cause === 'notification-preferences' && diagnosis.marketplace !== m ? 'unknown' : diagnosis.cause) : undefined;
          const chart = charts[m];
          return {
            marketplace: m,
            lastEmail: last ? when(last.receivedAt, m) : ctx.w.never,
            missing,
            awaiting,
            ...(cause ? { cause: dw.causes[cause], remedy: dw.remedies[cause] } : {}),
            ...(chart ? { chart: trustedHtml(chart) } : {}),
          };
        }),
      );
      const orders: StatusOrderView[] = rows.map((r) => {
        const m = r.marketplace ?? '';
        const deadlines = [
          ...(r.shipBy ? [{ kind: 'ship-by' as const, at: r.shipBy }] : []),
          ...(r.autoCancelAt ? [{ kind: 'auto-cancel' as const, at: r.autoCancelAt }] : []),
        ].sort((a, b) => a.at.localeCompare(b.at));
        const first = deadlines[0];
        return {
          orderId: r.orderId,
          marketplace: m,
          status: r.status,
          deadline: first ? ctx.w.deadline(first.kind, countdown(first.at, now, lang), zoned(first.at, m)) : ctx.w.noDeadline,
          email: r.notifiedAt ? ctx.w.emailArrived(zoned(r.notifiedAt, m)) : r.expectedBy ? ctx.w.emailDue(zoned(r.expectedBy, m)) : '—',
        };
      });
      return respond(200, statusPage(ctx, { sellerName: seller.name, asOf: zoned(now, seller.marketplaces[0] ?? ''), markets, orders }));
    }

    // ---- acknowledge / snooze -------------------------------------------------------------------

    async function ackRoute(purposes: Array<'ack' | 'snooze'>, post: boolean): Promise<WebResponse> {
      const l = await sellerLink(purposes);
      if (!l.ok) return l.res;
      const { claims, token, seller } = l;
      const kind = claims.purpose === 'snooze' ? 'snooze' : 'ack';
      const orderId = claims.orderId;
      if (!orderId) return fail(403, 'link-malformed');
      const minutes = claims.snoozeMinutes ?? SNOOZE_DEFAULT_MINUTES;
      const hours = formatDuration(minutes, lang);
      const w = ctx.w;
      const statusHref = await link(seller.sellerId, 'status');
      if (!post) {
        const [key] = await deps.linkKeys();
        return respond(
          200,
          confirmPage(ctx, {
            kind,
            question: kind === 'ack' ? w.ackQuestion(orderId) : w.snoozeQuestion(orderId, hours),
            button: kind === 'ack' ? w.ackButton : w.snoozeButton(hours),
            action: req.path,
            token,
            csrf: csrfToken(token, key!, nowMs),
          }),
        );
      }
      if (!sameOrigin(req) || !verifyCsrfToken(formValue(req, 'csrf'), token, await deps.linkKeys(), nowMs).ok) return fail(403, 'csrf');
      const at = new Date(nowMs).toISOString();
      const until = new Date(nowMs + minutes * 60_000).toISOString();
      const result = await deps.acks.acknowledge(
        seller.sellerId,
        orderId,
        kind === 'ack' ? { kind: 'handled', at, via: 'link' } : { kind: 'snoozed', at, until, via: 'link' },
      );
      log('order-acknowledged', { sellerId: seller.sellerId, orderId, kind, result });
      const title = kind === 'ack' ? w.ackTitle : w.snoozeTitle;
      if (result === 'unknown-order') return respond(404, donePage(ctx, title, w.ackUnknownOrder(orderId), statusHref));
      const stored = (await deps.repo.getOrder(seller.sellerId, orderId))?.marketplace ?? seller.marketplaces[0] ?? '';
      return respond(200, donePage(ctx, title, kind === 'ack' ? w.ackDone(orderId) : w.snoozeDone(orderId, zoned(until, stored)), statusHref));
    }

    // ---- helpers --------------------------------------------------------------------------------

    function zoned(iso: IsoTime, marketplace: string): string {
      return formatTime(iso, marketplaceByKey(marketplace)?.timeZone ?? 'UTC');
    }
    function when(iso: IsoTime, marketplace: string): string {
      return `${zoned(iso, marketplace)} (${countdown(iso, new Date(nowMs).toISOString(), lang)})`;
    }
  };
}

/** Accepted emails are authentic (the intake accepts only those); the verdicts say why. */
function authentic(e: LastEmailRecord): boolean {
  return e.facts.dmarc === 'pass' || e.facts.dkim === 'pass';
}

function formatDuration(minutes: number, lang: WebLanguage): string {
  const h = minutes / 60;
  if (Number.isInteger(h)) return lang === 'zh-CN' ? `${h} 小时` : `${h} h`;
  return lang === 'zh-CN' ? `${minutes} 分钟` : `${minutes} min`;
}

function formValue(req: WebRequest, name: string): string | null {
  if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return null;
  return new URLSearchParams(req.body).get(name);
}

/** A browser says where a form came from (Sec-Fetch-Site, Origin): a cross-site post is refused. */
function sameOrigin(req: WebRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null' && origin !== req.origin) return false;
  return true;
}

function switchHref(req: WebRequest, lang: WebLanguage): string | undefined {
  if (req.method !== 'GET') return undefined;
  // The authorization's own steps are not repeatable (single-use state): switch on the start page.
  if (req.path.startsWith('/authorize/')) return `/authorize?lang=${lang === 'en' ? 'zh-CN' : 'en'}`;
  const q = new URLSearchParams(req.query);
  q.set('lang', lang === 'en' ? 'zh-CN' : 'en');
  return `${req.path}?${q.toString()}`;
}

function isSellerCentralUrl(value: string, deps: Pick<WebAppDeps, 'authorization'>): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  const allowed = new Set(consentOrigins(deps));
  return allowed.has(u.origin) && (u.protocol === 'https:' || u.origin === deps.authorization.sellerCentralOrigin);
}

/** Where the start form may lead (CSP form-action follows the redirect): every Seller Central. */
function consentOrigins(deps: Pick<WebAppDeps, 'authorization'>): string[] {
  const origins = new Set(MARKETPLACES.map((m) => new URL(m.sellerCentral).origin));
  if (deps.authorization.sellerCentralOrigin) origins.add(new URL(deps.authorization.sellerCentralOrigin).origin);
  return [...origins];
}

export function securityHeaders(nonce: string, formTargets: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "img-src 'self' data:",
      "connect-src 'self'",
      `form-action 'self'${formTargets.map((o) => ` ${o}`).join('')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}
