/** Issue 13 (5): in the lean profile the functions emit only the lean metrics, undimensioned, no ColdStart. */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { LEAN_METRICS, LeanMetrics } from '../../functions/lean-metrics';
import { observability } from '../../functions/wiring';

const emitted = (m: Metrics) => {
  const out = m.serializeMetrics() as unknown as { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
  return out._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((x) => ({ name: x.Name, dimensions: d.Dimensions })));
};

test('only the lean list is kept, with the service dimension only; breakdowns and ColdStart are dropped', () => {
  const m = new LeanMetrics({ namespace: 'ShipNowSentinel', serviceName: 'shipnow-sentinel' });
  m.addMetric('MailAccepted', MetricUnit.Count, 1);
  m.addMetric('MailArrivalDelay', MetricUnit.Seconds, 30);
  m.addMetric('OrdersWritten', MetricUnit.Count, 2);
  const single = m.singleMetric();
  single.addDimension('reason', 'spf-fail');
  single.addMetric('MailRejected', MetricUnit.Count, 1);
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    single.publishStoredMetrics();
    m.captureColdStartMetric();
    expect(write).not.toHaveBeenCalled();
  } finally {
    write.mockRestore();
  }
  expect(emitted(m)).toEqual([
    { name: 'MailAccepted', dimensions: [['service']] },
    { name: 'OrdersWritten', dimensions: [['service']] },
  ]);
  expect(LEAN_METRICS.length).toBeLessThanOrEqual(10);
});

test('a run that kept no metric publishes nothing (no empty EMF line, no warning)', () => {
  const m = new LeanMetrics({ namespace: 'ShipNowSentinel', serviceName: 'shipnow-sentinel' });
  m.addMetric('ReconcileDuration', MetricUnit.Milliseconds, 12);
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    m.publishStoredMetrics();
    expect(write).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  } finally {
    write.mockRestore();
    warn.mockRestore();
  }
});

test('wiring picks the lean metrics from SENTINEL_METRICS_PROFILE, the full ones otherwise', () => {
  expect(observability({ SENTINEL_METRICS_PROFILE: 'lean' }).metrics).toBeInstanceOf(LeanMetrics);
  expect(observability({}).metrics).not.toBeInstanceOf(LeanMetrics);
  expect(() => observability({ SENTINEL_METRICS_PROFILE: 'tiny' })).toThrow(/SENTINEL_METRICS_PROFILE/);
});
