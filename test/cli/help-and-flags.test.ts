/**
 * `--help` on every command, `--version`, flag errors that say what is accepted, and the `check`
 * table (urgency, --lang, --tz): the contract through the real `bin/shipnow.js` in a child process,
 * and every help record through `main` in process (one child per record would be slow).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../functions/local/cli';
import { awsSetupFix } from '../../functions/local/aws-setup';
import { HELP, helpTopic, wantsHelp } from '../../functions/local/help';

const ROOT = join(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The environment of a user without any AWS setup and with an English locale (unless given). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|LC_|LANG|SHIPNOW_|SENTINEL_)/.test(k)) env[k] = v;
  return { ...env, LANG: 'en_US.UTF-8', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

function shipnow(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shipnow.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

const EXAMPLES = ['--orders', 'examples/orders', '--mail', 'examples/mail', '--now', '2026-11-28T12:00:00Z'];

describe('--help', () => {
  // The commands the issue found without help, as a user types them.
  test.each([
    [['check', '--help']],
    [['parse', '--help']],
    [['demo', '--help']],
    [['seller', 'add', '--help']],
    [['seller', 'list', '-h']],
    [['orders', 'sync', '--help']],
    [['orders', 'import', '--help']],
    [['alerts', 'channels', '--help']],
    [['status', '--help']],
    [['seller', 'update', '--help']],
    [['seller', 'remove', '-h']],
    [['seller', 'channels', 'remove', '--help']],
    [['seller', 'channels', 'test', '--help']],
    [['mail', 'receive', '--help']],
  ])('shipnow %j exits 0 with a usage line, flags, exit statuses and an example', (args) => {
    const r = shipnow(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const topic = helpTopic(args[0], args.slice(1));
    expect(r.stdout.split('\n')[0]).toBe(`usage: ${HELP[topic].usage[0]}`);
    expect(r.stdout).toMatch(/\nexit status:\n/);
    expect(r.stdout).toMatch(/\nexamples?:\n  (shipnow|npm) /);
  });

  test('demo --help does not run the demo; parse --help does not read a file called --help', () => {
    expect(shipnow(['demo', '--help']).stdout).not.toContain('ShipNow Sentinel check at');
    const p = shipnow(['parse', '--help']);
    expect(p.stdout).not.toContain('{"file":');
    expect(p.stdout).toContain('--trust-receiver AUTHSERV-ID');
    // After `--` it is a file name again.
    const f = shipnow(['parse', '--', '--help']);
    expect(f.code).toBe(2);
    expect(JSON.parse(f.stdout)).toMatchObject({ file: '--help', reason: expect.stringMatching(/^cannot read: /) });
  });

  test('shipnow help CMD is CMD --help; shipnow --help lists every command', () => {
    const a = shipnow(['help', 'orders', 'sync']);
    expect(a.code).toBe(0);
    expect(a.stdout.split('\n')[0]).toBe(`usage: ${HELP['orders sync'].usage[0]}`);
    const all = shipnow(['--help']);
    expect(all.code).toBe(0);
    for (const r of Object.values(HELP)) if (!r.subcommands) expect(all.stdout).toContain(r.usage[0]);
  });

  // Every record, including the seller lifecycle commands, through the same entry point.
  test.each(Object.keys(HELP))('shipnow %s --help (and -h) in process: exit 0, its own usage line', async (topic) => {
    for (const flag of ['--help', '-h']) {
      const c = capture();
      expect(await main([...topic.split(' '), flag], c.io)).toBe(0);
      expect(c.err).toEqual([]);
      expect(c.out.join('\n').split('\n')[0]).toBe(`usage: ${HELP[topic].usage[0]}`);
    }
  });

  test('shipnow help WORD for a command group, and for something that is no command', async () => {
    const a = capture();
    expect(await main(['seller', 'help', 'add'], a.io)).toBe(0);
    expect(a.out[0].split('\n')[0]).toBe(`usage: ${HELP['seller add'].usage[0]}`);
    for (const [args, topic] of [[['seller', 'channels', 'help', 'test'], 'seller channels test'], [['seller', 'channels', 'help'], 'seller channels']] as const) {
      const c = capture();
      expect(await main([...args], c.io)).toBe(0);
      expect(c.out[0].split('\n')[0]).toBe(`usage: ${HELP[topic].usage[0]}`);
    }
    const b = capture();
    expect(await main(['help', 'nonsense'], b.io)).toBe(2);
    expect(b.err).toEqual(["shipnow: no command 'nonsense' (see: shipnow --help)"]);
  });

  test('help even when other flags are wrong, but not after --', () => {
    expect(wantsHelp(['--orders', 'x', '--bogus', '-h'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(helpTopic('seller', ['channels', 'set', '--help'])).toBe('seller channels set');
    expect(helpTopic('seller', ['frobnicate', '--help'])).toBe('seller');
  });

  test('every flag that check and parse accept is in their help', async () => {
    // Unknown-flag errors list what the parser accepts; help must name the same flags.
    for (const topic of ['check', 'parse', 'seller add', 'seller list', 'orders sync', 'orders import', 'status', 'alerts channels', 'mail replay']) {
      const c = capture();
      await main([...topic.split(' '), '--no-such-flag'], c.io);
      const accepted = [...c.err.join('\n').matchAll(/--[a-z-]+/g)].map((m) => m[0]).filter((f) => f !== '--no-such-flag' && f !== '--help');
      const help = capture();
      await main([...topic.split(' '), '--help'], help.io);
      for (const f of accepted) expect(help.out.join('\n')).toContain(f);
    }
  });
});

describe('--version', () => {
  test('prints the package version and exits 0', () => {
    for (const flag of ['--version', '-V', 'version']) {
      const r = shipnow([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(VERSION);
    }
  });
});

describe('flag errors say what is accepted', () => {
  test('an unknown option lists the flags of that command, the likely one, and --help', () => {
    const r = shipnow(['check', ...EXAMPLES, '--gracee', '30']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^shipnow: unknown option '--gracee' for shipnow check \(did you mean --grace\?\); it takes --orders PATH, --mail DIR, .*--grace MINUTES.*\(see: shipnow check --help\)$/);
  });

  test('--grace -5 gives the accepted range, not "argument is ambiguous"', () => {
    const r = shipnow(['check', ...EXAMPLES, '--grace', '-5']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("shipnow: --grace must be a whole number of minutes from 0 to 43200 (got '-5')");
  });

  test('--now with a date alone is refused, as the message always said: a zone is required', () => {
    const r = shipnow(['check', '--orders', 'examples/orders', '--mail', 'examples/mail', '--now', '2026-11-30']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^shipnow: --now needs a time and a zone, not only a date, e\.g\. 2026-11-28T12:00:00Z .*\(got '2026-11-30'; .*2026-11-30T00:00:00Z\)$/)]);
    // With a zone (and without seconds) it is taken.
    expect(shipnow(['check', '--orders', 'examples/orders', '--mail', 'examples/mail', '--now', '2026-11-28T20:00+08:00', '--json']).code).toBe(1);
  });

  test.each([
    [['--lang', 'fr'], /^shipnow: --lang must be zh-CN or en \(got 'fr'\)$/],
    [['--tz', 'Mars/Olympus'], /^shipnow: --tz 'Mars\/Olympus' is not an IANA time zone \(e\.g\. Asia\/Shanghai/],
    [['--mail'], /^shipnow: --mail needs a value: --mail DIR$/],
    [['--json=yes'], /^shipnow: --json takes no value/],
    [['extra'], /^shipnow: unexpected argument 'extra'/],
  ])('check %j: exit 2, one line', (flags, message) => {
    const args = flags[0] === '--mail' ? ['check', '--orders', 'examples/orders', '--mail'] : ['check', ...EXAMPLES, ...flags];
    const c = capture();
    return main(args, c.io).then((code) => {
      expect(code).toBe(2);
      expect(c.out).toEqual([]);
      expect(c.err).toHaveLength(1);
      expect(c.err[0]).toMatch(message);
    });
  });

  test('subcommands too: a positional where none is taken, an unknown subcommand', async () => {
    const a = capture();
    expect(await main(['seller', 'list', 'extra'], a.io)).toBe(2);
    expect(a.err[0]).toMatch(/^shipnow: unexpected argument 'extra': shipnow seller list takes only flags: --json, --inbound-domain D, --table NAME/);
    const b = capture();
    expect(await main(['orders', 'fetch'], b.io)).toBe(2);
    expect(b.err).toEqual(["shipnow: unknown orders command 'fetch': sync, import (see: shipnow orders --help)"]);
    const c = capture();
    expect(await main(['status', '--grace', '-1'], c.io)).toBe(2);
    expect(c.err).toEqual(["shipnow: --grace must be a number of minutes, 0 or more (got '-1')"]);
  });
});

describe('AWS not set up on this machine (--table)', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'shipnow-home-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  test('no credentials: exit 2 with the fix, not an internal error', () => {
    const r = shipnow(['seller', 'list', '--table', 'sentinel-prod', '--region', 'us-east-1', '--inbound-domain', 'in.example.com'], cleanEnv({ HOME: home }));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^shipnow: no AWS credentials found: set AWS_PROFILE .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  test('orders sync --secrets-prefix without credentials: exit 2, and the way without Secrets Manager', () => {
    const data = join(home, 'data');
    expect(shipnow(['seller', 'add', '--id', 'A1SHOP', '--name', 'Shop', '--marketplaces', 'US', '--data', data], cleanEnv({ HOME: home })).code).toBe(0);
    const r = shipnow(['orders', 'sync', '--seller', 'A1SHOP', '--secrets-prefix', 'shipnow-sentinel/sp-api/', '--region', 'us-east-1', '--data', data], cleanEnv({ HOME: home }));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^shipnow: no AWS credentials found: .*instead of --secrets-prefix, give the SP-API credentials in SHIPNOW_LWA_CLIENT_ID/)]);
  });

  test('credentials AWS rejects are bad input too; other errors are not', () => {
    const expired = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' });
    expect(awsSetupFix(expired)).toMatch(/^AWS rejected the credentials \(ExpiredTokenException: The security token included in the request is expired\): set AWS_PROFILE/);
    expect(awsSetupFix(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))).toBeUndefined();
    expect(awsSetupFix('not an error')).toBeUndefined();
  });

  test('no region: exit 2 naming --region and AWS_REGION', () => {
    const r = shipnow(['status', '--table', 'sentinel-prod'], cleanEnv({ HOME: home, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' }));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('shipnow: no AWS region: pass --region R or set AWS_REGION (or give the AWS_PROFILE profile a region)');
  });
});

describe('the check table', () => {
  test('--lang zh-CN: Chinese headers, statuses and countdowns; --json is unchanged by --lang and --tz', () => {
    const r = shipnow(['check', ...EXAMPLES, '--lang', 'zh-CN']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('订单号'));
    expect(lines[header]).toMatch(/^订单号\s+站点\s+状态\s+通知邮件\s+发货截止\s+自动取消$/);
    expect(lines[header + 1]).toMatch(/^171-4455667-1000006\s+amazon\.it\s+缺失\s+应于 2026-11-27 12:00 CET 到达（已过 1天1小时）\s+还剩 10小时59分钟/);
    expect(r.stdout).toContain('共 12 个订单：缺失 2，等待中 1，已收到 6，无需通知 3');
    const plain = shipnow(['check', ...EXAMPLES, '--json']);
    expect(shipnow(['check', ...EXAMPLES, '--json', '--lang', 'zh-CN', '--tz', 'Asia/Shanghai']).stdout).toBe(plain.stdout);
    // The JSON keeps the report's order (status, then order ID), not the table's.
    expect(JSON.parse(plain.stdout).orders.slice(0, 2).map((o: { orderId: string }) => o.orderId)).toEqual(['112-4455667-1000002', '171-4455667-1000006']);
  });

  test('the language follows the locale when --lang is not given (LC_ALL over LANG)', () => {
    expect(shipnow(['check', ...EXAMPLES], cleanEnv({ LANG: 'zh_CN.UTF-8' })).stdout).toContain('订单号');
    expect(shipnow(['check', ...EXAMPLES], cleanEnv({ LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' })).stdout).toContain('ORDER ID');
    expect(shipnow(['check', ...EXAMPLES, '--lang', 'en'], cleanEnv({ LANG: 'zh_CN.UTF-8' })).stdout).toContain('ORDER ID');
  });

  test("--tz shows the seller's time beside the marketplace's", () => {
    const r = shipnow(['check', ...EXAMPLES, '--tz', 'Asia/Shanghai']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Times in each marketplace's zone, and in yours (Asia/Shanghai) (your time: 2026-11-28 20:00 GMT+8)");
    const it = r.stdout.split('\n').find((l) => l.startsWith('171-4455667-1000006'))!;
    // Ship-by 2026-11-28T22:59:59Z: 23:59 in Italy, 06:59 the next day in Shanghai.
    expect(it).toContain('in 10h 59m (2026-11-28 23:59 CET, your time 2026-11-29 06:59 GMT+8)');
  });
});

describe('--now is read the same way by every command', () => {
  test.each([['2026-11-30'], ['2026-11-28T12:00:00'], ['yesterday']])('status --now %s: exit 2, one line saying a zone is needed', async (value) => {
    const c = capture();
    expect(await main(['status', '--data', join(tmpdir(), 'shipnow-never-opened'), '--now', value], c.io)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^shipnow: --now (needs a time and a zone|must be an ISO-8601 time with a zone)/);
  });
});

describe('demo', () => {
  test('demo --lang zh-CN prints the Chinese table; a bad flag is exit 2', async () => {
    const r = shipnow(['demo', '--lang', 'zh-CN', '--tz', 'Asia/Shanghai']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('共 12 个订单：缺失 2，等待中 1，已收到 6，无需通知 3');
    const c = capture();
    expect(await main(['demo', '--fast'], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/^shipnow: unknown option '--fast' for shipnow demo; it takes --lang zh-CN\|en, --tz ZONE/);
  });
});
