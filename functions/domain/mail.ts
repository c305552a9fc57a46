/**
 * A parsed email as the domain sees it: plain data, no library types, so the classifier and the
 * authenticity check can be tested with hand-built values and the MIME library can be swapped.
 * The adapter that builds it is functions/adapters/mime-parser.ts.
 */
import type { IsoTime } from './types';

export interface MailHeader {
  /** Field name in lower case, e.g. `authentication-results`. */
  key: string;
  /** Field body: unfolded (line breaks of folding removed), RFC 2047 encoded words decoded, trimmed. */
  value: string;
}

export interface ParsedMail {
  /** First address of the From header, or null when there is none that parses. */
  from: { address: string; name?: string } | null;
  /**
   * How many mailboxes the From header(s) name. More than one is never a notification from Amazon
   * (and would let a forger pair Amazon's address with their own), so it is not authentic.
   */
  fromCount?: number;
  /**
   * Every From header's value as written (unfolded, RFC 2047 words NOT decoded), for the strict
   * mailbox check of authenticity.ts (`strictMailbox`). Absent in hand-built values.
   */
  rawFrom?: string[];
  /** Recipient addresses from To, Cc and Delivered-To, lower-cased, de-duplicated, in that order. */
  to: string[];
  /** Decoded subject, '' when absent. */
  subject: string;
  /** The Date header in ISO UTC, absent when missing or unparseable (never "now"). */
  date?: IsoTime;
  /** Message-ID without the angle brackets. */
  messageId?: string;
  /** The text/plain body, decoded to text ('' when the message has none). */
  text: string;
  /** The text/html body, decoded to text ('' when the message has none). */
  html: string;
  /**
   * Every header of the top-level message, in the order it appears (topmost first). Trace headers
   * (Received, Authentication-Results) are prepended by each hop, so their order is evidence.
   */
  headers: MailHeader[];
}

/** Values of every header named `key` (case-insensitive), topmost first. */
export function headerValues(mail: Pick<ParsedMail, 'headers'>, key: string): string[] {
  const k = key.toLowerCase();
  return mail.headers.filter((h) => h.key === k).map((h) => h.value);
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** RFC 5322 §4.3 obsolete zone names, in minutes east of UTC. Military zones are read as UTC (§4.3). */
const NAMED_ZONES: Readonly<Record<string, number>> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

// day month year hour:minute[:second] [zone]; the day-of-week is optional and not checked.
const DATE_TIME =
  /^(?:[a-z]{3},?\s*)?(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[a-z]{1,5})?/i;

/**
 * Parses an RFC 5322 date-time (`Fri, 27 Nov 2026 15:11:37 +0000 (UTC)`) into ISO UTC, or
 * undefined. Written out rather than left to `new Date(string)`, whose fallback parser accepts
 * almost anything and so would turn garbage into a plausible arrival time.
 */
export function parseRfc5322Date(value: string): IsoTime | undefined {
  const m = DATE_TIME.exec(stripComments(value).trim());
  if (!m) return undefined;
  const [, dd, mon, yy, hh, mi, ss, zone] = m;
  const month = MONTHS[mon.toLowerCase()];
  if (month === undefined) return undefined;
  let year = Number(yy);
  // RFC 5322 §4.3: two-digit years are 19xx from 50, 20xx below; three digits add 1900.
  if (yy.length === 2) year += year < 50 ? 2000 : 1900;
  else if (yy.length === 3) year += 1900;
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  const day = Number(dd);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined) return 0; // RFC 5322 makes the zone mandatory; a missing one is read as UTC.
  if (/^[+-]\d{4}$/.test(zone)) {
    const sign = zone[0] === '-' ? -1 : 1;
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3, 5));
    if (minutes > 59) return undefined;
    return sign * (hours * 60 + minutes);
  }
  const named = NAMED_ZONES[zone.toLowerCase()];
  if (named !== undefined) return named;
  return /^[a-z]$/i.test(zone) ? 0 : undefined;
}

/** Removes RFC 5322 comments `( ... )`, nested ones included, leaving a space in their place. */
export function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && depth > 0) {
      i++;
      continue;
    }
    if (c === '(') {
      depth++;
      continue;
    }
    if (c === ')' && depth > 0) {
      depth--;
      if (depth === 0) out += ' ';
      continue;
    }
    if (depth === 0) out += c;
  }
  return out;
}

/**
 * When the message reached the receiver: the date of the topmost Received header (the one the
 * final receiver, e.g. SES, prepended), else the Date header (which the sender writes and may
 * be wrong), else null. A Received header's date is everything after its last `;`.
 */
export function receivedAtOf(mail: Pick<ParsedMail, 'headers' | 'date'>): IsoTime | null {
  const top = headerValues(mail, 'received')[0];
  if (top !== undefined) {
    const semicolon = top.lastIndexOf(';');
    const when = semicolon >= 0 ? parseRfc5322Date(top.slice(semicolon + 1)) : undefined;
    if (when !== undefined) return when;
  }
  return mail.date ?? null;
}

/** The domain part of an address, lower-cased, without a trailing dot; null when there is none. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) return null;
  return address.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
}

// ---------------------------------------------------------------------------------------------
// Strict From parsing

/**
 * The one mailbox of a From header value, read strictly (RFC 5322 §3.4 `mailbox`, comments
 * allowed outside the address): `addr-spec` or `[display-name] <addr-spec>`, nothing after the
 * angle address, no encoded word or second address anywhere in the address part. Null when the
 * value is anything else: two parsers could read it differently (`Amazon <a@amazon.com>
 * <x@evil.example>`, `<=?utf-8?q?...?=@amazon.com>`), so it names no sender we can trust.
 */
export function strictMailbox(value: string): string | null {
  const v = stripComments(value).trim();
  if (v === '' || v.includes('=?') && /=\?[^?]*\?[bq]\?[^?]*\?=/i.test(addressPart(v) ?? v)) return null;
  const ADDR = /^((?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)|"(?:[^"\\\r\n]|\\.)*")@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)\.?$/;
  const lt = indexOutsideQuotes(v, '<');
  if (lt === -1) {
    const m = ADDR.exec(v);
    return m ? `${m[1]}@${m[2]}`.toLowerCase() : null;
  }
  const gt = v.indexOf('>', lt);
  if (gt === -1 || v.slice(gt + 1).trim() !== '') return null;
  const display = v.slice(0, lt);
  // A display name is words and quoted strings: no unquoted specials that start another address.
  if (/[<>@,;:]/.test(unquoted(display))) return null;
  const m = ADDR.exec(v.slice(lt + 1, gt).trim());
  return m ? `${m[1]}@${m[2]}`.toLowerCase() : null;
}

function addressPart(v: string): string | null {
  const lt = indexOutsideQuotes(v, '<');
  return lt === -1 ? v : v.slice(lt);
}

function indexOutsideQuotes(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) return i;
  }
  return -1;
}

/** The text with quoted strings removed. */
function unquoted(s: string): string {
  return s.replace(/"(?:[^"\\]|\\.)*"/g, '');
}
