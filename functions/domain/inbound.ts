/**
 * The inbound channel, pure: which seller a message is for (recipient -> alias), unguessable alias
 * generation (randomness injected), and the channel facts the alerting work needs to explain a
 * missing email (arrival delay, verdicts, forwarding). No AWS SDK, no process.env, no clock.
 *
 * Headers are the domain's `MailHeader` (lower-case key, unfolded value, topmost first), as
 * functions/adapters/mime-parser.ts produces them.
 */
import { SentinelError } from './errors';
import type { MailHeader } from './mail';
import { parseRfc5322Date } from './mail';
import type { AuthResult, IsoTime } from './types';

// ---- aliases ----------------------------------------------------------------------------------

/** Base32 (RFC 4648 alphabet, lower case): 256 is a multiple of 32, so `byte & 31` is unbiased. */
const ALIAS_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** 16 characters x 5 bits = 80 bits: not guessable, short enough to type into Seller Central. */
export const ALIAS_RANDOM_CHARS = 16;
export const ALIAS_PREFIX = 'snw-';

/**
 * A new unguessable alias, e.g. `snw-k3q7x2m9a4b5c6d7`. `randomBytes(n)` must return n bytes from
 * a cryptographically secure source (node:crypto randomBytes in production; fixed bytes in tests).
 */
export function generateAlias(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(ALIAS_RANDOM_CHARS);
  if (bytes.length < ALIAS_RANDOM_CHARS) throw new RangeError(`generateAlias: need ${ALIAS_RANDOM_CHARS} random bytes, got ${bytes.length}`);
  let out = ALIAS_PREFIX;
  for (let i = 0; i < ALIAS_RANDOM_CHARS; i++) out += ALIAS_ALPHABET[bytes[i] & 31];
  return out;
}

/**
 * The one alphabet of inbound aliases, for every entry point (repository, CLI, bulk import):
 * lower-case letters, digits, and '.', '_', '-' inside (not first or last, no '..'), at most 64
 * characters (an address's local part). Routing folds a recipient only by lower-casing it and
 * cutting a `+tag` (see `aliasOfRecipient`); an alias in this alphabet is left unchanged by both,
 * so no recipient can be folded into another seller's alias — `shop+x` cannot be registered and
 * then receive `shop`'s mail. Upper-case input is accepted and lower-cased (routing is
 * case-insensitive, and the stored key is the lower-cased alias, so `Shop` and `shop` are one).
 */
const ALIAS_SYNTAX = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

export class InvalidAliasError extends SentinelError {
  readonly alias: string;
  /** What is wrong, for a message of the caller's own (e.g. with a file and line). */
  readonly problem: string;
  constructor(alias: string, problem: string) {
    super(`invalid inbound alias ${JSON.stringify(alias)}: ${problem}`);
    this.alias = alias;
    this.problem = problem;
  }
}

/**
 * Validate an inbound alias and return it normalised (lower case); throws InvalidAliasError saying
 * what is wrong. The one check every entry point calls.
 */
export function validateInboundAlias(alias: string): string {
  if (typeof alias !== 'string' || alias.trim().length === 0) throw new InvalidAliasError(String(alias), 'empty');
  const a = alias.toLowerCase();
  if (a.includes('+')) throw new InvalidAliasError(alias, "must not contain '+' (mail routing cuts a +tag, so it would be another alias's address)");
  if (a.includes('@')) throw new InvalidAliasError(alias, "is the part before '@' only, without the domain");
  if (a.length > 64) throw new InvalidAliasError(alias, `at most 64 characters (got ${a.length})`);
  if (a.includes('..')) throw new InvalidAliasError(alias, "must not contain '..'");
  if (!ALIAS_SYNTAX.test(a)) {
    throw new InvalidAliasError(alias, "letters, digits and '.', '_', '-' only, starting and ending with a letter or digit");
  }
  return a;
}

/** True when `alias` is in the alias alphabet (case-insensitively). */
export function isValidInboundAlias(alias: string): boolean {
  try {
    validateInboundAlias(alias);
    return true;
  } catch {
    return false;
  }
}

/** The full address to give Seller Central. */
export function inboundAddress(alias: string, inboundDomain: string): string {
  return `${alias.toLowerCase()}@${normalizeDomain(inboundDomain)}`;
}

function normalizeDomain(d: string): string {
  return d.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * The alias a recipient address names on the inbound domain, or null when the address is on
 * another domain or names no alias of the alias alphabet (`validateInboundAlias`).
 * Case-insensitive; plus-addressing (`alias+tag@domain`) names `alias`; angle brackets and a
 * display name are tolerated.
 */
export function aliasOfRecipient(recipient: string, inboundDomain: string): string | null {
  const address = bareAddress(recipient);
  if (!address) return null;
  const at = address.lastIndexOf('@');
  if (at < 1) return null;
  if (normalizeDomain(address.slice(at + 1)) !== normalizeDomain(inboundDomain)) return null;
  const local = address.slice(0, at).replace(/^"|"$/g, '');
  const alias = local.split('+')[0].toLowerCase();
  return isValidInboundAlias(alias) ? alias : null;
}

/** `"Name" <a@b>` -> `a@b`, lower case; null when there is no address. */
export function bareAddress(value: string): string | null {
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const address = angle ? angle[1] : /([^\s<>",;]+@[^\s<>",;]+)/.exec(value)?.[1];
  return address ? address.toLowerCase().replace(/\.$/, '') : null;
}

/**
 * Envelope recipients in order of trust:
 * 1. the receipt's recipients (SES event), when the trigger carried one;
 * 2. the `for <addr>` clause of the topmost Received header (the one the receiving server, SES,
 *    prepended: it names the envelope recipient, which is the alias even when the message was
 *    forwarded and its To header names the seller's own mailbox);
 * 3. Delivered-To / X-Original-To / To / Cc, as a fallback.
 * Lower-cased and de-duplicated.
 */
export function envelopeRecipients(headers: readonly MailHeader[], receiptRecipients?: readonly string[]): string[] {
  const out: string[] = [];
  const add = (v: string | null) => {
    if (v && !out.includes(v)) out.push(v);
  };
  for (const r of receiptRecipients ?? []) add(bareAddress(r));
  if (out.length > 0) return out;
  const top = headers.find((h) => h.key === 'received');
  const forClause = top ? /\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?/i.exec(top.value) : null;
  if (forClause) add(bareAddress(forClause[1]));
  if (out.length > 0) return out;
  for (const key of ['delivered-to', 'x-original-to', 'to', 'cc']) {
    for (const h of headers) {
      if (h.key !== key) continue;
      for (const part of h.value.split(',')) add(bareAddress(part));
    }
  }
  return out;
}

/** The distinct aliases on the inbound domain among the recipients. */
export function aliasesOf(recipients: readonly string[], inboundDomain: string): string[] {
  const aliases: string[] = [];
  for (const r of recipients) {
    const a = aliasOfRecipient(r, inboundDomain);
    if (a && !aliases.includes(a)) aliases.push(a);
  }
  return aliases;
}

// ---- forwarding -------------------------------------------------------------------------------

export type ForwardingEvidence =
  | 'x-forwarded-for'
  | 'x-forwarded-to'
  | 'srs-envelope-sender'
  | 'gmail-caf-envelope-sender'
  | 'received-hops';

export interface ForwardingFacts {
  forwarded: boolean;
  evidence: ForwardingEvidence[];
  /** Number of Received headers (hops the message made, SES's own included). */
  receivedHops: number;
}

/**
 * Amazon hands mail straight to the recipient's MX: a direct Sold, Ship Now email arrives with few
 * hops (Amazon's outbound relays + SES). Mail forwarded from the seller's mailbox (Gmail, Outlook,
 * a corporate server) passes through that provider, which leaves marks: X-Forwarded-For/-To
 * headers, a rewritten envelope sender (SRS: `SRS0=`/`SRS1=`; Gmail's `+caf_=`), and extra hops.
 */
export const DIRECT_MAX_HOPS = 4;

export function forwardingFacts(headers: readonly MailHeader[]): ForwardingFacts {
  const evidence: ForwardingEvidence[] = [];
  const has = (k: string) => headers.some((h) => h.key === k);
  if (has('x-forwarded-for')) evidence.push('x-forwarded-for');
  if (has('x-forwarded-to')) evidence.push('x-forwarded-to');
  // The Return-Path SES writes is the envelope sender (MAIL FROM); the topmost one is SES's.
  const returnPath = headers.find((h) => h.key === 'return-path')?.value ?? '';
  if (/(^|[<\s])srs[01][=+-]/i.test(returnPath)) evidence.push('srs-envelope-sender');
  if (/\+caf_=/i.test(returnPath)) evidence.push('gmail-caf-envelope-sender');
  const receivedHops = headers.filter((h) => h.key === 'received').length;
  if (receivedHops > DIRECT_MAX_HOPS) evidence.push('received-hops');
  return { forwarded: evidence.length > 0, evidence, receivedHops };
}

// ---- arrival ----------------------------------------------------------------------------------

/** When the sender says it sent the message (Date header), ISO UTC, or undefined. */
export function sentAtOf(headers: readonly MailHeader[]): IsoTime | undefined {
  const date = headers.find((h) => h.key === 'date')?.value;
  return date === undefined ? undefined : parseRfc5322Date(date);
}

/** Whole seconds from `from` to `to` (negative when `to` is earlier), or null when either is unknown. */
export function delaySeconds(from: IsoTime | undefined | null, to: IsoTime | undefined | null): number | null {
  if (!from || !to) return null;
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.round((b - a) / 1000);
}

// ---- size -------------------------------------------------------------------------------------

export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export function isOversized(sizeBytes: number, maxBytes: number): boolean {
  return sizeBytes > maxBytes;
}

// ---- channel facts ----------------------------------------------------------------------------

/** What is kept per accepted email for diagnosis. No subject, body, names or addresses of buyers. */
export interface ChannelFacts {
  receivedAt: IsoTime;
  /** Date header (sender's clock), if any. */
  sentAt?: IsoTime;
  /** receivedAt - sentAt, seconds: time in transit (forwarding and greylisting show here). */
  transitSeconds: number | null;
  /** receivedAt - order's purchase/payment time, seconds, for the orders known at arrival. */
  orderDelaySeconds: number | null;
  spf: AuthResult;
  dkim: AuthResult;
  dmarc: AuthResult;
  spam?: AuthResult;
  virus?: AuthResult;
  forwarding: ForwardingFacts;
}
