/**
 * The pieces of the human `check` output: urgency order, the language default, and the progress
 * bar (drawn into a stream, and fed by runCheck on the real embedded store).
 */
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { byUrgency, tableLanguage, urgencyOf } from '../../functions/local/format';
import { checkProgressBar } from '../../functions/local/progress';
import { runCheck, type CheckProgress } from '../../functions/local/run-check';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import type { OrderStatus } from '../../functions/domain/types';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function row(orderId: string, status: OrderStatus, shipBy: string | null, autoCancelAt: string | null) {
  return { orderId, status, shipBy, autoCancelAt };
}

describe('byUrgency', () => {
  test('missing, then awaiting, each by the earlier of ship-by and auto-cancel; no deadline last; the rest by order ID', () => {
    const rows = [
      row('900-0000000-0000001', 'notified', '2026-11-28T01:00:00Z', null),
      row('100-0000000-0000009', 'missing', null, null),
      row('100-0000000-0000003', 'missing', '2026-12-01T00:00:00Z', '2026-12-20T00:00:00Z'),
      row('100-0000000-0000002', 'missing', null, '2026-11-30T00:00:00Z'), // auto-cancel before the other's ship-by
      row('200-0000000-0000001', 'awaiting', '2026-11-29T00:00:00Z', null),
      row('800-0000000-0000001', 'not-expected', null, null),
      row('100-0000000-0000001', 'notified', null, null),
    ];
    expect(byUrgency(rows).map((r) => r.orderId)).toEqual([
      '100-0000000-0000002',
      '100-0000000-0000003',
      '100-0000000-0000009',
      '200-0000000-0000001',
      '100-0000000-0000001',
      '900-0000000-0000001',
      '800-0000000-0000001',
    ]);
    expect(urgencyOf({ shipBy: '2026-12-01T00:00:00Z', autoCancelAt: '2026-11-30T00:00:00Z' })).toBe(Date.parse('2026-11-30T00:00:00Z'));
    expect(urgencyOf({ shipBy: null, autoCancelAt: null })).toBe(Infinity);
  });
});

describe('tableLanguage', () => {
  test('flag, then the seller profile, then LC_ALL / LC_MESSAGES / LANG, then English', () => {
    expect(tableLanguage('en', 'zh-CN', { LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(tableLanguage(undefined, 'zh-CN', { LANG: 'en_GB.UTF-8' })).toBe('zh-CN');
    expect(tableLanguage(undefined, undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(tableLanguage(undefined, undefined, { LANG: 'zh_TW.UTF-8' })).toBe('zh-CN');
    expect(tableLanguage(undefined, undefined, { LANG: 'zh_CN.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(tableLanguage(undefined, undefined, { LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(tableLanguage(undefined, undefined, {})).toBe('en');
  });
});

describe('progress bar', () => {
  test('not drawn when the stream is not a terminal', () => {
    expect(checkProgressBar(new PassThrough())).toBeUndefined();
  });

  test('drawn (when asked) for a run at or above the threshold, and not below it', () => {
    const stream = new PassThrough();
    let drawn = '';
    stream.on('data', (d: Buffer) => (drawn += d.toString()));
    const small = checkProgressBar(stream, { force: true, threshold: 10 })!;
    small.update({ step: 'mail', done: 1, total: 9 });
    small.stop();
    expect(drawn).toBe('');
    const bar = checkProgressBar(stream, { force: true, threshold: 10 })!;
    for (let i = 1; i <= 10; i++) bar.update({ step: i <= 4 ? 'mail' : 'orders', done: i, total: 10 });
    bar.stop();
    expect(drawn).toMatch(/checking \[.*\] \d+\/10 emails and orders/);
  });

  test('runCheck reports every mail file and every order, ending at the total, and the outcome is the same', async () => {
    const opts = { orders: [join(EXAMPLES, 'orders')], mailDir: join(EXAMPLES, 'mail'), now: '2026-11-28T12:00:00.000Z', policy: DEFAULT_POLICY };
    const seen: CheckProgress[] = [];
    const withProgress = await runCheck({ ...opts, onProgress: (p) => seen.push(p) });
    const without = await runCheck(opts);
    expect(withProgress.report).toEqual(without.report);
    const total = seen[0].total;
    expect(seen.every((p) => p.total === total)).toBe(true);
    expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ step: 'orders', done: total });
    // 10 mail files in the example folder, 12 orders.
    expect(seen.filter((p) => p.step === 'mail')).toHaveLength(10);
    expect(total).toBe(10 + 12);
  });
});
