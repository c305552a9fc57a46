/**
 * The lean profile's metrics (issue 13): at most 10 custom metrics, so one seller's own account
 * stays within CloudWatch's 10 free custom metrics. The functions emit only these names, each with
 * the `service` dimension only: no per-reason or per-channel breakdowns (`singleMetric()` is dropped),
 * no ColdStart metric (one per function). Exactly the metrics the lean alarms and dashboard read
 * (infra/constructs/observability.ts); the reasons and channels are in the logs.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricResolution, MetricUnit } from '@aws-lambda-powertools/metrics/types';
import { ALERT_SENDER_METRICS, INBOUND_MAIL_METRICS, ORDER_SYNC_METRICS, RECONCILER_METRICS } from './metrics';

export const LEAN_METRICS: readonly string[] = [
  ORDER_SYNC_METRICS.ORDERS_WRITTEN,
  INBOUND_MAIL_METRICS.ORDERS_NOTIFIED,
  RECONCILER_METRICS.ORDERS_MISSING,
  ALERT_SENDER_METRICS.SENT,
  INBOUND_MAIL_METRICS.ACCEPTED,
  INBOUND_MAIL_METRICS.REJECTED,
  ORDER_SYNC_METRICS.OLDEST_SUCCESSFUL_SYNC_AGE,
  ALERT_SENDER_METRICS.OLDEST_WAITING,
  ALERT_SENDER_METRICS.FAILED,
  ALERT_SENDER_METRICS.CHANNEL_BROKEN,
];

type MetricsOptions = ConstructorParameters<typeof Metrics>[0];

/** Powertools Metrics that keep only LEAN_METRICS, undimensioned, and publish nothing when none was kept. */
export class LeanMetrics extends Metrics {
  private readonly leanOptions: MetricsOptions;

  constructor(options: MetricsOptions = {}) {
    super(options);
    this.leanOptions = options;
  }

  override addMetric(name: string, unit: MetricUnit, value: number, resolution?: MetricResolution): this {
    if (LEAN_METRICS.includes(name)) super.addMetric(name, unit, value, resolution);
    return this;
  }

  /** Breakdowns (reason, channel) are not kept in lean: a metric that drops everything. */
  override singleMetric(): Metrics {
    return new DroppedMetrics(this.leanOptions);
  }

  override captureColdStartMetric(): void {
    // One ColdStart metric per function would be 8 custom metrics: not in lean.
  }

  override publishStoredMetrics(): this {
    if (this.hasStoredMetrics()) super.publishStoredMetrics();
    return this;
  }
}

class DroppedMetrics extends Metrics {
  override addMetric(): this {
    return this;
  }
  override addDimension(): this {
    return this;
  }
  override publishStoredMetrics(): this {
    return this;
  }
}
