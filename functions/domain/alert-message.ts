/**
 * The alert message, pure: a model and its rendering in Chinese (zh-CN) and English, per seller
 * (default both, Chinese first). Every time is shown in the seller's time zone AND the
 * marketplace's (Seller Central shows the marketplace's); order ID, marketplace, order time,
 * ship-by and auto-cancel countdowns, a link to the order in that marketplace's Seller Central,
 * and the likely cause with its remedy. No buyer data exists to leak: alerts carry none.
 */
import { actionableOrder, alertActions, statusLink, type AlertAction, type LinkSigning } from './alert-links';
import { CHART_COLORS, dayLabel, weekRangeLabel, type WeekTotals, type WeeklyStats } from './weekly-stats';
import type { Alert, AlertLanguage } from './alert-model';
import type { AlertSettings } from './alert-settings';
import type { CauseCode, Diagnosis } from './diagnosis';
import { probeFindingText } from './mailbox-probe';
import { marketplaceByKey, sellerCentralOrderUrl } from './marketplaces';
import type { IsoTime } from './types';

export interface RenderedMessage {
  /** One line, both languages when both are on (`【订单通知缺失】 … / Sold, Ship Now email missing: …`). */
  subject: string;
  /** Plain text, one section per language. */
  text: string;
  /** The same in Markdown (Slack mrkdwn-compatible subset: *bold*, links as <url|text> are avoided). */
  markdown: string;
  /** The order link, for channels that show a button. */
  link?: string;
  /**
   * The same as an HTML body (email): escaped text, links as links, the "handled" / "snooze"
   * links as buttons. Inline styles only (mail clients drop style sheets).
   */
  html?: string;
  /** The signed "handled" / "snooze" links (alert-links.ts), for channels that show buttons. */
  actions?: AlertAction[];
}

type Dict = {
  title: Record<Alert['kind'], string>;
  resolved: Record<NonNullable<Alert['resolvedReason']>, string>;
  order: string;
  marketplace: string;
  ordered: string;
  emailDue: string;
  shipBy: string;
  autoCancel: string;
  yourTime: string;
  open: string;
  cause: string;
  remedy: string;
  causes: Record<CauseCode, string>;
  remedies: Record<CauseCode, string>;
  evidence: (m: string, arrived: number, expected: number, since: string) => string;
  missingBody: string;
  missingShippedBody: string;
  reminderBody: (deadline: string) => string;
  channelDown: (n: number, since: string | null) => string;
  syncBroken: (reason: string, since: string) => string;
  unknownOrder: (orderId: string, hours: string) => string;
  mailboxBroken: (host: string, reason: string, since: string) => string;
  mailboxFinding: string;
  in: (d: string) => string;
  ago: (d: string) => string;
  now: string;
  units: { d: string; h: string; m: string };
  digest: (n: number) => string;
  unknown: string;
  handled: string;
  snooze: (hours: number) => string;
  stopByCli: (command: string) => string;
  week: {
    totals: (t: WeekTotals) => string;
    worst: (marketplace: string, missing: number, expected: number) => string;
    line: (what: string, t: WeekTotals) => string;
    none: string;
    status: string;
    statusCli: (command: string) => string;
  };
};

const EN: Dict = {
  title: {
    'notification-missing': 'Sold, Ship Now email missing',
    'deadline-reminder': 'Deadline reminder: order still unshipped',
    resolved: 'Resolved',
    'channel-down': 'Notification channel down',
    'sync-broken': 'Order sync broken',
    'unknown-order': 'Email for an unknown order',
    'mailbox-broken': 'Mailbox connection broken',
    'weekly-report': 'Weekly report',
  },
  resolved: {
    'email-arrived-late': 'the Sold, Ship Now email arrived late',
    shipped: 'the order was shipped',
    cancelled: 'the order was cancelled',
    'no-longer-expected': 'the order no longer expects an email',
    'sync-recovered': 'order sync works again',
  },
  order: 'Order',
  marketplace: 'Marketplace',
  ordered: 'Ordered',
  emailDue: 'Email due by',
  shipBy: 'Ship by',
  autoCancel: 'Auto-cancel',
  yourTime: 'your time',
  open: 'Open in Seller Central',
  cause: 'Likely cause',
  remedy: 'What to do',
  causes: {
    'mail-blocked': 'all Amazon mail has stopped: the connection is blocked or the mail bounces',
    'mail-filtered': 'some notifications arrive and some do not: they are being filtered',
    'forwarding-path': 'mail that arrives is marked as spam or forwarded with SPF failing: the forwarding path loses mail',
    'notification-preferences': 'only one marketplace is affected: its Notification Preferences',
    unknown: 'not clear yet',
  },
  remedies: {
    'mail-blocked':
      'Contact your email provider (ISP) and confirm it is not filtering or blocking Amazon; check the contact address in Seller Central > Settings > Account Info; make sure the mailbox is not full.',
    'mail-filtered':
      'Check the junk/spam and trash folders and your mail rules; add seller-notification@amazon.com to your contacts.',
    'forwarding-path':
      'Fix the forwarding: forward with SRS (or without rewriting), whitelist Amazon at the forwarding mailbox, or have Amazon send straight to the monitored address.',
    'notification-preferences':
      "Open that marketplace's Seller Central > Settings > Notification Preferences > Order Notifications and check that Sold, Ship Now is on and sent to the right address.",
    unknown: 'Check Manage Orders in Seller Central and ship before the deadline.',
  },
  evidence: (m, a, e, since) => `${m}: ${a} of ${e} orders had an email since ${since}`,
  missingBody: 'No Sold, Ship Now email arrived for this order. Check Manage Orders in Seller Central and ship it in time.',
  missingShippedBody: 'This order has already shipped, but its Sold, Ship Now email never arrived: notifications are going missing.',
  reminderBody: (d) => `The order is still unshipped and its email never arrived. ${d}`,
  channelDown: (n, since) => `${n} orders in a row have had no Sold, Ship Now email, and no email at all arrived ${since ? `since ${since}` : 'yet'}.`,
  syncBroken: (reason, since) => `Orders can no longer be read from Amazon (${reason}) since ${since}. Re-authorise the app in Seller Central.`,
  unknownOrder: (id, hours) => `A Sold, Ship Now email for order ${id} arrived ${hours} ago, but no order source knows that order. Check the order in Seller Central and the order sync.`,
  mailboxBroken: (host, reason, since) =>
    `Sentinel can no longer read your mailbox at ${host} (${reason}) since ${since}. Create a new app password / authorization code and run: shipnow mailbox connect. Until then missing orders are still alerted, without the mailbox's evidence.`,
  mailboxFinding: 'In your mailbox',
  in: (d) => `in ${d}`,
  ago: (d) => `${d} ago`,
  now: 'now',
  units: { d: 'd', h: 'h', m: 'm' },
  digest: (n) => `${n} alerts`,
  unknown: 'unknown',
  handled: 'Handled (stop the reminders)',
  snooze: (h) => `Snooze ${h} h`,
  stopByCli: (c) => `To stop the reminders: ${c}`,
  week: {
    totals: (t) => `Orders expecting a Sold, Ship Now email: ${t.expected}; received ${t.received}, missing ${t.missing}; median delay ${t.medianDelayMinutes === null ? '–' : `${t.medianDelayMinutes} min`}.`,
    worst: (m, x, e) => `Most missing: ${m} (${x} of ${e}).`,
    line: (what, t) => `${what}: ${t.expected} expected, ${t.received} received, ${t.missing} missing, median delay ${t.medianDelayMinutes === null ? '–' : `${t.medianDelayMinutes} min`}`,
    none: 'No order expected an email this week.',
    status: "Status page (every open order, the week's chart)",
    statusCli: (c) => `Every open order: ${c}`,
  },
};

const ZH: Dict = {
  title: {
    'notification-missing': '未收到「Sold, Ship Now」邮件',
    'deadline-reminder': '截止提醒：订单仍未发货',
    resolved: '已解决',
    'channel-down': '通知渠道中断',
    'sync-broken': '订单同步中断',
    'unknown-order': '收到未知订单的邮件',
    'mailbox-broken': '邮箱连接中断',
    'weekly-report': '每周报告',
  },
  resolved: {
    'email-arrived-late': '「Sold, Ship Now」邮件迟到了，现已收到',
    shipped: '订单已发货',
    cancelled: '订单已取消',
    'no-longer-expected': '该订单已不再需要通知邮件',
    'sync-recovered': '订单同步已恢复',
  },
  order: '订单',
  marketplace: '站点',
  ordered: '下单时间',
  emailDue: '邮件应到时间',
  shipBy: '发货截止',
  autoCancel: '自动取消',
  yourTime: '您的时间',
  open: '在卖家平台打开',
  cause: '可能原因',
  remedy: '处理建议',
  causes: {
    'mail-blocked': '所有亚马逊邮件都已停止：连接被阻止或邮件被退回',
    'mail-filtered': '部分通知能收到、部分收不到：邮件被过滤',
    'forwarding-path': '收到的邮件被标记为垃圾邮件，或转发时 SPF 校验失败：转发链路丢失邮件',
    'notification-preferences': '只有一个站点受影响：该站点的通知首选项',
    unknown: '尚不明确',
  },
  remedies: {
    'mail-blocked':
      '联系您的邮箱服务商（ISP），确认其没有过滤或拦截亚马逊邮件；在卖家平台「设置 > 账户信息」中核对联系邮箱；确认邮箱未满。',
    'mail-filtered': '检查垃圾邮件和已删除文件夹以及邮件规则；将 seller-notification@amazon.com 加入联系人。',
    'forwarding-path': '修复转发：使用 SRS 转发（或不改写发件人），在转发邮箱中将亚马逊加入白名单，或让亚马逊直接发送到受监控的地址。',
    'notification-preferences': '打开该站点卖家平台「设置 > 通知首选项 > 订单通知」，确认已开启「Sold, Ship Now」并发送到正确的地址。',
    unknown: '请在卖家平台「管理订单」中查看，并在截止前发货。',
  },
  evidence: (m, a, e, since) => `${m}：自${since}以来 ${e} 个订单中有 ${a} 个收到邮件`,
  missingBody: '该订单没有收到「Sold, Ship Now」邮件。请在卖家平台「管理订单」中查看并按时发货。',
  missingShippedBody: '该订单已发货，但始终没有收到「Sold, Ship Now」邮件：通知邮件正在丢失。',
  reminderBody: (d) => `订单仍未发货，且通知邮件始终未到。${d}`,
  channelDown: (n, since) => `连续 ${n} 个订单没有收到「Sold, Ship Now」邮件，${since ? `自${since}以来` : '至今'}未收到任何邮件。`,
  syncBroken: (reason, since) => `自${since}起无法从亚马逊读取订单（${reason}）。请在卖家平台重新授权应用。`,
  unknownOrder: (id, hours) => `订单 ${id} 的「Sold, Ship Now」邮件已在 ${hours} 前到达，但没有任何订单来源包含该订单。请在卖家平台核对该订单并检查订单同步。`,
  mailboxBroken: (host, reason, since) =>
    `自${since}起 Sentinel 无法读取您在 ${host} 的邮箱（${reason}）。请重新生成应用专用密码/授权码，然后运行：shipnow mailbox connect。在此之前，缺失订单仍会照常提醒，只是没有邮箱中的证据。`,
  mailboxFinding: '您的邮箱中',
  in: (d) => `还剩 ${d}`,
  ago: (d) => `已过 ${d}`,
  now: '现在',
  units: { d: '天', h: '小时', m: '分钟' },
  digest: (n) => `${n} 条提醒`,
  unknown: '未知',
  handled: '已处理（停止提醒）',
  snooze: (h) => `暂停提醒 ${h} 小时`,
  stopByCli: (c) => `停止提醒：${c}`,
  week: {
    totals: (t) => `应收到「Sold, Ship Now」邮件的订单：${t.expected} 个；收到 ${t.received} 个，缺失 ${t.missing} 个；延迟中位数 ${t.medianDelayMinutes === null ? '–' : `${t.medianDelayMinutes} 分钟`}。`,
    worst: (m, x, e) => `缺失最多的站点：${m}（${e} 个中缺失 ${x} 个）。`,
    line: (what, t) => `${what}：应到 ${t.expected}，收到 ${t.received}，缺失 ${t.missing}，延迟中位数 ${t.medianDelayMinutes === null ? '–' : `${t.medianDelayMinutes} 分钟`}`,
    none: '本周没有需要通知邮件的订单。',
    status: '状态页面（所有未完成订单、本周图表）',
    statusCli: (c) => `查看所有未完成订单：${c}`,
  },
};

const DICTS: Record<AlertLanguage, Dict> = { 'zh-CN': ZH, en: EN };
const LOCALE: Record<AlertLanguage, string> = { 'zh-CN': 'zh-CN', en: 'en-GB' };

/** Languages in display order: Chinese first when both are on. */
function languages(settings: Pick<AlertSettings, 'languages'>): AlertLanguage[] {
  const order: AlertLanguage[] = ['zh-CN', 'en'];
  const chosen = order.filter((l) => settings.languages.includes(l));
  return chosen.length > 0 ? chosen : order;
}

/** `2026-11-28 13:00 GMT+1` in `timeZone`, independent of the machine's locale and zone. */
export function formatTime(iso: IsoTime, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}

/** A day the seller recognises: `Tuesday 24 Nov` / `11月24日星期二`. */
function formatDay(iso: IsoTime, timeZone: string, lang: AlertLanguage): string {
  return new Intl.DateTimeFormat(LOCALE[lang], { timeZone, weekday: 'long', day: 'numeric', month: lang === 'en' ? 'short' : 'numeric' }).format(new Date(iso));
}

export function countdown(target: IsoTime, now: IsoTime, lang: AlertLanguage): string {
  const d = DICTS[lang];
  const ms = Date.parse(target) - Date.parse(now);
  const m = Math.floor(Math.abs(ms) / 60_000);
  if (m === 0) return d.now;
  const days = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  const u = d.units;
  const sep = lang === 'en' ? ' ' : '';
  const text = days > 0 ? `${days}${u.d}${sep}${h}${u.h}` : h > 0 ? `${h}${u.h}${sep}${min}${u.m}` : `${min}${u.m}`;
  return ms > 0 ? d.in(text) : d.ago(text);
}

/** A time in the marketplace's zone and, when it differs, the seller's. */
function bothZones(iso: IsoTime, marketplaceTz: string | undefined, seller: string, d: Dict): string {
  if (!marketplaceTz || marketplaceTz === seller) return formatTime(iso, seller);
  return `${formatTime(iso, marketplaceTz)} (${d.yourTime} ${formatTime(iso, seller)})`;
}

function linkOf(alert: Alert): string | undefined {
  const orderId = alert.order?.orderId ?? alert.notification?.orderId;
  const m = alert.marketplace ? marketplaceByKey(alert.marketplace) : undefined;
  return m && orderId ? sellerCentralOrderUrl(m, orderId) : undefined;
}

/** A line of a section: text, or a labelled link (rendered per format). */
type Line = string | { label: string; url: string; action?: AlertAction['kind'] };

const plain = (l: Line): string => (typeof l === 'string' ? l : `${l.label}: ${l.url}`);

/** The answer links of an order alert, or how to answer from the CLI when the web is not set up. */
function actionLines(alert: Alert, actions: AlertAction[] | undefined, d: Dict): Line[] {
  if (actions && actions.length > 0) {
    return actions.map((a) => ({ label: a.kind === 'handled' ? d.handled : d.snooze(Math.round((a.snoozeMinutes ?? 0) / 6) / 10), url: a.url, action: a.kind }));
  }
  const orderId = actionableOrder(alert);
  if (!orderId) return [];
  return [d.stopByCli(`shipnow alerts ack --seller ${alert.sellerId} --order ${orderId} [--snooze 4h]`)];
}

/** The week in words: totals, the worst marketplace, each marketplace, each day. */
function weeklyLines(w: WeeklyStats, d: Dict, lang: AlertLanguage): Line[] {
  const out: Line[] = [d.week.totals(w.all.total)];
  if (w.all.total.expected === 0) return [d.week.none];
  if (w.worst) out.push(d.week.worst(w.worst.marketplace, w.worst.missing, w.worst.expected));
  for (const m of w.marketplaces) out.push(`  ${d.week.line(m.marketplace, m.total)}`);
  for (const day of w.all.days) out.push(`  ${d.week.line(dayLabel(day.day, lang), day)}`);
  return out;
}

/** The week as HTML bars (tables and cell colours: drawn by every mail client, unlike SVG). */
function weeklyChartHtml(w: WeeklyStats, lang: AlertLanguage): string {
  const max = Math.max(1, ...w.all.days.map((x) => x.expected));
  const px = (n: number) => Math.round((n / max) * 240);
  const unit = lang === 'en' ? ' min' : ' 分钟';
  const rows = w.all.days.map((x) => {
    const cells = [
      x.received > 0 ? `<td style="background:${CHART_COLORS.received};width:${px(x.received)}px;height:14px"></td>` : '',
      x.missing > 0 ? `<td style="background:${CHART_COLORS.missing};width:${px(x.missing)}px;height:14px"></td>` : '',
      '<td></td>',
    ].join('');
    const numbers = `${x.received} / <span style="color:${CHART_COLORS.missing}">${x.missing}</span>${x.medianDelayMinutes === null ? '' : ` · ${x.medianDelayMinutes}${unit}`}`;
    return `<tr><td style="padding:2px 8px 2px 0;white-space:nowrap">${escapeHtml(dayLabel(x.day, lang))}</td><td style="width:250px"><table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse"><tr>${cells}</tr></table></td><td style="padding:2px 0 2px 8px;white-space:nowrap">${numbers}</td></tr>`;
  });
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:12px;margin:8px 0">${rows.join('')}</table>`;
}

function section(alert: Alert, settings: AlertSettings, now: IsoTime, lang: AlertLanguage, actions?: AlertAction[], signing?: LinkSigning): Line[] {
  const d = DICTS[lang];
  const tz = settings.timeZone;
  const mp = alert.marketplace ? marketplaceByKey(alert.marketplace) : undefined;
  const mtz = mp?.timeZone;
  const at = (iso: IsoTime) => bothZones(iso, mtz, tz, d);
  const lines: Line[] = [];
  const head = alert.order ? `${d.title[alert.kind]}: ${alert.order.orderId}` : d.title[alert.kind];
  lines.push(alert.marketplace ? `${head} (${alert.marketplace})` : head);

  switch (alert.kind) {
    case 'weekly-report':
      if (alert.weekly) {
        lines[0] = `${d.title['weekly-report']}: ${weekRangeLabel(alert.weekly, lang)}`;
        lines.push(...weeklyLines(alert.weekly, d, lang));
        lines.push(
          signing ? { label: d.week.status, url: statusLink(alert.sellerId, signing) } : d.week.statusCli(`shipnow status --seller ${alert.sellerId}`),
        );
      }
      break;
    case 'notification-missing':
      lines.push(alert.order?.orderState === 'Shipped' ? d.missingShippedBody : d.missingBody);
      break;
    case 'deadline-reminder':
      if (alert.reminder) {
        const label = alert.reminder.deadline === 'ship-by' ? d.shipBy : d.autoCancel;
        lines.push(d.reminderBody(`${label}: ${countdown(alert.reminder.deadlineAt, now, lang)}`));
      }
      break;
    case 'resolved':
      if (alert.resolvedReason) lines.push(`${d.title.resolved}: ${d.resolved[alert.resolvedReason]}`);
      break;
    case 'channel-down':
      if (alert.channel) {
        lines.push(d.channelDown(alert.channel.missingInARow, alert.channel.lastEmailAt ? formatTime(alert.channel.lastEmailAt, tz) : null));
        lines.push(`${d.order}: ${alert.channel.orderIds.join(', ')}`);
      }
      break;
    case 'sync-broken':
      if (alert.sync) lines.push(d.syncBroken(alert.sync.reason, at(alert.sync.since)));
      break;
    case 'mailbox-broken':
      if (alert.mailbox) lines.push(d.mailboxBroken(alert.mailbox.host, alert.mailbox.reason, at(alert.mailbox.since)));
      break;
    case 'unknown-order':
      if (alert.notification) {
        lines.push(d.unknownOrder(alert.notification.orderId, countdown(alert.notification.receivedAt, now, 'en').replace(/ ago$/, '')));
      }
      break;
  }

  const o = alert.order;
  if (o) {
    lines.push(`${d.order}: ${o.orderId}`);
    lines.push(`${d.marketplace}: ${o.marketplace ?? d.unknown}`);
    lines.push(`${d.ordered}: ${at(o.purchaseDate)}`);
    if (alert.kind === 'notification-missing') lines.push(`${d.emailDue}: ${at(o.expectedBy)}`);
    if (alert.kind !== 'resolved') {
      if (o.shipBy) lines.push(`${d.shipBy}: ${at(o.shipBy)} — ${countdown(o.shipBy, now, lang)}`);
      if (o.autoCancelAt) lines.push(`${d.autoCancel}: ${at(o.autoCancelAt)} — ${countdown(o.autoCancelAt, now, lang)}`);
    }
  }
  const link = linkOf(alert);
  if (link) lines.push(`${d.open}: ${link}`);
  lines.push(...actionLines(alert, actions, d));

  // issue 14: what the seller's own mailbox shows comes first: it is evidence, not a pattern.
  if (alert.mailboxFinding && alert.kind !== 'resolved') lines.push(`${d.mailboxFinding}: ${probeFindingText(alert.mailboxFinding, lang)}`);
  const dx: Diagnosis | undefined = alert.diagnosis;
  if (dx && alert.kind !== 'resolved') {
    lines.push(`${d.cause}: ${d.causes[dx.cause]}`);
    for (const e of dx.evidence) lines.push(`  ${d.evidence(e.marketplace, e.arrived, e.expected, formatDay(e.since, tz, lang))}`);
    lines.push(`${d.remedy}: ${d.remedies[dx.cause]}`);
  }
  return lines;
}

const escapeHtml = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Escaped text with its http(s) URLs as links. */
function htmlText(t: string): string {
  return t
    .split(/(https?:\/\/[^\s<>"]+)/g)
    .map((part, i) => (i % 2 === 1 ? `<a href="${escapeHtml(part)}">${escapeHtml(part)}</a>` : escapeHtml(part)))
    .join('');
}

const BUTTON: Record<AlertAction['kind'], string> = {
  handled: 'background:#2e7d32;color:#ffffff',
  snooze: 'background:#eeeeee;color:#222222',
};

function htmlSection(lines: Line[], lang: AlertLanguage, extra = ''): string {
  const [head, ...rest] = lines;
  const buttons = rest.filter((l): l is Exclude<Line, string> => typeof l !== 'string' && l.action !== undefined);
  const body = rest
    .filter((l) => typeof l === 'string' || l.action === undefined)
    .map((l) => (typeof l === 'string' ? `<p style="margin:4px 0">${htmlText(l)}</p>` : `<p style="margin:4px 0"><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></p>`));
  const actions = buttons.map(
    (b) => `<a href="${escapeHtml(b.url)}" style="${BUTTON[b.action!]};display:inline-block;padding:8px 14px;margin:8px 8px 0 0;border-radius:4px;text-decoration:none;font-weight:bold">${escapeHtml(b.label)}</a>`,
  );
  return `<div lang="${lang}" style="font-family:Arial,'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.5"><h3 style="margin:0 0 8px">${htmlText(plain(head!))}</h3>${extra}${body.join('')}${actions.length > 0 ? `<p style="margin:8px 0">${actions.join('')}</p>` : ''}</div>`;
}

/** An HTML document around sections (the email body). */
function htmlDocument(inner: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head><body>${inner}</body></html>`;
}

/**
 * One alert, rendered in the seller's languages (default both: zh-CN, then English). With
 * `signing` (the web endpoint is set up), an order alert carries signed "handled" and
 * "snooze 4 h" links; without, it says how to stop its reminders from the CLI.
 */
export function renderAlert(alert: Alert, settings: AlertSettings, now: IsoTime, signing?: LinkSigning): RenderedMessage {
  const langs = languages(settings);
  const actions = signing ? alertActions(alert, signing) : undefined;
  const lined = langs.map((l) => section(alert, settings, now, l, actions, signing));
  const sections = lined.map((ls) => ls.map(plain));
  const md = lined.map((ls) => ls.map((l) => (typeof l === 'string' ? l : `[${l.label}](${l.url})`)));
  const subject = langs
    .map((l) => {
      const d = DICTS[l];
      if (alert.weekly) return `${d.title[alert.kind]}: ${weekRangeLabel(alert.weekly, l)}`;
      return alert.order ? `${d.title[alert.kind]}: ${alert.order.orderId}` : `${d.title[alert.kind]}${alert.marketplace ? ` (${alert.marketplace})` : ''}`;
    })
    .join(' / ');
  const link = linkOf(alert);
  return {
    subject: `[ShipNow Sentinel] ${subject}`,
    text: sections.map((s) => s.join('\n')).join('\n\n———\n\n'),
    markdown: md.map((s) => [`*${s[0]}*`, ...s.slice(1)].join('\n')).join('\n\n---\n\n'),
    html: htmlDocument(lined.map((ls, i) => htmlSection(ls, langs[i], alert.weekly ? weeklyChartHtml(alert.weekly, langs[i]) : '')).join('<hr style="border:0;border-top:1px solid #ddd;margin:16px 0">')),
    ...(link ? { link } : {}),
    ...(actions && actions.length > 0 ? { actions } : {}),
  };
}

/** Several alerts of one seller as one message (a digest), most urgent first. */
export function renderDigest(alerts: readonly Alert[], settings: AlertSettings, now: IsoTime, signing?: LinkSigning): RenderedMessage {
  const langs = languages(settings);
  const sorted = [...alerts].sort(
    (a, b) => (a.deadlineAt ? Date.parse(a.deadlineAt) : Infinity) - (b.deadlineAt ? Date.parse(b.deadlineAt) : Infinity) || a.alertId.localeCompare(b.alertId),
  );
  const parts = sorted.map((a) => renderAlert(a, settings, now, signing));
  const title = langs.map((l) => DICTS[l].digest(alerts.length)).join(' / ');
  const bodies = parts.map((p) => /<body>([\s\S]*)<\/body>/.exec(p.html ?? '')?.[1] ?? '');
  const actions = parts.flatMap((p) => p.actions ?? []);
  return {
    subject: `[ShipNow Sentinel] ${title}`,
    text: [title, ...parts.map((p, i) => `${i + 1}. ${p.text}`)].join('\n\n=====\n\n'),
    markdown: [`*${title}*`, ...parts.map((p, i) => `${i + 1}. ${p.markdown}`)].join('\n\n=====\n\n'),
    html: htmlDocument([`<h2 style="font-family:Arial,sans-serif">${escapeHtml(title)}</h2>`, ...bodies.map((b, i) => `<div><strong>${i + 1}.</strong>${b}</div>`)].join('<hr style="border:0;border-top:2px solid #999;margin:20px 0">')),
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/** The words of the alert messages that other views of the same facts reuse (the `check` table). */
export function alertWords(lang: AlertLanguage): Readonly<Pick<Dict, 'order' | 'marketplace' | 'shipBy' | 'autoCancel' | 'yourTime' | 'emailDue' | 'remedy' | 'unknown'>> {
  const d = DICTS[lang];
  return { order: d.order, marketplace: d.marketplace, shipBy: d.shipBy, autoCancel: d.autoCancel, yourTime: d.yourTime, emailDue: d.emailDue, remedy: d.remedy, unknown: d.unknown };
}


/** The likely causes and remedies of the alert messages, for the seller's status page. */
export function diagnosisWords(lang: AlertLanguage): Readonly<Pick<Dict, 'causes' | 'remedies'>> {
  const d = DICTS[lang];
  return { causes: d.causes, remedies: d.remedies };
}
