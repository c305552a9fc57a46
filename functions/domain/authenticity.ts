/**
 * Did this email really come from Amazon? Pure: reads verdicts the receiving server recorded
 * (Authentication-Results, RFC 8601, or the SES receipt) and the From domain; verifies nothing
 * cryptographically itself.
 *
 * Only a receiver we trust may vouch. Anyone can write an Authentication-Results header into a
 * message they send, so only headers whose authserv-id is the trusted one (SES: `amazonses.com`)
 * count, and of those only the topmost: a receiver prepends its header, so SES's own is above
 * anything that came with the message, including a forger's fake `amazonses.com` one.
 */
import { domainOf, stripComments, type MailHeader } from './mail';
import { marketplaceBySenderDomain } from './marketplaces';
import type { AuthResult, AuthVerdicts, AuthenticityDecision } from './types';

export const DEFAULT_TRUSTED_AUTHSERV_ID = 'amazonses.com';

export type AuthenticityReason = 'sender-not-amazon' | 'multiple-from' | 'dmarc-fail' | 'spf-and-dkim-fail' | 'no-verdicts';

export interface AuthenticityOutcome extends AuthenticityDecision {
  reason: AuthenticityReason | null;
  /**
   * False when no trusted receiver gave a verdict (no trusted Authentication-Results header, no
   * SES receipt): the decision then rests on the From domain alone. Callers and diagnosis should
   * show it; `requireVerdicts` turns it into a rejection.
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
 * Verdicts of the topmost Authentication-Results header whose authserv-id is `trustedAuthservId`
 * (case-insensitive). Without one, every result is `none` and `authservId` is absent. For SES,
 * the X-SES-Spam-Verdict and X-SES-Virus-Verdict headers above that header give spam and virus.
 */
export function parseAuthenticationResults(
  headers: readonly MailHeader[],
  trustedAuthservId: string = DEFAULT_TRUSTED_AUTHSERV_ID,
): AuthVerdicts {
  const trusted = trustedAuthservId.trim().toLowerCase();
  const index = headers.findIndex((h) => h.key === 'authentication-results' && authservIdOf(h.value) === trusted);
  if (index === -1) return { ...NO_VERDICTS };
  const results = methodResults(headers[index].value);
  const verdicts: AuthVerdicts = {
    spf: combine(results.get('spf')),
    dkim: combine(results.get('dkim')),
    dmarc: combine(results.get('dmarc')),
    authservId: trusted,
  };
  const dkimPassDomains = dkimPassDomainsOf(headers[index].value);
  if (dkimPassDomains.length > 0) verdicts.dkimPassDomains = dkimPassDomains;
  if (trusted === DEFAULT_TRUSTED_AUTHSERV_ID) {
    // Only SES writes these; only those it added (above its Authentication-Results) are its own.
    const above = headers.slice(0, index);
    const spam = above.find((h) => h.key === 'x-ses-spam-verdict');
    const virus = above.find((h) => h.key === 'x-ses-virus-verdict');
    if (spam) verdicts.spam = fromSesStatus(spam.value, 'scan');
    if (virus) verdicts.virus = fromSesStatus(virus.value, 'scan');
  }
  return verdicts;
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
/**
 * DKIM results that mean "no valid signature". `none` (unsigned) counts when the receiver did
 * evaluate the message: Amazon signs all its mail, so unsigned mail that also fails SPF has
 * nothing vouching for it. Absent verdicts are handled separately (`verified: false`).
 */
const DKIM_FAILING: ReadonlySet<AuthResult> = new Set(['fail', 'permerror', 'none']);

const DOMAIN_SYNTAX = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/**
 * Authentic when the From domain is an Amazon marketplace sender domain (exact or a subdomain;
 * `amazon-de.com`, `amazon.de.evil.com` are not) and the receiver's verdicts do not show forgery:
 * - `dmarc=fail` -> `dmarc-fail` (the From domain's own policy says it is not theirs);
 * - SPF failing (fail/softfail/permerror) and no valid DKIM signature -> `spf-and-dkim-fail`.
 * Mail auto-forwarded by the seller's mailbox keeps Amazon's DKIM signature but fails SPF (the
 * forwarder is not Amazon's server): DKIM pass + DMARC pass, so it is authentic.
 *
 * Missing verdicts (no trusted Authentication-Results, no receipt): accepted on the From domain
 * alone, with `verified: false`, because mail saved from a mailbox or exported by a client often
 * has no trusted header at all. Pass `requireVerdicts` where a verdict must exist (mail received
 * by SES always has one): then the reason is `no-verdicts`.
 */
export function decideAuthenticity(
  fromAddress: string | null | undefined,
  verdicts: AuthVerdicts,
  opts: { requireVerdicts?: boolean; fromCount?: number } = {},
): AuthenticityOutcome {
  const verified = hasReceiverVerdicts(verdicts);
  const reject = (reason: AuthenticityReason): AuthenticityOutcome => ({ authentic: false, reason, verified });
  if (!isAmazonSender(fromAddress)) return reject('sender-not-amazon');
  if ((opts.fromCount ?? 1) > 1) return reject('multiple-from');
  if (verdicts.dmarc === 'fail') return reject('dmarc-fail');
  if (SPF_FAILING.has(verdicts.spf) && dkimFailsFor(fromAddress as string, verdicts)) return reject('spf-and-dkim-fail');
  if (!verified && opts.requireVerdicts) return reject('no-verdicts');
  return { authentic: true, reason: null, verified };
}

/**
 * No valid DKIM signature vouches for the From address: the result is failing, or every passing
 * signature is by a domain not aligned with the From domain (relaxed alignment: the same
 * marketplace sender domain). A signature by `evil.example` on "From: amazon.com" proves nothing.
 */
function dkimFailsFor(fromAddress: string, verdicts: AuthVerdicts): boolean {
  if (DKIM_FAILING.has(verdicts.dkim)) return true;
  // DMARC pass already proves an aligned SPF or DKIM identity.
  if (verdicts.dkim !== 'pass' || !verdicts.dkimPassDomains || verdicts.dmarc === 'pass') return false;
  const from = marketplaceBySenderDomain(domainOf(fromAddress) ?? '');
  return !verdicts.dkimPassDomains.some((d) => from !== undefined && marketplaceBySenderDomain(d) === from);
}

/** The From address's domain is, or is a subdomain of, a marketplace sender domain. */
export function isAmazonSender(fromAddress: string | null | undefined): boolean {
  if (!fromAddress) return false;
  const domain = domainOf(fromAddress);
  if (domain === null || !DOMAIN_SYNTAX.test(domain)) return false;
  return marketplaceBySenderDomain(domain) !== undefined;
}
