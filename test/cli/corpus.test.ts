/**
 * The trust corpus (test/fixtures/corpus, written by its generate.ts) through the real
 * `bin/shipnow.js parse` in a child process, one per flag set, as a user's script would run it:
 * no forged or non-Sold message may count, no genuine one may be rejected, and every reason is
 * the one the corpus expects.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Expectation } from '../fixtures/corpus/generate';

const ROOT = join(__dirname, '..', '..');
const CORPUS = join('test', 'fixtures', 'corpus');
const EXPECTED = JSON.parse(readFileSync(join(ROOT, CORPUS, 'expected.json'), 'utf8')) as Expectation[];

interface ParseLine {
  file: string;
  soldShipNow: boolean;
  orderIds: string[];
  marketplace: string | null;
  authentic: boolean | null;
  reason: string | null;
  shipBy: string | null;
  verified: boolean | null;
}

/** One `shipnow parse` per distinct flag set. */
function parseAll(): Map<string, ParseLine> {
  const groups = new Map<string, Expectation[]>();
  for (const e of EXPECTED) {
    const key = JSON.stringify(e.flags);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const lines = new Map<string, ParseLine>();
  for (const [key, entries] of groups) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'shipnow.js'), 'parse', ...(JSON.parse(key) as string[]), ...entries.map((e) => join(CORPUS, e.file))], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`shipnow parse exited ${r.status}: ${r.stderr}`);
    for (const line of r.stdout.trim().split('\n')) {
      const o = JSON.parse(line) as ParseLine;
      lines.set(o.file.slice(CORPUS.length + 1), o);
    }
  }
  return lines;
}

const counted = (o: ParseLine): boolean => o.soldShipNow && o.authentic === true && o.reason === null;

describe('the trust corpus through `shipnow parse`', () => {
  const lines = parseAll();

  it('has at least 150 messages in every category the issue names', () => {
    expect(EXPECTED.length).toBeGreaterThanOrEqual(150);
    const categories = new Set(EXPECTED.map((e) => e.category));
    for (const c of ['genuine', 'exports', 'forgeries', 'alignment', 'from-tricks', 'buyer-relay', 'other-notices', 'mime-quirks', 'quoted']) {
      expect(categories).toContain(c);
    }
    expect(lines.size).toBe(EXPECTED.length);
  });

  it('counts no forged or non-Sold message and rejects no genuine one', () => {
    const wrong = EXPECTED.filter((e) => counted(lines.get(e.file)!) !== e.counted).map((e) => ({ file: e.file, expected: e.counted, got: lines.get(e.file) }));
    expect(wrong).toEqual([]);
  });

  it('gives every message the reason, order IDs, marketplace, ship-by and verified it expects', () => {
    const mismatches: unknown[] = [];
    for (const e of EXPECTED) {
      const o = lines.get(e.file)!;
      const reasonOk = e.reason !== null && e.reason.endsWith(':') ? (o.reason ?? '').startsWith(e.reason) : o.reason === e.reason;
      const checks: Array<[string, boolean]> = [
        ['reason', reasonOk],
        ['orderIds', e.orderIds === undefined || JSON.stringify(o.orderIds) === JSON.stringify(e.orderIds)],
        ['marketplace', e.marketplace === undefined || o.marketplace === e.marketplace],
        ['shipBy', e.shipBy === undefined || o.shipBy === e.shipBy],
        ['verified', e.verified === undefined || o.verified === e.verified],
      ];
      const bad = checks.filter(([, ok]) => !ok).map(([k]) => k);
      if (bad.length > 0) mismatches.push({ file: e.file, bad, expected: e, got: o });
    }
    expect(mismatches).toEqual([]);
  });

  it('covers every marketplace of the table with genuine mail that counts', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MARKETPLACES } = require('../../functions/domain/marketplaces') as typeof import('../../functions/domain/marketplaces');
    const covered = new Set(EXPECTED.filter((e) => e.category === 'genuine' && e.counted).map((e) => e.marketplace));
    expect(MARKETPLACES.map((m) => m.key).filter((k) => !covered.has(k))).toEqual([]);
  });
});
