/**
 * `shipnow seller ...` and `shipnow mail ...` as the CLI runs them (in process, same io
 * contract): on the embedded store persisted in a data folder, so each command sees what the
 * previous one did, and on a "deployed" table reached with --table/--endpoint (a dynalite server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailCommand } from '../../functions/local/commands/mail';
import { sellerCommand } from '../../functions/local/commands/seller';
import { alertsCommand } from '../../functions/local/commands/alerts';
import { ordersCommand } from '../../functions/local/commands/orders';
import { statusCommand } from '../../functions/local/commands/status';
import { existsSync } from 'node:fs';
import { useDynalite } from '../support/dynalite';
import { useLocalAwsEnv } from '../support/local-servers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'mail');
const NOW = () => new Date('2026-11-28T12:00:00.000Z');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

const fixedRandom = (seed: number) => (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255);

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipnow-data-'));
  env = { SHIPNOW_DATA_DIR: dir, SENTINEL_INBOUND_DOMAIN: 'in.shipnow.example' };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('shipnow seller (embedded store, persisted)', () => {
  test('add prints the address and the steps in English and Chinese; list sees it in a later run', async () => {
    const c = capture();
    const code = await sellerCommand(
      ['add', '--id', 'A1SHOP', '--name', 'Shenzhen Shop', '--marketplaces', 'US,DE,jp', '--language', 'zh-CN', '--timezone', 'Asia/Shanghai', '--alert-email', 'ops@shop.example'],
      c.io,
      { env, randomBytes: fixedRandom(1), now: NOW },
    );
    expect(code).toBe(0);
    const text = c.out.join('\n');
    const address = /接收地址:\s+(\S+@in\.shipnow\.example)/.exec(text)?.[1];
    expect(address).toMatch(/^snw-[a-z2-7]{16}@in\.shipnow\.example$/);
    expect(text).toContain('Notification Preferences');
    expect(text).toContain('通知首选项');
    expect(text).toContain('https://sellercentral.amazon.de');
    expect(text).toContain('https://sellercentral.amazon.co.jp');

    const l = capture();
    expect(await sellerCommand(['list', '--json'], l.io, { env })).toBe(0);
    expect(JSON.parse(l.out.join('\n'))).toEqual([
      {
        sellerId: 'A1SHOP',
        name: 'Shenzhen Shop',
        marketplaces: ['amazon.com', 'amazon.de', 'amazon.co.jp'],
        address,
        language: 'zh-CN',
        timeZone: 'Asia/Shanghai',
        alertEmails: ['ops@shop.example'],
        createdAt: '2026-11-28T12:00:00.000Z',
      },
    ]);
  });

  test('bad input exits 2 with one line naming the problem', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['add', '--name', 'X', '--marketplaces', 'US'], /--id/],
      [['add', '--id', 'a#b', '--name', 'X', '--marketplaces', 'US'], /--id/],
      [['add', '--id', 'S', '--name', 'X', '--marketplaces', 'US,XX'], /unknown marketplace 'XX'/],
      [['add', '--id', 'S', '--name', 'X', '--marketplaces', 'US', '--language', 'de'], /--language/],
      [['add', '--id', 'S', '--name', 'X', '--marketplaces', 'US', '--timezone', 'Mars/Base'], /--timezone/],
      [['add', '--id', 'S', '--name', 'X', '--marketplaces', 'US', '--alert-email', 'nope'], /--alert-email/],
      [['add', '--id', 'S', '--name', 'X', '--marketplaces', 'US', '--bogus'], /bogus/],
      [['frobnicate'], /unknown seller command/],
    ];
    for (const [args, message] of cases) {
      const c = capture();
      expect(await sellerCommand(args, c.io, { env })).toBe(2);
      expect(c.err.join('\n')).toMatch(message);
    }
  });

  test('without a configured inbound domain the embedded store labels the placeholder address as such', async () => {
    const noDomain = { SHIPNOW_DATA_DIR: dir };
    const c = capture();
    expect(await sellerCommand(['add', '--id', 'P1', '--name', 'X', '--marketplaces', 'US'], c.io, { env: noDomain, randomBytes: fixedRandom(5) })).toBe(0);
    expect(c.out.join('\n')).toMatch(/接收地址:\s+snw-[a-z2-7]{16}@inbound\.shipnow\.example\n\s+NOTE: placeholder domain inbound\.shipnow\.example \(embedded store\): not a real address; set --inbound-domain or SENTINEL_INBOUND_DOMAIN/);
    const l = capture();
    expect(await sellerCommand(['list'], l.io, { env: noDomain, tty: false })).toBe(0);
    expect(l.err.join('\n')).toMatch(/placeholder domain inbound\.shipnow\.example/);
  });

  test('list: a header line for a terminal only; the rows stay as they were', async () => {
    expect(await sellerCommand(['add', '--id', 'H1', '--name', 'Header', '--marketplaces', 'US,DE'], capture().io, { env, randomBytes: fixedRandom(6) })).toBe(0);
    const tty = capture();
    expect(await sellerCommand(['list'], tty.io, { env, tty: true })).toBe(0);
    expect(tty.out).toEqual(['SELLER_ID\tNAME\tMARKETPLACES\tINBOUND_ADDRESS', expect.stringMatching(/^H1\tHeader\tUS,DE\tsnw-[a-z2-7]{16}@in\.shipnow\.example$/)]);
    const pipe = capture();
    expect(await sellerCommand(['list'], pipe.io, { env, tty: false })).toBe(0);
    expect(pipe.out).toEqual([tty.out[1]]);
  });

  test('adding an existing seller is refused', async () => {
    const args = ['add', '--id', 'S1', '--name', 'X', '--marketplaces', 'US'];
    expect(await sellerCommand(args, capture().io, { env, randomBytes: fixedRandom(2) })).toBe(0);
    const c = capture();
    expect(await sellerCommand(args, c.io, { env, randomBytes: fixedRandom(3) })).toBe(2);
    expect(c.err.join('\n')).toMatch(/already exists/);
  });
});

describe('shipnow mail (embedded store, the folder standing in for the bucket)', () => {
  test('receive, quarantine, replay: a quarantined message is listed and processed again', async () => {
    expect(await sellerCommand(['add', '--id', 'demo-seller', '--name', 'Demo', '--marketplaces', 'US'], capture().io, { env, randomBytes: fixedRandom(4) })).toBe(0);

    // Routed by --seller (saved mail is addressed to someone else's alias).
    const r = capture();
    const files = ['us-sold-ship-now.eml', 'not-a-message.eml', 'forged-amazon-com.eml'].map((f) => join(FIXTURES, f));
    expect(await mailCommand(['receive', '--seller', 'demo-seller', ...files], r.io, { env, now: NOW })).toBe(1);
    const lines = r.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.outcome, l.reason ?? null])).toEqual([
      ['accepted', null],
      ['quarantined', 'malformed-mime'],
      ['rejected', 'dmarc-fail'],
    ]);

    const q = capture();
    expect(await mailCommand(['quarantine', '--json'], q.io, { env })).toBe(0);
    const quarantined = q.out.map((l) => JSON.parse(l) as { messageId: string; reason: string; location: string });
    expect(quarantined).toEqual([expect.objectContaining({ messageId: lines[1].messageId, reason: 'malformed-mime', location: lines[1].messageId })]);

    const rej = capture();
    expect(await mailCommand(['rejected', '--json'], rej.io, { env })).toBe(0);
    expect(JSON.parse(rej.out[0]).counts).toEqual({ 'dmarc-fail': 1 });

    // Replaying it again: still malformed, still quarantined (exit 1), listed once.
    const rp = capture();
    expect(await mailCommand(['replay', String(lines[1].messageId), '--seller', 'demo-seller'], rp.io, { env, now: NOW })).toBe(1);
    expect(JSON.parse(rp.out[0])).toMatchObject({ outcome: 'quarantined', reason: 'malformed-mime' });
    const q2 = capture();
    await mailCommand(['quarantine', '--json'], q2.io, { env });
    expect(q2.out).toHaveLength(1);

    // Replaying the accepted one records nothing new.
    const ra = capture();
    expect(await mailCommand(['replay', String(lines[0].messageId), '--seller', 'demo-seller'], ra.io, { env, now: NOW })).toBe(0);
    expect(JSON.parse(ra.out[0])).toMatchObject({ outcome: 'duplicate', previous: 'accepted' });

    const unknown = capture();
    expect(await mailCommand(['replay', 'no-such-id'], unknown.io, { env })).toBe(2);
    expect(unknown.err.join('\n')).toMatch(/no message 'no-such-id'/);
  });

  test('quarantine: header and replay hint for a terminal; rows only on stdout otherwise, the hint on stderr', async () => {
    const r = capture();
    expect(await mailCommand(['receive', '--seller', 'nobody', join(FIXTURES, 'not-a-message.eml')], r.io, { env, now: NOW })).toBe(1);
    const id = String(JSON.parse(r.out[0]).messageId);
    const tty = capture();
    expect(await mailCommand(['quarantine'], tty.io, { env, tty: true })).toBe(0);
    expect(tty.out[0]).toBe('MESSAGE_ID\tREASON\tLOCATION\tQUARANTINED_AT\tDETAIL');
    expect(tty.out[1]).toMatch(new RegExp(`^${id}\tmalformed-mime\t${id}\t2026-11-28T12:00:00.000Z\t`));
    expect(tty.out.at(-1)).toBe('replay one with: shipnow mail replay MESSAGE_ID');
    expect(tty.out).toHaveLength(3);
    const pipe = capture();
    expect(await mailCommand(['quarantine'], pipe.io, { env, tty: false })).toBe(0);
    expect(pipe.out).toEqual([tty.out[1]]);
    expect(pipe.err).toEqual(['shipnow: replay one with: shipnow mail replay MESSAGE_ID']);
  });

  test('a replay that ends in a routing rejection says so and where the raw mail still is', async () => {
    // A good mail quarantined for its size, then replayed: its recipient is no seller's alias.
    const r = capture();
    expect(await mailCommand(['receive', '--max-bytes', '100', join(FIXTURES, 'us-sold-ship-now.eml')], r.io, { env, now: NOW })).toBe(1);
    const first = JSON.parse(r.out[0]) as { messageId: string; outcome: string; reason: string };
    expect(first).toMatchObject({ outcome: 'quarantined', reason: 'oversized' });
    const rp = capture();
    expect(await mailCommand(['replay', first.messageId], rp.io, { env, now: NOW })).toBe(1);
    expect(JSON.parse(rp.out[0])).toMatchObject({ messageId: first.messageId, outcome: 'rejected', reason: 'unknown-alias', location: first.messageId });
    const path = join(dir, 'mail', first.messageId);
    expect(rp.err).toEqual([
      `shipnow: ${first.messageId}: now rejected (unknown-alias), no longer listed by \`shipnow mail quarantine\` but by \`shipnow mail rejected\`; the raw mail is still at the file ${path}: fix the cause and replay it again with: shipnow mail replay ${first.messageId}`,
    ]);
    expect(existsSync(path)).toBe(true);
  });

  test('mail --help / mail replay --help name the flags needed on AWS', async () => {
    for (const args of [['--help'], ['replay', '--help']]) {
      const c = capture();
      expect(await mailCommand(args, c.io, { env })).toBe(0);
      expect(c.out.join('\n')).toContain('shipnow mail replay MESSAGE_ID --table TABLE --bucket BUCKET --inbound-domain DOMAIN [--region R]');
    }
  });

  test('routing by the recipient alias: mail to an unknown alias is rejected and counted', async () => {
    const r = capture();
    expect(await mailCommand(['receive', join(FIXTURES, 'us-sold-ship-now.eml')], r.io, { env, now: NOW })).toBe(1);
    expect(JSON.parse(r.out[0])).toMatchObject({ outcome: 'rejected', reason: 'unknown-alias' });
  });

  test('usage errors exit 2', async () => {
    for (const args of [['replay'], ['receive'], ['nope'], ['quarantine', 'extra']]) {
      const c = capture();
      expect(await mailCommand(args, c.io, { env })).toBe(2);
    }
    expect(readFileSync(join(FIXTURES, 'us-sold-ship-now.eml')).length).toBeGreaterThan(0);
  });
});

describe('against a deployed table (--table, --endpoint)', () => {
  const ddb = useDynalite();
  // The SDK reads credentials and region from the usual environment; these are for the local server only.
  useLocalAwsEnv();

  test('seller add and list reach the table, and the data is in it', async () => {
    const flags = ['--table', ddb.tableName, '--endpoint', ddb.db.endpoint];
    const c = capture();
    expect(await sellerCommand(['add', '--id', 'T1', '--name', 'Table shop', '--marketplaces', 'UK', '--inbound-domain', 'in.example.com', ...flags], c.io, { env: {}, randomBytes: fixedRandom(9) })).toBe(0);
    expect(c.out.join('\n')).toMatch(/接收地址:\s+snw-[a-z2-7]{16}@in\.example\.com\n/);
    expect(c.out.join('\n')).not.toMatch(/placeholder/);
    const seller = await ddb.repository.getSeller('T1');
    expect(seller).toMatchObject({ name: 'Table shop', marketplaces: ['amazon.co.uk'] });
    expect(await ddb.repository.sellerByAlias(seller!.inboundAlias!)).toMatchObject({ sellerId: 'T1' });

    const l = capture();
    expect(await sellerCommand(['list', ...flags], l.io, { env: { SENTINEL_INBOUND_DOMAIN: 'in.example.com' }, tty: false })).toBe(0);
    expect(l.out).toEqual([expect.stringMatching(/^T1\tTable shop\tUK\tsnw-[a-z2-7]{16}@in\.example\.com$/)]);

    const q = capture();
    expect(await mailCommand(['quarantine', ...flags], q.io, { env: {} })).toBe(0);
    expect(q.out.join('\n')).toMatch(/no quarantined messages/);
  });

  test('seller add --alias: validated at the entry point with the one alias alphabet; a taken alias is bad input', async () => {
    const flags = ['--table', ddb.tableName, '--endpoint', ddb.db.endpoint, '--inbound-domain', 'in.example.com'];
    const add = (id: string, alias: string) => {
      const c = capture();
      return sellerCommand(['add', '--id', id, '--name', 'Shop', '--marketplaces', 'US', '--alias', alias, ...flags], c.io, { env: {} }).then((code) => ({ code, c }));
    };
    const plus = await add('P1', 'shop+x');
    expect(plus.code).toBe(2);
    expect(plus.c.err.join('\n')).toMatch(/--alias 'shop\+x': must not contain '\+'/);
    expect(await ddb.repository.getSeller('P1')).toBeUndefined();
    expect((await add('P2', 'bad alias')).code).toBe(2);
    const ok = await add('P3', 'Shop-Own');
    expect(ok.code).toBe(0);
    expect(ok.c.out.join('\n')).toMatch(/shop-own@in\.example\.com/);
    const taken = await add('P4', 'shop-own');
    expect(taken.code).toBe(2);
    expect(taken.c.err.join('\n')).toMatch(/already used by another seller/);
  });

  test('the inbound domain must be known against a table: seller add, seller list and mail replay refuse without it', async () => {
    const flags = ['--table', ddb.tableName, '--endpoint', ddb.db.endpoint];
    const cases: Array<[(a: string[], io: ReturnType<typeof capture>['io']) => Promise<number>, string[]]> = [
      [(a, io) => sellerCommand(a, io, { env: {}, randomBytes: fixedRandom(10) }), ['add', '--id', 'T2', '--name', 'No domain', '--marketplaces', 'US', ...flags]],
      [(a, io) => sellerCommand(a, io, { env: {} }), ['list', ...flags]],
      [(a, io) => mailCommand(a, io, { env: {}, now: NOW }), ['replay', 'ses-message-1', '--bucket', 'mail-bucket', ...flags]],
    ];
    for (const [run, args] of cases) {
      const c = capture();
      expect(await run(args, c.io)).toBe(2);
      expect(c.out).toEqual([]);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).toMatch(/^shipnow: .*--inbound-domain D \(?or SENTINEL_INBOUND_DOMAIN/);
    }
    expect(await ddb.repository.getSeller('T2')).toBeUndefined();
  });

  test('a table that does not exist is bad input for every store-backed command: one line, exit 2', async () => {
    const flags = ['--table', 'no-such-table', '--endpoint', ddb.db.endpoint];
    const env = { SENTINEL_INBOUND_DOMAIN: 'in.example.com' };
    const runs: Array<(io: ReturnType<typeof capture>['io']) => Promise<number>> = [
      (io) => sellerCommand(['list', ...flags], io, { env }),
      (io) => sellerCommand(['add', '--id', 'X', '--name', 'X', '--marketplaces', 'US', ...flags], io, { env }),
      (io) => mailCommand(['quarantine', ...flags], io, { env }),
      (io) => mailCommand(['rejected', ...flags], io, { env }),
      (io) => mailCommand(['replay', 'ses-1', '--bucket', 'b', ...flags], io, { env, now: NOW }),
      (io) => ordersCommand(['import', join(FIXTURES, 'us-sold-ship-now.eml'), '--seller', 'X', ...flags], io, { env, progress: false }),
      (io) => statusCommand([...flags], io, { env }),
      (io) => alertsCommand(['channels', '--seller', 'X', ...flags], io),
    ];
    for (const run of runs) {
      const c = capture();
      expect(await run(c.io)).toBe(2);
      expect(c.err).toEqual([expect.stringMatching(new RegExp(`^shipnow: table no-such-table not found \\(region us-east-1, endpoint ${ddb.db.endpoint.replace(/[.]/g, '\\.')}\\)`))]);
    }
  });

  test('--endpoint without --table is a usage error', async () => {
    const c = capture();
    expect(await sellerCommand(['list', '--endpoint', 'http://127.0.0.1:1'], c.io, { env: {} })).toBe(2);
  });
});
