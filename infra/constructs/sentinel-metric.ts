/**
 * A metric the functions emit, as CloudWatch sees it: the Sentinel namespace and the `service`
 * dimension Powertools adds to every metric. Names and dimensions come from functions/metrics.ts,
 * so every alarm and dashboard widget reads exactly what a handler writes.
 */
import type { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAME } from '../../functions/metrics';

export function sentinelMetric(metricName: string, statistic: string, period: Duration, label?: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME },
    statistic,
    period,
    ...(label ? { label } : {}),
  });
}

/** Every metric of one name, broken down by its one extra dimension (a SEARCH over the namespace). */
export function searchExpression(metricName: string, dimension: string): string {
  return `SEARCH('{${METRICS_NAMESPACE},${dimension},${SERVICE_DIMENSION}} MetricName="${metricName}"', 'Sum', 300)`;
}
