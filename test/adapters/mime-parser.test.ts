/**
 * Real bytes through the real parser (mailparser), no mocks. Fixtures are written by
 * test/fixtures/mail/generate.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHeaderSection, decodeCharset, decodeEncodedWords, parseMime } from '../../functions/adapters/mime-parser';
import { MalformedMailError } from '../../functions/domain/errors';

const FIXTURES = join(__dirname, '..', 'fixtures', 'mail');
const raw = (file: string): Buffer => readFileSync(join(FIXTURES, file));
const load = (file: string) => parseMime(raw(file));
const ALIAS = 'demo-seller.k7q2m9@in.shipnow.example';

describe('parseMime: charsets and transfer encodings', () => {
  it('decodes windows-1252 (quoted-printable and Q-encoded subject) including ’ – € £', async () => {
    const bytes = raw('uk-sold-dispatch-now.eml').toString('latin1');
    // The premise: these are windows-1252 bytes 0x92 0x96 0x80 0xA3, not UTF-8.
    expect(bytes).toContain('=?windows-1252?Q?Sold=2C_dispatch_now=3A_Baker=92s');
    expect(bytes).toContain('=800.35');

    const mail = await load('uk-sold-dispatch-now.eml');
    expect(mail.subject).toBe('Sold, dispatch now: Baker’s Choice Tea Towels – Set of 3, £12.99');
    expect(mail.text).toContain('Item: Baker’s Choice Tea Towels – Set of 3');
    expect(mail.text).toContain('Amazon fees: -£2.40 (incl. €0.35 cross-border fee)');
    expect(mail.html).toContain('<td>Baker’s Choice Tea Towels – Set of 3</td>');
    // No C1 control characters left over from a Latin-1 misreading.
    expect(mail.text + mail.subject).not.toMatch(/[\u0080-\u009f]/);
  });

  it('decodes windows-1252 bytes 0x80-0x9F to their characters, not Latin-1 controls', () => {
    expect(decodeCharset(Buffer.from([0x92, 0x96, 0x80, 0xa3, 0x93, 0x94]), 'windows-1252')).toBe('’–€£“”');
  });

  it('decodes ISO-8859-1 base64 bodies and a Q-encoded ISO-8859-1 subject', async () => {
    const mail = await load('de-artikel-verkauft.eml');
    expect(raw('de-artikel-verkauft.eml').toString('latin1')).toContain('Content-Transfer-Encoding: base64');
    expect(mail.subject).toBe('Artikel verkauft - Bitte jetzt verschicken: Kaffeemühle aus Edelstahl, Größe M');
    expect(mail.text).toContain('Bestellnummer: 028-4455667-1000003');
    expect(mail.text).toContain('Amazon-Gebühren: -5,97 EUR');
    expect(mail.html).toContain('<b>Bestellnummer:</b>');
  });

  it('decodes ISO-8859-1 quoted-printable and keeps the no-break space of French labels', async () => {
    const mail = await load('fr-vendu.eml');
    expect(mail.subject).toBe('Vendu, expédiez maintenant : Théière en fonte 0,8 L');
    expect(mail.text).toContain('Commande n°\u00a0: 407-4455667-1000005');
    expect(mail.text).toContain('Montant total dû au vendeur\u00a0: 33,15 EUR');
  });

  it('decodes UTF-8 base64 bodies and a B-encoded UTF-8 subject', async () => {
    const mail = await load('es-vendido.eml');
    expect(raw('es-vendido.eml').toString('latin1')).toContain('Subject: =?UTF-8?B?');
    expect(mail.subject).toBe('Vendido, envía ahora: Sartén antiadherente 28 cm');
    expect(mail.text).toContain('N.º de pedido: 406-4455667-1000007');
    expect(mail.text).toContain('Precio: 24,95 €');
  });

  it('decodes UTF-8 quoted-printable with a Q-encoded subject split over several words', async () => {
    const mail = await load('us-sold-ship-now.eml');
    expect(raw('us-sold-ship-now.eml').toString('latin1')).toMatch(/Subject: =\?UTF-8\?Q\?[^\r\n]*\?=\r\n =\?UTF-8\?Q\?/);
    expect(mail.subject).toBe('Sold, ship now: Stainless Steel Electric Kettle – 1.7 L “Classic”');
    expect(mail.text).toContain('Order ID: 112-4455667-1000001');
  });

  it('decodes ISO-2022-JP (7bit body, B-encoded subject)', async () => {
    const mail = await load('jp-chumon-kakutei.eml');
    expect(raw('jp-chumon-kakutei.eml').toString('latin1')).toContain('=?ISO-2022-JP?B?');
    expect(mail.subject).toBe('注文確定：南部鉄器 急須 0.65L');
    expect(mail.text).toContain('注文番号： 250-4455667-1000008');
    expect(mail.text).toContain('以下の商品を出荷してください。');
    expect(mail.html).toContain('南部鉄器 急須 0.65L');
  });

  it('decodes Shift_JIS (base64 body, B-encoded subject) with half-width katakana', async () => {
    const mail = await load('jp-shift-jis.eml');
    expect(raw('jp-shift-jis.eml').toString('latin1')).toContain('=?Shift_JIS?B?');
    expect(mail.subject).toBe('注文確定：今治ﾀｵﾙ フェイスタオル 3枚セット');
    expect(mail.text).toContain('注文番号： 503-4455667-2000017');
  });

  it('decodes a GB2312 encoded-word subject and display name and a GBK body', async () => {
    const mail = await load('cn-forward-gbk.eml');
    expect(raw('cn-forward-gbk.eml').toString('latin1')).toContain('Subject: =?GB2312?B?');
    expect(mail.subject).toBe('转发：Sold, ship now: 不锈钢电热水壶 1.7L');
    expect(mail.from).toEqual({ address: 'zhang.wei@mail.demo-seller.example', name: '张伟' });
    expect(mail.text).toContain('仓库同事：这是亚马逊的新订单通知，请今天发货。');
    // – (U+2013) exists in GBK but not in GB2312: the body really is GBK.
    expect(mail.text).toContain('Item: Stainless Steel Electric Kettle – 1.7 L');
  });
});

describe('parseMime: structure', () => {
  it('returns both parts of multipart/alternative', async () => {
    const mail = await load('us-sold-ship-now.eml');
    expect(mail.text.startsWith('Dear Demo Seller,')).toBe(true);
    expect(mail.html).toContain('<a href="https://sellercentral.amazon.com/orders-v3/order/112-4455667-1000001">');
  });

  it('keeps the text part as it is when the order ID is only in the HTML part', async () => {
    const mail = await load('us-order-id-only-in-html.eml');
    expect(mail.text).not.toMatch(/\d{3}-\d{7}-\d{7}/);
    expect(mail.html).toContain('>113-4455667-2000023</a>');
  });

  it('gives an empty html for a text/plain-only message', async () => {
    const mail = await load('de-return-request.eml');
    expect(mail.html).toBe('');
    expect(mail.text).toContain('Bestellnummer: 028-4455667-1000003');
  });

  it('reads From, To, Date (as ISO UTC) and Message-ID', async () => {
    const mail = await load('de-artikel-verkauft.eml');
    expect(mail.from).toEqual({ address: 'seller-notification@amazon.de', name: 'Amazon.de' });
    expect(mail.to).toEqual([ALIAS]);
    // Date: Sat, 28 Nov 2026 04:03:22 +0100
    expect(mail.date).toBe('2026-11-28T03:03:22.000Z');
    expect(mail.messageId).toMatch(/^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{12}-000000@eu-west-1\.amazonses\.com$/);
  });

  it('collects recipients from To, Cc and Delivered-To, lower-cased and de-duplicated', async () => {
    const mail = await parseMime(
      Buffer.from(
        [
          'Delivered-To: Alias@In.ShipNow.example',
          'From: a@amazon.com',
          'To: "Shop" <shop@example.com>, alias@in.shipnow.example',
          'Cc: team: ops@example.com, SHOP@example.com;',
          'Subject: x',
          '',
          'body',
          '',
        ].join('\r\n'),
      ),
    );
    expect(mail.to).toEqual(['shop@example.com', 'alias@in.shipnow.example', 'ops@example.com']);
  });
});

describe('parseMime: headers', () => {
  it('lists every header in order, keys lower-case, values unfolded', async () => {
    const mail = await load('us-sold-ship-now.eml');
    expect(mail.headers.slice(0, 5).map((h) => h.key)).toEqual([
      'return-path',
      'received',
      'x-ses-spam-verdict',
      'x-ses-virus-verdict',
      'received-spf',
    ]);
    const received = mail.headers[1].value;
    expect(received).not.toMatch(/[\r\n]/);
    expect(received).toMatch(/^from a27-21\.smtp-out\.us-west-2\.amazonses\.com .* by inbound-smtp\.us-east-1\.amazonaws\.com with SMTP id [0-9a-f]{40} for demo-seller\.k7q2m9@in\.shipnow\.example; Fri, 27 Nov 2026 15:11:41 \+0000 \(UTC\)$/);
    const ar = mail.headers.find((h) => h.key === 'authentication-results');
    expect(ar?.value).toMatch(/^amazonses\.com; spf=pass \(spfCheck: .*\) client-ip=203\.0\.113\.21; .* dkim=pass header\.i=@amazon\.com; dmarc=pass header\.from=amazon\.com;$/);
    for (const h of mail.headers) expect(h.key).toBe(h.key.toLowerCase());
  });

  it('decodes encoded words in header values', async () => {
    const mail = await load('uk-sold-dispatch-now.eml');
    expect(mail.headers.find((h) => h.key === 'subject')?.value).toBe('Sold, dispatch now: Baker’s Choice Tea Towels – Set of 3, £12.99');
  });

  it('keeps trace headers of every hop in their order (auto-forwarded mail)', async () => {
    const mail = await load('us-auto-forwarded.eml');
    const ars = mail.headers.filter((h) => h.key === 'authentication-results').map((h) => h.value.split(';')[0]);
    expect(ars).toEqual(['amazonses.com', 'mx.mailbox-provider.example']);
    expect(mail.headers.filter((h) => h.key === 'received')).toHaveLength(2);
  });

  it('joins adjacent encoded words before decoding, so a split multi-byte character survives', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?= ok')).toBe('café ok');
    expect(decodeEncodedWords('Re: =?ISO-8859-1?Q?M=FChle?= und =?UTF-8?B?w6Q=?=')).toBe('Re: Mühle und ä');
    expect(decodeEncodedWords('plain text')).toBe('plain text');
  });

  // Each text's bytes are split mid-character (mid escape sequence for ISO-2022-JP) across two
  // base64 words, as encoders do at the 75-column limit.
  it.each([
    ['ISO-2022-JP', 'GyRCJDRDbUo4JE4+Jg==', 'SUokckgvQXcbKEI=', 'ご注文の商品を発送'],
    ['Shift_JIS', 'grKSjZW2gsyP', 'pJVpgvCUrZGX', 'ご注文の商品を発送'],
    ['GBK', 'x+vBory0tw==', 'orv1IOlG', '请立即发货 镕'],
    ['GB2312', 'x+vBory0tw==', 'orv1IOlG', '请立即发货 镕'],
    ['windows-1252', 'U29sZCCWIHNoaXA=', 'IG5vd5IggDEy', 'Sold – ship now’ €12'],
  ])('decodes %s words split inside a character', (charset, left, right, text) => {
    expect(decodeEncodedWords(`Re: =?${charset}?B?${left}?=\r\n =?${charset.toLowerCase()}?B?${right}?= (1)`)).toBe(`Re: ${text} (1)`);
    expect(decodeCharset(Buffer.concat([Buffer.from(left, 'base64'), Buffer.from(right, 'base64')]), charset)).toBe(text);
  });

  it('never invents a date: an unparseable Date header gives no date', async () => {
    const mail = await parseMime(Buffer.from('From: a@amazon.com\r\nDate: sometime soon\r\nSubject: x\r\n\r\nbody\r\n'));
    expect(mail.date).toBeUndefined();
  });
});

describe('parseMime: what is accepted', () => {
  it('accepts LF line endings, a header-only message, and a leading mbox From line', async () => {
    expect((await parseMime(Buffer.from('From: a@amazon.com\nSubject: lf only\n\nbody\n'))).subject).toBe('lf only');
    expect((await parseMime(Buffer.from('From: a@amazon.com\r\nSubject: no body\r\n\r\n'))).text).toBe('');
    const mbox = await parseMime(Buffer.from('From seller-notification@amazon.com Fri Nov 27 15:11:37 2026\nFrom: a@amazon.com\nSubject: from mbox\n\nx\n'));
    expect(mbox.subject).toBe('from mbox');
    expect(mbox.from?.address).toBe('a@amazon.com');
  });
});

describe('parseMime: malformed input throws MalformedMailError', () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['an empty file', raw('empty.eml'), /^empty message$/],
    ['whitespace only', Buffer.from(' \r\n\r\n\t\n'), /^empty message$/],
    ['a file cut in the middle of a header', raw('truncated.eml'), /truncated/],
    ['a report saved as .eml', raw('not-a-message.eml'), /not a header field in line 1/],
    // Leading blank lines are skipped (saved mail has them, issue 9): what follows must be headers.
    ['a body without headers', Buffer.from('\r\nhello\r\n'), /not a header field in line 1/],
    ['headers that never end', Buffer.from('From: a@amazon.com\r\nSubject: x\r\n'), /not terminated by an empty line/],
    ['a non-header line inside the header section', Buffer.from('From: a@amazon.com\r\nthis is not a header\r\n\r\nx'), /line 2/],
    ['no From and no Subject', Buffer.from('Received: from x by y; Fri, 27 Nov 2026 15:11:41 +0000\r\n\r\nbody\r\n'), /neither From nor Subject/],
    ['binary data', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]), /not a header field in line 1/],
  ];
  it.each(cases)('%s', async (_name, input, message) => {
    const err = await parseMime(input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MalformedMailError);
    expect((err as Error).name).toBe('MalformedMailError');
    expect((err as Error).message).toMatch(message);
  });

  it('checkHeaderSection accepts every generated message fixture', () => {
    for (const file of ['us-sold-ship-now.eml', 'jp-chumon-kakutei.eml', 'cn-forward-gbk.eml', 'us-auto-forwarded.eml']) {
      expect(() => checkHeaderSection(raw(file))).not.toThrow();
    }
  });
});

describe('parseMime: genuine but quirky files (issue 9)', () => {
  const base = raw('us-sold-ship-now.eml');
  const asText = base.toString('latin1');
  const quirks: Array<[string, Buffer]> = [
    ['a UTF-8 byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), base])],
    ['leading blank lines', Buffer.concat([Buffer.from('\r\n\n\r\n'), base])],
    ['CR-only line ends', Buffer.from(asText.replace(/\r\n/g, '\r'), 'latin1')],
    ['an Outlook "Microsoft Mail Internet Headers" first line', Buffer.concat([Buffer.from('Microsoft Mail Internet Headers Version 2.0\r\n'), base])],
    ['an mbox From line', Buffer.concat([Buffer.from('From MAILER-DAEMON Fri Nov 27 15:11:41 2026\n'), base])],
  ];
  it.each(quirks)('reads a message with %s like the plain one', async (_name, bytes) => {
    const plain = await parseMime(base);
    const quirky = await parseMime(bytes);
    expect([quirky.from, quirky.subject, quirky.messageId]).toEqual([plain.from, plain.subject, plain.messageId]);
    expect(quirky.text.replace(/\r/g, '')).toBe(plain.text.replace(/\r/g, ''));
    expect(quirky.headers.map((h) => h.key)).toEqual(plain.headers.map((h) => h.key));
  });

  it('says what to do with an Outlook .msg file (an OLE2 compound file)', async () => {
    const msg = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const err = (await parseMime(msg).catch((e: unknown) => e)) as MalformedMailError;
    expect(err).toBeInstanceOf(MalformedMailError);
    expect(err.reason).toBe('outlook-msg: save the message as .eml');
  });

  it('keeps the From header as written (undecoded) for the strict From check', async () => {
    const m = await parseMime(Buffer.from('From: =?utf-8?q?Amazon?= <seller-notification@amazon.com>\r\nSubject: x\r\n\r\nbody\r\n'));
    expect(m.rawFrom).toEqual(['=?utf-8?q?Amazon?= <seller-notification@amazon.com>']);
  });
});
