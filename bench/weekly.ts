/**
 * The weekly stats and chart (issue 15): time to re-bin a busy seller's week (5 marketplaces, an
 * order every hour of the week on each, 20 email delays per hour) and to draw its SVG chart in
 * English and Chinese (medians of RUNS), the SVG's size, and the minified bundle size of what the
 * status page and the report import to draw it (ECharts tree-shaken through echarts/core).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { renderWeeklyChartSvg } from '../functions/adapters/weekly-chart';
import type { HourlyOrderStats } from '../functions/domain/ports';
import { weekHourRange, weeklyStatsOf } from '../functions/domain/weekly-stats';

const RUNS = 30;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timeMs(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export interface WeeklyRow {
  hourItems: number;
  statsMs: number;
  svgEnMs: number;
  svgZhMs: number;
  svgBytes: number;
  chartBundleBytes: number;
}

export async function benchWeekly(): Promise<WeeklyRow> {
  const { fromHour } = weekHourRange('2026-11-29');
  const start = Date.parse(`${fromHour}:00:00.000Z`);
  const hours: HourlyOrderStats[] = [];
  for (const m of ['amazon.com', 'amazon.de', 'amazon.fr', 'amazon.co.uk', 'amazon.co.jp']) {
    for (let h = 0; h < 8 * 24 + 2; h++) {
      hours.push({ marketplace: m, hour: new Date(start + h * 3_600_000).toISOString().slice(0, 13), received: 20, missing: h % 17 === 0 ? 1 : 0, delaysMinutes: Array.from({ length: 20 }, (_, i) => (i * 7 + h) % 45) });
    }
  }
  const input = { sellerId: 'S1', weekEnd: '2026-11-29', timeZone: 'Asia/Shanghai' };
  const stats = weeklyStatsOf(hours, input);
  renderWeeklyChartSvg(stats, { lang: 'en' }); // warm up
  const statsMs = median(Array.from({ length: RUNS }, () => timeMs(() => weeklyStatsOf(hours, input))));
  const svgEnMs = median(Array.from({ length: RUNS }, () => timeMs(() => renderWeeklyChartSvg(stats, { lang: 'en' }))));
  const svgZhMs = median(Array.from({ length: RUNS }, () => timeMs(() => renderWeeklyChartSvg(stats, { lang: 'zh-CN' }))));
  const svgBytes = Buffer.byteLength(renderWeeklyChartSvg(stats, { lang: 'zh-CN' }));

  const dir = mkdtempSync(join(tmpdir(), 'bench-chart-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `export { weeklyStats } from '${resolve('functions/services/weekly-stats')}';\nexport { renderWeeklyChartSvg } from '${resolve('functions/adapters/weekly-chart')}';\n`);
    await build({ entryPoints: [entry], bundle: true, minify: true, platform: 'node', target: 'node24', format: 'cjs', outfile: join(dir, 'out.js'), logLevel: 'error' });
    const chartBundleBytes = statSync(join(dir, 'out.js')).size;
    const r = (n: number) => Math.round(n * 100) / 100;
    return { hourItems: hours.length, statsMs: r(statsMs), svgEnMs: r(svgEnMs), svgZhMs: r(svgZhMs), svgBytes, chartBundleBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
