import { randomBytes } from 'node:crypto';
import { linkClaims, signLink, verifyLink, LINK_LIFETIME_SECONDS } from '../../functions/domain/signed-links';

const key = randomBytes(32);
const oldKey = randomBytes(32);
const now = Date.parse('2026-12-01T10:00:00Z');

describe('signed links', () => {
  it('round-trips claims and refuses them after expiry', () => {
    const claims = linkClaims('S1', 'snooze', now, { orderId: '111-1234567-1234567', snoozeMinutes: 240 });
    const token = signLink(claims, key);
    expect(verifyLink(token, [key], now)).toEqual({ ok: true, claims });
    const expiry = now + LINK_LIFETIME_SECONDS.snooze * 1000;
    expect(verifyLink(token, [key], expiry - 1000).ok).toBe(true);
    expect(verifyLink(token, [key], expiry)).toEqual({ ok: false, reason: 'expired' });
  });

  it('accepts a retiring key, refuses an unknown key and any changed byte', () => {
    const token = signLink(linkClaims('S1', 'status', now), oldKey);
    expect(verifyLink(token, [key, oldKey], now).ok).toBe(true);
    expect(verifyLink(token, [key], now)).toEqual({ ok: false, reason: 'bad-signature' });
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ sellerId: 'S2', purpose: 'status', expiresAt: 9e9 })).toString('base64url');
    expect(verifyLink(`${forged}.${mac}`, [oldKey], now)).toEqual({ ok: false, reason: 'bad-signature' });
    const flipped = (mac.startsWith('A') ? 'B' : 'A') + mac.slice(1);
    expect(verifyLink(`${payload}.${flipped}`, [oldKey], now)).toEqual({ ok: false, reason: 'bad-signature' });
    // The last character of a 32-byte MAC in base64url carries 2 unused bits: another spelling of
    // the same bytes is refused too (only the canonical token is valid).
    const last = mac.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(mac.slice(0, -1) + sibling, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(verifyLink(`${payload}.${mac.slice(0, -1)}${sibling}`, [oldKey], now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a link used for another purpose, and malformed tokens', () => {
    const token = signLink(linkClaims('S1', 'status', now), key);
    expect(verifyLink(token, [key], now, ['ack', 'snooze'])).toEqual({ ok: false, reason: 'wrong-purpose' });
    for (const bad of ['', 'a', 'a.b.c', 'not base64!.x', 'x'.repeat(3000)]) expect(verifyLink(bad, [key], now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses short keys', () => {
    expect(() => signLink(linkClaims('S1', 'status', now), randomBytes(16))).toThrow(RangeError);
  });
});
