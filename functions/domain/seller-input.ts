/**
 * The fields of a seller profile as a person gives them (the flags of `shipnow seller add` and
 * `seller update`, the columns of a `seller add --from` file), checked in one place, pure: every
 * problem is reported (a file row with three mistakes gets three messages), and the messages name
 * the field the way the caller shows it (`--timezone` on the command line, `timezone` in a file).
 */
import { marketplaceByCode, type Marketplace } from './marketplaces';
import type { Seller } from './types';
import { SentinelError } from './errors';

/** The fields, by their flag names (also the CSV column and JSON field names). */
export const SELLER_FIELDS = ['id', 'name', 'marketplaces', 'alert-email', 'language', 'timezone'] as const;
export type SellerField = (typeof SELLER_FIELDS)[number];

/** Optional fields `seller update --clear FIELD` can remove. */
export const CLEARABLE_FIELDS = ['alert-email', 'language', 'timezone'] as const;
export type ClearableField = (typeof CLEARABLE_FIELDS)[number];

/** Raw values: strings as typed; `alert-email` may be given several times or comma-separated. */
export type SellerFieldValues = Partial<Record<Exclude<SellerField, 'alert-email'>, string>> & { 'alert-email'?: readonly string[] };

/** One seller of a `seller add --from` file, with where it is. */
export interface SellerRow {
  /** 1-based line of the row (CSV) or of the object's `{` (JSON). */
  line: number;
  values: SellerFieldValues;
}

/** The profile fields the values set (only those given). */
export interface SellerFieldChanges {
  sellerId?: string;
  name?: string;
  marketplaces?: Marketplace[];
  alertEmails?: string[];
  language?: NonNullable<Seller['language']>;
  timeZone?: string;
}

export const SELLER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;
const LANGUAGES: ReadonlyArray<NonNullable<Seller['language']>> = ['zh-CN', 'en'];

export interface SellerFieldOptions {
  /** How a field is named in messages: `--timezone` or `timezone`. */
  label: (field: SellerField) => string;
  /** Fields that must be given, and the message when one is not. */
  required?: readonly SellerField[];
  missing?: (field: SellerField) => string;
}

/** Checks every given field; `problems` is empty when all are good. */
export function checkSellerFields(values: SellerFieldValues, o: SellerFieldOptions): { changes: SellerFieldChanges; problems: string[] } {
  const problems: string[] = [];
  const changes: SellerFieldChanges = {};
  const given = (f: SellerField): boolean => {
    const v = values[f];
    return v !== undefined && (typeof v === 'string' ? v.trim() !== '' : v.length > 0);
  };
  for (const f of o.required ?? []) {
    if (!given(f)) problems.push(o.missing ? o.missing(f) : `${o.label(f)} is required`);
  }

  const id = values.id?.trim();
  if (id) {
    const problem = sellerIdProblem(o.label('id'), id);
    if (problem) problems.push(problem);
    else changes.sellerId = id;
  }
  const name = values.name?.trim();
  if (name) changes.name = name;
  if (values.marketplaces !== undefined && values.marketplaces.trim() !== '') {
    const r = parseMarketplaceList(values.marketplaces, o.label('marketplaces'));
    if (r.problem) problems.push(r.problem);
    else changes.marketplaces = r.marketplaces;
  }
  if (values['alert-email'] !== undefined) {
    const emails = splitList(values['alert-email']);
    const bad = emails.filter((e) => !EMAIL.test(e));
    for (const e of bad) problems.push(`${o.label('alert-email')} '${e}' is not an email address`);
    if (bad.length === 0 && emails.length > 0) changes.alertEmails = [...new Set(emails)];
  }
  const language = values.language?.trim();
  if (language) {
    if ((LANGUAGES as readonly string[]).includes(language)) changes.language = language as NonNullable<Seller['language']>;
    else problems.push(`${o.label('language')} must be zh-CN or en (got '${language}')`);
  }
  const timeZone = values.timezone?.trim();
  if (timeZone) {
    if (isTimeZone(timeZone)) changes.timeZone = timeZone;
    else problems.push(`${o.label('timezone')} '${timeZone}' is not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  return { changes, problems };
}

/** What is wrong with a seller ID (it becomes part of table keys), or null. */
export function sellerIdProblem(label: string, id: string): string | null {
  return SELLER_ID_PATTERN.test(id) ? null : `${label} '${id}': letters, digits, '.', '_' and '-' only (max 64)`;
}

/** `US,DE,jp` (codes, or keys such as `amazon.de`; also `;`, `|` or spaces between) -> marketplaces, first mention kept once. */
export function parseMarketplaceList(list: string, label: string): { marketplaces: Marketplace[]; problem?: string } {
  const out: Marketplace[] = [];
  for (const code of list.split(/[,;|\s]+/).filter(Boolean)) {
    const m = marketplaceByCode(code);
    if (!m) return { marketplaces: [], problem: `${label}: unknown marketplace '${code}' (e.g. US, CA, MX, UK, DE, FR, IT, ES, NL, JP, AU)` };
    if (!out.includes(m)) out.push(m);
  }
  if (out.length === 0) return { marketplaces: [], problem: `${label} needs at least one marketplace code` };
  return { marketplaces: out };
}

function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/[,;\s]+/)).filter(Boolean);
}

/** Whether `tz` is an IANA time zone this runtime knows (`Asia/Shanghai`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The profile fields a change sets, in the stored form (marketplace keys). */
export function profileFields(c: SellerFieldChanges): Partial<Pick<Seller, 'name' | 'marketplaces' | 'alertEmails' | 'language' | 'timeZone'>> {
  return {
    ...(c.name !== undefined ? { name: c.name } : {}),
    ...(c.marketplaces !== undefined ? { marketplaces: c.marketplaces.map((m) => m.key) } : {}),
    ...(c.alertEmails !== undefined ? { alertEmails: c.alertEmails } : {}),
    ...(c.language !== undefined ? { language: c.language } : {}),
    ...(c.timeZone !== undefined ? { timeZone: c.timeZone } : {}),
  };
}

/** The stored attribute a clearable field names. */
export const CLEARED_ATTRIBUTE: Readonly<Record<ClearableField, keyof Seller>> = Object.freeze({
  'alert-email': 'alertEmails',
  language: 'language',
  timezone: 'timeZone',
});

// ---- the seller's mailbox (issue 14) ---------------------------------------------------------------

/**
 * A connected IMAP mailbox, kept on the profile as `mailbox` (the password is not: it is the
 * seller's 'imap' secret). `folders`: where the intake takes mail from (default the inbox only:
 * mail in junk or trash is what the probe reports, never counted as a notification the seller saw).
 * `trustReceivers`: whose Authentication-Results count (default by provider host, see
 * mailbox-probe.ts `defaultTrustReceivers`).
 */
export interface MailboxSettings {
  host: string;
  port: number;
  user: string;
  folders?: string[];
  trustReceivers?: string[];
}

/** A mailbox address that cannot be used (the CLI shows it as bad input). */
export class SellerInputError extends SentinelError {}

/** `imaps://user@imap.example.com[:993]` -> host, port, user. TLS only: `imap://` is refused. */
export function parseImapUrl(url: string): { host: string; port: number; user: string } {
  // The last @ separates the user from the host, so `shop@gmail.com@imap.gmail.com` works too.
  const m = /^imaps:\/\/([^/\s]+)@([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?\/?$/i.exec(url.trim());
  if (m && m[1].includes(':')) throw new SellerInputError('a password never goes in the IMAP address: set SHIPNOW_IMAP_PASSWORD or answer the prompt');
  if (!m) {
    if (/^imap:\/\//i.test(url.trim())) throw new SellerInputError(`'${url}': only IMAP over TLS is used: write imaps://USER@HOST (port 993)`);
    throw new SellerInputError(`'${url}' is not an IMAP address: write imaps://USER@HOST[:PORT] (an @ in the user name as %40), e.g. imaps://shop%40gmail.com@imap.gmail.com`);
  }
  const port = m[3] ? Number(m[3]) : 993;
  if (port < 1 || port > 65535) throw new SellerInputError(`'${url}': port ${port} is out of range`);
  let user: string;
  try {
    user = decodeURIComponent(m[1]);
  } catch {
    throw new SellerInputError(`'${url}': the user name is not valid URL encoding (write @ as %40)`);
  }
  return { host: m[2].replace(/^\[|\]$/g, '').toLowerCase(), port, user };
}

/** The stored `mailbox` of a profile, or undefined when there is none or it is not usable. */
export function mailboxSettingsOf(profile: { mailbox?: unknown } | undefined): MailboxSettings | undefined {
  const m = profile?.mailbox as Partial<MailboxSettings> | undefined;
  if (!m || typeof m.host !== 'string' || typeof m.user !== 'string' || typeof m.port !== 'number') return undefined;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const folders = strings(m.folders);
  const trust = strings(m.trustReceivers);
  return { host: m.host, port: m.port, user: m.user, ...(folders && folders.length ? { folders } : {}), ...(trust && trust.length ? { trustReceivers: trust } : {}) };
}
