/**
 * The weekly report Lambda (EventBridge schedule, hourly): queues each seller's Monday report
 * (services/weekly-report.ts) into the outbox; the alert sender delivers it through the seller's
 * channels. Thin: read the clock, call the service, log and count. A seller that fails is logged
 * and tried again by the next hourly run of that Monday; an unexpected error (the table
 * unavailable) throws, so the invocation is retried and the schedule's DLQ keeps the event.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Clock } from '../domain/types';
import { WEEKLY_REPORT_METRICS } from '../metrics';
import { runWeeklyReports, type WeeklyReportDeps, type WeeklyReportResult } from '../services/weekly-report';
import { systemClock, wireWeeklyReport } from '../wiring';
import { builtOnColdStart, lambdaChain } from './lambda-chain';

export interface WeeklyReportHandlerDeps extends WeeklyReportDeps {
  logger: Logger;
  metrics: Metrics;
  stopBeforeDeadlineMs?: number;
  now?: Clock;
}

export function makeHandler(deps: WeeklyReportHandlerDeps) {
  const { logger, metrics } = deps;
  const clock = deps.now ?? systemClock;
  const margin = deps.stopBeforeDeadlineMs ?? 10_000;
  const base = async (_event: ScheduledEvent, context: Context): Promise<Omit<WeeklyReportResult, 'errors'> & { failed: number }> => {
    const now = clock();
    const shouldStop = () => (context.getRemainingTimeInMillis?.() ?? Infinity) < margin;
    const r = await runWeeklyReports(deps, now, { shouldStop });
    for (const e of r.errors) logger.error('weekly report failed for a seller; the next hourly run tries again', { sellerId: e.sellerId, error: e.error as Error });
    metrics.addMetric(WEEKLY_REPORT_METRICS.QUEUED, MetricUnit.Count, r.created.length);
    metrics.addMetric(WEEKLY_REPORT_METRICS.FAILED, MetricUnit.Count, r.errors.length);
    const summary = { sellers: r.sellers, due: r.due, created: r.created, existing: r.existing, failed: r.errors.length };
    logger.info('weekly reports', { now, ...summary, created: r.created.length });
    return summary;
  };
  return lambdaChain(base, { logger, metrics });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireWeeklyReport(process.env)));
