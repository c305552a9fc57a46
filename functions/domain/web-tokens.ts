/**
 * The seller web's own short-lived tokens, beside the per-seller links of ./signed-links.ts:
 *
 * - the OAuth `state` of the SP-API website authorization (CSRF protection of the callback): it
 *   carries what the seller chose on the start page (marketplaces of one region, shop name,
 *   language) and a random nonce; it is good for AUTHORIZE_STATE_LIFETIME_SECONDS and, because the
 *   callback records the nonce with a conditional write before it exchanges the code, only once;
 * - the CSRF token of a form (acknowledge / snooze): bound to the link token the form was opened
 *   with, good for CSRF_LIFETIME_SECONDS. A page without a session has nothing else to bind to,
 *   and a link token alone is not enough: mail scanners fetch links, they do not post forms.
 *
 * Both are `<payload>.<mac>` (base64url, HMAC-SHA256) under a key DERIVED from the link key for
 * each use (domain separation), so a state can never pass as a link or a CSRF token and back.
 * Key lists work as for links: the current key first, then those being retired. Pure: node:crypto
 * only, time passed in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Region } from './marketplaces';
import { splitToken } from './signed-links';

export const AUTHORIZE_STATE_LIFETIME_SECONDS = 15 * 60;
export const CSRF_LIFETIME_SECONDS = 60 * 60;

export interface AuthorizeState {
  /** Random, base64url: the key of the single-use record. */
  nonce: string;
  region: Region;
  /** Marketplace keys chosen on the start page, all of `region`. */
  marketplaces: string[];
  /** Shop name the seller typed (optional). */
  name?: string;
  language?: 'zh-CN' | 'en';
  /** Epoch seconds. */
  expiresAt: number;
}

export type TokenVerdict<T> = { ok: true; value: T } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

type Use = 'authorize-state' | 'csrf';

function subkey(key: Uint8Array, use: Use): Buffer {
  return createHmac('sha256', key).update(`shipnow-sentinel web ${use} v1`).digest();
}

function sign(use: Use, value: object, key: Uint8Array): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${createHmac('sha256', subkey(key, use)).update(payload).digest('base64url')}`;
}

function open(use: Use, token: unknown, keys: readonly Uint8Array[]): { ok: true; value: Record<string, unknown> } | { ok: false; reason: 'malformed' | 'bad-signature' } {
  const parts = splitToken(token);
  if (!parts) return { ok: false, reason: 'malformed' };
  const [payload, given] = parts;
  const givenMac = Buffer.from(given, 'base64url');
  const signed = keys.some((key) => {
    const want = createHmac('sha256', subkey(key, use)).update(payload).digest();
    return want.length === givenMac.length && timingSafeEqual(want, givenMac);
  });
  if (!signed) return { ok: false, reason: 'bad-signature' };
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'malformed' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

export function signAuthorizeState(state: AuthorizeState, key: Uint8Array): string {
  return sign('authorize-state', state, key);
}

export function verifyAuthorizeState(token: unknown, keys: readonly Uint8Array[], nowMs: number): TokenVerdict<AuthorizeState> {
  const opened = open('authorize-state', token, keys);
  if (!opened.ok) return opened;
  const v = opened.value;
  const wellFormed =
    typeof v.nonce === 'string' &&
    /^[A-Za-z0-9_-]{16,64}$/.test(v.nonce) &&
    (v.region === 'NA' || v.region === 'EU' || v.region === 'FE') &&
    Array.isArray(v.marketplaces) &&
    v.marketplaces.every((m) => typeof m === 'string') &&
    (v.name === undefined || typeof v.name === 'string') &&
    (v.language === undefined || v.language === 'en' || v.language === 'zh-CN') &&
    typeof v.expiresAt === 'number';
  if (!wellFormed) return { ok: false, reason: 'malformed' };
  if (nowMs >= (v.expiresAt as number) * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, value: v as unknown as AuthorizeState };
}

/** The CSRF token of a form opened with `linkToken`. */
export function csrfToken(linkToken: string, key: Uint8Array, nowMs: number): string {
  return sign('csrf', { l: linkDigest(linkToken), e: Math.floor(nowMs / 1000) + CSRF_LIFETIME_SECONDS }, key);
}

export function verifyCsrfToken(token: unknown, linkToken: string, keys: readonly Uint8Array[], nowMs: number): TokenVerdict<true> {
  const opened = open('csrf', token, keys);
  if (!opened.ok) return opened;
  if (opened.value.l !== linkDigest(linkToken) || typeof opened.value.e !== 'number') return { ok: false, reason: 'malformed' };
  if (nowMs >= opened.value.e * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, value: true };
}

/** A form's token names the link by a digest, so the link token is not repeated in the form. */
function linkDigest(linkToken: string): string {
  return createHmac('sha256', 'link').update(linkToken).digest('base64url').slice(0, 22);
}
