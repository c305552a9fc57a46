/**
 * The weekly stats of one seller (domain/weekly-stats.ts) from the stored hourly counters: one
 * Query of at most 8 x 24 hours x marketplaces small items, never a listing of orders. The status
 * page and the weekly report both call this, then `renderWeeklyChartSvg` (adapters/weekly-chart.ts).
 */
import type { OrderStatsHistory } from '../domain/ports';
import { weekHourRange, weeklyStatsOf, type WeeklyStats } from '../domain/weekly-stats';

/**
 * `weekEnd`: the last local date of the week (`YYYY-MM-DD`, e.g. a Sunday; see lastWeekEnding);
 * `timeZone`: the seller's (IANA). `marketplaces`: always listed, with zeros when quiet.
 */
export async function weeklyStats(
  repo: OrderStatsHistory,
  sellerId: string,
  weekEnd: string,
  timeZone: string,
  options: { marketplaces?: readonly string[] } = {},
): Promise<WeeklyStats> {
  const { fromHour, toHour } = weekHourRange(weekEnd);
  const hours = await repo.hourlyOrderStats(sellerId, fromHour, toHour);
  return weeklyStatsOf(hours, { sellerId, weekEnd, timeZone, ...(options.marketplaces ? { marketplaces: options.marketplaces } : {}) });
}
