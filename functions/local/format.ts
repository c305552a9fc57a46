import stringWidth from 'string-width';
import { alertWords, countdown as alertCountdown, formatTime } from '../domain/alert-message';
import type { AlertLanguage } from '../domain/alert-model';
import { marketplaceByKey } from '../domain/marketplaces';
import type { IsoTime, OrderStatus } from '../domain/types';
import type { OrderReportRow } from '../services/seller-report';
import type { CheckOutcome } from './run-check';

/** `in 2d 4h`, `3h 20m ago`, `now`: the same countdown the alert messages use. */
export function countdown(target: IsoTime, now: IsoTime, lang: AlertLanguage = 'en'): string {
  return alertCountdown(target, now, lang);
}

/** `2026-11-28 13:00 GMT+1`: a time in the marketplace's own zone, as Seller Central shows it. */
export const localTime = formatTime;

export interface RenderOptions {
  /** Language of the table (default en). */
  lang?: AlertLanguage;
  /** The seller's IANA zone: every time is shown in it too, beside the marketplace's. */
  timeZone?: string;
}

/** The words of the table; the alert messages' own words (functions/domain/alert-message.ts) where they exist. */
interface TableWords {
  title: (now: string, grace: number) => string;
  zones: (tz: string) => string;
  orderId: string;
  status: string;
  email: string;
  labels: Record<OrderStatus, string>;
  arrived: (t: string) => string;
  due: (t: string, c: string) => string;
  dueBy: (t: string, c: string) => string;
  summary: (n: number, s: { missing: number; awaiting: number; notified: number; notExpected: number }) => string;
  missingAdvice: string[];
  unmatched: string;
  /** Emails that name an order but cannot be its notification (marketplace-mismatch, before-order). */
  implausible: string;
  rejected: string;
  /** Beside `notified` when no receiver verified the mail (--accept-unverified). */
  unverifiedMark: string;
  unverifiedNotified: (n: number) => string;
  unverifiedCount: (n: number) => string;
  unverifiedReceiver: (n: number, id: string) => string;
  unverifiedBare: (n: number) => string;
  unverifiedExample: string;
}

const TABLE: Record<AlertLanguage, TableWords> = {
  en: {
    title: (now, grace) => `ShipNow Sentinel check at ${now} (grace ${grace} min)`,
    zones: (tz) => `Times in each marketplace's zone, and in yours (${tz})`,
    orderId: 'ORDER ID',
    status: 'STATUS',
    email: 'EMAIL',
    labels: { missing: 'MISSING', awaiting: 'awaiting', notified: 'notified', 'not-expected': 'not expected' },
    arrived: (t) => `arrived ${t}`,
    due: (t, c) => `due ${t} (${c})`,
    dueBy: (t, c) => `due by ${t} (${c})`,
    summary: (n, s) => `${n} orders: ${s.missing} missing, ${s.awaiting} awaiting, ${s.notified} notified, ${s.notExpected} not expected`,
    missingAdvice: [
      'Missing: no Sold, Ship Now email arrived for these orders (most urgent first). Check Manage Orders in Seller Central,',
      'and your Notification Preferences and spam folder; ship before the ship-by date.',
    ],
    unmatched: 'Emails for orders not (yet) in any orders file (kept; matched when the order appears):',
    implausible: 'Emails that name an order but cannot be its notification (not counted):',
    rejected: 'Mail not counted as a Sold, Ship Now notification:',
    unverifiedMark: '(unverified)',
    unverifiedNotified: (n) => `${n} order(s) notified by mail that no receiver verified (--accept-unverified): marked (unverified).`,
    unverifiedCount: (n) => `${n} email(s) unverified: no verdict of a trusted receiver, so they do not count.`,
    unverifiedReceiver: (n, id) => `  ${n} carry verdicts of ${id}: if that is your mailbox provider (an export), add --trust-receiver ${id}`,
    unverifiedBare: (n) => `  ${n} carry no Authentication-Results at all: --accept-unverified lets them count, marked (unverified)`,
    unverifiedExample: '  (exports from Gmail: --trust-receiver mx.google.com; use the first word of the topmost Authentication-Results header)',
  },
  'zh-CN': {
    title: (now, grace) => `ShipNow Sentinel 核对时间 ${now}（宽限 ${grace} 分钟）`,
    zones: (tz) => `时间按各站点时区显示，并附您的时间（${tz}）`,
    orderId: '订单号',
    status: '状态',
    email: '通知邮件',
    labels: { missing: '缺失', awaiting: '等待中', notified: '已收到', 'not-expected': '无需通知' },
    arrived: (t) => `已于 ${t} 收到`,
    due: (t, c) => `应于 ${t} 到达（${c}）`,
    dueBy: (t, c) => `应于 ${t} 前到达（${c}）`,
    summary: (n, s) => `共 ${n} 个订单：缺失 ${s.missing}，等待中 ${s.awaiting}，已收到 ${s.notified}，无需通知 ${s.notExpected}`,
    missingAdvice: [
      '缺失：以上订单没有收到「Sold, Ship Now」邮件（最紧急的在前）。请在卖家平台「管理订单」中查看，',
      '并检查通知首选项和垃圾邮件文件夹；在发货截止前发货。',
    ],
    unmatched: '以下邮件对应的订单（暂时）不在任何订单文件中（已保留，订单出现时自动匹配）：',
    implausible: '以下邮件提到了订单，但不可能是该订单的通知（不计入）：',
    rejected: '以下邮件未被计为「Sold, Ship Now」通知：',
    unverifiedMark: '（未验证）',
    unverifiedNotified: (n) => `${n} 个订单由未经任何收件服务器验证的邮件标记为已收到（--accept-unverified），已标注「未验证」。`,
    unverifiedCount: (n) => `${n} 封邮件未验证：没有受信任收件服务器的验证结果，因此不计入。`,
    unverifiedReceiver: (n, id) => `  其中 ${n} 封带有 ${id} 的验证结果：如果这是您的邮箱服务商（导出的邮件），请加上 --trust-receiver ${id}`,
    unverifiedBare: (n) => `  其中 ${n} 封没有任何 Authentication-Results：--accept-unverified 可让它们计入，并标注「未验证」`,
    unverifiedExample: '  （从 Gmail 导出的邮件：--trust-receiver mx.google.com；取最上面一行 Authentication-Results 的第一个词）',
  },
};

const STATUS_ORDER: Record<OrderStatus, number> = { missing: 0, awaiting: 1, notified: 2, 'not-expected': 3 };

/** The earliest deadline of an order (ship-by or auto-cancel), as epoch ms; Infinity when none is known. */
export function urgencyOf(o: Pick<OrderReportRow, 'shipBy' | 'autoCancelAt'>): number {
  const times = [o.shipBy, o.autoCancelAt].filter((t): t is IsoTime => Boolean(t)).map((t) => Date.parse(t));
  return times.length > 0 ? Math.min(...times) : Infinity;
}

/**
 * The order of the table: missing orders first, then awaiting; within each, the earliest deadline
 * (ship-by or auto-cancel, whichever comes first) on top. Notified and not-expected orders follow
 * by order ID. (`--json` keeps the report's own order.)
 */
export function byUrgency<T extends Pick<OrderReportRow, 'status' | 'shipBy' | 'autoCancelAt' | 'orderId'>>(orders: readonly T[]): T[] {
  const urgent = (s: OrderStatus) => s === 'missing' || s === 'awaiting';
  return [...orders].sort((a, b) => {
    const byStatus = STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    if (byStatus !== 0) return byStatus;
    if (urgent(a.status)) {
      const ua = urgencyOf(a);
      const ub = urgencyOf(b);
      if (ua !== ub) return ua < ub ? -1 : 1;
    }
    return a.orderId.localeCompare(b.orderId);
  });
}

/** The readable form of a check: what a seller wants to see first (missing orders, most urgent) at the top. */
export function renderCheck(outcome: CheckOutcome, graceMinutes: number, options: RenderOptions = {}): string {
  const { report, rejectedMail } = outcome;
  const { now } = report;
  const lang = options.lang ?? 'en';
  const t = TABLE[lang];
  const w = alertWords(lang);
  const lines: string[] = [];
  lines.push(t.title(now, graceMinutes));
  if (options.timeZone) lines.push(`${t.zones(options.timeZone)} (${w.yourTime}: ${localTime(now, options.timeZone)})`);
  lines.push('');
  const header = [t.orderId, w.marketplace.toUpperCase(), t.status, t.email, w.shipBy.toUpperCase(), w.autoCancel.toUpperCase()];
  const rows = byUrgency(report.orders).map((o) => {
    const tz = (o.marketplace && marketplaceByKey(o.marketplace)?.timeZone) || 'UTC';
    // The marketplace's time (as Seller Central shows it), then the seller's when asked for and different.
    const yours = options.timeZone && options.timeZone !== tz ? options.timeZone : undefined;
    const at = (time: IsoTime) => (yours ? `${localTime(time, tz)}, ${w.yourTime} ${localTime(time, yours)}` : localTime(time, tz));
    const email =
      o.status === 'notified' && o.notifiedAt
        ? t.arrived(at(o.notifiedAt))
        : o.expectedBy && o.status !== 'not-expected'
          ? (o.status === 'missing' ? t.due : t.dueBy)(at(o.expectedBy), countdown(o.expectedBy, now, lang))
          : '-';
    const deadline = (time: IsoTime | null) => (time ? `${countdown(time, now, lang)} (${at(time)})` : '-');
    // An order notified by mail no receiver verified (--accept-unverified) is marked.
    const status = o.status === 'notified' && o.verified === false ? `${t.labels[o.status]} ${t.unverifiedMark}` : t.labels[o.status];
    return [o.orderId, o.marketplace ?? '?', status, email, deadline(o.shipBy), deadline(o.autoCancelAt)];
  });
  lines.push(...table([header, ...rows]));
  const s = report.summary;
  lines.push('');
  lines.push(t.summary(report.orders.length, s));
  if (s.missing > 0) lines.push(...t.missingAdvice);
  const unknownOrder = report.unmatchedNotifications.filter((u) => u.reason === 'no-order');
  const implausible = report.unmatchedNotifications.filter((u) => u.reason !== 'no-order');
  if (unknownOrder.length > 0) {
    lines.push('', t.unmatched);
    for (const u of unknownOrder) lines.push(`  ${u.orderId}  ${u.location}`);
  }
  if (implausible.length > 0) {
    lines.push('', t.implausible);
    for (const u of implausible) lines.push(`  ${u.orderId}  ${u.location}: ${u.reason}`);
  }
  const unverifiedNotified = report.orders.filter((o) => o.verified === false).length;
  if (unverifiedNotified > 0) {
    lines.push('', t.unverifiedNotified(unverifiedNotified));
  }
  if (rejectedMail.length > 0) {
    lines.push('', t.rejected);
    for (const r of rejectedMail) lines.push(`  ${r.file}: ${r.reason}`);
  }
  const unverified = rejectedMail.filter((r) => r.reason === 'unverified');
  if (unverified.length > 0) lines.push('', ...unverifiedHint(unverified, t));
  return lines.join('\n');
}

/**
 * How many emails were unverified and which flag would trust them: `--trust-receiver ID` for each
 * receiver whose verdicts they carry (topmost first), `--accept-unverified` for those with none.
 */
function unverifiedHint(unverified: ReadonlyArray<{ receivers?: string[] }>, t: TableWords): string[] {
  const byReceiver = new Map<string, number>();
  let bare = 0;
  for (const u of unverified) {
    const top = u.receivers?.[0];
    if (top) byReceiver.set(top, (byReceiver.get(top) ?? 0) + 1);
    else bare++;
  }
  const lines = [t.unverifiedCount(unverified.length)];
  for (const [id, n] of byReceiver) lines.push(t.unverifiedReceiver(n, id));
  if (bare > 0) lines.push(t.unverifiedBare(bare));
  lines.push(t.unverifiedExample);
  return lines;
}

/**
 * The language of the table: the flag, else the seller's profile, else the locale (LC_ALL, then
 * LC_MESSAGES, then LANG, as POSIX orders them: a value starting with `zh` means Chinese), else English.
 */
export function tableLanguage(flag: AlertLanguage | undefined, profile: AlertLanguage | undefined, env: NodeJS.ProcessEnv): AlertLanguage {
  if (flag) return flag;
  if (profile) return profile;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(locale) ? 'zh-CN' : 'en';
}


/** Columns padded to the widest cell, in terminal columns (a Chinese character takes two). */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => stringWidth(r[i]))));
  return rows.map((r) =>
    r
      .map((c, i) => c + ' '.repeat(widths[i] - stringWidth(c)))
      .join('  ')
      .trimEnd(),
  );
}
