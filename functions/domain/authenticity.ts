/**
 * Did this email really come from Amazon? Pure: reads verdicts the receiving server recorded
 * (Authentication-Results, RFC 8601, or the SES receipt) and the From domain; verifies nothing
 * cryptographically itself.
 *
 * Only a receiver we trust may vouch. Anyone can write an Authentication-Results header into a
 * message they send, so only headers whose authserv-id is trusted count, and of those only the
 * topmost: a receiver prepends its header, so its own is above anything that came with the
 * message, including a forger's fake one. The default trusted receiver is SES (`amazonses.com`),
 * and its header counts only when SES's own `Received: ... by inbound-smtp.<region>.amazonaws.com`
 * is the topmost hop and the header sits above the next hop's Received line (SES writes both; a
 * message that reached us some other way carries, at best, someone else's copy). Exports from a
 * mailbox provider name theirs (`--trust-receiver mx.google.com`). SES receipt verdicts (Lambda
 * and SNS actions) are SES's own and used as they are.
 *
 * Authentic needs positive, aligned evidence (see `decideAuthenticity`); no trusted verdict at
 * all is `unverified`, never a pass.
 */
import { domainOf, strictMailbox, stripComments, type MailHeader } from './mail';
import { marketplaceBySenderDomain } from './marketplaces';
import type { AuthResult, AuthVerdicts, AuthenticityDecision } from './types';

export const DEFAULT_TRUSTED_AUTHSERV_ID = 'amazonses.com';

/**
 * Why a message is not authentic. `no-aligned-pass` is reported with what the verdict said,
 * e.g. `no-aligned-pass: dmarc=none, dkim=pass for evil.example`.
 */
export type AuthenticityReason =
  | 'sender-not-amazon'
  | 'multiple-from'
  | 'ambiguous-from'
  | 'unverified'
  | 'dmarc-fail'
  | 'spf-and-dkim-fail'
  | 'no-aligned-pass'
  | 'no-verdicts';

export interface AuthenticityOutcome extends AuthenticityDecision {
  /** The reason token, followed for `no-aligned-pass` by `: <what the verdict said>`. */
  reason: string | null;
  /**
   * True when a trusted receiver's verdict decided. False when there was none: the message is
   * then `unverified` (not authentic), unless `acceptUnverified` let it count on its From alone.
   */
  verified: boolean;
}

const NO_VERDICTS: Readonly<AuthVerdicts> = Object.freeze({ spf: 'none', dkim: 'none', dmarc: 'none' });

/**
 * True when a receiver gave verdicts (a trusted header or a receipt names itself in
 * `authservId`), false for the "absent" default. Hand-built verdicts without `authservId` count
 * as given when they say anything but `none`.
 */
export function hasReceiverVerdicts(v: AuthVerdicts): boolean {
  return v.authservId !== undefined || v.spf !== 'none' || v.dkim !== 'none' || v.dmarc !== 'none';
}

// ---------------------------------------------------------------------------------------------
// Authentication-Results (RFC 8601)

/**
 * Verdicts of the topmost Authentication-Results header of a trusted receiver (authserv-ids
 * compared case-insensitively; default `amazonses.com`, which counts only as described in the file
 * comment). Without one, every result is `none` and `authservId` is absent. For SES, the
 * X-SES-Spam-Verdict and X-SES-Virus-Verdict headers above that header give spam and virus.
 */
export function parseAuthenticationResults(
  headers: readonly MailHeader[],
  trusted: string | readonly string[] = DEFAULT_TRUSTED_AUTHSERV_ID,
): AuthVerdicts {
  const ids = new Set((typeof trusted === 'string' ? [trusted] : trusted).map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
  const index = trustedHeaderIndex(headers, ids);
  if (index === -1) return { ...NO_VERDICTS };
  const id = authservIdOf(headers[index].value);
  const results = methodResults(headers[index].value);
  const verdicts: AuthVerdicts = {
    spf: combine(results.get('spf')),
    dkim: combine(results.get('dkim')),
    dmarc: combine(results.get('dmarc')),
    authservId: id,
  };
  const dkimPassDomains = dkimPassDomainsOf(headers[index].value);
  if (dkimPassDomains.length > 0) verdicts.dkimPassDomains = dkimPassDomains;
  const dmarcFrom = propertyOf(headers[index].value, 'dmarc', 'header.from');
  if (dmarcFrom) verdicts.dmarcHeaderFrom = dmarcFrom;
  // RFC 8601 names it smtp.mailfrom; SES writes envelope-from.
  const mailfrom =
    propertyOf(headers[index].value, 'spf', 'smtp.mailfrom') ??
    /\benvelope-from\s*=\s*"?([^\s";]+@[^\s";]+)/i.exec(stripComments(headers[index].value))?.[1]?.toLowerCase();
  if (mailfrom) verdicts.spfDomain = mailfrom.includes('@') ? mailfrom.slice(mailfrom.lastIndexOf('@') + 1) : mailfrom;
  if (id === DEFAULT_TRUSTED_AUTHSERV_ID) {
    // Only SES writes these; only those it added (above its Authentication-Results) are its own.
    const above = headers.slice(0, index);
    const spam = above.find((h) => h.key === 'x-ses-spam-verdict');
    const virus = above.find((h) => h.key === 'x-ses-virus-verdict');
    if (spam) verdicts.spam = fromSesStatus(spam.value, 'scan');
    if (virus) verdicts.virus = fromSesStatus(virus.value, 'scan');
  }
  return verdicts;
}

/** SES's inbound endpoint as the receiving host of a Received header. */
const SES_INBOUND_HOP = /\bby\s+inbound-smtp\.[a-z0-9-]+\.amazonaws\.com\b/i;

/** Does the topmost Received header say SES received the message? */
export function sesIsTopmostHop(headers: readonly MailHeader[]): boolean {
  const top = headers.find((h) => h.key === 'received');
  return top !== undefined && SES_INBOUND_HOP.test(top.value);
}

/**
 * Index of the Authentication-Results header to trust, or -1. The topmost one whose authserv-id
 * is trusted; for `amazonses.com` only if SES is the topmost hop and the header lies above the
 * second Received line (inside SES's own block of headers).
 */
function trustedHeaderIndex(headers: readonly MailHeader[], ids: ReadonlySet<string>): number {
  const receivedIdx = headers.map((h, i) => (h.key === 'received' ? i : -1)).filter((i) => i >= 0);
  const sesBlockEnd = receivedIdx.length > 1 ? receivedIdx[1] : headers.length;
  const sesTop = sesIsTopmostHop(headers);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    if (h.key !== 'authentication-results') continue;
    const id = authservIdOf(h.value);
    if (!ids.has(id)) continue;
    if (id === DEFAULT_TRUSTED_AUTHSERV_ID && !(sesTop && i < sesBlockEnd)) continue;
    return i;
  }
  return -1;
}

/** The authserv-ids of every Authentication-Results header, topmost first, de-duplicated. */
export function receiversOf(headers: readonly MailHeader[]): string[] {
  const out = headers.filter((h) => h.key === 'authentication-results').map((h) => authservIdOf(h.value)).filter((id) => id !== '');
  return [...new Set(out)];
}

/** Does the message carry any verdict header at all (Authentication-Results, ARC, Received-SPF)? */
export function hasAnyVerdictHeader(headers: readonly MailHeader[]): boolean {
  return headers.some((h) => h.key === 'authentication-results' || h.key === 'arc-authentication-results' || h.key === 'received-spf');
}

/** `dmarc=pass ... header.from=amazon.in` -> `amazon.in` (of the first `method` result naming it). */
function propertyOf(value: string, method: string, property: string): string | undefined {
  for (const resinfo of splitOutsideQuotes(value, ';').slice(1)) {
    const text = stripComments(resinfo);
    if (!new RegExp(`^\\s*${method}\\s*(?:/\\s*\\d+\\s*)?=`, 'i').test(text)) continue;
    const m = new RegExp(`\\b${property.replace('.', '\\.')}\\s*=\\s*"?([^\\s";]+)`, 'i').exec(text);
    if (m) return m[1].toLowerCase().replace(/\.$/, '');
  }
  return undefined;
}

/** `authserv-id [version] ; ...` -> the authserv-id, lower-cased. */
function authservIdOf(value: string): string {
  const head = stripComments(splitOutsideQuotes(value, ';')[0] ?? '').trim();
  return (head.split(/\s+/)[0] ?? '').toLowerCase();
}

/** Each `method[/version]=result` after the authserv-id, grouped by method, in order. */
function methodResults(value: string): Map<string, AuthResult[]> {
  const out = new Map<string, AuthResult[]>();
  for (const resinfo of splitOutsideQuotes(value, ';').slice(1)) {
    const m = /^\s*([a-z0-9_-]+)\s*(?:\/\s*\d+\s*)?=\s*([a-z]+)/i.exec(stripComments(resinfo));
    if (!m) continue; // `none` (no method evaluated) or an empty trailing part
    const method = m[1].toLowerCase();
    const list = out.get(method) ?? [];
    list.push(toAuthResult(m[2]));
    out.set(method, list);
  }
  return out;
}

/** `dkim=pass header.d=amazon.com` / `header.i=@amazon.com` -> the signing domains that passed. */
function dkimPassDomainsOf(value: string): string[] {
  const out: string[] = [];
  for (const resinfo of splitOutsideQuotes(value, ';').slice(1)) {
    const text = stripComments(resinfo);
    if (!/^\s*dkim\s*(?:\/\s*\d+\s*)?=\s*pass\b/i.test(text)) continue;
    const d = /\bheader\.d\s*=\s*"?([^\s";]+)/i.exec(text)?.[1] ?? /\bheader\.i\s*=\s*"?[^\s";@]*@([^\s";]+)/i.exec(text)?.[1];
    if (d) out.push(d.toLowerCase().replace(/\.$/, ''));
  }
  return out;
}

const RESULTS: ReadonlySet<string> = new Set(['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy']);

function toAuthResult(word: string): AuthResult {
  const w = word.toLowerCase();
  if (w === 'hardfail') return 'fail'; // RFC 5451 era SPF spelling
  return RESULTS.has(w) ? (w as AuthResult) : 'unknown';
}

/**
 * One result from several (one per DKIM signature, say): any pass wins, since one valid
 * signature is enough; otherwise the most damning one.
 */
const PRECEDENCE: readonly AuthResult[] = ['pass', 'fail', 'permerror', 'softfail', 'policy', 'neutral', 'temperror', 'unknown', 'none'];

function combine(results: AuthResult[] | undefined): AuthResult {
  if (!results || results.length === 0) return 'none';
  return PRECEDENCE.find((r) => results.includes(r)) ?? 'unknown';
}

/** Splits on `sep` outside comments and quoted strings (a comment may contain `;`). */
function splitOutsideQuotes(value: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && (quoted || depth > 0)) {
      current += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"' && depth === 0) quoted = !quoted;
    else if (c === '(' && !quoted) depth++;
    else if (c === ')' && !quoted && depth > 0) depth--;
    if (c === sep && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

// ---------------------------------------------------------------------------------------------
// SES receipt

/** The verdict part of an SES receipt (Lambda event `Records[].ses.receipt`, SNS `receipt`). */
export interface SesReceiptVerdicts {
  spfVerdict?: { status?: string };
  dkimVerdict?: { status?: string };
  dmarcVerdict?: { status?: string };
  spamVerdict?: { status?: string };
  virusVerdict?: { status?: string };
}

export const SES_RECEIPT_AUTHSERV_ID = 'ses-receipt';

/**
 * SES receipt verdicts -> AuthVerdicts. SES documents PASS, FAIL, GRAY and PROCESSING_FAILED
 * (and DISABLED for spam/virus scanning). GRAY means "nothing to check" for SPF/DKIM/DMARC (no
 * policy, no signature), so `none`; for spam/virus it means "could not tell", so `neutral`.
 */
export function verdictsFromSesReceipt(receipt: SesReceiptVerdicts): AuthVerdicts {
  return {
    spf: fromSesStatus(receipt.spfVerdict?.status, 'auth'),
    dkim: fromSesStatus(receipt.dkimVerdict?.status, 'auth'),
    dmarc: fromSesStatus(receipt.dmarcVerdict?.status, 'auth'),
    spam: fromSesStatus(receipt.spamVerdict?.status, 'scan'),
    virus: fromSesStatus(receipt.virusVerdict?.status, 'scan'),
    authservId: SES_RECEIPT_AUTHSERV_ID,
  };
}

function fromSesStatus(status: string | undefined, kind: 'auth' | 'scan'): AuthResult {
  switch ((status ?? '').trim().toUpperCase()) {
    case 'PASS':
      return 'pass';
    case 'FAIL':
      return 'fail';
    case 'GRAY':
      return kind === 'auth' ? 'none' : 'neutral';
    case 'PROCESSING_FAILED':
      return 'temperror';
    case '':
    case 'DISABLED':
      return 'none';
    default:
      return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Decision

/** SPF results that mean "this server may not send for the envelope domain". */
const SPF_FAILING: ReadonlySet<AuthResult> = new Set(['fail', 'softfail', 'permerror']);
/** DKIM results that mean "no valid signature" (Amazon signs all its mail). */
const DKIM_FAILING: ReadonlySet<AuthResult> = new Set(['fail', 'permerror', 'none']);

const DOMAIN_SYNTAX = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** What the From header(s) say, as the authenticity decision needs it. */
export interface FromFacts {
  /** mailparser's reading of the (first) From mailbox. */
  address: string | null | undefined;
  /** Mailboxes named by all From headers. */
  count?: number;
  /** The From header values as written (undecoded), when known: checked strictly. */
  raw?: readonly string[];
}

export interface AuthenticityOptions {
  /** Let a message with no verdict header at all count on its From alone (`verified: false`). */
  acceptUnverified?: boolean;
  /** The message carries some verdict header (trusted or not): then `acceptUnverified` does not apply. */
  hasVerdictHeaders?: boolean;
  /** @deprecated kept for callers of the old signature: true makes "no verdict" `no-verdicts`. */
  requireVerdicts?: boolean;
  /** @deprecated use FromFacts.count. */
  fromCount?: number;
}

/**
 * Authentic only on positive, aligned evidence from a trusted receiver:
 * 1. The From is exactly one mailbox, read the same by a strict RFC 5322 parse and by mailparser
 *    (else `multiple-from` for several, `ambiguous-from` for a disagreement), on an Amazon
 *    marketplace sender domain (exact or subdomain; `amazon-de.com`, `amazon.de.evil.com` are
 *    not): else `sender-not-amazon`.
 * 2. A trusted receiver gave verdicts: else `unverified` (or, with `acceptUnverified` and no
 *    verdict header at all, authentic with `verified: false`).
 * 3. No DMARC fail: else `dmarc-fail`.
 * 4. DMARC pass whose `header.from` is the From domain (an SES receipt's DMARC verdict is about the
 *    From by definition), or a DKIM pass whose signing domain is the From's Amazon domain (relaxed
 *    alignment: the same marketplace domain, e.g. d=amazon.in for From amazon.in; d=amazonses.com is
 *    not). `none`, `neutral`, `temperror`, `permerror`, `policy`, `bestguesspass`, SPF for another
 *    domain and a DKIM pass without a domain are not enough: `no-aligned-pass: <what it said>`, or
 *    `spf-and-dkim-fail` when SPF and DKIM both failed outright.
 * Mail auto-forwarded by the seller's mailbox keeps Amazon's DKIM signature but fails SPF: DKIM
 * pass aligned with the From, so it is authentic.
 */
export function decideAuthenticity(
  from: FromFacts | string | null | undefined,
  verdicts: AuthVerdicts,
  opts: AuthenticityOptions = {},
): AuthenticityOutcome {
  const f: FromFacts = typeof from === 'object' && from !== null ? from : { address: from, count: opts.fromCount };
  const verified = hasReceiverVerdicts(verdicts);
  const reject = (reason: string): AuthenticityOutcome => ({ authentic: false, reason, verified });
  if ((f.count ?? 1) > 1 || (f.raw?.length ?? 0) > 1) return reject('multiple-from');
  if (f.raw && f.raw.length === 1 && f.address) {
    const strict = strictMailbox(f.raw[0]);
    if (strict === null || strict !== f.address.trim().toLowerCase()) {
      return isAmazonSender(f.address) || mentionsAmazon(f.raw[0]) ? reject('ambiguous-from') : reject('sender-not-amazon');
    }
  }
  if (!isAmazonSender(f.address)) return reject('sender-not-amazon');
  const fromAddress = f.address as string;
  if (!verified) {
    if (opts.requireVerdicts) return reject('no-verdicts');
    if (opts.acceptUnverified && !opts.hasVerdictHeaders) return { authentic: true, reason: null, verified: false };
    return reject('unverified');
  }
  if (verdicts.dmarc === 'fail') return reject('dmarc-fail');
  const fromDomain = domainOf(fromAddress) ?? '';
  if (verdicts.dmarc === 'pass' && dmarcAligned(verdicts, fromDomain)) return { authentic: true, reason: null, verified };
  if (verdicts.dkim === 'pass' && (verdicts.dkimPassDomains ?? []).some((d) => aligned(d, fromDomain))) {
    return { authentic: true, reason: null, verified };
  }
  if (SPF_FAILING.has(verdicts.spf) && DKIM_FAILING.has(verdicts.dkim)) return reject('spf-and-dkim-fail');
  return reject(`no-aligned-pass: ${describe(verdicts, fromDomain)}`);
}

function dmarcAligned(v: AuthVerdicts, fromDomain: string): boolean {
  // SES evaluates DMARC for the message's From header itself; its receipt names no domain.
  if (v.dmarcHeaderFrom === undefined) return v.authservId === SES_RECEIPT_AUTHSERV_ID;
  return v.dmarcHeaderFrom === fromDomain;
}

/** Relaxed alignment with the From's marketplace domain (RFC 7489 §3.1.1 with Amazon's table). */
function aligned(signingDomain: string, fromDomain: string): boolean {
  const a = marketplaceBySenderDomain(signingDomain);
  return a !== undefined && a === marketplaceBySenderDomain(fromDomain);
}

/** What the verdict said, for the reason: `dmarc=none, dkim=pass for amazonses.com, spf=pass for x`. */
function describe(v: AuthVerdicts, fromDomain: string): string {
  const parts: string[] = [];
  const dmarc = v.dmarc === 'unknown' ? 'unrecognised' : v.dmarc;
  parts.push(v.dmarc === 'pass' ? `dmarc=pass for ${v.dmarcHeaderFrom ?? 'no domain'} (not ${fromDomain})` : `dmarc=${dmarc}`);
  if (v.dkim === 'pass') {
    const ds = v.dkimPassDomains ?? [];
    parts.push(ds.length > 0 ? `dkim=pass for ${ds.join(' ')} (not ${fromDomain})` : 'dkim=pass without a domain');
  } else parts.push(`dkim=${v.dkim === 'unknown' ? 'unrecognised' : v.dkim}`);
  if (v.spf === 'pass') parts.push(`spf=pass for ${v.spfDomain ?? 'an unnamed domain'}`);
  else parts.push(`spf=${v.spf}`);
  return parts.join(', ');
}

/** An ambiguous From that mentions Amazon is an attempt to look like Amazon: say so. */
function mentionsAmazon(raw: string): boolean {
  return /amazon/i.test(raw);
}

/** The From address's domain is, or is a subdomain of, a marketplace sender domain. */
export function isAmazonSender(fromAddress: string | null | undefined): boolean {
  if (!fromAddress) return false;
  const domain = domainOf(fromAddress);
  if (domain === null || !DOMAIN_SYNTAX.test(domain)) return false;
  return marketplaceBySenderDomain(domain) !== undefined;
}
