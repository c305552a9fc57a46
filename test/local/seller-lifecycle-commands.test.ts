/**
 * `shipnow seller add --from | update | remove | channels ...` as the CLI runs them (in process,
 * same io contract): on the embedded store persisted in a data folder (each command sees what the
 * previous one did) and on a "deployed" table reached with --table/--endpoint (dynalite). The
 * channel tests deliver through the real adapters to local servers standing in for the bots
 * (checking the signatures as DingTalk and Feishu do), to aws-ses-v2-local for email, and to a
 * mocked SNS client (exact request asserted).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { snsSubject } from '../../functions/adapters/channels/aws';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { DynamoDbSellerAdmin } from '../../functions/adapters/dynamodb/seller-admin';
import { sellerCommand } from '../../functions/local/commands/seller';
import { openStore } from '../../functions/local/commands/store';
import { useDynalite } from '../support/dynalite';
import { sendJson, startWebhookServer, useLocalAwsEnv, type ReceivedRequest, type WebhookServer } from '../support/local-servers';
import { writeSellerData } from '../support/seller-data';

const NOW = () => new Date('2026-11-28T12:00:00.000Z');
const fixedRandom = (seed: number) => (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255);
/** Deterministic, but a new alias on every call (a bulk add allocates many). */
const seqRandom = (seed: number) => {
  let call = 0;
  return (n: number) => fixedRandom(seed + 31 * call++)(n);
};

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipnow-lifecycle-'));
  env = { SHIPNOW_DATA_DIR: dir, SENTINEL_INBOUND_DOMAIN: 'in.shipnow.example' };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], extra: Parameters<typeof sellerCommand>[2] = {}) {
  const c = capture();
  const code = await sellerCommand(args, c.io, { env, randomBytes: seqRandom(1), now: NOW, ...extra });
  return { code, out: c.out.join('\n'), err: c.err.join('\n'), lines: c.out };
}

async function listed(): Promise<Array<Record<string, unknown>>> {
  const r = await run(['list', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Array<Record<string, unknown>>;
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// ---- add --from --------------------------------------------------------------------------------

describe('seller add --from', () => {
  const GOOD = ['id,name,marketplaces,alert-email,language,timezone', 'A1,Shenzhen Shop,"US,DE",ops@a.example,zh-CN,Asia/Shanghai', 'A2,Berlin GmbH,DE;FR,,en,Europe/Berlin'];

  test('every bad row is reported with file and line, and nothing is written', async () => {
    const csv = file(
      'bad.csv',
      [...GOOD, 'A3,,US,,,', 'A4,Bad,XX,nope,de,Mars/Base', 'A1,Again,US,,,', 'A5,Five,US,EXTRA,,,'].join('\n') + '\n',
    );
    const r = await run(['add', '--from', csv]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([
      `shipnow: ${csv}:4: name is required`,
      `shipnow: ${csv}:5: marketplaces: unknown marketplace 'XX' (e.g. US, CA, MX, UK, DE, FR, IT, ES, NL, JP, AU)`,
      `shipnow: ${csv}:5: alert-email 'nope' is not an email address`,
      `shipnow: ${csv}:5: language must be zh-CN or en (got 'de')`,
      `shipnow: ${csv}:5: timezone 'Mars/Base' is not an IANA time zone (e.g. Asia/Shanghai)`,
      `shipnow: ${csv}:6: seller 'A1' is already on line 2`,
      `shipnow: ${csv}:7: expected 6 columns, got 7`,
      `shipnow: ${csv}: 4 bad rows; nothing was written`,
    ]);
    expect(r.out).toBe('');
    expect(await listed()).toEqual([]);
  });

  test('a good file creates every seller with its own address; the same file again changes nothing; a changed row is refused', async () => {
    const csv = file('good.csv', GOOD.join('\n'));
    const first = await run(['add', '--from', csv]);
    expect(first.code).toBe(0);
    expect(first.lines.slice(0, 2)).toEqual([
      expect.stringMatching(/^created\tA1\tsnw-[a-z2-7]{16}@in\.shipnow\.example$/),
      expect.stringMatching(/^created\tA2\tsnw-[a-z2-7]{16}@in\.shipnow\.example$/),
    ]);
    expect(first.lines[0]).not.toBe(first.lines[1].replace('A2', 'A1'));
    expect(first.out).toContain('2 created, 0 already there unchanged');
    expect(first.out).toContain('Notification Preferences');
    expect(first.out).toContain('通知首选项');
    expect(first.out).toContain('https://sellercentral.amazon.fr/notifications/preferences');
    const sellers = await listed();
    expect(sellers).toEqual([
      expect.objectContaining({ sellerId: 'A1', name: 'Shenzhen Shop', marketplaces: ['amazon.com', 'amazon.de'], alertEmails: ['ops@a.example'], language: 'zh-CN', timeZone: 'Asia/Shanghai', createdAt: '2026-11-28T12:00:00.000Z' }),
      expect.objectContaining({ sellerId: 'A2', name: 'Berlin GmbH', marketplaces: ['amazon.de', 'amazon.fr'], alertEmails: [], language: 'en', timeZone: 'Europe/Berlin' }),
    ]);

    const again = await run(['add', '--from', csv, '--json'], { randomBytes: seqRandom(2) });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual([
      { line: 2, sellerId: 'A1', status: 'unchanged', address: sellers[0].address },
      { line: 3, sellerId: 'A2', status: 'unchanged', address: sellers[1].address },
    ]);
    expect(await listed()).toEqual(sellers);

    const changed = await run(['add', '--from', file('changed.csv', [GOOD[0], 'A1,Renamed Shop,US,,,', 'A9,New,JP,,,'].join('\n'))]);
    expect(changed.code).toBe(2);
    expect(changed.err).toContain("changed.csv:2: seller 'A1' already exists with another name, marketplaces, alert-email, language, timezone (change it with: shipnow seller update --id A1 ...)");
    expect((await listed()).map((s) => s.sellerId)).toEqual(['A1', 'A2']);
  });

  test('JSON works the same, with the line of each object', async () => {
    const json = file('sellers.json', '[\n  {"id": "J1", "name": "Tokyo KK", "marketplaces": ["JP"], "timezone": "Asia/Tokyo"},\n  {"id": "J2", "name": "", "marketplaces": "US"}\n]\n');
    const bad = await run(['add', '--from', json]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`${json}:3: name is required`);
    expect(await listed()).toEqual([]);
    writeFileSync(json, '[{"id": "J1", "name": "Tokyo KK", "marketplaces": ["JP"], "timezone": "Asia/Tokyo"}]');
    const ok = await run(['add', '--from', json, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual([{ line: 1, sellerId: 'J1', status: 'created', address: expect.stringMatching(/@in\.shipnow\.example$/) }]);
  });

  test('--from with profile flags, a missing file or an empty one is bad input', async () => {
    expect((await run(['add', '--from', 'x.csv', '--id', 'A1'])).err).toMatch(/--id cannot be combined with it/);
    const missing = await run(['add', '--from', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.csv: cannot read/);
    const empty = await run(['add', '--from', file('empty.csv', 'id,name,marketplaces\n')]);
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/no sellers in the file/);
  });
});

// ---- update ------------------------------------------------------------------------------------

describe('seller update', () => {
  beforeEach(async () => {
    expect((await run(['add', '--id', 'U1', '--name', 'Old', '--marketplaces', 'US', '--alert-email', 'a@b.example', '--language', 'en', '--timezone', 'Asia/Shanghai'])).code).toBe(0);
  });

  test('only the given fields change; the address and the creation time stay', async () => {
    const [before] = await listed();
    const r = await run(['update', '--id', 'U1', '--name', 'New name', '--marketplaces', 'US,CA', '--clear', 'language']);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      expect.stringMatching(/^Seller U1 updated \(embedded store in /),
      '  name: Old -> New name',
      '  marketplaces: amazon.com -> amazon.com,amazon.ca',
      '  language: en -> (none)',
    ]);
    expect(await listed()).toEqual([{ ...before, name: 'New name', marketplaces: ['amazon.com', 'amazon.ca'], language: null }]);
    const same = await run(['update', '--id', 'U1', '--name', 'New name']);
    expect(same).toMatchObject({ code: 0, out: expect.stringMatching(/^U1: nothing to change/) });
  });

  test('alert settings: set, shown as a diff, kept beside the channels, cleared back to the default', async () => {
    expect((await run(['channels', 'set', '--seller', 'U1', '--type', 'webhook', '--channel', 'erp', '--url', 'https://erp.example/h'])).code).toBe(0);
    const r = await run(['update', '--id', 'U1', '--quiet-hours', '22:30-07:00', '--ship-by-reminders', '12,4', '--alert-languages', 'zh-CN']);
    expect(r.code).toBe(0);
    expect(r.lines.slice(1)).toEqual(['  quiet-hours: (default) -> 22:30-07:00', '  alert-languages: (default) -> zh-CN', '  ship-by-reminders: (default) -> 12,4']);
    const j = await run(['update', '--id', 'U1', '--clear', 'ship-by-reminders', '--json']);
    expect(JSON.parse(j.out)).toMatchObject({ changed: ['alerting'], seller: { alerting: { quietHours: { start: '22:30', end: '07:00' }, languages: ['zh-CN'] } } });
    expect(JSON.parse(j.out).seller.alerting).not.toHaveProperty('reminders');
    expect(JSON.parse((await run(['channels', 'list', '--seller', 'U1', '--json'])).out).channels.map((c: { id: string }) => c.id)).toEqual(['erp', 'alert-emails']);
    const bad = await run(['update', '--id', 'U1', '--quiet-hours', 'late', '--digest-threshold', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--quiet-hours must be START-END .*; --digest-threshold must be a whole number from 1/);
  });

  test('bad input: every bad value in one line, an unknown seller, nothing to change, a clear that conflicts', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['update', '--id', 'U1', '--language', 'de', '--timezone', 'Nowhere'], /--language must be zh-CN or en \(got 'de'\); --timezone 'Nowhere' is not an IANA time zone/],
      [['update', '--id', 'NOPE', '--name', 'x'], /no seller 'NOPE'/],
      [['update', '--id', 'U1'], /needs something to change/],
      [['update', '--name', 'x'], /needs --id/],
      [['update', '--id', 'U1', '--clear', 'name'], /only alert-email, language, timezone, quiet-hours, .* can be cleared/],
      [['update', '--id', 'U1', '--clear', 'timezone', '--timezone', 'UTC'], /--clear timezone and --timezone together/],
      // A seller ID becomes part of table keys: refused as input, never an internal error.
      [['update', '--id', 'a#b', '--name', 'x'], /--id 'a#b': letters, digits/],
      [['remove', '--id', 'a#b', '--yes'], /--id 'a#b': letters, digits/],
      [['channels', 'list', '--seller', 'a#b'], /--seller 'a#b': letters, digits/],
      [['channels', 'frobnicate'], /unknown seller channels command 'frobnicate' \(set, list, remove, test\)/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.split('\n')).toHaveLength(1);
    }
    expect((await listed())[0]).toMatchObject({ name: 'Old', language: 'en' });
  });
});

// ---- remove ------------------------------------------------------------------------------------

describe('seller remove', () => {
  async function seed(): Promise<string> {
    expect((await run(['add', '--id', 'R1', '--name', 'Removed Shop', '--marketplaces', 'US,CA'])).code).toBe(0);
    expect((await run(['add', '--id', 'K1', '--name', 'Kept Shop', '--marketplaces', 'US'], { randomBytes: fixedRandom(3) })).code).toBe(0);
    const store = await openStore({}, env);
    try {
      await writeSellerData(store.client, store.tableName, 'R1');
      await writeSellerData(store.client, store.tableName, 'K1');
      return (await store.repo.getSeller('R1'))!.inboundAlias!;
    } finally {
      await store.close();
    }
  }

  test('without a terminal and without --yes it refuses, exit 2, and nothing is removed', async () => {
    await seed();
    const r = await run(['remove', '--id', 'R1'], { interactive: false });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a terminal.*--yes/);
    expect((await listed()).map((s) => s.sellerId)).toEqual(['K1', 'R1']);
  });

  test('says what happens to every kind of data before it asks; a wrong answer cancels', async () => {
    await seed();
    const asked: Array<{ question: string; outSoFar: number }> = [];
    const c = capture();
    const code = await sellerCommand(['remove', '--id', 'R1'], c.io, {
      env,
      interactive: true,
      ask: async (question) => {
        asked.push({ question, outSoFar: c.out.length });
        return 'r1';
      },
    });
    expect(code).toBe(1);
    const statement = c.out.slice(0, asked[0].outSoFar).join('\n');
    expect(asked[0].question).toMatch(/Type the seller ID \(R1\)/);
    expect(statement).toMatch(/^Removing seller R1 \(Removed Shop\) from the embedded store in /);
    expect(statement).toMatch(/the inbound address snw-[a-z2-7]{16}@in\.shipnow\.example: mail sent to it from now on is rejected/);
    expect(statement).toContain('3 orders (2 not shipped or cancelled: no more alerts or reminders about them)');
    expect(statement).toContain('2 notifications');
    expect(statement).toContain('2 outbox alerts (1 not sent yet: they will not be sent) and 1 broken-channel mark');
    expect(statement).toContain('2 order-sync state items (lease, cursors, rate-limit buckets) and 2 sync-health items');
    expect(statement).toContain('4 history items');
    expect(statement).toMatch(/Stays until you remove it:[\s\S]*intake records[\s\S]*raw mail files in [\s\S]*shipnow-sentinel\/sp-api\/seller\/R1[\s\S]*Seller Central/);
    expect(c.out.slice(asked[0].outSoFar)).toEqual(['Cancelled: nothing was removed.']);
    expect((await listed()).map((s) => s.sellerId)).toEqual(['K1', 'R1']);
  });

  test('confirmed on the terminal (or --yes): everything of that seller is gone, the other seller untouched; again: no such seller', async () => {
    const alias = await seed();
    const r = await run(['remove', '--id', 'R1'], { interactive: true, ask: async () => 'R1' });
    expect(r.code).toBe(0);
    expect(r.lines[r.lines.length - 1]).toMatch(/^Seller R1 removed: 18 items deleted from the embedded store/);
    expect((await listed()).map((s) => s.sellerId)).toEqual(['K1']);
    const store = await openStore({}, env);
    try {
      const admin = new DynamoDbSellerAdmin({ client: store.client, tableName: store.tableName });
      expect((await admin.inventory('R1')).keys).toEqual([]);
      expect((await admin.inventory('K1')).keys).toHaveLength(16);
      expect(await store.repo.sellerByAlias(alias)).toBeUndefined();
    } finally {
      await store.close();
    }
    const again = await run(['remove', '--id', 'R1', '--yes']);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/no seller 'R1'/);
    const dry = await run(['remove', '--id', 'K1', '--dry-run'], { interactive: false });
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/dry run: nothing was removed/);
    expect((await listed()).map((s) => s.sellerId)).toEqual(['K1']);
  });
});

// ---- channels ----------------------------------------------------------------------------------

describe('seller channels', () => {
  let bot: WebhookServer;
  let base: string;
  let received: ReceivedRequest[];
  let respond: (r: ReceivedRequest, res: ServerResponse) => void;
  const DT_SECRET = 'SEC4f2a0c9b8e7d6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0';
  const FS_SECRET = 'lark-signing-secret-0123';
  const json = (res: ServerResponse, body: unknown) => sendJson(res, 200, body);
  // The bots' own checks: DingTalk's sign in the query, Feishu's in the body.
  const bots = (r: ReceivedRequest, res: ServerResponse) => {
    if (r.path === '/robot/send') {
      const ts = r.query.get('timestamp') ?? '';
      const ok = r.query.get('sign') === createHmac('sha256', DT_SECRET).update(`${ts}\n${DT_SECRET}`).digest('base64');
      return json(res, ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' });
    }
    if (r.path.startsWith('/open-apis/bot/v2/hook/')) {
      const ts = String(r.body.timestamp);
      const ok = r.body.sign === createHmac('sha256', `${ts}\n${FS_SECRET}`).update('').digest('base64');
      return json(res, ok ? { code: 0, msg: 'success' } : { code: 19021, msg: 'sign match fail' });
    }
    if (r.path === '/cgi-bin/webhook/send') return json(res, { errcode: 0, errmsg: 'ok' });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  };

  beforeAll(async () => {
    bot = await startWebhookServer((r, res) => {
      received.push(r);
      respond(r, res);
    });
    base = bot.base;
  });
  afterAll(() => bot.close());
  beforeEach(async () => {
    received = [];
    respond = bots;
    expect((await run(['add', '--id', 'C1', '--name', 'Channel Shop', '--marketplaces', 'US', '--alert-email', 'owner@shop.example'])).code).toBe(0);
  });

  const setAll = async () => {
    const sets: string[][] = [
      ['--type', 'dingtalk', '--url', `${base}/robot/send?access_token=dt0123456789abcdef0123456789abcdef`, '--secret', DT_SECRET],
      ['--type', 'wecom', '--url', `${base}/cgi-bin/webhook/send?key=693a91f6-7f2e-4bc4-97a0-0ec2a1fa5aaa`],
      ['--type', 'feishu', '--channel', 'lark', '--url', `${base}/open-apis/bot/v2/hook/0f8e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b`, '--secret', FS_SECRET],
      ['--type', 'slack', '--url', `${base}/services/T0123ABCD/B0123ABCDEF/abcdefghijklmnopqrstuvwx`],
      ['--type', 'webhook', '--channel', 'erp', '--url', `${base}/hooks/sentinel?token=erp-secret-token-42`],
    ];
    for (const s of sets) {
      const r = await run(['channels', 'set', '--seller', 'C1', ...s, '--allow-any-url']);
      expect(r).toMatchObject({ code: 0, err: '' });
    }
  };

  test('set checks the bot URL shape and the flags of each type, one line naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--type', 'dingtalk', '--url', 'https://oapi.dingtalk.com/robot/send'], /--url is not a dingtalk bot webhook URL \(expected https:\/\/oapi\.dingtalk\.com\/robot\/send\?access_token=\.\.\.\)/],
      [['--type', 'wecom', '--url', 'https://open.feishu.cn/open-apis/bot/v2/hook/x'], /expected https:\/\/qyapi\.weixin\.qq\.com\/cgi-bin\/webhook\/send\?key=/],
      [['--type', 'feishu', '--url', 'http://open.feishu.cn/open-apis/bot/v2/hook/x'], /--url must be https/],
      [['--type', 'dingtalk', '--url', 'https://oapi.dingtalk.com/robot/send?access_token=t', '--secret', 'not-a-secret'], /--secret is not a DingTalk signing secret/],
      [['--type', 'wecom', '--url', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', '--secret', 'x'], /--secret does not apply to a wecom channel/],
      [['--type', 'slack'], /a slack channel needs --url \(https:\/\/hooks\.slack\.com\/services/],
      [['--type', 'email', '--to', 'ok@shop.example,nope'], /--to 'nope'/],
      [['--type', 'sns', '--topic-arn', 'alerts'], /--topic-arn 'alerts' is not an SNS topic ARN/],
      [['--type', 'pager'], /--type email\|sns\|slack\|dingtalk\|wecom\|feishu\|webhook \(got 'pager'\)/],
      [['--type', 'webhook', '--url', 'https://x.example/h', '--channel', 'a#b'], /--channel 'a#b'/],
      [['--type', 'email', '--to', 'a@b.example', '--channel', 'alert-emails'], /seller update --id C1 --alert-email/],
    ];
    for (const [args, message] of cases) {
      const r = await run(['channels', 'set', '--seller', 'C1', ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.split('\n')).toHaveLength(1);
    }
    const unknown = await run(['channels', 'set', '--seller', 'NOPE', '--type', 'webhook', '--url', 'https://x.example/h']);
    expect(unknown).toMatchObject({ code: 2, err: expect.stringMatching(/no seller 'NOPE'/) });
    expect((await run(['channels', 'list', '--seller', 'C1', '--json'])).out).not.toMatch(/"alerting"/);
  });

  test('list: in order, the alert emails last, tokens and secrets masked; set again changes in place and keeps what it is not given', async () => {
    await setAll();
    const r = await run(['channels', 'list', '--seller', 'C1', '--json']);
    expect(r.code).toBe(0);
    const { channels } = JSON.parse(r.out) as { channels: Array<Record<string, unknown>> };
    expect(channels.map((c) => [c.position, c.id, c.type, c.source])).toEqual([
      [1, 'dingtalk', 'dingtalk', 'alerting'],
      [2, 'wecom', 'wecom', 'alerting'],
      [3, 'lark', 'feishu', 'alerting'],
      [4, 'slack', 'slack', 'alerting'],
      [5, 'erp', 'webhook', 'alerting'],
      [6, 'alert-emails', 'email', 'alert-email'],
    ]);
    expect(channels[0]).toMatchObject({ url: `${base}/robot/send?access_token=dt01…cdef`, secret: '********a0', broken: null });
    expect(channels[4]).toMatchObject({ url: `${base}/hooks/sentinel?token=erp-…n-42` });
    for (const secret of [DT_SECRET.slice(3, 30), FS_SECRET.slice(0, 20), 'dt0123456789abcdef0123456789', 'erp-secret-token', '693a91f6-7f2e-4bc4']) expect(r.out).not.toContain(secret);
    const text = await run(['channels', 'list', '--seller', 'C1']);
    expect(text.lines[0]).toBe(`1\tdingtalk\tdingtalk\t${base}/robot/send?access_token=dt01…cdef (signed)\tok`);
    expect(text.lines[5]).toBe('6\talert-emails\temail\towner@shop.example\tok\t(from the alert emails)');
    expect(text.out).not.toContain(DT_SECRET.slice(3, 30));

    // Change the secret only, and move it last: the URL is kept.
    const again = await run(['channels', 'set', '--seller', 'C1', '--type', 'dingtalk', '--secret', 'SEC0000000000000000', '--position', '9', '--allow-any-url']);
    expect(again).toMatchObject({ code: 0, out: expect.stringMatching(/alert channel 'dingtalk' \(dingtalk\) changed: http:\/\/127\.0\.0\.1:\d+\/robot\/send\?access_token=dt01…cdef \(signed\)/) });
    const after = JSON.parse((await run(['channels', 'list', '--seller', 'C1', '--json'])).out) as { channels: Array<Record<string, unknown>> };
    expect(after.channels.map((c) => c.id)).toEqual(['wecom', 'lark', 'slack', 'erp', 'dingtalk', 'alert-emails']);

    expect((await run(['channels', 'remove', '--seller', 'C1', '--channel', 'wecom'])).code).toBe(0);
    expect((await run(['channels', 'remove', '--seller', 'C1', '--channel', 'wecom'])).err).toMatch(/has no alert channel 'wecom'/);
    expect((await run(['channels', 'remove', '--seller', 'C1', '--channel', 'alert-emails'])).err).toMatch(/--clear alert-email/);
  });

  test('test: one message through each real adapter; DingTalk and Feishu signatures verified by the stand-in bots', async () => {
    await setAll();
    const r = await run(['channels', 'test', '--seller', 'C1', '--channel', 'dingtalk']);
    expect(r).toMatchObject({ code: 0, out: 'ok\tdingtalk\tdingtalk\ttest message delivered' });
    expect(received).toHaveLength(1);
    expect(received[0].query.get('access_token')).toBe('dt0123456789abcdef0123456789abcdef');
    expect(received[0].body).toMatchObject({ msgtype: 'markdown', markdown: { title: expect.stringContaining('ShipNow Sentinel') } });
    expect((received[0].body.markdown as { text: string }).text).toContain("alert channel 'dingtalk' (DingTalk) of seller C1");

    received = [];
    const all = await run(['channels', 'test', '--seller', 'C1', '--json']);
    expect(all.code).toBe(1); // the email channel has no sender address here
    const { results } = JSON.parse(all.out) as { results: Array<Record<string, unknown>> };
    expect(results.map((x) => [x.channel, x.ok])).toEqual([
      ['dingtalk', true],
      ['wecom', true],
      ['lark', true],
      ['slack', true],
      ['erp', true],
      ['alert-emails', false],
    ]);
    expect(results[5].error).toMatch(/--from ADDRESS or SENTINEL_ALERT_FROM_ADDRESS/);
    expect(received.map((x) => x.path)).toEqual(['/robot/send', '/cgi-bin/webhook/send', '/open-apis/bot/v2/hook/0f8e1d2c-3b4a-5968-7a6b-5c4d3e2f1a0b', '/services/T0123ABCD/B0123ABCDEF/abcdefghijklmnopqrstuvwx', '/hooks/sentinel']);
    expect(received[2].body).toMatchObject({ msg_type: 'text', content: { text: expect.stringContaining('卖家 C1 的提醒渠道「lark」（飞书）') } });
    expect(received[4].body).toMatchObject({ type: 'shipnow.sentinel.alerts', version: 1, sellerId: 'C1', alerts: [], message: { subject: expect.stringContaining('ShipNow Sentinel') } });
  });

  test('test: a bot that refuses is reported with its reason, exit 1; once it works the broken mark is cleared', async () => {
    await setAll();
    const store = await openStore({}, env);
    try {
      await new DynamoDbOutbox({ client: store.client, tableName: store.tableName }).markBroken('C1', 'wecom', 'error 93000: invalid webhook url', NOW().toISOString());
    } finally {
      await store.close();
    }
    respond = (r, res) => (r.path === '/cgi-bin/webhook/send' ? json(res, { errcode: 93000, errmsg: 'invalid webhook url' }) : bots(r, res));
    const bad = await run(['channels', 'test', '--seller', 'C1', '--channel', 'wecom']);
    expect(bad).toMatchObject({ code: 1, out: 'failed\twecom\twecom\twecom: error 93000: invalid webhook url' });
    expect((await run(['channels', 'list', '--seller', 'C1'])).lines[1]).toMatch(/\tbroken since 2026-11-28T12:00:00\.000Z: error 93000/);

    respond = bots;
    const good = await run(['channels', 'test', '--seller', 'C1', '--channel', 'wecom']);
    expect(good).toMatchObject({ code: 0, out: 'ok\twecom\twecom\ttest message delivered (no longer marked broken)' });
    expect((await run(['channels', 'list', '--seller', 'C1'])).lines[1]).toMatch(/\tok$/);

    // A port nothing listens on: a server that was closed.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    expect((await run(['channels', 'set', '--seller', 'C1', '--type', 'webhook', '--channel', 'down', '--url', `http://127.0.0.1:${port}/hook`, '--allow-any-url'])).code).toBe(0);
    const down = await run(['channels', 'test', '--seller', 'C1', '--channel', 'down']);
    expect(down).toMatchObject({ code: 1, out: expect.stringMatching(/^failed\tdown\twebhook\tdown: request failed: fetch failed \(.*ECONNREFUSED.*\) \(temporary: try again later\)$/) });
    const unknown = await run(['channels', 'test', '--seller', 'C1', '--channel', 'nope']);
    expect(unknown).toMatchObject({ code: 2, err: expect.stringMatching(/no alert channel 'nope' \(channels: dingtalk, wecom, lark, slack, erp, down, alert-emails\)/) });
  });

  test('test: email through aws-ses-v2-local, SNS with the exact Publish request', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const start = (require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> }).default;
    const ses = await start({ host: '127.0.0.1', port: 0 });
    const endpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    try {
      expect((await run(['channels', 'set', '--seller', 'C1', '--type', 'sns', '--channel', 'sms', '--topic-arn', 'arn:aws:sns:us-east-1:123456789012:shop-sms'])).code).toBe(0);
      const r = await run(['channels', 'test', '--seller', 'C1', '--from', 'alerts@shipnow.example', '--ses-endpoint', endpoint, '--region', 'us-east-1']);
      expect(r).toMatchObject({ code: 0, lines: ['ok\tsms\tsns\ttest message delivered', 'ok\talert-emails\temail\ttest message delivered'] });
      const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: Array<{ from: string; destination: { to: string[] }; subject: string; body: { text?: string } }> };
      expect(store.emails).toHaveLength(1);
      expect(store.emails[0]).toMatchObject({ from: 'alerts@shipnow.example', destination: { to: ['owner@shop.example'] }, subject: '【测试】ShipNow Sentinel 提醒渠道测试 / ShipNow Sentinel alert channel test' });
      expect(store.emails[0].body.text).toContain("alert channel 'alert-emails' (email) of seller C1");
      const calls = sns.commandCalls(PublishCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0].args[0].input).toEqual({
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:shop-sms',
        Subject: snsSubject('【测试】ShipNow Sentinel 提醒渠道测试 / ShipNow Sentinel alert channel test'),
        Message: expect.stringContaining("alert channel 'sms' (SNS) of seller C1"),
      });
    } finally {
      sns.restore();
      ses.closeAllConnections();
      await new Promise((r) => ses.close(r));
    }
  });
});

// ---- against a deployed table ----------------------------------------------------------------------

describe('against a deployed table (--table, --endpoint)', () => {
  const ddb = useDynalite();
  useLocalAwsEnv();

  test('add --from, update, channels set and remove reach the table; the removal names the bucket lifecycle', async () => {
    const flags = ['--table', ddb.tableName, '--endpoint', ddb.db.endpoint];
    const tableEnv = { SENTINEL_INBOUND_DOMAIN: 'in.example.com' };
    const csv = file('t.csv', 'id,name,marketplaces\nT1,Table One,UK\nT2,Table Two,"DE,FR"\n');
    expect(await run(['add', '--from', csv, ...flags], { env: tableEnv })).toMatchObject({ code: 0, out: expect.stringMatching(/^created\tT1\tsnw-[a-z2-7]{16}@in\.example\.com\n/) });
    expect((await run(['add', '--from', csv, ...flags], { env: {} })).err).toMatch(/needs the deployed inbound domain/);
    expect((await run(['update', '--id', 'T1', '--timezone', 'Europe/London', ...flags], { env: {} })).code).toBe(0);
    expect(await ddb.repository.getSeller('T1')).toMatchObject({ name: 'Table One', timeZone: 'Europe/London', marketplaces: ['amazon.co.uk'] });
    expect(
      (await run(['channels', 'set', '--seller', 'T1', '--type', 'wecom', '--url', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7f2e-4bc4-97a0-0ec2a1fa5aaa', ...flags], { env: {} })).code,
    ).toBe(0);
    expect(await ddb.repository.getSeller('T1')).toMatchObject({ alerting: { channels: [{ id: 'wecom', type: 'wecom' }] } });
    const removed = await run(['remove', '--id', 'T1', '--yes', ...flags], { env: tableEnv });
    expect(removed.code).toBe(0);
    expect(removed.out).toMatch(/from the table .*\n/);
    expect(removed.out).toContain('Expire by themselves (not deleted now):');
    expect(removed.out).toContain('raw mail in the mail bucket (inbound/) and uploaded reports (reports/T1/)');
    expect(removed.out).toMatch(/inbound address snw-[a-z2-7]{16}@in\.example\.com/);
    expect(await ddb.repository.getSeller('T1')).toBeUndefined();
    expect(await ddb.repository.getSeller('T2')).toBeDefined();
  });

  test('update --json on a table names the address only with the deployed inbound domain, never the placeholder', async () => {
    const flags = ['--table', ddb.tableName, '--endpoint', ddb.db.endpoint];
    expect((await run(['add', '--id', 'J1', '--name', 'Json', '--marketplaces', 'US', '--inbound-domain', 'in.example.com', ...flags], { env: {} })).code).toBe(0);
    const without = await run(['update', '--id', 'J1', '--name', 'Json 2', '--json', ...flags], { env: {} });
    expect(without.code).toBe(0);
    expect(JSON.parse(without.out)).toMatchObject({ sellerId: 'J1', changed: ['name'], seller: { name: 'Json 2', address: null } });
    const withDomain = await run(['update', '--id', 'J1', '--name', 'Json 3', '--json', '--inbound-domain', 'in.example.com', ...flags], { env: {} });
    expect(JSON.parse(withDomain.out).seller.address).toMatch(/^snw-[a-z2-7]{16}@in\.example\.com$/);
  });

  test('two people changing one seller at the same time: both changes are kept', async () => {
    const flags = ['--table', ddb.tableName, '--endpoint', ddb.db.endpoint];
    expect((await run(['add', '--id', 'P1', '--name', 'Parallel', '--marketplaces', 'US', '--inbound-domain', 'in.example.com', ...flags], { env: {} })).code).toBe(0);
    const hooks = Array.from({ length: 6 }, (_, i) => ['channels', 'set', '--seller', 'P1', '--type', 'webhook', '--channel', `hook-${i}`, '--url', `https://erp.example/h/${i}`, ...flags]);
    const results = await Promise.all([
      ...hooks.map((args) => run(args, { env: {} })),
      run(['update', '--id', 'P1', '--timezone', 'Asia/Tokyo', ...flags], { env: {} }),
      run(['update', '--id', 'P1', '--name', 'Parallel KK', ...flags], { env: {} }),
    ]);
    expect(results.map((r) => [r.code, r.err])).toEqual(results.map(() => [0, '']));
    const seller = (await ddb.repository.getSeller('P1')) as unknown as { name: string; timeZone: string; alerting: { channels: Array<{ id: string }> } };
    expect(seller.name).toBe('Parallel KK');
    expect(seller.timeZone).toBe('Asia/Tokyo');
    expect(seller.alerting.channels.map((c) => c.id).sort()).toEqual(hooks.map((_, i) => `hook-${i}`));
  });

  test('settings written by hand that the sender would refuse: list and set say so, and nothing is changed', async () => {
    const flags = ['--table', ddb.tableName, '--endpoint', ddb.db.endpoint];
    expect((await run(['add', '--id', 'H1', '--name', 'Hand', '--marketplaces', 'US', '--inbound-domain', 'in.example.com', ...flags], { env: {} })).code).toBe(0);
    const admin = new DynamoDbSellerAdmin({ client: ddb.client, tableName: ddb.tableName });
    await admin.updateProfile('H1', 0, { alerting: { quietHour: { start: '23:00' } } });
    const list = await run(['channels', 'list', '--seller', 'H1', ...flags], { env: {} });
    expect(list).toMatchObject({ code: 2, err: expect.stringMatching(/seller H1: invalid alerting settings: .*quietHour/) });
    const set = await run(['channels', 'set', '--seller', 'H1', '--type', 'webhook', '--url', 'https://erp.example/h', ...flags], { env: {} });
    expect(set).toMatchObject({ code: 2, err: expect.stringMatching(/the stored alerting settings are invalid .*; they were not changed/) });
    expect((await admin.getProfile('H1'))?.seller.alerting).toEqual({ quietHour: { start: '23:00' } });
  });
});
