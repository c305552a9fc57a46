/**
 * The status page's weekly chart per marketplace: the weekly stats (one Query of the hourly
 * counters, services/weekly-stats.ts) of the seven local days up to today in the seller's time
 * zone, drawn server-side as SVG by the same chart function as the weekly report
 * (adapters/weekly-chart.ts). Returned as `<img src="data:image/svg+xml;base64,...">` markup: an
 * SVG image runs no script and its own styles are not subject to the page's CSP (which allows no
 * inline style attributes), and the summary line is its alt text.
 */
import { renderWeeklyChartSvg, weekSummaryLine } from '../adapters/weekly-chart';
import { marketplaceByKey } from '../domain/marketplaces';
import type { OrderStatsHistory } from '../domain/ports';
import type { IsoTime, Seller } from '../domain/types';
import { localDate } from '../domain/weekly-stats';
import { weeklyStats } from '../services/weekly-stats';
import { html } from './html';
import type { WebLanguage } from './words';

export type WeeklyCharts = (seller: Seller, now: IsoTime, lang: WebLanguage) => Promise<Record<string, string>>;

export function weeklyChartsFrom(repo: OrderStatsHistory): WeeklyCharts {
  return async (seller, now, lang) => {
    const timeZone = seller.timeZone ?? marketplaceByKey(seller.marketplaces[0] ?? '')?.timeZone ?? 'UTC';
    const stats = await weeklyStats(repo, seller.sellerId, localDate(now, timeZone), timeZone, { marketplaces: seller.marketplaces });
    const out: Record<string, string> = {};
    for (const m of stats.marketplaces) {
      const svg = renderWeeklyChartSvg(stats, { lang, marketplace: m.marketplace, width: 640, height: 320 });
      out[m.marketplace] = html`<img class="week-chart" width="640" height="320" alt="${weekSummaryLine(m.total, lang)}" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`.value;
    }
    return out;
  };
}
