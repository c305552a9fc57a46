/**
 * The command-line contract, exercised as users' scripts do: the real `bin/shipnow.js` in a child
 * process, reading its stdout, stderr and exit status.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join('test', 'fixtures', 'mail');

// The table follows the locale (--lang defaults from LC_ALL / LC_MESSAGES / LANG): pin it to English.
const ENGLISH = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LC_|LANG)/.test(k)));

function shipnow(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shipnow.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...ENGLISH, LANG: 'C.UTF-8' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// `shipBy` and `verified` were added by issue 9 (extensions: the older keys keep their order).
const PARSE_KEYS = ['file', 'soldShipNow', 'orderIds', 'marketplace', 'language', 'authentic', 'reason', 'shipBy', 'verified'];

describe('shipnow parse', () => {
  // One child process for every fixture, like a script that globs a mail folder.
  const files = readdirSync(join(ROOT, FIXTURES))
    .filter((f) => f.endsWith('.eml'))
    .sort();
  const run = shipnow('parse', ...files.map((f) => join(FIXTURES, f)));
  const byName = new Map<string, Record<string, unknown>>(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .map((o) => [String(o.file).split('/').pop()!, o]),
  );

  test('prints one JSON object per file, one per line, with exactly the contract keys, and exits 0', () => {
    expect(run.code).toBe(0);
    expect(byName.size).toBe(files.length);
    for (const o of byName.values()) expect(Object.keys(o)).toEqual(PARSE_KEYS);
  });

  // Every marketplace and charset the core promises, as real MIME bytes.
  test.each([
    ['us-sold-ship-now.eml', 'amazon.com', 'en', '112-4455667-1000001'],
    ['ca-sold-ship-now.eml', 'amazon.ca', 'en', '702-4455667-2000011'],
    ['uk-sold-dispatch-now.eml', 'amazon.co.uk', 'en', '205-4455667-1000004'],
    ['de-artikel-verkauft.eml', 'amazon.de', 'de', '028-4455667-1000003'],
    ['fr-vendu.eml', 'amazon.fr', 'fr', '407-4455667-1000005'],
    ['it-venduto.eml', 'amazon.it', 'it', '171-4455667-2000015'],
    ['es-vendido.eml', 'amazon.es', 'es', '406-4455667-1000007'],
    ['jp-chumon-kakutei.eml', 'amazon.co.jp', 'ja', '250-4455667-1000008'],
    ['jp-shift-jis.eml', 'amazon.co.jp', 'ja', '503-4455667-2000017'],
    ['us-order-id-only-in-html.eml', 'amazon.com', 'en', '113-4455667-2000023'],
    ['us-auto-forwarded.eml', 'amazon.com', 'en', '112-4455667-2000019'],
  ])('%s is an authentic Sold, Ship Now email from %s (%s) for %s', (file, marketplace, language, orderId) => {
    const { shipBy, ...rest } = byName.get(file)!;
    expect(rest).toEqual({
      file: join(FIXTURES, file),
      soldShipNow: true,
      orderIds: [orderId],
      marketplace,
      language,
      authentic: true,
      reason: null,
      verified: true,
    });
    // ISO-8601 when the email has a Ship by: field (not every fixture does), else null.
    expect(shipBy === null || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/.test(String(shipBy))).toBe(true);
  });

  test.each([
    ['forged-amazon-com.eml', 'dmarc-fail'],
    ['us-spf-dkim-fail.eml', 'spf-and-dkim-fail'],
    ['ar-forged-by-untrusted-host.eml', 'dmarc-fail'],
    ['lookalike-amazon-de.eml', 'sender-not-amazon'],
  ])('%s is not authentic: %s', (file, reason) => {
    expect(byName.get(file)).toMatchObject({ authentic: false, reason });
  });

  test.each(['de-return-request.eml', 'us-return-request.eml', 'fr-payment-notice.eml', 'it-a-to-z-claim.eml', 'es-buyer-message.eml', 'jp-cancel-request.eml'])(
    '%s names an order but is not a Sold, Ship Now email',
    (file) => {
      const o = byName.get(file)!;
      expect(o).toMatchObject({ soldShipNow: false, authentic: true, reason: 'not-sold-ship-now', shipBy: null });
      // A buyer relay's ID follows the buyer's text, which is never read (issue 9).
      if (file !== 'es-buyer-message.eml') expect((o.orderIds as string[]).length).toBeGreaterThan(0);
    },
  );

  test.each([
    ['empty.eml', /^empty-file$/],
    ['truncated.eml', /^malformed-mime: .*truncated/],
    ['not-a-message.eml', /^malformed-mime: /],
  ])('%s is read but not understood: authentic null, a reason', (file, reason) => {
    const o = byName.get(file)!;
    expect(o).toMatchObject({ soldShipNow: false, orderIds: [], marketplace: null, language: null, authentic: null });
    expect(o.reason).toMatch(reason);
  });

  test('a file that cannot be read: exit 2, still one line for it, the others still parsed', () => {
    const r = shipnow('parse', join(FIXTURES, 'us-sold-ship-now.eml'), 'no/such/file.eml');
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ soldShipNow: true });
    expect(lines[1]).toMatchObject({ file: 'no/such/file.eml', authentic: null, reason: expect.stringMatching(/^cannot read: .*ENOENT/) });
    expect(r.stderr).toContain('no/such/file.eml');
  });
});

describe('shipnow check', () => {
  const EXAMPLES = ['--orders', 'examples/orders', '--mail', 'examples/mail', '--now', '2026-11-28T12:00:00Z'];

  test('--json prints the contract document; exit 1 because orders are missing', () => {
    const r = shipnow('check', ...EXAMPLES, '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['now', 'orders', 'unmatchedNotifications', 'rejectedMail', 'summary']);
    expect(doc.now).toBe('2026-11-28T12:00:00.000Z');
    for (const o of doc.orders) {
      // `verified` added by issue 9, after notifiedAt.
      expect(Object.keys(o)).toEqual(['orderId', 'status', 'marketplace', 'expectedBy', 'notifiedAt', 'verified', 'shipBy', 'autoCancelAt']);
    }
    const status = Object.fromEntries(doc.orders.map((o: { orderId: string; status: string }) => [o.orderId, o.status]));
    expect(status).toEqual({
      '112-4455667-1000001': 'notified',
      '112-4455667-1000002': 'missing', // its only email is forged
      '028-4455667-1000003': 'notified',
      '205-4455667-1000004': 'notified',
      '407-4455667-1000005': 'notified',
      '171-4455667-1000006': 'missing',
      '406-4455667-1000007': 'notified',
      '250-4455667-1000008': 'notified',
      '250-4455667-1000009': 'not-expected',
      '113-4455667-1000010': 'not-expected',
      '702-4455667-1000011': 'awaiting',
      '114-4455667-1000012': 'not-expected',
    });
    expect(doc.summary).toEqual({ notified: 6, missing: 2, awaiting: 1, notExpected: 3 });
    expect(doc.unmatchedNotifications).toEqual([{ orderId: '111-9999999-9999999', file: 'examples/mail/us-unknown-order.eml', reason: 'no-order' }]);
    expect(doc.orders.filter((o: { verified: boolean | null }) => o.verified === true)).toHaveLength(6);
    expect(doc.rejectedMail).toEqual([
      { file: 'examples/mail/de-return-request.eml', reason: 'not-sold-ship-now' },
      { file: 'examples/mail/forged-amazon-com.eml', reason: 'dmarc-fail' },
      { file: 'examples/mail/lookalike-amazon-de.eml', reason: 'sender-not-amazon' },
    ]);
    const missing = doc.orders.find((o: { orderId: string }) => o.orderId === '112-4455667-1000002');
    // Purchased 2026-11-27T18:30Z, no payments date in the report row -> expected by +60 min.
    expect(missing).toMatchObject({ marketplace: 'amazon.com', notifiedAt: null, expectedBy: '2026-11-27T19:30:00.000Z' });
    expect(missing.autoCancelAt).toBe('2026-12-27T18:30:00.000Z');
  });

  test('--grace moves the boundary: with 29 minutes the CA order (30 minutes old) is already missing', () => {
    const r = shipnow('check', ...EXAMPLES, '--json', '--grace', '29');
    const doc = JSON.parse(r.stdout);
    expect(doc.orders.find((o: { orderId: string }) => o.orderId === '702-4455667-1000011').status).toBe('missing');
    expect(doc.summary.missing).toBe(3);
  });

  test('--now is "as of": an email that arrived later does not count yet', () => {
    const doc = JSON.parse(shipnow('check', '--orders', 'examples/orders', '--mail', 'examples/mail', '--now', '2026-11-28T07:30:00Z', '--json').stdout);
    const byId = Object.fromEntries(doc.orders.map((o: { orderId: string }) => [o.orderId, o]));
    // DE email arrived 03:03Z: notified. FR order (08:00Z) not even due; its email arrives 08:05Z.
    expect(byId['028-4455667-1000003']).toMatchObject({ status: 'notified', notifiedAt: expect.stringMatching(/^2026-11-28T03:03/) });
    expect(byId['407-4455667-1000005']).toMatchObject({ status: 'awaiting', notifiedAt: null });
  });

  test('without --json prints a readable table, missing first (the most urgent on top), and the rejected mail', () => {
    const r = shipnow('check', ...EXAMPLES);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(''); // no progress bar when stderr is not a terminal
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('ORDER ID'));
    // The IT order must ship within 11 hours; the US one has no ship-by and 29 days to auto-cancel.
    expect(lines[header + 1]).toMatch(/^171-4455667-1000006\s+amazon\.it\s+MISSING/);
    expect(lines[header + 2]).toMatch(/^112-4455667-1000002\s+amazon\.com\s+MISSING/);
    expect(lines[header + 3]).toMatch(/^702-4455667-1000011\s+amazon\.ca\s+awaiting/);
    expect(r.stdout).toContain('2 missing, 1 awaiting, 6 notified, 3 not expected');
    expect(r.stdout).toContain('forged-amazon-com.eml: dmarc-fail');
  });

  describe('with a temporary folder', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'shipnow-cli-'));
      mkdirSync(join(dir, 'mail'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const HEADER =
      'order-id\torder-item-id\tpurchase-date\tpayments-date\treporting-date\tpromise-date\tdays-past-promise\tbuyer-email\tbuyer-phone-number\tsku\tproduct-name\tquantity-purchased\tquantity-shipped\tquantity-to-ship\tship-service-level\trecipient-name\tship-address-1\tship-address-2\tship-address-3\tship-city\tship-state\tship-postal-code\tship-country\tis-business-order\tpurchase-order-number\tprice-designation\tis-prime\tsales-channel';
    const row = (id: string, date: string) =>
      `${id}\t12345678901234\t${date}\t${date}\t${date}\t\t0\tx@marketplace.amazon.de\t\tSKU-1\tThing\t1\t0\t1\tStandard\tA Buyer\tStr. 1\t\t\tBerlin\t\t10115\tDE\tfalse\t\t\tfalse\tAmazon.de`;

    test('exit 0 when every order has its email; an unreadable mail file is listed and the run goes on', () => {
      writeFileSync(join(dir, 'report.txt'), `${HEADER}\n${row('028-4455667-1000003', '2026-11-28T03:00:00+00:00')}\n`);
      copyFileSync(join(ROOT, 'examples', 'mail', 'de-artikel-verkauft.eml'), join(dir, 'mail', 'de.eml'));
      writeFileSync(join(dir, 'mail', 'garbage.eml'), 'this is not an email\n');
      const r = shipnow('check', '--orders', join(dir, 'report.txt'), '--mail', join(dir, 'mail'), '--now', '2026-11-28T12:00:00Z', '--json');
      expect(r.stderr).not.toMatch(/shipnow:/);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.summary).toEqual({ notified: 1, missing: 0, awaiting: 0, notExpected: 0 });
      expect(doc.rejectedMail).toEqual([{ file: join(dir, 'mail', 'garbage.eml'), reason: expect.stringMatching(/^malformed-mime/) }]);
    });

    test('several --orders files are one order book (several rows of one order are one order)', () => {
      writeFileSync(join(dir, 'a.txt'), `${HEADER}\n${row('028-4455667-1000003', '2026-11-28T03:00:00+00:00')}\n`);
      writeFileSync(join(dir, 'b.txt'), `${HEADER}\n${row('028-4455667-1000003', '2026-11-28T03:00:00+00:00')}\n${row('028-4455667-1000099', '2026-11-28T03:00:00+00:00')}\n`);
      const r = shipnow('check', '--orders', join(dir, 'a.txt'), '--orders', join(dir, 'b.txt'), '--mail', join(dir, 'mail'), '--now', '2026-11-28T12:00:00Z', '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).orders.map((o: { orderId: string }) => o.orderId).sort()).toEqual(['028-4455667-1000003', '028-4455667-1000099']);
    });

    test('exit 2 with one line naming the file and line of a malformed row', () => {
      const file = join(dir, 'report.txt');
      writeFileSync(file, `${HEADER}\n${row('028-4455667-1000003', '2026-11-28T03:00:00+00:00')}\n${row('28-445-1', '2026-11-28T03:00:00+00:00')}\n`);
      const r = shipnow('check', '--orders', file, '--mail', join(dir, 'mail'), '--json');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${file}:3:`);
      expect(lines[0]).toMatch(/order-id/);
    });

    test.each([
      ['an unreadable orders file', (d: string) => join(d, 'missing.txt'), /missing\.txt.*(cannot read|ENOENT)/],
      ['an unrecognised orders file', (d: string) => (writeFileSync(join(d, 'notes.txt'), 'hello\nworld\n'), join(d, 'notes.txt')), /notes\.txt.*unrecognised/],
      ['a truncated JSON file', (d: string) => (writeFileSync(join(d, 'o.json'), '{"orders": [{"orderId": "1'), join(d, 'o.json')), /o\.json:1:/],
      ['an empty orders file', (d: string) => (writeFileSync(join(d, 'empty.txt'), ''), join(d, 'empty.txt')), /empty\.txt/],
    ])('exit 2 on %s, one line on stderr naming it', (_what, make, message) => {
      const file = make(dir);
      const r = shipnow('check', '--orders', file, '--mail', join(dir, 'mail'));
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });

    test.each([
      [['--mail', 'NOPE']],
      [['--mail', 'examples/mail', '--grace', 'ten']],
      [['--mail', 'examples/mail', '--grace', '-5']],
      [['--mail', 'examples/mail', '--grace', '999999999999']],
      [['--mail', 'examples/mail', '--now', '28/11/2026']],
      [['--mail', 'examples/mail', '--now', '2026-02-30T00:00:00Z']],
      [['--mail', 'examples/mail', '--now', '2026-11-28T12:00:00']],
    ])('exit 2 with one line on a bad flag value or a missing mail folder: %j', (flags) => {
      const r = shipnow('check', '--orders', 'examples/orders', ...flags.map((f) => (f === 'NOPE' ? join(dir, 'nope') : f)));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });

    test('exit 2 without --orders', () => {
      expect(shipnow('check', '--mail', 'examples/mail').code).toBe(2);
    });
  });
});

describe('npm start (shipnow demo)', () => {
  test('runs the example job at the fixed time and exits 0, with countdowns', () => {
    const r = shipnow('demo');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 missing, 1 awaiting, 6 notified, 3 not expected');
    expect(r.stdout).toMatch(/112-4455667-1000002\s+amazon\.com\s+MISSING/);
    expect(r.stdout).toMatch(/in \d+d \d+h/);
  });
});

describe('store-backed commands through the real binary', () => {
  test('help names the flags `mail replay` needs on AWS (the command an alarm prints)', () => {
    const r = shipnow('help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('shipnow mail replay MESSAGE_ID --table TABLE --bucket BUCKET --inbound-domain DOMAIN [--region R]');
    const m = shipnow('mail', 'replay', '--help');
    expect(m.code).toBe(0);
    expect(m.stdout).toContain('--table TABLE --bucket BUCKET --inbound-domain DOMAIN');
  });

  test('mail replay against a table without the inbound domain: one line, exit 2, before any AWS call', () => {
    const r = shipnow('mail', 'replay', 'ses-message-1', '--table', 'sentinel', '--bucket', 'mail-bucket', '--region', 'us-east-1');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^shipnow: mail replay on table sentinel needs --inbound-domain D \(or SENTINEL_INBOUND_DOMAIN\)/)]);
  });
});
