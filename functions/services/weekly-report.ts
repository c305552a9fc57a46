/**
 * The weekly report: every Monday in each seller's time zone, from REPORT_HOUR on, one
 * `weekly-report` alert per seller and week goes into the outbox, and the sender delivers it
 * through the seller's channels in their languages like any alert (same retries, fallbacks and
 * delivery records). The scheduled function runs hourly; the alert ID is per seller and week, so
 * a retried or repeated run (every hour of Monday after REPORT_HOUR, to catch up a failed one)
 * finds it in the outbox and sends nothing twice: one GetItem per seller, the stats Query only
 * for sellers whose report is not written yet.
 */
import { alertIds, type Alert } from '../domain/alert-model';
import { deliverAt } from '../domain/alert-timing';
import type { AlertOutbox, OrderStatsHistory, SentinelRepository } from '../domain/ports';
import type { IsoTime, Seller } from '../domain/types';
import { isoWeekday, lastWeekEnding, localDate, type WeeklyStats } from '../domain/weekly-stats';
import { settingsOrDefaults } from './alert-sources';
import { weeklyStats } from './weekly-stats';

/** Local hour (0-23) of Monday from which the report goes out. */
export const REPORT_HOUR = 9;

export interface WeeklyReportDeps {
  repo: Pick<SentinelRepository, 'listSellers' | 'getSeller'> & OrderStatsHistory;
  outbox: Pick<AlertOutbox, 'put' | 'get'>;
}

export interface WeeklyReportResult {
  sellers: number;
  /** Sellers for whom it is Monday, REPORT_HOUR or later, in their time zone. */
  due: number;
  /** Reports written to the outbox by this run. */
  created: Array<{ sellerId: string; alertId: string }>;
  /** Already in the outbox (an earlier run of the week). */
  existing: number;
  /** One seller's failure never stops the others; the caller logs these. */
  errors: Array<{ sellerId: string; error: unknown }>;
}

/** The report alert of a seller's week (pure). */
export function weeklyReportAlert(sellerId: string, stats: WeeklyStats, now: IsoTime): Alert {
  return {
    alertId: alertIds.weeklyReport(stats.weekEnd),
    sellerId,
    kind: 'weekly-report',
    occurredAt: now,
    raisedAt: now,
    weekly: stats,
  };
}

/** Is it the seller's report time: Monday, REPORT_HOUR or later, in `timeZone`? */
export function isReportTime(now: IsoTime, timeZone: string, hour = REPORT_HOUR): boolean {
  if (isoWeekday(localDate(now, timeZone)) !== 1) return false;
  const h = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(now)));
  return h >= hour;
}

/** Build (and with `put`, queue) one seller's report for the week ending `weekEnd` (default: the last full week). */
export async function weeklyReportFor(
  deps: WeeklyReportDeps,
  seller: Seller,
  now: IsoTime,
  weekEnd?: string,
): Promise<{ alert: Alert; timeZone: string }> {
  const { settings } = settingsOrDefaults(seller);
  const end = weekEnd ?? lastWeekEnding(now, settings.timeZone);
  const stats = await weeklyStats(deps.repo, seller.sellerId, end, settings.timeZone, { marketplaces: seller.marketplaces });
  return { alert: weeklyReportAlert(seller.sellerId, stats, now), timeZone: settings.timeZone };
}

/** Queue a report in the outbox (idempotent per seller and week): 'created' or 'exists'. */
export async function queueWeeklyReport(deps: WeeklyReportDeps, seller: Seller, alert: Alert, now: IsoTime): Promise<'created' | 'exists'> {
  const { settings } = settingsOrDefaults(seller);
  return deps.outbox.put(alert, deliverAt(alert, now, settings));
}

/** The hourly run: every seller whose Monday report time has come and whose report is not queued. */
export async function runWeeklyReports(deps: WeeklyReportDeps, now: IsoTime, options: { hour?: number; shouldStop?: () => boolean } = {}): Promise<WeeklyReportResult> {
  const sellers = await deps.repo.listSellers();
  const result: WeeklyReportResult = { sellers: sellers.length, due: 0, created: [], existing: 0, errors: [] };
  for (const seller of sellers) {
    if (options.shouldStop?.()) break;
    try {
      const { settings } = settingsOrDefaults(seller);
      if (!isReportTime(now, settings.timeZone, options.hour)) continue;
      result.due++;
      const alertId = alertIds.weeklyReport(lastWeekEnding(now, settings.timeZone));
      if (await deps.outbox.get(seller.sellerId, alertId)) {
        result.existing++;
        continue;
      }
      const { alert } = await weeklyReportFor(deps, seller, now);
      if ((await queueWeeklyReport(deps, seller, alert, now)) === 'created') result.created.push({ sellerId: seller.sellerId, alertId });
      else result.existing++;
    } catch (error) {
      result.errors.push({ sellerId: seller.sellerId, error });
    }
  }
  return result;
}
