/**
 * Authentication-Results parsing, SES receipt mapping and the authenticity rule. Uses the SES
 * samples in test/fixtures/reference/ses (a real SES-received message and the documented Lambda event)
 * and the committed .eml fixtures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMime } from '../../functions/adapters/mime-parser';
import {
  decideAuthenticity,
  hasReceiverVerdicts,
  isAmazonSender,
  parseAuthenticationResults,
  verdictsFromSesReceipt,
  type SesReceiptVerdicts,
} from '../../functions/domain/authenticity';
import type { MailHeader } from '../../functions/domain/mail';
import type { AuthResult, AuthVerdicts } from '../../functions/domain/types';
import { SES_REFERENCE } from '../support/reference';

const FIXTURES = join(__dirname, '..', 'fixtures', 'mail');
const headersOf = async (file: string) => (await parseMime(readFileSync(join(FIXTURES, file)))).headers;
const ar = (value: string): MailHeader => ({ key: 'authentication-results', value });
/** SES's own hop: its Authentication-Results counts only below this topmost Received line. */
const SES_HOP: MailHeader = { key: 'received', value: 'from a1.smtp-out.amazonses.com by inbound-smtp.us-east-1.amazonaws.com with SMTP id x; Fri, 27 Nov 2026 15:11:41 +0000' };
const ses = (...headers: MailHeader[]): MailHeader[] => [SES_HOP, ...headers];

describe('parseAuthenticationResults', () => {
  it('reads the real SES-received reference message', async () => {
    const mail = await parseMime(readFileSync(join(SES_REFERENCE, 'sns-action-notification-content.decoded.eml')));
    expect(parseAuthenticationResults(mail.headers)).toEqual({
      spf: 'pass',
      dkim: 'pass',
      dkimPassDomains: ['amazonses.com'],
      dmarc: 'none',
      dmarcHeaderFrom: 'example.com',
      spfDomain: 'amazonses.com',
      spam: 'pass',
      virus: 'pass',
      authservId: 'amazonses.com',
    });
  });

  it('reads the headers of the documented SES Lambda event', () => {
    const event = JSON.parse(readFileSync(join(SES_REFERENCE, 'lambda-action-event.awsdocs.json'), 'utf8')) as {
      Records: Array<{ ses: { mail: { headers: Array<{ name: string; value: string }> } } }>;
    };
    const headers = event.Records[0].ses.mail.headers.map((h) => ({ key: h.name.toLowerCase(), value: h.value }));
    expect(parseAuthenticationResults(headers)).toEqual({ spf: 'pass', dkim: 'pass', dkimPassDomains: ['example.com'], dmarc: 'none', dmarcHeaderFrom: 'example.com', spam: 'pass', virus: 'pass', authservId: 'amazonses.com' });
  });

  it('believes only the topmost amazonses.com header, not the passing ones the forger added below it', async () => {
    const headers = await headersOf('ar-forged-by-untrusted-host.eml');
    expect(headers.filter((h) => h.key === 'authentication-results').map((h) => h.value.split(';')[0])).toEqual([
      'amazonses.com',
      'mx.google.com',
      'amazonses.com',
    ]);
    expect(parseAuthenticationResults(headers)).toEqual({ spf: 'pass', dkim: 'fail', dmarc: 'fail', dmarcHeaderFrom: 'amazon.com', spfDomain: 'mailer.bulk-sender.example', spam: 'pass', virus: 'pass', authservId: 'amazonses.com' });
  });

  it('ignores a header of another host even when it is on top', () => {
    const headers = ses(ar('mx.evil.example; spf=pass; dkim=pass; dmarc=pass'), ar('amazonses.com; spf=fail; dkim=fail; dmarc=fail'));
    expect(parseAuthenticationResults(headers)).toMatchObject({ spf: 'fail', dkim: 'fail', dmarc: 'fail', authservId: 'amazonses.com' });
  });

  it('does not take lookalike authserv-ids for the trusted one', () => {
    const headers = ses(ar('amazonses.com.evil.example; dmarc=pass'), ar('evil-amazonses.com; dmarc=pass'), ar('amazonses.com; dmarc=fail'));
    expect(parseAuthenticationResults(headers).dmarc).toBe('fail');
  });

  it('reads the auto-forwarded fixture as softfail / pass / pass', async () => {
    expect(parseAuthenticationResults(await headersOf('us-auto-forwarded.eml'))).toMatchObject({ spf: 'softfail', dkim: 'pass', dmarc: 'pass' });
  });

  it('trusts another receiver when told to', async () => {
    expect(parseAuthenticationResults(await headersOf('us-auto-forwarded.eml'), 'mx.mailbox-provider.example')).toEqual({
      spf: 'pass',
      dkim: 'pass',
      dkimPassDomains: ['amazon.com'],
      dmarc: 'pass',
      dmarcHeaderFrom: 'amazon.com',
      spfDomain: 'bounces.amazon.com',
      authservId: 'mx.mailbox-provider.example',
    });
  });

  it('trusts amazonses.com only when SES is the topmost hop and its header is in SES\'s own block', () => {
    const pass = ar('amazonses.com; spf=pass; dkim=pass header.d=amazon.com; dmarc=pass header.from=amazon.com');
    // No Received line at all: the message never came through SES (a file someone wrote).
    expect(parseAuthenticationResults([pass]).authservId).toBeUndefined();
    // Another receiver is the topmost hop: the amazonses.com header came with the message.
    const gmailHop: MailHeader = { key: 'received', value: 'from a1.smtp-out.amazonses.com by mx.google.com with ESMTPS id y; Fri, 27 Nov 2026 15:11:41 +0000' };
    expect(parseAuthenticationResults([gmailHop, pass]).authservId).toBeUndefined();
    // SES on top, but the header is below the sender's own hop: not SES's.
    const senderHop: MailHeader = { key: 'received', value: 'from mailer.evil.example by relay.evil.example; Fri, 27 Nov 2026 15:11:40 +0000' };
    expect(parseAuthenticationResults([SES_HOP, senderHop, pass]).authservId).toBeUndefined();
    expect(parseAuthenticationResults([SES_HOP, pass, senderHop]).authservId).toBe('amazonses.com');
  });

  it('takes the topmost header of any trusted receiver (SES plus --trust-receiver)', () => {
    const headers = [ar('mx.google.com; dmarc=fail header.from=amazon.com'), ar('mx.google.com; dmarc=pass header.from=amazon.com')];
    expect(parseAuthenticationResults(headers, ['amazonses.com', 'mx.google.com'])).toMatchObject({ dmarc: 'fail', authservId: 'mx.google.com' });
  });

  it('follows RFC 8601 syntax: version, comments (with ;), case, method versions, several signatures', () => {
    const v = parseAuthenticationResults(
      ses(ar('AmazonSES.com 1 (the receiver; really); SPF=SoftFail (not; permitted) smtp.mailfrom=x.example; dkim=fail header.d=a.example; dkim/1=pass header.d=amazon.com; dmarc = pass (p=quarantine) header.from=amazon.com')),
    );
    expect(v).toEqual({ spf: 'softfail', spfDomain: 'x.example', dkim: 'pass', dkimPassDomains: ['amazon.com'], dmarc: 'pass', dmarcHeaderFrom: 'amazon.com', authservId: 'amazonses.com' });
  });

  it('maps unknown result words to unknown and "hardfail" to fail', () => {
    expect(parseAuthenticationResults(ses(ar('amazonses.com; spf=hardfail; dkim=bogus')))).toMatchObject({ spf: 'fail', dkim: 'unknown', dmarc: 'none' });
  });

  it('reads "none" (nothing evaluated) as verdicts that are present', () => {
    const v = parseAuthenticationResults(ses(ar('amazonses.com; none')));
    expect(v).toEqual({ spf: 'none', dkim: 'none', dmarc: 'none', authservId: 'amazonses.com' });
    expect(hasReceiverVerdicts(v)).toBe(true);
  });

  it('says none everywhere, without authservId, when no trusted header exists', async () => {
    const v = parseAuthenticationResults(await headersOf('us-no-auth-results.eml'));
    expect(v).toEqual({ spf: 'none', dkim: 'none', dmarc: 'none' });
    expect(hasReceiverVerdicts(v)).toBe(false);
  });

  it('takes X-SES spam/virus verdicts only from above the trusted header', () => {
    const headers: MailHeader[] = [
      SES_HOP,
      { key: 'x-ses-spam-verdict', value: 'FAIL' },
      ar('amazonses.com; spf=pass'),
      { key: 'x-ses-virus-verdict', value: 'PASS' },
    ];
    expect(parseAuthenticationResults(headers)).toEqual({ spf: 'pass', dkim: 'none', dmarc: 'none', spam: 'fail', authservId: 'amazonses.com' });
  });
});

describe('verdictsFromSesReceipt', () => {
  it('maps the documented Lambda event receipt (dmarc GRAY: no policy)', () => {
    const event = JSON.parse(readFileSync(join(SES_REFERENCE, 'lambda-action-event.awsdocs.json'), 'utf8')) as {
      Records: Array<{ ses: { receipt: SesReceiptVerdicts } }>;
    };
    expect(verdictsFromSesReceipt(event.Records[0].ses.receipt)).toEqual({
      spf: 'pass',
      dkim: 'pass',
      dmarc: 'none',
      spam: 'pass',
      virus: 'pass',
      authservId: 'ses-receipt',
    });
  });

  it.each<[string | undefined, AuthResult, AuthResult]>([
    ['PASS', 'pass', 'pass'],
    ['FAIL', 'fail', 'fail'],
    ['GRAY', 'none', 'neutral'],
    ['PROCESSING_FAILED', 'temperror', 'temperror'],
    ['DISABLED', 'none', 'none'],
    [undefined, 'none', 'none'],
    ['SOMETHING_NEW', 'unknown', 'unknown'],
  ])('status %s -> %s for SPF/DKIM/DMARC, %s for spam/virus', (status, auth, scan) => {
    const v = verdictsFromSesReceipt({
      spfVerdict: { status },
      dkimVerdict: { status },
      dmarcVerdict: { status },
      spamVerdict: { status },
      virusVerdict: { status },
    });
    expect(v).toEqual({ spf: auth, dkim: auth, dmarc: auth, spam: scan, virus: scan, authservId: 'ses-receipt' });
  });
});

describe('decideAuthenticity', () => {
  const PASS: AuthVerdicts = { spf: 'pass', dkim: 'pass', dmarc: 'pass', authservId: 'amazonses.com' };
  const NONE: AuthVerdicts = { spf: 'none', dkim: 'none', dmarc: 'none' };
  /** A trusted verdict with DMARC pass for the From's own domain. */
  const passFor = (address: string): AuthVerdicts => ({ ...PASS, dmarcHeaderFrom: address.split('@')[1].toLowerCase().replace(/\.$/, '') });

  it.each([
    'seller-notification@amazon.com',
    'seller-notification@amazon.co.jp',
    'Seller-Notification@AMAZON.DE',
    'seller-notification@amazon.in',
    'x@amazon.de.',
  ])('accepts %s with an aligned DMARC pass', (from) => {
    expect(decideAuthenticity(from, passFor(from))).toEqual({ authentic: true, reason: null, verified: true });
  });

  it('accepts an aligned DKIM pass without DMARC (relaxed: the same marketplace domain)', () => {
    const v: AuthVerdicts = { spf: 'softfail', dkim: 'pass', dkimPassDomains: ['amazon.in', 'amazonses.com'], dmarc: 'none', authservId: 'mx.google.com' };
    expect(decideAuthenticity('seller-notification@amazon.in', v).authentic).toBe(true);
  });

  it('accepts the SES receipt DMARC pass (SES evaluates the From itself)', () => {
    expect(decideAuthenticity('seller-notification@amazon.com', { ...PASS, authservId: 'ses-receipt' }).authentic).toBe(true);
  });

  it.each([
    'seller-notification@amazon-de.com',
    'seller-notification@amazon.de.evil.com',
    'seller-notification@amazon.com.example.net',
    'seller-notification@notamazon.com',
    'seller-notification@xn--amazn-mua.com',
    'seller-notification@amazon.co',
    'seller-notification@amazon.com>',
    'amazon.com',
    '',
    null,
    undefined,
  ])('rejects %s as sender-not-amazon, even with passing verdicts', (from) => {
    expect(decideAuthenticity(from, PASS)).toEqual({ authentic: false, reason: 'sender-not-amazon', verified: true });
  });

  it('rejects dmarc=fail even when SPF and an aligned DKIM pass', () => {
    expect(decideAuthenticity('seller-notification@amazon.com', { ...PASS, dmarc: 'fail', dkimPassDomains: ['amazon.com'] }).reason).toBe('dmarc-fail');
  });

  it('checks the sender before the verdicts', () => {
    expect(decideAuthenticity('x@amazon-de.com', { ...PASS, dmarc: 'fail' }).reason).toBe('sender-not-amazon');
  });

  const SPF_FAILING: AuthResult[] = ['fail', 'softfail', 'permerror'];
  const DKIM_FAILING: AuthResult[] = ['fail', 'permerror', 'none'];
  it.each(SPF_FAILING.flatMap((spf) => DKIM_FAILING.map((dkim) => [spf, dkim] as const)))('rejects spf=%s with dkim=%s', (spf, dkim) => {
    expect(decideAuthenticity('seller-notification@amazon.com', { spf, dkim, dmarc: 'temperror', authservId: 'amazonses.com' })).toEqual({
      authentic: false,
      reason: 'spf-and-dkim-fail',
      verified: true,
    });
  });

  it.each<[string, AuthVerdicts, string]>([
    ['dmarc=none', { spf: 'pass', dkim: 'none', dmarc: 'none', authservId: 'amazonses.com' }, 'dmarc=none'],
    ['dkim=temperror', { spf: 'pass', dkim: 'temperror', dmarc: 'temperror', authservId: 'amazonses.com' }, 'dkim=temperror'],
    ['neutral', { spf: 'neutral', dkim: 'neutral', dmarc: 'neutral', authservId: 'amazonses.com' }, 'dmarc=neutral'],
    ['policy', { spf: 'pass', dkim: 'policy', dmarc: 'policy', authservId: 'amazonses.com' }, 'dmarc=policy'],
    ['bestguesspass', { spf: 'pass', dkim: 'none', dmarc: 'unknown', authservId: 'mx.google.com' }, 'dmarc=unrecognised'],
    ['SPF for another domain', { spf: 'pass', spfDomain: 'mailer.evil.example', dkim: 'none', dmarc: 'none', authservId: 'amazonses.com' }, 'spf=pass for mailer.evil.example'],
    ['DKIM without a domain', { spf: 'none', dkim: 'pass', dmarc: 'none', authservId: 'amazonses.com' }, 'dkim=pass without a domain'],
    ['DKIM for amazonses.com only', { spf: 'pass', dkim: 'pass', dkimPassDomains: ['amazonses.com'], dmarc: 'none', authservId: 'amazonses.com' }, 'dkim=pass for amazonses.com'],
    ['DMARC pass for another domain', { spf: 'pass', dkim: 'pass', dkimPassDomains: ['evil.example'], dmarc: 'pass', dmarcHeaderFrom: 'evil.example', authservId: 'amazonses.com' }, 'dmarc=pass for evil.example'],
    ['DMARC pass without a domain', { ...PASS }, 'dmarc=pass for no domain'],
  ])('rejects %s: no aligned pass, and the reason says which', (_name, v, says) => {
    const d = decideAuthenticity('seller-notification@amazon.com', v);
    expect(d.authentic).toBe(false);
    expect(d.reason).toMatch(/^no-aligned-pass: /);
    expect(d.reason).toContain(says);
  });

  it('rejects mail without any trusted verdict as unverified', () => {
    expect(decideAuthenticity('seller-notification@amazon.com', NONE)).toEqual({ authentic: false, reason: 'unverified', verified: false });
  });

  it('lets acceptUnverified count mail with no verdict header at all, visibly', () => {
    expect(decideAuthenticity('seller-notification@amazon.com', NONE, { acceptUnverified: true })).toEqual({ authentic: true, reason: null, verified: false });
    // A verdict from a receiver nobody trusted is still there: trust it instead (--trust-receiver).
    expect(decideAuthenticity('seller-notification@amazon.com', NONE, { acceptUnverified: true, hasVerdictHeaders: true }).reason).toBe('unverified');
  });

  it('rejects mail without any verdict when verdicts are required', () => {
    expect(decideAuthenticity('seller-notification@amazon.com', NONE, { requireVerdicts: true })).toEqual({
      authentic: false,
      reason: 'no-verdicts',
      verified: false,
    });
  });

  it('does not ignore hand-built verdicts that lack an authservId', () => {
    expect(decideAuthenticity('seller-notification@amazon.com', { spf: 'pass', dkim: 'pass', dmarc: 'fail' }).reason).toBe('dmarc-fail');
  });

  it.each<[string, string, string | null, string]>([
    ['two angle addresses', 'Amazon <seller-notification@amazon.com> <x@evil.example>', 'seller-notification@amazon.com', 'ambiguous-from'],
    ['an encoded word inside the address', '<=?utf-8?q?x=40evil.example?=@amazon.com>', '=?utf-8?q?x=40evil.example?=@amazon.com', 'ambiguous-from'],
    ['parsers disagreeing', '"seller-notification@amazon.com" <x@evil.example>', 'seller-notification@amazon.com', 'ambiguous-from'],
    ['a display name with an unquoted @', 'seller-notification@amazon.com <x@evil.example>', 'seller-notification@amazon.com', 'ambiguous-from'],
    ['a non-Amazon ambiguity', 'Shop <a@shop.example> <b@shop.example>', 'a@shop.example', 'sender-not-amazon'],
  ])('rejects a From with %s', (_name, raw, address, reason) => {
    expect(decideAuthenticity({ address, raw: [raw] }, passFor('x@amazon.com')).reason).toBe(reason);
  });

  it('accepts a strict From that both parsers read alike, encoded display name included', () => {
    const raw = '=?utf-8?B?U2VsbGVyIE5vdGlmaWNhdGlvbg==?= <seller-notification@amazon.in>';
    expect(decideAuthenticity({ address: 'seller-notification@amazon.in', raw: [raw] }, passFor('x@amazon.in')).authentic).toBe(true);
  });

  it('rejects several From headers or mailboxes as multiple-from', () => {
    expect(decideAuthenticity({ address: 'seller-notification@amazon.com', count: 2 }, passFor('x@amazon.com')).reason).toBe('multiple-from');
    expect(decideAuthenticity({ address: 'seller-notification@amazon.com', raw: ['a@amazon.com', 'b@amazon.com'] }, passFor('x@amazon.com')).reason).toBe('multiple-from');
  });

  it('isAmazonSender follows the marketplace table', () => {
    expect([isAmazonSender('a@amazon.com.au'), isAmazonSender('a@amazon.nl'), isAmazonSender('a@amazon.sa'), isAmazonSender('a@amazon.cn')]).toEqual([true, true, true, false]);
  });
});
