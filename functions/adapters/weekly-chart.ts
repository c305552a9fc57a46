/**
 * The week's chart as an SVG string, drawn on the server with Apache ECharts (server-side
 * rendering: `renderer: 'svg', ssr: true`, no DOM, no canvas): per day of the seller's week, the
 * emails received (green) and missing (red) stacked into the emails expected, and the median
 * delay (order time -> email arrival) as a line on its own axis. English or Chinese.
 *
 * ECharts is imported through `echarts/core` with only the bar and line charts, the grid, legend
 * and title components and the SVG renderer, so a bundle carries about 0.55 MB of it (minified),
 * not the 1 MB+ of the full build. Text widths are estimated by zrender's built-in table (CJK
 * characters as full width), so Chinese labels are laid out without a font on the server; the
 * viewer's fonts draw them (the font list names common CJK fonts first for zh-CN).
 *
 * The same SVG goes on the status page and into the weekly report.
 */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { AlertLanguage } from '../domain/alert-model';
import { CHART_COLORS, dayLabel, weekRangeLabel, type MarketplaceWeek, type WeeklyStats } from '../domain/weekly-stats';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

/** Colours of the chart (the email's HTML bars use the same). */
export { CHART_COLORS };

export interface WeeklyChartOptions {
  lang: AlertLanguage;
  /** A marketplace key of the stats, or `all` (default): every marketplace together. */
  marketplace?: string;
  width?: number;
  height?: number;
}

interface Words {
  received: string;
  missing: string;
  delay: string;
  orders: string;
  minutes: string;
  all: string;
  title: (what: string, range: string) => string;
  summary: (t: MarketplaceWeek['total']) => string;
  minutesValue: (v: number) => string;
  locale: string;
  fonts: string;
}

const WORDS: Record<AlertLanguage, Words> = {
  en: {
    received: 'Received',
    missing: 'Missing',
    delay: 'Median delay (min)',
    orders: 'Emails',
    minutes: 'Minutes',
    all: 'All marketplaces',
    title: (what, range) => `${what}: Sold, Ship Now emails, ${range}`,
    summary: (t) =>
      `Expected ${t.expected} · received ${t.received} · missing ${t.missing} · median delay ${t.medianDelayMinutes === null ? '–' : `${t.medianDelayMinutes} min`}`,
    minutesValue: (v) => `${v} min`,
    locale: 'en-GB',
    fonts: 'Helvetica, Arial, sans-serif',
  },
  'zh-CN': {
    received: '收到',
    missing: '缺失',
    delay: '延迟中位数（分钟）',
    orders: '邮件',
    minutes: '分钟',
    all: '全部站点',
    title: (what, range) => `${what}：「Sold, Ship Now」邮件 ${range}`,
    summary: (t) =>
      `应到 ${t.expected} · 收到 ${t.received} · 缺失 ${t.missing} · 延迟中位数 ${t.medianDelayMinutes === null ? '–' : `${t.medianDelayMinutes} 分钟`}`,
    minutesValue: (v) => `${v}分钟`,
    locale: 'zh-CN',
    fonts: "'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', 'Source Han Sans SC', sans-serif",
  },
};

/** `Mon\n23 Nov` / `周一\n11月23日`: two lines under each bar. */
const axisDay = (day: string, lang: AlertLanguage): string => dayLabel(day, lang, '\n');

export { weekRangeLabel };

/** The week's one-line summary in the chart's words (also the report's). */
export function weekSummaryLine(total: MarketplaceWeek['total'], lang: AlertLanguage): string {
  return WORDS[lang].summary(total);
}

function pick(stats: WeeklyStats, marketplace: string): MarketplaceWeek {
  if (marketplace === 'all') return stats.all;
  const m = stats.marketplaces.find((x) => x.marketplace === marketplace);
  if (!m) throw new RangeError(`no marketplace ${JSON.stringify(marketplace)} in the weekly stats of ${stats.sellerId} (have: ${stats.marketplaces.map((x) => x.marketplace).join(', ') || 'none'})`);
  return m;
}

/** The chart as a standalone SVG document string (width x height px, default 640 x 360). */
export function renderWeeklyChartSvg(stats: WeeklyStats, options: WeeklyChartOptions): string {
  const lang = options.lang;
  const w = WORDS[lang];
  const which = options.marketplace ?? 'all';
  const week = pick(stats, which);
  const width = options.width ?? 640;
  const height = options.height ?? 360;

  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height, locale: lang === 'en' ? 'EN' : 'ZH' });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: w.fonts },
      color: [CHART_COLORS.received, CHART_COLORS.missing, CHART_COLORS.delay],
      title: {
        text: w.title(which === 'all' ? w.all : which, weekRangeLabel(stats, lang)),
        subtext: w.summary(week.total),
        left: 12,
        top: 8,
        textStyle: { fontSize: 14, fontWeight: 'bold' },
        subtextStyle: { fontSize: 12 },
      },
      legend: { data: [w.received, w.missing, w.delay], top: 50, left: 12, itemWidth: 14, itemHeight: 10 },
      grid: { left: 48, right: 56, top: 108, bottom: 48 },
      xAxis: { type: 'category', data: week.days.map((d) => axisDay(d.day, lang)), axisTick: { alignWithLabel: true } },
      yAxis: [
        { type: 'value', name: w.orders, minInterval: 1, nameTextStyle: { align: 'right' } },
        { type: 'value', name: w.minutes, min: 0, splitLine: { show: false }, nameTextStyle: { align: 'left' } },
      ],
      series: [
        {
          name: w.received,
          type: 'bar',
          stack: 'expected',
          barMaxWidth: 36,
          data: week.days.map((d) => d.received),
          label: { show: true, position: 'inside', color: '#ffffff', formatter: (p: { value: unknown }) => (Number(p.value) > 0 ? String(p.value) : '') },
        },
        {
          name: w.missing,
          type: 'bar',
          stack: 'expected',
          barMaxWidth: 36,
          data: week.days.map((d) => d.missing),
          label: { show: true, position: 'top', color: CHART_COLORS.missing, fontWeight: 'bold', formatter: (p: { value: unknown }) => (Number(p.value) > 0 ? String(p.value) : '') },
        },
        {
          name: w.delay,
          type: 'line',
          yAxisIndex: 1,
          connectNulls: false,
          symbolSize: 6,
          data: week.days.map((d) => (d.medianDelayMinutes === null ? null : d.medianDelayMinutes)),
          label: { show: true, position: 'right', color: CHART_COLORS.delay, formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? w.minutesValue(p.value) : '') },
        },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
