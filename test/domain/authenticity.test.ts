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

describe('parseAuthenticationResults', () => {
  it('reads the real SES-received reference message', async () => {
    const mail = await parseMime(readFileSync(join(SES_REFERENCE, 'sns-action-notification-content.decoded.eml')));
    expect(parseAuthenticationResults(mail.headers)).toEqual({
      spf: 'pass',
      dkim: 'pass',
      dkimPassDomains: ['amazonses.com'],
      dmarc: 'none',
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
    expect(parseAuthenticationResults(headers)).toEqual({ spf: 'pass', dkim: 'pass', dkimPassDomains: ['example.com'], dmarc: 'none', spam: 'pass', virus: 'pass', authservId: 'amazonses.com' });
  });

  it('believes only the topmost amazonses.com header, not the passing ones the forger added below it', async () => {
    const headers = await headersOf('ar-forged-by-untrusted-host.eml');
    expect(headers.filter((h) => h.key === 'authentication-results').map((h) => h.value.split(';')[0])).toEqual([
      'amazonses.com',
      'mx.google.com',
      'amazonses.com',
    ]);
    expect(parseAuthenticationResults(headers)).toEqual({ spf: 'pass', dkim: 'fail', dmarc: 'fail', spam: 'pass', virus: 'pass', authservId: 'amazonses.com' });
  });

  it('ignores a header of another host even when it is on top', () => {
    const headers = [ar('mx.evil.example; spf=pass; dkim=pass; dmarc=pass'), ar('amazonses.com; spf=fail; dkim=fail; dmarc=fail')];
    expect(parseAuthenticationResults(headers)).toMatchObject({ spf: 'fail', dkim: 'fail', dmarc: 'fail', authservId: 'amazonses.com' });
  });

  it('does not take lookalike authserv-ids for the trusted one', () => {
    const headers = [ar('amazonses.com.evil.example; dmarc=pass'), ar('evil-amazonses.com; dmarc=pass'), ar('amazonses.com; dmarc=fail')];
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
      authservId: 'mx.mailbox-provider.example',
    });
  });

  it('follows RFC 8601 syntax: version, comments (with ;), case, method versions, several signatures', () => {
    const v = parseAuthenticationResults([
      ar('AmazonSES.com 1 (the receiver; really); SPF=SoftFail (not; permitted) smtp.mailfrom=x.example; dkim=fail header.d=a.example; dkim/1=pass header.d=amazon.com; dmarc = pass (p=quarantine) header.from=amazon.com'),
    ]);
    expect(v).toEqual({ spf: 'softfail', dkim: 'pass', dkimPassDomains: ['amazon.com'], dmarc: 'pass', authservId: 'amazonses.com' });
  });

  it('maps unknown result words to unknown and "hardfail" to fail', () => {
    expect(parseAuthenticationResults([ar('amazonses.com; spf=hardfail; dkim=bogus')])).toMatchObject({ spf: 'fail', dkim: 'unknown', dmarc: 'none' });
  });

  it('reads "none" (nothing evaluated) as verdicts that are present', () => {
    const v = parseAuthenticationResults([ar('amazonses.com; none')]);
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

  it.each([
    'seller-notification@amazon.com',
    'seller-notification@amazon.co.jp',
    'Seller-Notification@AMAZON.DE',
    'x@marketplace.amazon.de',
    'x@amazon.de.',
  ])('accepts %s', (from) => {
    expect(decideAuthenticity(from, PASS)).toEqual({ authentic: true, reason: null, verified: true });
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

  it('rejects dmarc=fail even when SPF and DKIM pass', () => {
    expect(decideAuthenticity('seller-notification@amazon.com', { ...PASS, dmarc: 'fail' }).reason).toBe('dmarc-fail');
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

  it.each<[AuthResult, AuthResult, AuthResult]>([
    ['softfail', 'pass', 'pass'], // auto-forwarded by the seller's mailbox
    ['fail', 'pass', 'none'],
    ['pass', 'fail', 'none'],
    ['temperror', 'fail', 'none'],
    ['neutral', 'none', 'none'],
  ])('accepts spf=%s dkim=%s dmarc=%s', (spf, dkim, dmarc) => {
    expect(decideAuthenticity('seller-notification@amazon.com', { spf, dkim, dmarc, authservId: 'amazonses.com' }).authentic).toBe(true);
  });

  it('accepts mail without any verdict on the From domain alone, and says so', () => {
    expect(decideAuthenticity('seller-notification@amazon.com', NONE)).toEqual({ authentic: true, reason: null, verified: false });
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

  it('isAmazonSender follows the marketplace table', () => {
    expect([isAmazonSender('a@amazon.com.au'), isAmazonSender('a@amazon.nl'), isAmazonSender('a@amazon.cn')]).toEqual([true, true, false]);
  });
});
