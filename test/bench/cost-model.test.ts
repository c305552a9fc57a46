/**
 * Issue 13 (8): the inputs of `npm run cost` come from the synthesised template of each profile,
 * so a new alarm, key or schedule changes the cost table by itself; and the model's arithmetic on
 * known measurements. (The measured seller-day itself runs in `npm run cost`: its run times vary
 * with the machine, so no test asserts dollars from it.)
 */
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Key } from 'aws-cdk-lib/aws-kms';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedMonth, perSellerMonth, type PriceList } from '../../bench/cost/model';
import type { SellerDay, Usage } from '../../bench/cost/seller-day';
import { synthesise, templateInputs } from '../../bench/cost/template-inputs';
import { LEAN_METRICS } from '../../functions/lean-metrics';
import { SentinelStack } from '../../infra/sentinel-stack';

const prices = JSON.parse(readFileSync(join(__dirname, '..', '..', 'bench', 'cost', 'prices.json'), 'utf8')) as PriceList;
const usage = (requests: number, rru: number, wru: number, extra: Partial<Usage> = {}): Usage => ({ dynamodb: { requests, rru, wru }, ssm: 0, secretsManager: 0, sqs: 0, s3Get: 0, sesSend: 0, medianMs: 10, runs: 1, ...extra });
const DAY: SellerDay = {
  orders: 10,
  emails: 10,
  sellerAlertsInDay: 0,
  syncRun: usage(10, 4, 6, { ssm: 1, secretsManager: 1 }),
  dispatchPerSeller: usage(2, 1, 0, { sqs: 1 }),
  email: usage(8, 2, 6, { s3Get: 1 }),
  emptyReconcile: usage(8, 4, 0),
  emptySend: usage(4, 2, 0),
  emptyMailboxPoll: usage(2, 0, 1),
  emptyWeekly: usage(1, 0, 1),
  reconcileDayExtra: usage(0, 0, 0),
  sendDayExtra: usage(0, 0, 0),
  missingAlert: usage(20, 10, 10, { sesSend: 1 }),
};

describe('template inputs', () => {
  const inputs = { default: templateInputs('default'), lean: templateInputs('lean') };

  test('counted from each profile: alarms, the metrics they read, dashboards, keys, schedules, event sources', () => {
    expect(inputs.default).toEqual(
      expect.objectContaining({ alarms: 27, dashboards: 1, customerManagedKeys: 3, generatedSecrets: 1, tracing: true, traced: { syncWorker: false, intake: false, reconciler: true, sender: true, dispatcher: true, mailboxPoller: true, weeklyReport: true }, sqsEventSources: 3, runsPerMonth: { reconciler: 43_200, sender: 43_200, dispatcher: 2_880, mailboxPoller: 8_640, weeklyReport: 720 } }),
    );
    expect(inputs.lean).toEqual(expect.objectContaining({ alarms: 9, dashboards: 1, customerManagedKeys: 0, tracing: false, customMetrics: LEAN_METRICS.length }));
    expect(inputs.lean.alarms).toBeLessThanOrEqual(10);
    expect(inputs.lean.customMetrics).toBeLessThanOrEqual(10);
    expect(inputs.default.memoryGb).toEqual({ syncWorker: 0.5, intake: 0.5, reconciler: 0.5, sender: 0.5, dispatcher: 0.5, mailboxPoller: 0.5, weeklyReport: 0.5 });
  });

  test('a change to the stack changes the inputs and the fixed cost (no silent drift)', () => {
    const app = new App({ context: { inboundDomain: 'in.shop.cn', alertFrom: 'a@shop.cn', profile: 'lean', syncIntervalMinutes: '30', 'aws:cdk:bundling-stacks': [] } });
    const stack = new SentinelStack(app, 'Drift');
    new Alarm(stack, 'Extra', { metric: new Metric({ namespace: 'X', metricName: 'Y', period: Duration.minutes(5) }), threshold: 1, evaluationPeriods: 1 });
    new Key(stack, 'ExtraKey', { enableKeyRotation: true });
    const changed = templateInputs('lean', Template.fromStack(stack));
    expect(changed.alarms).toBe(inputs.lean.alarms + 1);
    expect(changed.alarmMetrics).toBe(inputs.lean.alarmMetrics + 1);
    expect(changed.customerManagedKeys).toBe(1);
    expect(changed.runsPerMonth.dispatcher).toBe(1_440);
    const before = fixedMonth(DAY, inputs.lean, prices);
    const after = fixedMonth(DAY, changed, prices);
    const line = (f: typeof before, item: string) => f.lines.find((l) => l.item === item)!.dollars;
    expect(line(after, 'CloudWatch alarms') - line(before, 'CloudWatch alarms')).toBeCloseTo(prices.prices.cloudwatchPerAlarmMetricMonth, 6);
    expect(line(after, 'KMS keys')).toBeCloseTo(prices.prices.kmsPerKeyMonth, 6);
  });

  test('synthesis for the cost model skips bundling (fast) but is the same stack', () => {
    const t = synthesise('lean').toJSON();
    expect(Object.values(t.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toHaveLength(inputs.lean.alarms);
  });
});

describe('the model', () => {
  const t = templateInputs('lean');

  test('per seller: each line is measured count x month x list price', () => {
    const m = perSellerMonth(DAY, t, prices, 1);
    const p = prices.prices;
    const line = (item: string) => m.lines.find((l) => l.item === item)!.dollars;
    expect(line('SES receiving')).toBeCloseTo((300 * p.sesReceivingPerThousandEmails + 300 * p.sesReceivingPerThousandChunks) / 1000, 9);
    // 2,880 sync runs (every 15 min), 300 emails, 6 missing alerts, dispatch share.
    const wru = 6 * 2880 + 6 * 300 + 10 * 6;
    const rru = 4 * 2880 + 2 * 300 + 10 * 6 + 1 * 2880;
    expect(line('DynamoDB')).toBeCloseTo((wru * p.dynamodbPerMillionWru + rru * p.dynamodbPerMillionRru) / 1e6 + p.dynamodbPerGbMonth / 1024, 9);
    expect(line('SSM parameter + KMS')).toBeCloseTo((2880 * p.kmsPer10kRequests) / 1e4, 9);
    expect(m.lines.map((l) => l.item)).not.toContain('X-Ray');
    expect(m.total).toBeCloseTo(m.lines.reduce((s, l) => s + l.dollars, 0), 9);
  });

  test('fixed: CloudWatch from the template, the always-free tier taken off only in the own-account figure', () => {
    const f = fixedMonth(DAY, t, prices);
    expect(f.lines.find((l) => l.item === 'CloudWatch custom metrics')!.dollars).toBeCloseTo(t.customMetrics * 0.3, 9);
    const s = perSellerMonth(DAY, t, prices, 1);
    expect(f.withFreeTier(s, 1)).toBeLessThan(f.total + s.total);
    expect(f.withFreeTier(s, 1)).toBeGreaterThan(0);
    expect(f.reconcilerEveryMinute).toBeGreaterThan(0);
  });
});
