/**
 * The seller's own mailbox, pure: which folders are the inbox, junk and trash (SPECIAL-USE first,
 * then the names providers and clients really use, in many languages), what to ask the server
 * to search for (Amazon's sender domains, a SINCE window and the order IDs: the server searches,
 * nothing is downloaded to look), where an IMAP intake resumes (last UID per folder, UIDVALIDITY
 * respected), and the diagnosis of a missing order from what the searches found and the QUOTA:
 *
 *   found in the inbox                    -> `in-inbox`       (it arrived; Sentinel did not get it)
 *   found in junk/spam, or another folder -> `filtered`       (a spam filter or a rule moved it)
 *   found in the trash                    -> `deleted`
 *   found nowhere, mailbox >= 95 % full   -> `mailbox-full`   (Amazon's mail bounced)
 *   found nowhere                         -> `not-delivered`  (blocked or bounced upstream)
 *
 * The texts (English and 中文) are here too; alert-message.ts and `shipnow status` show them.
 * No IMAP library, no clock, no environment: the adapter (functions/adapters/imap-mailbox.ts)
 * and the services pass everything in.
 */
import type { AlertLanguage } from './alert-model';
import { MARKETPLACES } from './marketplaces';
import type { IsoTime } from './types';

// ---- folders ------------------------------------------------------------------------------------

export type FolderRole = 'inbox' | 'junk' | 'trash' | 'archive' | 'sent' | 'drafts' | 'other';

/** A folder as the server lists it (imapflow's ListResponse fits). */
export interface MailboxFolder {
  path: string;
  /** The last component of the path. */
  name: string;
  /** RFC 6154 SPECIAL-USE attribute when the server sent one (`\Junk`), or the client's guess. */
  specialUse?: string;
  /** LIST attributes (`\Noselect`, `\Junk`, ...). */
  flags?: readonly string[];
}

/**
 * Folder names by role, compared case-insensitively with the folder's last path component, for
 * servers without SPECIAL-USE (or folders a client created). Gmail shows `[Gmail]/Spam`; QQ Mail
 * and 163 name them in Chinese; Outlook localises by account language.
 */
export const LOCALIZED_FOLDER_NAMES: Readonly<Record<'junk' | 'trash' | 'sent' | 'drafts' | 'archive', readonly string[]>> = {
  junk: [
    'junk', 'junk e-mail', 'junk email', 'junk mail', 'spam', 'bulk mail', 'bulk',
    '垃圾邮件', '垃圾郵件', '垃圾箱', '广告邮件', 'spamverdacht', 'junk-e-mail', 'courrier indésirable', 'indésirables',
    'posta indesiderata', 'correo no deseado', 'lixo eletrônico', 'ongewenste e-mail', 'skräppost', '迷惑メール', '迷惑メールフォルダ', 'spam-ordner',
  ],
  trash: [
    'trash', 'deleted', 'deleted items', 'deleted messages', 'bin', 'papierkorb', 'gelöschte elemente', 'gelöschte objekte',
    '已删除', '已删除邮件', '已刪除郵件', '已删除邮件箱', '垃圾桶', '回收站', 'corbeille', 'éléments supprimés', 'cestino', 'posta eliminata',
    'papelera', 'elementos eliminados', 'lixeira', 'itens excluídos', 'prullenbak', 'verwijderde items', 'papperskorgen', 'ごみ箱', '削除済みアイテム',
  ],
  sent: ['sent', 'sent items', 'sent mail', 'sent messages', '已发送', '已发送邮件', '已發送郵件', 'gesendet', 'gesendete elemente', 'éléments envoyés', '送信済み', '送信済みアイテム'],
  drafts: ['drafts', 'draft', '草稿', '草稿箱', 'entwürfe', 'brouillons', '下書き'],
  archive: ['archive', 'archives', 'all mail', '所有邮件', '归档', 'archiv', '存档', 'アーカイブ'],
};

const SPECIAL_USE_ROLE: Readonly<Record<string, FolderRole>> = {
  '\\inbox': 'inbox',
  '\\junk': 'junk',
  '\\spam': 'junk',
  '\\trash': 'trash',
  '\\sent': 'sent',
  '\\drafts': 'drafts',
  '\\archive': 'archive',
  '\\all': 'archive',
};

/** The role of a folder: SPECIAL-USE first (attribute or LIST flag), else its localized name. */
export function folderRole(f: MailboxFolder): FolderRole {
  if (f.path.toUpperCase() === 'INBOX') return 'inbox';
  for (const attr of [f.specialUse, ...(f.flags ?? [])]) {
    const role = attr ? SPECIAL_USE_ROLE[attr.toLowerCase()] : undefined;
    if (role) return role;
  }
  const name = f.name.trim().toLowerCase();
  for (const [role, names] of Object.entries(LOCALIZED_FOLDER_NAMES) as Array<[FolderRole, readonly string[]]>) {
    if (names.includes(name)) return role;
  }
  return 'other';
}

/** Folders searched by the probe, at most this many besides inbox, junk and trash. */
export const MAX_OTHER_FOLDERS = 30;

export interface ProbeFolder {
  path: string;
  role: FolderRole;
}

/**
 * The folders a probe searches: the inbox, every junk and trash folder, then archives and the
 * seller's own folders (a rule may file Amazon's mail there; at most MAX_OTHER_FOLDERS), never
 * sent mail or drafts, nor folders that cannot be opened (`\Noselect`, `\NonExistent`).
 */
export function probeFolders(folders: readonly MailboxFolder[]): ProbeFolder[] {
  const rank: Record<FolderRole, number> = { inbox: 0, junk: 1, trash: 2, archive: 3, other: 4, sent: 9, drafts: 9 };
  const selectable = folders.filter((f) => !(f.flags ?? []).some((x) => /^\\(noselect|nonexistent)$/i.test(x)));
  const withRole = selectable.map((f) => ({ path: f.path, role: folderRole(f) })).filter((f) => rank[f.role] < 9);
  withRole.sort((a, b) => rank[a.role] - rank[b.role] || a.path.localeCompare(b.path));
  const main = withRole.filter((f) => rank[f.role] <= 2);
  const rest = withRole.filter((f) => rank[f.role] > 2).slice(0, MAX_OTHER_FOLDERS);
  return [...main, ...rest];
}

// ---- what the server is asked to search ------------------------------------------------------------

/** The domains Amazon's seller notifications come from (every marketplace's), without duplicates. */
export function amazonSenderDomains(): string[] {
  const out = new Set<string>();
  for (const m of MARKETPLACES) for (const d of m.senderDomains) out.add(d.toLowerCase());
  return [...out].sort();
}

/**
 * One server-side SEARCH: mail from any of `fromDomains` (FROM is a substring match of the From
 * header: `@amazon.de` also matches `seller-notification@amazon.de`), received since `since`
 * (SINCE is a date, the server's day), and naming one of `orderIds` in its body (absent: any
 * order, as the intake asks), within UIDs `uidFrom:*` when given.
 */
export interface MailboxSearch {
  fromDomains: string[];
  since: IsoTime;
  orderIds?: string[];
  uidFrom?: number;
}

/** Order IDs per SEARCH: one OR term each; a few dozen keep the command short. */
export const ORDER_IDS_PER_SEARCH = 25;

/** The probe's searches for these orders, in chunks of ORDER_IDS_PER_SEARCH. */
export function probeSearches(orderIds: readonly string[], since: IsoTime): MailboxSearch[] {
  const ids = [...new Set(orderIds)].sort();
  const out: MailboxSearch[] = [];
  for (let i = 0; i < ids.length; i += ORDER_IDS_PER_SEARCH) {
    out.push({ fromDomains: amazonSenderDomains(), since, orderIds: ids.slice(i, i + ORDER_IDS_PER_SEARCH) });
  }
  return out;
}

/** How far back a probe or a first intake looks: Amazon cancels an unshipped order after 30 days. */
export const MAILBOX_WINDOW_DAYS = 31;

export function windowStart(now: IsoTime, days = MAILBOX_WINDOW_DAYS): IsoTime {
  return new Date(Date.parse(now) - days * 86_400_000).toISOString();
}

// ---- intake resume ------------------------------------------------------------------------------

/** Where the intake stands in one folder: the UIDs up to `lastUid` under `uidValidity` are done. */
export interface FolderCursor {
  /** UIDVALIDITY as a decimal string (it is a 32-bit unsigned number; imapflow gives a bigint). */
  uidValidity: string;
  lastUid: number;
}

export interface FolderScanPlan {
  /** Search UIDs from here (`uidFrom:*`). */
  uidFrom: number;
  since: IsoTime;
  /** UIDVALIDITY changed: every UID is new, so the SINCE window is scanned again (no duplicates: the ledger knows each message by content). */
  rescan: boolean;
  /** UIDs below this were all in the mailbox when it was opened: the cursor may move up to uidNext - 1. */
  uidNext: number;
}

/**
 * Resume after the stored cursor when UIDVALIDITY is unchanged; otherwise (or the first time)
 * from UID 1 within the SINCE window. A UID is never reused under one UIDVALIDITY (RFC 9051
 * 2.3.1.1), so `lastUid + 1:*` is exactly what is new.
 */
export function planFolderScan(stored: FolderCursor | undefined, current: { uidValidity: string; uidNext: number }, now: IsoTime, windowDays = MAILBOX_WINDOW_DAYS): FolderScanPlan {
  const since = windowStart(now, windowDays);
  if (!stored) return { uidFrom: 1, since, rescan: false, uidNext: current.uidNext };
  if (stored.uidValidity !== current.uidValidity) return { uidFrom: 1, since, rescan: true, uidNext: current.uidNext };
  return { uidFrom: stored.lastUid + 1, since, rescan: false, uidNext: current.uidNext };
}

/**
 * The cursor after a scan. `failedUid`: the first message that could not be taken in (an outage
 * mid-way): the cursor stops just before it, so the next run takes it again. Never moves back.
 */
export function advanceCursor(plan: FolderScanPlan, uidValidity: string, previous: FolderCursor | undefined, failedUid?: number): FolderCursor {
  const reached = failedUid !== undefined ? failedUid - 1 : plan.uidNext - 1;
  const base = previous && previous.uidValidity === uidValidity ? previous.lastUid : 0;
  return { uidValidity, lastUid: Math.max(base, reached) };
}

// ---- diagnosis ------------------------------------------------------------------------------------

export type MailboxDiagnosisCode = 'in-inbox' | 'filtered' | 'deleted' | 'mailbox-full' | 'not-delivered';

/** A message a search found, after it was read (BODY.PEEK) and understood like any other mail. */
export interface ProbeHit {
  folder: string;
  role: FolderRole;
  uid: number;
  /** Order IDs the Sold, Ship Now email names (empty when it is not one). */
  orderIds: string[];
  soldShipNow: boolean;
  /** A trusted receiver (the seller's provider) vouched for it. */
  verified: boolean;
  /**
   * A receiver's verdict, or the From, says it is NOT from Amazon (DMARC fail, a lookalike sender):
   * a forgery naming the order is no evidence of where Amazon's email went.
   */
  forged: boolean;
  receivedAt: IsoTime | null;
}

export interface QuotaUsage {
  usedBytes: number;
  limitBytes: number;
}

/** At or above this share of the storage quota a mailbox counts as full (Amazon's mail bounces). */
export const MAILBOX_FULL_PERCENT = 95;

export function quotaPercent(q: QuotaUsage | undefined): number | undefined {
  if (!q || !(q.limitBytes > 0)) return undefined;
  return Math.round((q.usedBytes / q.limitBytes) * 1000) / 10;
}

export interface OrderProbeFinding {
  orderId: string;
  diagnosis: MailboxDiagnosisCode;
  /** Where the email is (for in-inbox, filtered, deleted). */
  folder?: string;
  role?: FolderRole;
  uid?: number;
  receivedAt?: IsoTime | null;
  /** Whether the found email carries a trusted verdict (the provider's Authentication-Results). */
  verified?: boolean;
  /** Storage used, percent, when the server reports QUOTA. */
  quotaPercent?: number;
  /** Folders searched (paths). */
  searched: string[];
  probedAt: IsoTime;
  /** Set when `--rescue` moved it back to the inbox. */
  rescuedTo?: string;
}

const ROLE_PRECEDENCE: Record<FolderRole, number> = { inbox: 0, junk: 1, other: 2, archive: 3, trash: 4, sent: 9, drafts: 9 };

/**
 * The diagnosis of one missing order. Only Sold, Ship Now emails naming the order count (a
 * return request or a buyer message naming it is not the email that went missing), and no
 * forgery; one without any verdict counts, shown as unverified. When it is
 * in several folders, the one the seller would see first wins: inbox, junk, other folders, trash.
 */
export function diagnoseOrder(orderId: string, hits: readonly ProbeHit[], quota: QuotaUsage | undefined, searched: readonly string[], probedAt: IsoTime): OrderProbeFinding {
  const percent = quotaPercent(quota);
  const base = { orderId, searched: [...searched], probedAt, ...(percent !== undefined ? { quotaPercent: percent } : {}) };
  const mine = hits.filter((h) => h.soldShipNow && !h.forged && h.orderIds.includes(orderId)).sort((a, b) => ROLE_PRECEDENCE[a.role] - ROLE_PRECEDENCE[b.role] || a.uid - b.uid);
  const best = mine[0];
  if (best) {
    const diagnosis: MailboxDiagnosisCode = best.role === 'inbox' ? 'in-inbox' : best.role === 'trash' ? 'deleted' : 'filtered';
    return { ...base, diagnosis, folder: best.folder, role: best.role, uid: best.uid, receivedAt: best.receivedAt, verified: best.verified };
  }
  if (percent !== undefined && percent >= MAILBOX_FULL_PERCENT) return { ...base, diagnosis: 'mailbox-full' };
  return { ...base, diagnosis: 'not-delivered' };
}

// ---- texts ----------------------------------------------------------------------------------------

/** One sentence for the alert's diagnosis and for `shipnow status`, in the seller's language. */
export function probeFindingText(f: OrderProbeFinding, lang: AlertLanguage): string {
  const folder = f.folder ?? '';
  const unverified = f.verified === false;
  const q = f.quotaPercent;
  if (lang === 'zh-CN') {
    switch (f.diagnosis) {
      case 'in-inbox':
        return `订单 ${f.orderId} 的「Sold, Ship Now」邮件在您的收件箱（${folder}）中：邮件已送达，但没有转给 Sentinel，请检查转发设置。`;
      case 'filtered':
        return `订单 ${f.orderId} 的「Sold, Ship Now」邮件在您的「${folder}」文件夹中${f.role === 'junk' ? '（被判为垃圾邮件）' : '（被邮件规则移走）'}${unverified ? '，该邮件没有服务商的验证结果' : ''}。${f.rescuedTo ? `已移回${f.rescuedTo}。` : ''}`;
      case 'deleted':
        return `订单 ${f.orderId} 的「Sold, Ship Now」邮件在「${folder}」（已删除邮件）中：邮件已送达但被删除了。${f.rescuedTo ? `已移回${f.rescuedTo}。` : ''}`;
      case 'mailbox-full':
        return `订单 ${f.orderId} 的「Sold, Ship Now」邮件不在任何文件夹中，而您的邮箱已用 ${q}%：邮箱已满，亚马逊的邮件被退回。请清理邮箱。`;
      case 'not-delivered':
        return `订单 ${f.orderId} 的「Sold, Ship Now」邮件不在收件箱、垃圾邮件或已删除邮件中：邮件未送达（被拦截或被退回）。${q !== undefined ? `邮箱已用 ${q}%。` : ''}`;
    }
  }
  switch (f.diagnosis) {
    case 'in-inbox':
      return `Your Sold, Ship Now email for order ${f.orderId} is in your inbox (${folder}): it arrived, but did not reach Sentinel; check the forwarding.`;
    case 'filtered':
      return `Your Sold, Ship Now email for order ${f.orderId} is in your ${folder} folder (${f.role === 'junk' ? 'marked as spam' : 'moved by a rule'})${unverified ? '; it carries no verdict of your provider' : ''}.${f.rescuedTo ? ` Moved back to ${f.rescuedTo}.` : ''}`;
    case 'deleted':
      return `Your Sold, Ship Now email for order ${f.orderId} is in ${folder} (deleted): it arrived and was deleted.${f.rescuedTo ? ` Moved back to ${f.rescuedTo}.` : ''}`;
    case 'mailbox-full':
      return `Your Sold, Ship Now email for order ${f.orderId} is in no folder, and your mailbox is ${q}% full: Amazon's mail bounces. Make room in the mailbox.`;
    case 'not-delivered':
      return `Your Sold, Ship Now email for order ${f.orderId} is not in your inbox, junk or trash: it was never delivered (blocked or bounced).${q !== undefined ? ` Mailbox ${q}% full.` : ''}`;
  }
}

// ---- known providers ----------------------------------------------------------------------------

/**
 * The authserv-id a provider writes in the Authentication-Results of mail it receives, by IMAP
 * host: trusted for a seller whose mailbox is there unless the seller's settings name others.
 * `verified`: seen in real headers of that provider (Gmail). QQ Mail's is the issue's own example
 * and not yet checked against a real message. For other providers (163/126, Aliyun, Tencent
 * enterprise mail, Outlook.com, whose header carries no authserv-id at all) there is no default:
 * look at the topmost Authentication-Results of one real message and set it (docs/mailbox.md).
 */
export const PROVIDER_RECEIVERS: ReadonlyArray<{ imapHost: string; receivers: string[]; verified: boolean }> = [
  { imapHost: 'imap.gmail.com', receivers: ['mx.google.com'], verified: true },
  { imapHost: 'imap.qq.com', receivers: ['mx.qq.com'], verified: false },
];

/** The receivers trusted for a mailbox on `host` when none are configured. */
export function defaultTrustReceivers(host: string): string[] {
  const h = host.trim().toLowerCase();
  return PROVIDER_RECEIVERS.find((p) => p.imapHost === h)?.receivers ?? [];
}
