/**
 * Per-seller signed, expiring links: what a status page, a setup page or an alert's "handled" /
 * "snooze 4 h" button carries instead of a login. A token is `<payload>.<mac>`, both base64url:
 * the payload is the JSON of the claims, the mac its HMAC-SHA256 under the deployment's link key.
 *
 * - Verification takes a list of keys (the current one first, then the ones being retired), so a
 *   key can be rotated without breaking links already sent.
 * - A token names exactly one seller and one purpose; a page must check both, never trust a
 *   seller ID from the query string.
 * - Nothing secret or personal goes into a token (it is readable, only not forgeable): seller ID,
 *   purpose, order ID, expiry.
 *
 * Pure: time is passed in; node:crypto only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkPurpose = 'status' | 'setup' | 'ack' | 'snooze';

export interface LinkClaims {
  /** The seller the link opens. */
  sellerId: string;
  purpose: LinkPurpose;
  /** For ack / snooze: the order. */
  orderId?: string;
  /** For snooze: how long, in minutes. */
  snoozeMinutes?: number;
  /** Epoch seconds after which the link is refused. */
  expiresAt: number;
}

export type LinkVerdict =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'wrong-purpose' };

/** Lifetimes, in seconds, by purpose (documented in SECURITY.md). */
export const LINK_LIFETIME_SECONDS: Readonly<Record<LinkPurpose, number>> = {
  status: 30 * 24 * 3600,
  setup: 7 * 24 * 3600,
  ack: 7 * 24 * 3600,
  snooze: 7 * 24 * 3600,
};

export const MIN_LINK_KEY_BYTES = 32;

function mac(payload: string, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

function checkKey(key: Uint8Array): void {
  if (key.length < MIN_LINK_KEY_BYTES) throw new RangeError(`a link key needs at least ${MIN_LINK_KEY_BYTES} bytes (got ${key.length})`);
}

export function signLink(claims: LinkClaims, key: Uint8Array): string {
  checkKey(key);
  const ordered: LinkClaims = {
    sellerId: claims.sellerId,
    purpose: claims.purpose,
    ...(claims.orderId !== undefined ? { orderId: claims.orderId } : {}),
    ...(claims.snoozeMinutes !== undefined ? { snoozeMinutes: claims.snoozeMinutes } : {}),
    expiresAt: Math.floor(claims.expiresAt),
  };
  const payload = Buffer.from(JSON.stringify(ordered)).toString('base64url');
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

/** Claims for a new link of `purpose`, expiring after its standard lifetime from `nowMs`. */
export function linkClaims(sellerId: string, purpose: LinkPurpose, nowMs: number, extra: Pick<LinkClaims, 'orderId' | 'snoozeMinutes'> = {}): LinkClaims {
  return { sellerId, purpose, ...extra, expiresAt: Math.floor(nowMs / 1000) + LINK_LIFETIME_SECONDS[purpose] };
}

function parseClaims(payload: string): LinkClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const purposes: readonly string[] = ['status', 'setup', 'ack', 'snooze'];
  if (typeof v.sellerId !== 'string' || v.sellerId === '') return undefined;
  if (typeof v.purpose !== 'string' || !purposes.includes(v.purpose)) return undefined;
  if (typeof v.expiresAt !== 'number' || !Number.isFinite(v.expiresAt)) return undefined;
  if (v.orderId !== undefined && typeof v.orderId !== 'string') return undefined;
  if (v.snoozeMinutes !== undefined && (typeof v.snoozeMinutes !== 'number' || !(v.snoozeMinutes > 0))) return undefined;
  return v as unknown as LinkClaims;
}

/** `<payload>.<mac>`, both base64url and of a sane length, split in two; undefined when it is not. */
export function splitToken(token: unknown): [payload: string, mac: string] | undefined {
  if (typeof token !== 'string' || token.length > 2048) return undefined;
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) return undefined;
  return parts as [string, string];
}

/**
 * Check a token against the keys (current first). `expect` limits the purposes accepted: a
 * status link must not acknowledge an order, an ack link must not open the status page.
 */
export function verifyLink(token: string, keys: readonly Uint8Array[], nowMs: number, expect?: readonly LinkPurpose[]): LinkVerdict {
  const parts = splitToken(token);
  if (!parts) return { ok: false, reason: 'malformed' };
  const [payload, given] = parts;
  // Compared as text: base64url's last character carries unused bits, so two spellings decode to
  // the same bytes; only the canonical one (as signLink writes it) is accepted.
  const givenMac = Buffer.from(given, 'utf8');
  const signed = keys.some((key) => {
    checkKey(key);
    const want = mac(payload, key);
    const wantText = Buffer.from(want.toString('base64url'), 'utf8');
    return wantText.length === givenMac.length && timingSafeEqual(wantText, givenMac);
  });
  if (!signed) return { ok: false, reason: 'bad-signature' };
  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (expect && !expect.includes(claims.purpose)) return { ok: false, reason: 'wrong-purpose' };
  if (nowMs >= claims.expiresAt * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
