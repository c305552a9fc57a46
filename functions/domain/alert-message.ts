/**
 * The alert message, pure: a model and its rendering in Chinese (zh-CN) and English, per seller
 * (default both, Chinese first). Every time is shown in the seller's time zone AND the
 * marketplace's (Seller Central shows the marketplace's); order ID, marketplace, order time,
 * ship-by and auto-cancel countdowns, a link to the order in that marketplace's Seller Central,
 * and the likely cause with its remedy. No buyer data exists to leak: alerts carry none.
 */
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

function section(alert: Alert, settings: AlertSettings, now: IsoTime, lang: AlertLanguage): string[] {
  const d = DICTS[lang];
  const tz = settings.timeZone;
  const mp = alert.marketplace ? marketplaceByKey(alert.marketplace) : undefined;
  const mtz = mp?.timeZone;
  const at = (iso: IsoTime) => bothZones(iso, mtz, tz, d);
  const lines: string[] = [];
  const head = alert.order ? `${d.title[alert.kind]}: ${alert.order.orderId}` : d.title[alert.kind];
  lines.push(alert.marketplace ? `${head} (${alert.marketplace})` : head);

  switch (alert.kind) {
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

/** One alert, rendered in the seller's languages (default both: zh-CN, then English). */
export function renderAlert(alert: Alert, settings: AlertSettings, now: IsoTime): RenderedMessage {
  const langs = languages(settings);
  const sections = langs.map((l) => section(alert, settings, now, l));
  const subject = langs
    .map((l) => {
      const d = DICTS[l];
      return alert.order ? `${d.title[alert.kind]}: ${alert.order.orderId}` : `${d.title[alert.kind]}${alert.marketplace ? ` (${alert.marketplace})` : ''}`;
    })
    .join(' / ');
  const link = linkOf(alert);
  return {
    subject: `[ShipNow Sentinel] ${subject}`,
    text: sections.map((s) => s.join('\n')).join('\n\n———\n\n'),
    markdown: sections.map((s) => [`*${s[0]}*`, ...s.slice(1)].join('\n')).join('\n\n---\n\n'),
    ...(link ? { link } : {}),
  };
}

/** Several alerts of one seller as one message (a digest), most urgent first. */
export function renderDigest(alerts: readonly Alert[], settings: AlertSettings, now: IsoTime): RenderedMessage {
  const langs = languages(settings);
  const sorted = [...alerts].sort(
    (a, b) => (a.deadlineAt ? Date.parse(a.deadlineAt) : Infinity) - (b.deadlineAt ? Date.parse(b.deadlineAt) : Infinity) || a.alertId.localeCompare(b.alertId),
  );
  const parts = sorted.map((a) => renderAlert(a, settings, now));
  const title = langs.map((l) => DICTS[l].digest(alerts.length)).join(' / ');
  return {
    subject: `[ShipNow Sentinel] ${title}`,
    text: [title, ...parts.map((p, i) => `${i + 1}. ${p.text}`)].join('\n\n=====\n\n'),
    markdown: [`*${title}*`, ...parts.map((p, i) => `${i + 1}. ${p.markdown}`)].join('\n\n=====\n\n'),
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
