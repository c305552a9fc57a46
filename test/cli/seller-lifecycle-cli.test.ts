/**
 * The seller lifecycle contract as scripts see it: the real `bin/shipnow.js` in a child process
 * (stdin is a pipe, never a terminal), its stdout, stderr and exit status.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipnow-cli-lifecycle-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function shipnow(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shipnow.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    input: input ?? '',
    env: { ...process.env, SHIPNOW_DATA_DIR: dir, SENTINEL_INBOUND_DOMAIN: 'in.shipnow.example' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('add --from: a file with bad rows exits 2 with one stderr line per problem and writes nothing; from stdin it creates them', () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'id,name,marketplaces,timezone\nA1,One,US,Asia/Shanghai\nA2,Two,ZZ,Mars\n');
  const r = shipnow(['seller', 'add', '--from', bad]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toEqual([
    `shipnow: ${bad}:3: marketplaces: unknown marketplace 'ZZ' (e.g. US, CA, MX, UK, DE, FR, IT, ES, NL, JP, AU)`,
    `shipnow: ${bad}:3: timezone 'Mars' is not an IANA time zone (e.g. Asia/Shanghai)`,
    `shipnow: ${bad}: 1 bad row; nothing was written`,
  ]);
  expect(shipnow(['seller', 'list']).stdout).toMatch(/^no sellers /);

  const ok = shipnow(['seller', 'add', '--from', '-', '--json'], '[{"id": "A1", "name": "One", "marketplaces": "US"}, {"id": "A2", "name": "Two", "marketplaces": ["DE", "FR"]}]');
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.stdout)).toEqual([
    { line: 1, sellerId: 'A1', status: 'created', address: expect.stringMatching(/^snw-[a-z2-7]{16}@in\.shipnow\.example$/) },
    { line: 1, sellerId: 'A2', status: 'created', address: expect.stringMatching(/^snw-[a-z2-7]{16}@in\.shipnow\.example$/) },
  ]);
});

test('remove without a terminal: refused (exit 2) unless --yes; --dry-run only says it', () => {
  const refused = shipnow(['seller', 'remove', '--id', 'A2']);
  expect(refused.code).toBe(2);
  expect(refused.stdout).toBe('');
  expect(refused.stderr.trim().split('\n')).toEqual([
    'shipnow: seller remove --id A2: not a terminal, so there is no one to confirm; run it again with --yes to remove without asking (or --dry-run to see what would happen)',
  ]);
  const dry = shipnow(['seller', 'remove', '--id', 'A2', '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toMatch(/^Removing seller A2 \(Two\)[\s\S]*Deleted now:[\s\S]*Stays until you remove it:[\s\S]*\(dry run: nothing was removed\)\n$/);
  const done = shipnow(['seller', 'remove', '--id', 'A2', '--yes']);
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(/\nSeller A2 removed: 2 items deleted from the embedded store in /);
  expect(shipnow(['seller', 'list']).stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['A1']);
});

test('update and channels: exit codes and masked output', () => {
  expect(shipnow(['seller', 'update', '--id', 'A1', '--language', 'zh-CN']).code).toBe(0);
  const secret = 'SEC9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c';
  const set = shipnow(['seller', 'channels', 'set', '--seller', 'A1', '--type', 'dingtalk', '--url', 'https://oapi.dingtalk.com/robot/send?access_token=5b7c0a1e2f3d4c5b6a798877665544332211', '--secret', secret]);
  expect(set.code).toBe(0);
  const list = shipnow(['seller', 'channels', 'list', '--seller', 'A1']);
  expect(list.code).toBe(0);
  expect(list.stdout).toBe('1\tdingtalk\tdingtalk\thttps://oapi.dingtalk.com/robot/send?access_token=5b7c…2211 (signed)\tok\n');
  expect(set.stdout + list.stdout).not.toContain(secret.slice(3));
  const bad = shipnow(['seller', 'channels', 'set', '--seller', 'A1', '--type', 'wecom', '--url', 'https://example.com/hook']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^shipnow: --url is not a wecom bot webhook URL/);
});
