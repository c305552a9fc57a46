import {
  ALIAS_PREFIX,
  aliasOfRecipient,
  aliasesOf,
  delaySeconds,
  envelopeRecipients,
  forwardingFacts,
  generateAlias,
  inboundAddress,
  InvalidAliasError,
  isOversized,
  sentAtOf,
  validateInboundAlias,
} from '../../functions/domain/inbound';
import type { MailHeader } from '../../functions/domain/mail';

const h = (key: string, value: string): MailHeader => ({ key, value });

describe('aliases', () => {
  test('generated from injected randomness: 80 bits in base32, deterministic for given bytes', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const a = generateAlias(() => bytes);
    expect(a).toBe(generateAlias(() => bytes));
    expect(a).toMatch(new RegExp(`^${ALIAS_PREFIX}[a-z2-7]{16}$`));
    expect(generateAlias(() => new Uint8Array(16).fill(255))).not.toBe(a);
    expect(() => generateAlias(() => new Uint8Array(3))).toThrow(RangeError);
  });

  test('recipient -> alias: domain must match; case-insensitive; plus-addressing; display names', () => {
    const d = 'in.shipnow.example';
    expect(aliasOfRecipient('snw-abc@in.shipnow.example', d)).toBe('snw-abc');
    expect(aliasOfRecipient('SNW-ABC@IN.SHIPNOW.EXAMPLE.', d)).toBe('snw-abc');
    expect(aliasOfRecipient('snw-abc+de@in.shipnow.example', d)).toBe('snw-abc');
    expect(aliasOfRecipient('"Shop" <snw-abc@in.shipnow.example>', d)).toBe('snw-abc');
    expect(aliasOfRecipient('snw-abc@other.example', d)).toBeNull();
    expect(aliasOfRecipient('snw-abc@evil-in.shipnow.example', d)).toBeNull();
    expect(aliasOfRecipient('not an address', d)).toBeNull();
    expect(inboundAddress('SNW-ABC', 'In.Shipnow.Example.')).toBe('snw-abc@in.shipnow.example');
  });

  test('one alias alphabet: nothing routing could fold into another alias can be registered', () => {
    expect(validateInboundAlias('snw-k3q7x2m9a4b5c6d7')).toBe('snw-k3q7x2m9a4b5c6d7');
    expect(validateInboundAlias('Shop.EU_1')).toBe('shop.eu_1');
    for (const bad of ['shop+x', '+x', 'shop@in.example', '', ' ', '-shop', 'shop-', 'a..b', 'shop x', 'shöp', 'a#b', 'x'.repeat(65)]) {
      expect(() => validateInboundAlias(bad)).toThrow(InvalidAliasError);
    }
    expect(() => validateInboundAlias('shop+x')).toThrow(/must not contain '\+'/);
    // Every valid alias routes to itself, and a recipient routes to a valid alias or to none.
    const d = 'in.example';
    for (const a of ['shop', 'shop.eu_1', 'snw-abc']) expect(aliasOfRecipient(`${a.toUpperCase()}+tag@${d}`, d)).toBe(a);
    expect(aliasOfRecipient(`"shop x"@${d}`, d)).toBeNull();
  });

  test('envelope recipient: the receipt first, else the topmost Received "for", else To/Cc', () => {
    const headers = [
      h('received', 'from x by inbound-smtp.us-east-1.amazonaws.com with SMTP id 1 for snw-a@in.example; Sat, 28 Nov 2026 07:45:09 +0000'),
      h('received', 'from y by mx.provider for <orders@seller.example>; Sat, 28 Nov 2026 07:45:03 +0000'),
      h('to', 'orders@seller.example'),
    ];
    expect(envelopeRecipients(headers)).toEqual(['snw-a@in.example']);
    expect(envelopeRecipients(headers, ['SNW-B@in.example'])).toEqual(['snw-b@in.example']);
    expect(envelopeRecipients([h('to', 'A <a@x.example>, b@y.example'), h('cc', 'c@z.example')])).toEqual(['a@x.example', 'b@y.example', 'c@z.example']);
    expect(aliasesOf(['snw-a@in.example', 'snw-a+x@in.example', 'o@other.example'], 'in.example')).toEqual(['snw-a']);
  });
});

describe('channel facts', () => {
  test('a direct message is not forwarded', () => {
    expect(forwardingFacts([h('return-path', '<b@bounces.amazon.com>'), h('received', 'from a by ses')])).toEqual({
      forwarded: false,
      evidence: [],
      receivedHops: 1,
    });
  });

  test('forwarding evidence: X-Forwarded-*, SRS and Gmail +caf_ envelope senders, many hops', () => {
    expect(forwardingFacts([h('return-path', '<SRS0=abcd=XY=amazon.com=b@forwarder.example>')]).evidence).toEqual(['srs-envelope-sender']);
    expect(forwardingFacts([h('return-path', '<SRS1=x=forwarder.example==abcd=XY=amazon.com=b@f2.example>')]).evidence).toEqual(['srs-envelope-sender']);
    expect(forwardingFacts([h('return-path', '<shop+caf_=snw-a=in.example@gmail.com>')]).evidence).toEqual(['gmail-caf-envelope-sender']);
    expect(forwardingFacts([h('x-forwarded-to', 'a'), h('x-forwarded-for', 'b')]).evidence).toEqual(['x-forwarded-for', 'x-forwarded-to']);
    const hops = Array.from({ length: 5 }, () => h('received', 'from a by b'));
    expect(forwardingFacts(hops)).toEqual({ forwarded: true, evidence: ['received-hops'], receivedHops: 5 });
  });

  test('delays and size', () => {
    expect(sentAtOf([h('date', 'Fri, 27 Nov 2026 15:11:37 +0000')])).toBe('2026-11-27T15:11:37.000Z');
    expect(sentAtOf([])).toBeUndefined();
    expect(delaySeconds('2026-11-27T15:11:00.000Z', '2026-11-27T15:11:41.000Z')).toBe(41);
    expect(delaySeconds(undefined, '2026-11-27T15:11:41.000Z')).toBeNull();
    expect(delaySeconds('garbage', '2026-11-27T15:11:41.000Z')).toBeNull();
    expect(isOversized(10 * 1024 * 1024, 10 * 1024 * 1024)).toBe(false);
    expect(isOversized(10 * 1024 * 1024 + 1, 10 * 1024 * 1024)).toBe(true);
  });
});
