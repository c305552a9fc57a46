/**
 * The weekly chart's SVG, read back for what it shows: one green (received) and one red (missing)
 * bar per day with heights in proportion to the counts, the stack as high as the emails expected,
 * the median delay as a line with its values, the day labels, legend, title and summary in English
 * and in Chinese.
 */
import { CHART_COLORS, renderWeeklyChartSvg, weekRangeLabel } from '../../functions/adapters/weekly-chart';
import type { HourlyOrderStats } from '../../functions/domain/ports';
import { weeklyStatsOf } from '../../functions/domain/weekly-stats';

const h = (hour: string, received: number, missing: number, delaysMinutes: number[], marketplace = 'amazon.de'): HourlyOrderStats => ({ marketplace, hour, received, missing, delaysMinutes });

// Berlin (UTC+1 in November): 09Z is 10:00 local, the same day.
const STATS = weeklyStatsOf(
  [
    h('2026-11-23T09', 8, 0, [2, 4, 6]), // Mon: 8 received, median 4
    h('2026-11-24T09', 4, 2, [10, 20]), // Tue: 4 + 2 missing, median 15
    h('2026-11-26T09', 6, 0, [1]), // Thu: 6, median 1
    h('2026-11-26T10', 0, 1, [], 'amazon.fr'), // Thu, France: 1 missing
  ],
  { sellerId: 's1', weekEnd: '2026-11-29', timeZone: 'Europe/Berlin', marketplaces: ['amazon.de', 'amazon.fr'] },
);

interface Bar {
  day: number;
  x: number;
  bottom: number;
  height: number;
}

/** Bars of one colour, from the SVG's paths (ECharts marks each with its series and data index). */
function bars(svg: string, color: string): Bar[] {
  const re = new RegExp(`<path d="M([\\d.]+) ([\\d.]+)l[\\d.]+ 0l0 (-?[\\d.]+)l-[\\d.]+ 0Z" fill="${color}"[^>]*ecmeta_data_index="(\\d+)"`, 'g');
  return [...svg.matchAll(re)].map((m) => ({ day: Number(m[4]), x: Number(m[1]), bottom: Number(m[2]), height: -Number(m[3]) }));
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('renderWeeklyChartSvg', () => {
  const en = renderWeeklyChartSvg(STATS, { lang: 'en', marketplace: 'amazon.de' });
  const zh = renderWeeklyChartSvg(STATS, { lang: 'zh-CN', marketplace: 'amazon.de' });

  test('a standalone SVG document of the requested size', () => {
    expect(en.startsWith('<svg')).toBe(true);
    expect(en).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(en).toMatch(/width="640" height="360"/);
    expect(renderWeeklyChartSvg(STATS, { lang: 'en', width: 800, height: 400 })).toMatch(/width="800" height="400"/);
  });

  test('one received and one missing bar per day; heights in proportion; the stack is the emails expected', () => {
    const green = bars(en, CHART_COLORS.received);
    const red = bars(en, CHART_COLORS.missing);
    expect(green.map((b) => b.day)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(red.map((b) => b.day)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const days = STATS.marketplaces.find((m) => m.marketplace === 'amazon.de')!.days;
    const unit = green[0].height / days[0].received; // px per email
    expect(unit).toBeGreaterThan(5);
    for (const d of [0, 1, 2, 3, 4, 5, 6]) {
      expect(green[d].height).toBeCloseTo(days[d].received * unit, 0);
      expect(red[d].height).toBeCloseTo(days[d].missing * unit, 0);
      // Stacked: the red part starts where the green one ends.
      expect(red[d].bottom).toBeCloseTo(green[d].bottom - green[d].height, 0);
    }
    // Tuesday: 4 received + 2 missing = 6 expected; Wednesday: nothing.
    expect(green[1].height + red[1].height).toBeCloseTo(6 * unit, 0);
    expect(green[2].height + red[2].height).toBeCloseTo(0, 5);
    // Days left to right.
    expect(green.map((b) => b.x)).toEqual([...green.map((b) => b.x)].sort((a, b) => a - b));
  });

  test('counts and the median delay are written on the chart', () => {
    const t = texts(en);
    // Bar labels: received inside, missing above (zero left blank).
    expect(t).toEqual(expect.arrayContaining(['8', '4', '6', '2']));
    expect(t).toEqual(expect.arrayContaining(['4 min', '15 min', '1 min']));
    expect(t.filter((x) => x.endsWith(' min') && /^\d/.test(x))).toHaveLength(3); // days with no email: no point
    // The line itself: a stroke in the delay colour.
    expect(en).toMatch(new RegExp(`<path [^>]*stroke="${CHART_COLORS.delay}"`));
  });

  test('English: days, legend, title with the week and marketplace, summary', () => {
    const t = texts(en);
    expect(t).toEqual(expect.arrayContaining(['Mon', '23 Nov', 'Sun', '29 Nov', 'Received', 'Missing', 'Median delay (min)', 'Emails', 'Minutes']));
    expect(t).toContain('amazon.de: Sold, Ship Now emails, 23 – 29 Nov 2026');
    expect(t).toContain('Expected 20 · received 18 · missing 2 · median delay 5 min');
  });

  test('Chinese: the same chart in Chinese words', () => {
    const t = texts(zh);
    expect(t).toEqual(expect.arrayContaining(['周一', '11月23日', '周日', '11月29日', '收到', '缺失', '延迟中位数（分钟）', '邮件', '分钟', '4分钟', '15分钟']));
    expect(t).toContain('amazon.de：「Sold, Ship Now」邮件 2026年11月23日至29日');
    expect(t).toContain('应到 20 · 收到 18 · 缺失 2 · 延迟中位数 5 分钟');
    expect(zh).toMatch(/font-family:'PingFang SC'/);
    expect(bars(zh, CHART_COLORS.received)).toHaveLength(7);
  });

  test('all marketplaces together by default; another marketplace on its own; an unknown one is an error', () => {
    const all = texts(renderWeeklyChartSvg(STATS, { lang: 'en' }));
    expect(all).toContain('All marketplaces: Sold, Ship Now emails, 23 – 29 Nov 2026');
    expect(all).toContain('Expected 21 · received 18 · missing 3 · median delay 5 min');
    const fr = renderWeeklyChartSvg(STATS, { lang: 'en', marketplace: 'amazon.fr' });
    const red = bars(fr, CHART_COLORS.missing);
    expect(red.filter((b) => b.height > 0).map((b) => b.day)).toEqual([3]);
    expect(texts(fr)).not.toEqual(expect.arrayContaining(['1 min']));
    expect(() => renderWeeklyChartSvg(STATS, { lang: 'en', marketplace: 'amazon.es' })).toThrow(/no marketplace "amazon.es".*amazon.de, amazon.fr/);
  });

  test('an empty week still draws its axes and days, with nothing on them', () => {
    const empty = weeklyStatsOf([], { sellerId: 's1', weekEnd: '2026-11-29', timeZone: 'UTC' });
    const svg = renderWeeklyChartSvg(empty, { lang: 'en' });
    const green = bars(svg, CHART_COLORS.received);
    expect(green).toHaveLength(7);
    expect(green.every((b) => Math.abs(b.height) < 1e-9)).toBe(true);
    expect(texts(svg)).toContain('Expected 0 · received 0 · missing 0 · median delay –');
  });

  test('week ranges across months and years', () => {
    expect(weekRangeLabel({ weekStart: '2026-11-30', weekEnd: '2026-12-06' }, 'zh-CN')).toBe('2026年11月30日至12月6日');
    expect(weekRangeLabel({ weekStart: '2026-12-28', weekEnd: '2027-01-03' }, 'zh-CN')).toBe('2026年12月28日至2027年1月3日');
    expect(weekRangeLabel({ weekStart: '2026-11-30', weekEnd: '2026-12-06' }, 'en')).toBe('30 Nov – 6 Dec 2026');
  });
});
