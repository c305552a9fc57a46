/**
 * The pages, rendered on the server from escaped templates (./html.ts). No page carries buyer data:
 * only order IDs, marketplaces, statuses, times and the seller's own address and name. The only
 * script is the copy button and the live check of the setup page, inline with the response's CSP
 * nonce; it writes text only (textContent), never markup.
 */
import { marketplaceByKey, type Marketplace } from '../domain/marketplaces';
import { html, trustedHtml, type Html } from './html';
import type { WebLanguage, Words } from './words';

export interface PageContext {
  lang: WebLanguage;
  w: Words;
  nonce: string;
  /** The same page in the other language. */
  switchHref?: string;
  testMode?: boolean;
}

const STYLE = `
:root{color-scheme:light;--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--card:#fff;--accent:#0b5cad;--bad:#b3261e;--warn:#8a5a00;--ok:#1e6b35}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.75rem 1rem;background:var(--card);border-bottom:1px solid var(--line)}
header .brand{font-weight:600}header a{color:var(--accent)}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}section>h2:first-child{margin-top:0}h3{margin:.75rem 0 .25rem}
.order-id{white-space:nowrap;font-variant-numeric:tabular-nums}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem}
.muted{color:var(--muted)}.small{font-size:.875rem}
.address{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.address code{font-size:1.05rem;padding:.4rem .6rem;background:var(--bg);border:1px solid var(--line);border-radius:6px;word-break:break-all}
button,.button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:var(--accent)}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text]{font:inherit;width:100%;max-width:24rem;padding:.45rem;border:1px solid var(--line);border-radius:6px}
fieldset{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.5rem .75rem}
fieldset label{display:inline-flex;gap:.35rem;font-weight:400;margin:.25rem 1rem .25rem 0}
ol li{margin:.35rem 0}
ul.links{padding-left:1.2rem}
.status-missing{color:var(--bad);font-weight:600}.status-awaiting{color:var(--warn);font-weight:600}.status-notified{color:var(--ok)}
.check[data-state=received]{border-color:var(--ok)}.check[data-state=waiting]{border-style:dashed}
.failure{border-color:var(--bad)}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.45rem .35rem;border-bottom:1px solid var(--line);vertical-align:top}
.market{display:grid;gap:.25rem}.chart img{max-width:100%;height:auto}
@media (max-width:40rem){table,thead,tbody,tr,th,td{display:block}thead{display:none}tr{border-bottom:1px solid var(--line);padding:.5rem 0}td{border:0;padding:.1rem 0}td::before{content:attr(data-label) ": ";color:var(--muted)}}
footer{max-width:60rem;margin:0 auto;padding:1rem;color:var(--muted);font-size:.875rem}
`;

const SCRIPT = `
for (const b of document.querySelectorAll('[data-copy]')) {
  b.addEventListener('click', async () => {
    const text = document.getElementById(b.dataset.copy).textContent;
    try { await navigator.clipboard.writeText(text); }
    catch { const r = document.createRange(); r.selectNodeContents(document.getElementById(b.dataset.copy)); const s = getSelection(); s.removeAllRanges(); s.addRange(r); document.execCommand('copy'); }
    b.textContent = b.dataset.done;
  });
}
const check = document.getElementById('check');
if (check && check.dataset.url && check.dataset.state !== 'received') {
  const poll = async () => {
    try {
      const r = await fetch(check.dataset.url, { cache: 'no-store', credentials: 'omit' });
      if (r.ok) {
        const j = await r.json();
        const box = document.getElementById('check-lines');
        box.replaceChildren(...j.lines.map((t) => { const p = document.createElement('p'); p.textContent = t; return p; }));
        check.dataset.state = j.received ? 'received' : 'waiting';
        if (j.received) return;
      }
    } catch {}
    setTimeout(poll, Number(check.dataset.every) || 3000);
  };
  setTimeout(poll, Number(check.dataset.every) || 3000);
}
`;

export function layout(ctx: PageContext, title: string, body: Html, opts: { script?: boolean } = {}): string {
  const { w } = ctx;
  return (
    '<!doctype html>' +
    html`<html lang="${w.htmlLang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title} · ${w.product}</title><style nonce="${ctx.nonce}">${trustedHtml(STYLE)}</style></head>
<body><header><span class="brand">${w.product}</span>${ctx.switchHref ? html`<a href="${ctx.switchHref}" hreflang="${ctx.lang === 'en' ? 'zh-CN' : 'en'}" id="lang-switch">${w.switchTo}</a>` : ''}</header>
<main><h1>${title}</h1>${ctx.testMode ? html`<p class="muted small">${w.fakeNote}</p>` : ''}${body}</main>
<footer>${w.footer}</footer>${opts.script ? html`<script nonce="${ctx.nonce}">${trustedHtml(SCRIPT)}</script>` : ''}</body></html>`.value
  );
}

// ---- authorize ----------------------------------------------------------------------------------

export interface StartForm {
  marketplacesByRegion: Array<{ region: 'NA' | 'EU' | 'FE'; marketplaces: Marketplace[] }>;
  /** Appstore flow: Amazon's callback and state, carried through the form. */
  amazonCallbackUri?: string;
  amazonState?: string;
}

export function startPage(ctx: PageContext, form: StartForm): string {
  const { w } = ctx;
  const body = html`<section><p>${w.startIntro}</p>
<form method="get" action="/authorize/start">
${form.amazonCallbackUri ? html`<input type="hidden" name="amazon_callback_uri" value="${form.amazonCallbackUri}"><input type="hidden" name="amazon_state" value="${form.amazonState ?? ''}">` : ''}
<input type="hidden" name="lang" value="${ctx.lang}">
<label for="name">${w.shopName}</label><input type="text" id="name" name="name" maxlength="80" autocomplete="organization"><div class="muted small">${w.shopNameHint}</div>
<label>${w.marketplaces}</label><div class="muted small">${w.marketplacesHint}</div>
${form.marketplacesByRegion.map(
  (g) => html`<fieldset><legend>${w.regions[g.region]}</legend>${g.marketplaces.map(
    (m) => html`<label><input type="checkbox" name="marketplaces" value="${m.code}"> ${m.code} · ${m.key}</label>`,
  )}</fieldset>`,
)}
<label>${w.language}</label><fieldset><label><input type="radio" name="language" value="zh-CN"${ctx.lang === 'zh-CN' ? html` checked` : ''}> 中文</label><label><input type="radio" name="language" value="en"${ctx.lang === 'en' ? html` checked` : ''}> English</label></fieldset>
<p><button type="submit" id="continue">${w.continue}</button></p>
</form></section>`;
  return layout(ctx, w.startTitle, body);
}

export function failurePage(ctx: PageContext, message: string, retryHref?: string): string {
  const { w } = ctx;
  const body = html`<section class="failure" role="alert"><p id="failure">${message}</p>${retryHref ? html`<p><a class="button" href="${retryHref}">${w.tryAgain}</a></p>` : ''}</section>`;
  return layout(ctx, w.failureTitle, body);
}

// ---- setup ----------------------------------------------------------------------------------------

export interface CheckView {
  received: boolean;
  lines: string[];
}

export interface SetupView {
  sellerName: string;
  address: string;
  marketplaces: Marketplace[];
  check: CheckView;
  checkUrl: string;
  statusHref: string;
  pollMs: number;
}

export function setupPage(ctx: PageContext, v: SetupView): string {
  const { w } = ctx;
  const body = html`<p>${w.setupIntro(v.sellerName)}</p>
<section><h2>${w.address}</h2><div class="address"><code id="address">${v.address}</code><button type="button" class="secondary" data-copy="address" data-done="${w.copied}" id="copy">${w.copy}</button></div></section>
<section><h2>${w.stepsTitle}</h2><ol>${w.steps(v.address).map((s) => html`<li>${s}</li>`)}</ol>
<ul class="links">${v.marketplaces.map((m) => html`<li><a href="${m.sellerCentral}/notifications/preferences" rel="noopener noreferrer" target="_blank" data-marketplace="${m.key}">${w.openPreferences(m.key)}</a></li>`)}</ul></section>
<section class="check" id="check" data-state="${v.check.received ? 'received' : 'waiting'}" data-url="${v.checkUrl}" data-every="${v.pollMs}" aria-live="polite"><h2>${w.checkTitle}</h2><div id="check-lines">${v.check.lines.map((l) => html`<p>${l}</p>`)}</div></section>
<p><a href="${v.statusHref}" id="to-status">${w.toStatus}</a></p>`;
  return layout(ctx, w.setupTitle, body, { script: true });
}

// ---- status ---------------------------------------------------------------------------------------

export interface StatusMarketView {
  marketplace: string;
  lastEmail: string;
  missing: number;
  awaiting: number;
  cause?: string;
  remedy?: string;
  chart?: Html;
}

export interface StatusOrderView {
  orderId: string;
  marketplace: string;
  status: 'missing' | 'awaiting' | 'notified' | 'not-expected';
  deadline: string;
  email: string;
}

export function statusPage(ctx: PageContext, v: { sellerName: string; asOf: string; markets: StatusMarketView[]; orders: StatusOrderView[] }): string {
  const { w } = ctx;
  const body = html`<p class="muted">${v.sellerName} · ${w.generatedAt(v.asOf)}</p>
${v.markets.map(
  (m) => html`<section class="market" data-marketplace="${m.marketplace}"><h2>${marketplaceByKey(m.marketplace)?.code ?? ''} ${m.marketplace}</h2>
<div>${w.lastEmail}: ${m.lastEmail}</div>
<div>${m.missing > 0 ? html`<span class="status-missing">${w.missingCount(m.missing)}</span>` : ''} ${m.awaiting > 0 ? html`<span class="status-awaiting">${w.awaitingCount(m.awaiting)}</span>` : ''}${m.missing === 0 && m.awaiting === 0 ? html`<span class="status-notified">${w.allGood}</span>` : ''}</div>
${m.cause ? html`<p class="diagnosis"><strong>${w.causeLabel}:</strong> ${m.cause}<br><strong>${w.remedyLabel}:</strong> ${m.remedy ?? ''}</p>` : ''}
<h3 class="small">${w.weekTitle}</h3><div class="chart">${m.chart ?? html`<p class="muted small">${w.noChart}</p>`}</div></section>`,
)}
<section><h2>${w.openOrders}</h2>${
    v.orders.length === 0
      ? html`<p>${w.noOpenOrders}</p>`
      : html`<table id="orders"><thead><tr><th>${w.colOrder}</th><th>${w.colStatus}</th><th>${w.colDeadline}</th><th>${w.colEmail}</th></tr></thead><tbody>${v.orders.map(
          (o) => html`<tr data-order="${o.orderId}" data-status="${o.status}"><td data-label="${w.colOrder}"><span class="order-id">${o.orderId}</span><br><span class="muted small">${o.marketplace}</span></td><td data-label="${w.colStatus}" class="status-${o.status}">${w.statuses[o.status]}</td><td data-label="${w.colDeadline}">${o.deadline}</td><td data-label="${w.colEmail}">${o.email}</td></tr>`,
        )}</tbody></table>`
  }</section>`;
  return layout(ctx, w.statusTitle, body);
}

// ---- acknowledge / snooze -------------------------------------------------------------------------

export function confirmPage(ctx: PageContext, v: { kind: 'ack' | 'snooze'; question: string; button: string; action: string; token: string; csrf: string }): string {
  const { w } = ctx;
  const body = html`<section><p id="question">${v.question}</p>
<form method="post" action="${v.action}"><input type="hidden" name="token" value="${v.token}"><input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="lang" value="${ctx.lang}">
<button type="submit" id="confirm">${v.button}</button></form><p class="muted small">${w.whyConfirm}</p></section>`;
  return layout(ctx, v.kind === 'ack' ? w.ackTitle : w.snoozeTitle, body);
}

export function donePage(ctx: PageContext, title: string, message: string, statusHref?: string): string {
  const body = html`<section role="status"><p id="done">${message}</p></section>${statusHref ? html`<p><a href="${statusHref}" id="to-status">${ctx.w.toStatus}</a></p>` : ''}`;
  return layout(ctx, title, body);
}
