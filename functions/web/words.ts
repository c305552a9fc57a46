/**
 * Every word of the seller's pages, in English and Chinese. The language is the `lang` switch of
 * the page, else the browser's Accept-Language, else the seller's profile language, else English.
 * The diagnosis and order words are the alert messages' own (functions/domain/alert-message.ts),
 * so a page and an alert never describe the same thing differently.
 */
import type { AlertLanguage } from '../domain/alert-model';

export type WebLanguage = AlertLanguage;

export type FailureCode =
  | 'denied'
  | 'invalid-state'
  | 'expired-state'
  | 'reused-state'
  | 'bad-callback'
  | 'already-connected'
  | 'unknown-marketplace'
  | 'mixed-regions'
  | 'bad-callback-uri'
  | 'not-configured'
  | 'lwa-invalid-grant'
  | 'lwa-invalid-client'
  | 'lwa-unavailable'
  | 'lwa-refused'
  | 'link-malformed'
  | 'link-bad-signature'
  | 'link-expired'
  | 'link-wrong-purpose'
  | 'link-unknown-seller'
  | 'csrf'
  | 'rate-limited'
  | 'not-found'
  | 'method';

export interface Words {
  htmlLang: string;
  product: string;
  switchTo: string;
  footer: string;
  // authorize
  startTitle: string;
  startIntro: string;
  shopName: string;
  shopNameHint: string;
  marketplaces: string;
  marketplacesHint: string;
  language: string;
  continue: string;
  regions: Record<'NA' | 'EU' | 'FE', string>;
  fakeNote: string;
  // setup
  setupTitle: string;
  setupIntro: (name: string) => string;
  address: string;
  copy: string;
  copied: string;
  stepsTitle: string;
  steps: (address: string) => string[];
  openPreferences: (domain: string) => string;
  checkTitle: string;
  checkWaiting: string;
  checkReceived: (marketplace: string, at: string) => string;
  checkAuthentic: string;
  checkVerdicts: (spf: string, dkim: string, dmarc: string) => string;
  checkLive: string;
  toStatus: string;
  // status
  statusTitle: string;
  generatedAt: (at: string) => string;
  lastEmail: string;
  never: string;
  missingCount: (n: number) => string;
  awaitingCount: (n: number) => string;
  allGood: string;
  causeLabel: string;
  remedyLabel: string;
  weekTitle: string;
  noChart: string;
  openOrders: string;
  noOpenOrders: string;
  colOrder: string;
  colStatus: string;
  colDeadline: string;
  colEmail: string;
  statuses: Record<'missing' | 'awaiting' | 'notified' | 'not-expected', string>;
  deadline: (kind: 'ship-by' | 'auto-cancel', countdown: string, at: string) => string;
  noDeadline: string;
  emailDue: (at: string) => string;
  emailArrived: (at: string) => string;
  // ack
  ackTitle: string;
  snoozeTitle: string;
  ackQuestion: (orderId: string) => string;
  snoozeQuestion: (orderId: string, hours: string) => string;
  ackButton: string;
  snoozeButton: (hours: string) => string;
  ackDone: (orderId: string) => string;
  snoozeDone: (orderId: string, until: string) => string;
  ackUnknownOrder: (orderId: string) => string;
  whyConfirm: string;
  // failures
  failureTitle: string;
  failures: Record<FailureCode, string>;
  tryAgain: string;
}

const EN: Words = {
  htmlLang: 'en',
  product: 'ShipNow Sentinel',
  switchTo: '中文',
  footer: 'Links on these pages are personal and expire. Do not forward them.',
  startTitle: 'Connect your Amazon seller account',
  startIntro:
    'ShipNow Sentinel reads your unshipped orders from Amazon and tells you when a Sold, Ship Now email did not arrive. Choose your marketplaces, then sign in to Seller Central and allow the app to read your orders.',
  shopName: 'Shop name',
  shopNameHint: 'How alerts name you (optional).',
  marketplaces: 'Marketplaces',
  marketplacesHint: 'Choose the marketplaces of one region: Amazon authorizes each region separately.',
  language: 'Language of alerts',
  continue: 'Continue to Seller Central',
  regions: { NA: 'North America', EU: 'Europe', FE: 'Far East' },
  fakeNote: 'Test mode: Seller Central and Login with Amazon are local fakes.',
  setupTitle: 'Set up your Sold, Ship Now notifications',
  setupIntro: (name) => `${name} is connected. One step is left: Amazon must send your Sold, Ship Now emails to the address below.`,
  address: 'Your Sentinel address',
  copy: 'Copy',
  copied: 'Copied',
  stepsTitle: 'In Seller Central, for each marketplace',
  steps: (a) => [
    'Open Notification Preferences of the marketplace (links below) and sign in.',
    'Under Order Notifications, next to "Sold, ship now" (UK: "Sold, dispatch now"), click Edit.',
    `Add ${a} as an email address (keep your own address too) and click Save.`,
    'Or forward the Sold, Ship Now emails from your mailbox to this address automatically.',
  ],
  openPreferences: (d) => `Notification Preferences on ${d}`,
  checkTitle: 'Live check',
  checkWaiting: 'No email has arrived yet. This page checks again every few seconds.',
  checkReceived: (m, at) => `An email from ${m} arrived ${at}.`,
  checkAuthentic: 'It passed the authenticity check: it really comes from Amazon.',
  checkVerdicts: (spf, dkim, dmarc) => `SPF ${spf}, DKIM ${dkim}, DMARC ${dmarc}`,
  checkLive: 'Checking every few seconds.',
  toStatus: 'Open your order status page',
  statusTitle: 'Your orders',
  generatedAt: (at) => `As of ${at}`,
  lastEmail: 'Last email',
  never: 'none yet',
  missingCount: (n) => `${n} missing`,
  awaitingCount: (n) => `${n} awaiting`,
  allGood: 'Every expected email arrived.',
  causeLabel: 'Likely cause',
  remedyLabel: 'What to do',
  weekTitle: 'The last 7 days',
  noChart: 'The weekly chart is not available yet.',
  openOrders: 'Open orders',
  noOpenOrders: 'No open orders.',
  colOrder: 'Order',
  colStatus: 'Email',
  colDeadline: 'Deadline',
  colEmail: 'Email due',
  statuses: { missing: 'Missing', awaiting: 'Awaiting', notified: 'Arrived', 'not-expected': 'Not expected' },
  deadline: (k, c, at) => `${k === 'ship-by' ? 'Ship by' : 'Auto-cancel'} ${c} (${at})`,
  noDeadline: 'no deadline known',
  emailDue: (at) => `due by ${at}`,
  emailArrived: (at) => `arrived ${at}`,
  ackTitle: 'Mark the order as handled',
  snoozeTitle: 'Snooze the reminders',
  ackQuestion: (id) => `Mark order ${id} as handled? Its reminders stop.`,
  snoozeQuestion: (id, h) => `Pause the reminders of order ${id} for ${h}?`,
  ackButton: 'Yes, it is handled',
  snoozeButton: (h) => `Snooze ${h}`,
  ackDone: (id) => `Done: order ${id} is marked as handled. You will get no more reminders about it.`,
  snoozeDone: (id, until) => `Done: reminders of order ${id} are paused until ${until}.`,
  ackUnknownOrder: (id) => `Order ${id} is not known (any more): nothing to stop.`,
  whyConfirm: 'You are asked to confirm so that a mail scanner opening the link does not do it for you.',
  failureTitle: 'That did not work',
  failures: {
    denied: 'The authorization was not granted in Seller Central, so nothing was connected. Start again if you want to connect.',
    'invalid-state': 'This authorization answer did not come from a request made here (or the link was cut). For your safety nothing was done. Start again.',
    'expired-state': 'The authorization took too long (more than 15 minutes) and has expired. Start again.',
    'reused-state': 'This authorization answer was already used once. If you reloaded the page, your account may already be connected; otherwise start again.',
    'bad-callback': 'Amazon’s answer was incomplete (no seller ID). Start again.',
    'already-connected': 'This Amazon seller account is already connected. Ask your operator for your setup or status link.',
    'unknown-marketplace': 'Unknown region or marketplace. Choose the marketplaces from the list.',
    'mixed-regions': 'These marketplaces are in different regions. Amazon authorizes one region at a time: choose the marketplaces of one region.',
    'bad-callback-uri': 'The Amazon address given to continue the authorization is not a Seller Central address. Start from Seller Central again.',
    'not-configured': 'The operator has not finished setting up the connection to Amazon (the app credentials are missing). Please tell your operator.',
    'lwa-invalid-grant': 'Amazon did not accept the authorization code: it is valid for a few minutes only, and only once. Start again.',
    'lwa-invalid-client': 'Amazon refused this app’s credentials. Please tell your operator.',
    'lwa-unavailable': 'Login with Amazon did not answer. Nothing was connected; start again in a few minutes.',
    'lwa-refused': 'Login with Amazon refused the authorization. Start again; if it happens again, tell your operator.',
    'link-malformed': 'This link is not complete: it may have been cut off when it was copied. Open it again from the original message.',
    'link-bad-signature': 'This link is not valid. Open it again from the original message.',
    'link-expired': 'This link has expired. Open the link in a newer alert, or ask for a new one.',
    'link-wrong-purpose': 'This link is for another page.',
    'link-unknown-seller': 'This link names a seller that does not exist (any more).',
    csrf: 'The form has expired or did not come from this page. Open the link again and confirm.',
    'rate-limited': 'Too many requests. Wait a minute and try again.',
    'not-found': 'There is no such page.',
    method: 'This page does not accept that request.',
  },
  tryAgain: 'Start again',
};

const ZH: Words = {
  htmlLang: 'zh-CN',
  product: 'ShipNow Sentinel',
  switchTo: 'English',
  footer: '本页面的链接仅供您本人使用，并会过期。请勿转发。',
  startTitle: '连接您的亚马逊卖家账户',
  startIntro: 'ShipNow Sentinel 从亚马逊读取您的未发货订单，并在「Sold, Ship Now」邮件没有送达时提醒您。请选择您的站点，然后登录卖家平台并允许本应用读取您的订单。',
  shopName: '店铺名称',
  shopNameHint: '提醒中对您的称呼（可选）。',
  marketplaces: '站点',
  marketplacesHint: '请选择同一地区的站点：亚马逊按地区分别授权。',
  language: '提醒语言',
  continue: '前往卖家平台',
  regions: { NA: '北美', EU: '欧洲', FE: '远东' },
  fakeNote: '测试模式：卖家平台和 Login with Amazon 均为本地模拟。',
  setupTitle: '设置「Sold, Ship Now」通知',
  setupIntro: (name) => `${name} 已连接。只剩一步：让亚马逊把「Sold, Ship Now」邮件发送到下面的地址。`,
  address: '您的 Sentinel 接收地址',
  copy: '复制',
  copied: '已复制',
  stepsTitle: '在卖家平台中，每个站点都需要设置',
  steps: (a) => [
    '打开该站点的「通知首选项」(Notification Preferences)（链接见下）并登录。',
    '在「订单通知」(Order Notifications) 中，点击「Sold, ship now / 已售出，请发货」（英国站为 "Sold, dispatch now"）旁的「编辑」(Edit)。',
    `添加邮箱地址 ${a}（可保留您自己的邮箱），然后点击「保存」(Save)。`,
    '也可以在您的邮箱中设置自动转发，将 Sold, Ship Now 邮件转发到此地址。',
  ],
  openPreferences: (d) => `${d} 的通知首选项`,
  checkTitle: '实时检查',
  checkWaiting: '尚未收到邮件。本页面每隔几秒自动检查一次。',
  checkReceived: (m, at) => `已于 ${at} 收到来自 ${m} 的邮件。`,
  checkAuthentic: '该邮件通过了真实性校验：确实来自亚马逊。',
  checkVerdicts: (spf, dkim, dmarc) => `SPF ${spf}，DKIM ${dkim}，DMARC ${dmarc}`,
  checkLive: '每隔几秒自动检查。',
  toStatus: '打开订单状态页面',
  statusTitle: '您的订单',
  generatedAt: (at) => `截至 ${at}`,
  lastEmail: '最近一封邮件',
  never: '尚无',
  missingCount: (n) => `${n} 个缺失`,
  awaitingCount: (n) => `${n} 个等待中`,
  allGood: '所有应到的邮件都已收到。',
  causeLabel: '可能原因',
  remedyLabel: '处理建议',
  weekTitle: '最近 7 天',
  noChart: '周图表暂不可用。',
  openOrders: '未完成订单',
  noOpenOrders: '没有未完成的订单。',
  colOrder: '订单',
  colStatus: '邮件',
  colDeadline: '截止时间',
  colEmail: '邮件应到',
  statuses: { missing: '缺失', awaiting: '等待中', notified: '已收到', 'not-expected': '无需邮件' },
  deadline: (k, c, at) => `${k === 'ship-by' ? '发货截止' : '自动取消'} ${c}（${at}）`,
  noDeadline: '截止时间未知',
  emailDue: (at) => `应于 ${at} 前到达`,
  emailArrived: (at) => `已于 ${at} 到达`,
  ackTitle: '将订单标记为已处理',
  snoozeTitle: '暂停提醒',
  ackQuestion: (id) => `将订单 ${id} 标记为已处理？该订单的提醒将停止。`,
  snoozeQuestion: (id, h) => `暂停订单 ${id} 的提醒 ${h}？`,
  ackButton: '是，已处理',
  snoozeButton: (h) => `暂停 ${h}`,
  ackDone: (id) => `完成：订单 ${id} 已标记为已处理，您不会再收到关于它的提醒。`,
  snoozeDone: (id, until) => `完成：订单 ${id} 的提醒已暂停至 ${until}。`,
  ackUnknownOrder: (id) => `订单 ${id} 不存在（或已删除）：无需停止任何提醒。`,
  whyConfirm: '需要您确认，是为了防止邮件安全扫描程序打开链接时替您执行操作。',
  failureTitle: '操作未成功',
  failures: {
    denied: '您没有在卖家平台中授权，因此没有连接任何账户。如需连接，请重新开始。',
    'invalid-state': '该授权回复不是由本站发起的请求（或链接不完整）。为了您的安全，未执行任何操作。请重新开始。',
    'expired-state': '授权用时过长（超过 15 分钟），已过期。请重新开始。',
    'reused-state': '该授权回复已被使用过一次。如果您刷新了页面，您的账户可能已经连接；否则请重新开始。',
    'bad-callback': '亚马逊的回复不完整（缺少卖家 ID）。请重新开始。',
    'already-connected': '该亚马逊卖家账户已经连接过。请向您的运营方索取设置或状态链接。',
    'unknown-marketplace': '未知的地区或站点。请从列表中选择站点。',
    'mixed-regions': '这些站点属于不同地区。亚马逊每次只授权一个地区：请选择同一地区的站点。',
    'bad-callback-uri': '用于继续授权的亚马逊地址不是卖家平台地址。请从卖家平台重新开始。',
    'not-configured': '运营方尚未完成与亚马逊的连接设置（缺少应用凭证）。请告知您的运营方。',
    'lwa-invalid-grant': '亚马逊没有接受授权码：授权码只在几分钟内有效，且只能使用一次。请重新开始。',
    'lwa-invalid-client': '亚马逊拒绝了本应用的凭证。请告知您的运营方。',
    'lwa-unavailable': 'Login with Amazon 没有响应。没有连接任何账户；请几分钟后重新开始。',
    'lwa-refused': 'Login with Amazon 拒绝了授权。请重新开始；如果再次发生，请告知您的运营方。',
    'link-malformed': '该链接不完整：可能在复制时被截断。请从原始消息中重新打开。',
    'link-bad-signature': '该链接无效。请从原始消息中重新打开。',
    'link-expired': '该链接已过期。请打开较新提醒中的链接，或索取新链接。',
    'link-wrong-purpose': '该链接用于其他页面。',
    'link-unknown-seller': '该链接对应的卖家不存在（或已删除）。',
    csrf: '表单已过期或不是来自本页面。请重新打开链接并确认。',
    'rate-limited': '请求过于频繁。请稍等一分钟后重试。',
    'not-found': '页面不存在。',
    method: '本页面不接受此请求。',
  },
  tryAgain: '重新开始',
};

export function words(lang: WebLanguage): Words {
  return lang === 'zh-CN' ? ZH : EN;
}

/** `lang` switch, else Accept-Language (first language that is zh or en, by q), else the fallback. */
export function chooseLanguage(switchValue: string | null | undefined, acceptLanguage: string | undefined, fallback: WebLanguage = 'en'): WebLanguage {
  if (switchValue === 'zh-CN' || switchValue === 'zh') return 'zh-CN';
  if (switchValue === 'en') return 'en';
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .map((part, i) => {
        const [tag = '', ...params] = part.trim().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1, i };
      })
      .filter((x) => x.tag && x.q > 0)
      .sort((a, b) => b.q - a.q || a.i - b.i);
    for (const { tag } of ranked) {
      if (tag.startsWith('zh')) return 'zh-CN';
      if (tag.startsWith('en')) return 'en';
    }
  }
  return fallback;
}
