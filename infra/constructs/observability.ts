/**
 * What the operator looks at and what wakes them: one CloudWatch dashboard and the alarms, all
 * routed to the OPERATOR topic — never to the sellers' alert topic (that one carries alerts about
 * orders to sellers; an operator page there would reach every subscribed seller).
 *
 * Metrics: one namespace (`ShipNowSentinel`), emitted as EMF by Powertools Metrics with the
 * `service` dimension and, where a breakdown helps, one small fixed dimension (`reason`,
 * `Reason`, `channel`). Never a seller dimension: CloudWatch bills per metric, so a per-seller
 * dimension would make the bill grow with the number of sellers; seller detail is in the logs and
 * the table (`shipnow status`).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  GraphWidgetView,
  MathExpression,
  Metric,
  SingleValueWidget,
  Stats,
  TextWidget,
  TreatMissingData,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALLOWED_METRIC_DIMENSIONS, CHANNEL_DIMENSION, DASHBOARD_METRICS, FAILURE_REASON_DIMENSION, REASON_DIMENSION } from '../../functions/metrics';
import { isLean } from '../profile';
import { searchExpression, sentinelMetric } from './sentinel-metric';

/** Metric names the dashboard and alarms read (the handlers emit them; see test/infra/observability.test.ts). */
export const METRIC = DASHBOARD_METRICS;

export { ALLOWED_METRIC_DIMENSIONS };

export interface WatchedFunction {
  /** Short human name, e.g. "Inbound mail intake". */
  label: string;
  /** What it does and what breaks when it fails (goes into the alarm description). */
  purpose: string;
  fn: IFunction;
}

export interface WatchedQueue {
  label: string;
  queue: IQueue;
  /**
   * A DLQ whose messages can arrive without any Lambda error: an SQS event source with partial
   * batch responses (the function succeeds and reports the failed records). The DLQs of scheduled
   * and asynchronously invoked functions fill only after failed invocations, which the functions'
   * error alarm already reports; lean watches only these (each metric of an alarm costs $0.10).
   */
  partialBatch?: boolean;
}

export interface ObservabilityProps {
  functions: WatchedFunction[];
  /** Work queues (depth and age on the dashboard). */
  queues: WatchedQueue[];
  /** Dead-letter queues (depth on the dashboard; their alarms come in `alarms`). */
  deadLetterQueues: WatchedQueue[];
  /** Alarms made by the other constructs (DLQs, stale sync, alert delivery): routed to the operator topic. */
  alarms: Alarm[];
  /** The reconciler function: "not running" when it has no invocation for three intervals. */
  reconciler: IFunction;
  reconcileInterval: Duration;
  /** The alert sender: "not running" when it has no invocation for five intervals. */
  alertSender: IFunction;
  alertInterval: Duration;
  syncInterval: Duration;
  /** No inbound email at all for this long while orders keep coming -> alarm (default 6 h, at most 24 h). */
  mailSilence?: Duration;
  /** Any alert waiting undelivered longer than this -> alarm (default 30 min, 5 min to 24 h). */
  alertMaxWait?: Duration;
  /** Use this topic for alarms (e.g. an on-call integration) instead of creating one. */
  alarmTopicArn?: string;
  /** Subscribe this address to the (created) operator topic. */
  alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Observability extends Construct {
  readonly topic: ITopic;
  readonly topicKey?: Key;
  readonly dashboard: Dashboard;
  /** Every alarm of the stack (the constructs' and this one's), all routed to `topic`. */
  readonly alarms: Alarm[];
  readonly lambdaErrorAlarms: Alarm[];
  readonly mailSilenceAlarm: Alarm;
  readonly reconcilerNotRunningAlarm: Alarm;
  readonly alertSenderNotRunningAlarm: Alarm;
  readonly alertWaitingAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const mailSilence = props.mailSilence ?? Duration.hours(6);
    if (mailSilence.toHours() < 1 || mailSilence.toHours() > 24) throw new Error(`mailSilence must be between 1 and 24 hours (got ${mailSilence.toHours()} h)`);
    const alertMaxWait = props.alertMaxWait ?? Duration.minutes(30);
    if (alertMaxWait.toMinutes() < 5 || alertMaxWait.toMinutes() > 1440) throw new Error(`alertMaxWait must be between 5 minutes and 24 hours (got ${alertMaxWait.toMinutes()} min)`);

    // ---- operator topic ---------------------------------------------------------------------
    const lean = isLean(this);
    if (props.alarmTopicArn) {
      this.topic = Topic.fromTopicArn(this, 'OperatorTopic', props.alarmTopicArn);
    } else if (lean) {
      // CloudWatch alarms cannot publish to a topic encrypted with SNS's AWS managed key (its key
      // policy cannot be changed to allow cloudwatch.amazonaws.com), and a customer managed key is
      // $1 a month: the lean operator topic is unencrypted at rest, TLS only.
      const topic = new Topic(this, 'OperatorTopic', { displayName: 'ShipNow Sentinel operator alarms', enforceSSL: true });
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason: 'Lean profile: alarms carry alarm names and descriptions only (no order, buyer or seller data); CloudWatch cannot publish with the AWS managed SNS key, and a customer managed key costs $1 a month.',
      });
      if (props.alarmEmail) topic.addSubscription(new EmailSubscription(props.alarmEmail));
      this.topic = topic;
    } else {
      this.topicKey = new Key(this, 'OperatorTopicKey', { description: 'ShipNow Sentinel operator alarm topic encryption', enableKeyRotation: true });
      // CloudWatch alarms publish to the encrypted topic: they need the key, from this account only.
      this.topicKey.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowCloudWatchAlarms',
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
      const topic = new Topic(this, 'OperatorTopic', { displayName: 'ShipNow Sentinel operator alarms', masterKey: this.topicKey, enforceSSL: true });
      if (props.alarmEmail) topic.addSubscription(new EmailSubscription(props.alarmEmail));
      this.topic = topic;
    }

    // ---- new alarms ---------------------------------------------------------------------------
    const errorAlarmDescription = (what: string) =>
      `Lambda errors in ${what} ` +
      'What to do: open the function\'s log group (CloudWatch Logs Insights: filter level = "ERROR") around the alarm time and fix the cause; ' +
      'failed work is retried and ends in a dead-letter queue if it keeps failing (a separate alarm); check the dashboard row "Lambda" for throttles.';
    this.lambdaErrorAlarms = lean
      ? // Lean: one alarm over every function (the dashboard's "Lambda errors" graph says which);
        // a metric math alarm reads at most 10 metrics, so one alarm per 10 functions.
        chunks(props.functions, MAX_ALARM_METRICS).map(
          (group, c) =>
            new Alarm(this, c === 0 ? 'LambdaErrors' : `LambdaErrors${c + 1}`, {
              alarmDescription: errorAlarmDescription(`any function (${group.map((f) => f.label).join(', ')}): see the dashboard graph "Lambda errors (per function)" for which.`),
              metric: new MathExpression({
                label: 'Errors, all functions',
                expression: `SUM([${group.map((_, i) => `e${i}`).join(', ')}])`,
                usingMetrics: Object.fromEntries(group.map((f, i) => [`e${i}`, f.fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM })])),
                period: FIVE_MINUTES,
              }),
              threshold: 1,
              comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              evaluationPeriods: 1,
              treatMissingData: TreatMissingData.NOT_BREACHING,
            }),
        )
      : props.functions.map(
      (f, i) =>
        new Alarm(this, `LambdaErrors${i}`, {
          alarmDescription: errorAlarmDescription(`"${f.label}": ${f.purpose}`),
          metric: f.fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );

    const notRunning = (alarmId: string, fn: IFunction, window: Duration, description: string) =>
      new Alarm(this, alarmId, {
        alarmDescription: description,
        metric: fn.metricInvocations({ period: window, statistic: Stats.SUM }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data at all is exactly "not running".
        treatMissingData: TreatMissingData.BREACHING,
      });
    // Three intervals, at least 5 minutes (the reconciler runs every minute by default).
    const reconcileWindow = Duration.minutes(Math.max(props.reconcileInterval.toMinutes() * 3, 5));
    this.reconcilerNotRunningAlarm = notRunning(
      'ReconcilerNotRunning',
      props.reconciler,
      reconcileWindow,
      `Reconciler not running: no invocation for ${reconcileWindow.toMinutes()} min (it should run every ${props.reconcileInterval.toMinutes()} min). ` +
        'Nothing detects missing emails or raises alerts meanwhile. What to do: check that the EventBridge schedule rule "Runs the ShipNow Sentinel reconciler" is ENABLED, ' +
        'that the function is not throttled (account concurrency) and was not deleted or its permission removed; invoke it once by hand to confirm.',
    );
    const senderWindow = Duration.minutes(Math.max(props.alertInterval.toMinutes() * 5, 5));
    this.alertSenderNotRunningAlarm = notRunning(
      'AlertSenderNotRunning',
      props.alertSender,
      senderWindow,
      `Alert sender not running: no invocation for ${senderWindow.toMinutes()} min (it should run every ${props.alertInterval.toMinutes()} min). ` +
        'Alerts pile up in the outbox and reach no seller. What to do: check that the schedule rule "Runs the ShipNow Sentinel alert sender" is ENABLED and the function is not throttled; invoke it once by hand.',
    );

    // No inbound email at all while orders keep coming: the operator-level "channel down" (the
    // MX record, the receipt rule set, SES receiving, or the intake itself is broken).
    const m = (metricName: string, period: Duration, label?: string) => this.metric(metricName, Stats.SUM, period, label);
    this.mailSilenceAlarm = new Alarm(this, 'NoInboundMail', {
      alarmDescription:
        `No inbound email at all for ${mailSilence.toHours()} h while orders kept coming. The whole mail path looks down, for every seller. ` +
        'What to do: check that the MX record of the inbound domain still points to inbound-smtp.<region>.amazonaws.com, that the stack\'s SES receipt rule set is the ACTIVE one ' +
        '(SES console > Email receiving; another stack or a person may have activated another), that the raw-mail bucket receives objects under inbound/, ' +
        'and the Intake function\'s errors and the intake DLQ. Then run `shipnow status --table TABLE`: if only some sellers are silent, it is their forwarding instead.',
      metric: new MathExpression({
        label: 'Orders in but no email (1 = alarm)',
        // Lean emits only orders written and mail accepted / rejected (functions/lean-metrics.ts).
        expression: lean
          ? 'IF(FILL(ow, 0) > 0 AND (FILL(ma, 0) + FILL(mr, 0)) == 0, 1, 0)'
          : 'IF((FILL(ow, 0) + FILL(ri, 0)) > 0 AND (FILL(ma, 0) + FILL(mr, 0) + FILL(mq, 0) + FILL(md, 0)) == 0, 1, 0)',
        usingMetrics: lean
          ? { ow: m(METRIC.ORDERS_WRITTEN, mailSilence), ma: m(METRIC.MAIL_ACCEPTED, mailSilence), mr: m(METRIC.MAIL_REJECTED, mailSilence) }
          : {
              ow: m(METRIC.ORDERS_WRITTEN, mailSilence),
              ri: m(METRIC.REPORT_ORDERS_IMPORTED, mailSilence),
              ma: m(METRIC.MAIL_ACCEPTED, mailSilence),
              mr: m(METRIC.MAIL_REJECTED, mailSilence),
              mq: m(METRIC.MAIL_QUARANTINED, mailSilence),
              md: m(METRIC.MAIL_DUPLICATE, mailSilence),
            },
        period: mailSilence,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // Any alert waiting too long: every sender run reports the longest wait among the due alerts
    // (an alert waiting with back-off is due again at least every 15 minutes, so a 15-minute
    // maximum always sees it). The sender not running at all is the alarm above.
    this.alertWaitingAlarm = new Alarm(this, 'AlertWaitingTooLong', {
      alarmDescription:
        `An alert has waited more than ${alertMaxWait.toMinutes()} min without reaching its seller: every channel of the seller (and the stack topic) failed, hung, ` +
        'or the sender keeps running out of time. The alert is not lost: it is tried again with back-off until its order\'s deadline. What to do: read the Sender logs ' +
        '("oldest waiting alert" names the seller and alert; "alert channel broken" and "alert send error" say why), check the SES sending status and the stack topic\'s subscriptions, ' +
        'have the seller fix the channel, and tell the seller directly about the order if its deadline is near.',
      metric: this.metric(METRIC.OLDEST_WAITING, Stats.MAXIMUM, Duration.minutes(15)),
      threshold: alertMaxWait.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // Lean: the constructs' DLQ and delivery alarms are replaced by one alarm each (SentinelStack
    // leaves them out), so the lean profile has at most 10 alarms.
    const leanAlarms = lean ? [...this.leanDeadLetterAlarms(props.deadLetterQueues.filter((q) => q.partialBatch)), this.leanDeliveryAlarm()] : [];
    this.alarms = [
      ...props.alarms,
      ...leanAlarms,
      ...this.lambdaErrorAlarms,
      this.reconcilerNotRunningAlarm,
      this.alertSenderNotRunningAlarm,
      this.mailSilenceAlarm,
      this.alertWaitingAlarm,
    ];
    const action = new SnsAction(this.topic);
    for (const a of this.alarms) a.addAlarmAction(action);

    // ---- dashboard ----------------------------------------------------------------------------
    // No dashboardName: CloudFormation names it, so two stages do not collide (the DashboardName output gives it).
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    for (const row of lean ? this.leanWidgets(props, mailSilence) : this.widgets(props, mailSilence)) this.dashboard.addWidgets(...row);

    if (this.topicKey) {
      Validations.of(this.topicKey).acknowledge({
        id: 'AwsSolutions-KMS5',
        reason: 'Key rotation is enabled (enableKeyRotation: true).',
      });
    }
  }

  /** Lean: any dead-letter queue holding a message (one alarm instead of one per queue). */
  private leanDeadLetterAlarms(queues: WatchedQueue[]): Alarm[] {
    // A metric math alarm reads at most 10 metrics: one alarm per 10 queues.
    return chunks(queues, MAX_ALARM_METRICS).map(
      (group, c) =>
        new Alarm(this, c === 0 ? 'DeadLetters' : `DeadLetters${c + 1}`, {
          alarmDescription:
            `A dead-letter queue holds failed work (${group.map((q) => q.label).join(', ')}; the other DLQs fill only after function errors, which the "Lambda errors" alarm reports). The dashboard graph "Dead-letter queues" shows every DLQ. ` +
            'What to do: read that function\'s logs (filter message = "record failed") and fix the cause, then redrive or purge as docs/operations.md "Dead-letter queues and redrive" says for that queue (its ARN is a stack output).',
          metric: new MathExpression({
            label: 'Messages in the fullest DLQ',
            expression: `MAX([${group.map((_, i) => `d${i}`).join(', ')}])`,
            usingMetrics: Object.fromEntries(group.map((q, i) => [`d${i}`, q.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM })])),
            period: FIVE_MINUTES,
          }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
  }

  /** Lean: an alert undeliverable, or a seller channel marked broken (one alarm instead of two). */
  private leanDeliveryAlarm(): Alarm {
    return new Alarm(this, 'AlertDelivery', {
      alarmDescription:
        'Alerting: an alert could not be delivered through any channel of its seller and was marked failed, or a seller channel failed permanently and was marked broken. ' +
        'What to do: read the Sender logs ("alert channel broken", "alerts sent" with failed > 0) for the seller and channel, run `shipnow status --seller ID --table TABLE`, ' +
        'have the seller fix the channel, and tell the seller directly about the orders concerned.',
      metric: new MathExpression({
        label: 'Alerts failed + channels broken',
        expression: 'SUM([f, b])',
        usingMetrics: { f: this.metric(METRIC.FAILED, Stats.SUM), b: this.metric(METRIC.CHANNEL_BROKEN, Stats.SUM) },
        period: FIVE_MINUTES,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** The funnel of the last 24 h (both profiles). */
  private funnelWidget(): SingleValueWidget {
    const day = Duration.days(1);
    return new SingleValueWidget({
      title: 'Funnel, last 24 h: orders → notified → missing → alerted',
      width: 12,
      height: 5,
      setPeriodToTimeRange: true,
      metrics: [
        this.metric(METRIC.ORDERS_WRITTEN, Stats.SUM, day, 'Orders in from Amazon (new or changed)'),
        this.metric(METRIC.ORDERS_NOTIFIED, Stats.SUM, day, 'Orders whose Sold, Ship Now email arrived'),
        this.metric(METRIC.ORDERS_MISSING, Stats.SUM, day, 'Orders whose email did NOT arrive (missing)'),
        this.metric(METRIC.SENT, Stats.SUM, day, 'Alerts delivered to sellers'),
      ],
    });
  }

  /** Lean: the same dashboard, reading only the metrics lean emits (at most 50 metrics, CloudWatch's free dashboard size). */
  private leanWidgets(props: ObservabilityProps, mailSilence: Duration): IWidget[][] {
    const sum = (name: string, label: string) => this.metric(name, Stats.SUM, FIVE_MINUTES, label);
    const labelled = (f: (fn: IFunction) => Metric) => props.functions.map((w) => f(w.fn).with({ label: w.label }));
    return [
      [
        new TextWidget({
          width: 24,
          height: 3,
          markdown: [
            '# ShipNow Sentinel (lean profile)',
            'Orders in from Amazon → orders whose **Sold, Ship Now** email arrived → orders **missing** their email → alerts delivered. Missing ≈ 0 and every alarm OK is healthy.',
            'Lean emits only these metrics; reasons, channels and per-seller detail are in the logs and `shipnow status --table TABLE`.',
          ].join('\n'),
        }),
      ],
      [
        this.funnelWidget(),
        new GraphWidget({
          title: 'Inbound emails and order sync',
          width: 12,
          height: 5,
          left: [sum(METRIC.MAIL_ACCEPTED, 'emails accepted'), sum(METRIC.MAIL_REJECTED, 'emails rejected')],
          right: [this.metric(METRIC.OLDEST_SUCCESSFUL_SYNC_AGE, Stats.MAXIMUM, props.syncInterval, 'oldest successful sync (s)')],
        }),
      ],
      [
        new GraphWidget({
          title: 'Alerts: delivered, undeliverable, broken channels, longest wait (s)',
          width: 8,
          left: [sum(METRIC.SENT, 'delivered'), sum(METRIC.FAILED, 'undeliverable'), sum(METRIC.CHANNEL_BROKEN, 'channels marked broken')],
          right: [this.metric(METRIC.OLDEST_WAITING, Stats.MAXIMUM, FIVE_MINUTES, 'longest wait of a due alert, s')],
        }),
        new GraphWidget({ title: 'Lambda errors (per function)', width: 8, left: labelled((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM })) }),
        new GraphWidget({ title: 'Lambda duration p90 (ms, per function)', width: 8, left: labelled((fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: Stats.p(90) })) }),
      ],
      [
        new GraphWidget({
          title: 'Work queues: messages waiting, oldest (s)',
          width: 12,
          left: props.queues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: q.label })),
          right: props.queues.map((q) => q.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: `${q.label}, oldest` })),
        }),
        new GraphWidget({
          title: 'Dead-letter queues: failed work waiting (should be 0)',
          width: 12,
          left: props.deadLetterQueues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: q.label })),
        }),
      ],
      [
        new AlarmStatusWidget({
          title: `Alarms (each says what to do; inbound silence window ${mailSilence.toHours()} h)`,
          width: 24,
          height: 6,
          alarms: this.alarms,
        }),
      ],
    ];
  }

  /** A metric of the Sentinel namespace with the `service` dimension every function sets. */
  metric(metricName: string, statistic: string, period: Duration = FIVE_MINUTES, label?: string): Metric {
    return sentinelMetric(metricName, statistic, period, label);
  }

  /** Every metric of one name, broken down by its one extra dimension (a SEARCH over the namespace). */
  private byDimension(metricName: string, dimension: string, label: string): MathExpression {
    return new MathExpression({
      expression: searchExpression(metricName, dimension),
      label,
      period: FIVE_MINUTES,
    });
  }

  private widgets(props: ObservabilityProps, mailSilence: Duration): IWidget[][] {
    const sum = (name: string, label: string) => this.metric(name, Stats.SUM, FIVE_MINUTES, label);
    const rows: IWidget[][] = [];

    rows.push([
      new TextWidget({
        width: 24,
        height: 5,
        markdown: [
          '# ShipNow Sentinel',
          'Amazon sends a **"Sold, Ship Now"** email for every merchant-fulfilled order. Sentinel fetches the orders from Amazon (order sync), receives the emails (SES inbound),',
          'and when an order\'s email does not arrive in time it marks the order **missing** and **alerts the seller** through a channel that works.',
          '',
          '**Read top to bottom:** the funnel should show orders ≈ notified, missing ≈ 0. Below: how late emails arrive, why some were rejected, whether order sync is healthy,',
          'then the machinery (Lambda, queues). Red alarms on the right-hand list say what to do in their description. Per-seller detail: `shipnow status --table TABLE` (never in metrics).',
        ].join('\n'),
      }),
    ]);

    // Funnel.
    rows.push([
      this.funnelWidget(),
      new GraphWidget({
        title: 'Funnel over time (per 5 min)',
        width: 12,
        height: 5,
        left: [
          sum(METRIC.ORDERS_WRITTEN, 'Orders in from Amazon'),
          sum(METRIC.ORDERS_NOTIFIED, 'Orders notified by email'),
          sum(METRIC.ORDERS_MISSING, 'Orders missing their email'),
          sum(METRIC.SENT, 'Alerts delivered'),
        ],
      }),
    ]);

    // Delays and rejects.
    rows.push([
      new GraphWidget({
        title: 'Email delay: order placed → Sold, Ship Now email arrived (seconds)',
        width: 8,
        left: [
          this.metric(METRIC.MAIL_ARRIVAL_DELAY, Stats.p(50), FIVE_MINUTES, 'median'),
          this.metric(METRIC.MAIL_ARRIVAL_DELAY, Stats.p(90), FIVE_MINUTES, '90th percentile'),
          this.metric(METRIC.MAIL_ARRIVAL_DELAY, Stats.MAXIMUM, FIVE_MINUTES, 'slowest'),
        ],
        right: [this.metric(METRIC.MAIL_TRANSIT_DELAY, Stats.p(90), FIVE_MINUTES, 'time in transit (forwarding), p90')],
      }),
      new GraphWidget({
        title: 'Inbound emails: accepted, duplicate, rejected, quarantined',
        width: 8,
        stacked: true,
        left: [
          sum(METRIC.MAIL_ACCEPTED, 'accepted (a Sold, Ship Now email)'),
          sum(METRIC.MAIL_DUPLICATE, 'duplicate (already processed)'),
          sum(METRIC.MAIL_REJECTED, 'rejected (not a Sold, Ship Now email, or not authentic)'),
          sum(METRIC.MAIL_QUARANTINED, 'quarantined (unreadable, too large, virus)'),
        ],
      }),
      new GraphWidget({
        title: 'Rejected and quarantined emails by reason',
        width: 8,
        stacked: true,
        left: [this.byDimension(METRIC.MAIL_REJECTED, REASON_DIMENSION, 'rejected'), this.byDimension(METRIC.MAIL_QUARANTINED, REASON_DIMENSION, 'quarantined')],
      }),
    ]);

    // Order sync health.
    rows.push([
      new GraphWidget({
        title: 'Order sync health: age of the oldest successful sync (seconds)',
        width: 8,
        left: [this.metric(METRIC.OLDEST_SUCCESSFUL_SYNC_AGE, Stats.MAXIMUM, props.syncInterval, 'oldest successful sync, any seller')],
        leftAnnotations: [{ value: props.syncInterval.toSeconds() * 2, label: 'alarm: two sync intervals' }],
        right: [this.metric(METRIC.BROKEN_SYNCS, Stats.MAXIMUM, props.syncInterval, 'marketplaces with a broken authorization')],
      }),
      new GraphWidget({
        title: 'Order sync: orders seen and written, throttled calls',
        width: 8,
        left: [sum(METRIC.ORDERS_SYNCED, 'orders seen'), sum(METRIC.ORDERS_WRITTEN, 'orders written'), sum(METRIC.REPORT_ORDERS_IMPORTED, 'orders from uploaded reports')],
        right: [sum(METRIC.THROTTLED_CALLS, 'SP-API calls throttled'), sum(METRIC.SELLERS_DISPATCHED, 'sellers dispatched')],
      }),
      new GraphWidget({
        title: 'Order sync failures by reason',
        width: 8,
        stacked: true,
        left: [this.byDimension(METRIC.SYNC_FAILURES, FAILURE_REASON_DIMENSION, 'sync failures')],
      }),
    ]);

    // Reconciler and alerts.
    rows.push([
      new GraphWidget({
        title: 'Reconciler: duration (ms) and items read per run',
        width: 8,
        left: [this.metric(METRIC.RECONCILE_DURATION, Stats.MAXIMUM, FIVE_MINUTES, 'run duration, max')],
        right: [sum(METRIC.RECONCILE_ITEMS_READ, 'items read from the due index'), sum(METRIC.RECONCILE_DUE, 'due orders'), sum(METRIC.RECONCILE_FAILED, 'orders that failed (pushed back)')],
      }),
      new GraphWidget({
        title: 'Alerts: raised, delivered, failed, broken channels',
        width: 8,
        left: [sum(METRIC.ALERTS_RAISED, 'raised'), sum(METRIC.SENT, 'delivered'), sum(METRIC.RETRIED, 'retried later')],
        right: [
          sum(METRIC.FAILED, 'undeliverable (alarm)'),
          sum(METRIC.CHANNEL_BROKEN, 'channels marked broken (alarm)'),
          this.metric(METRIC.OLDEST_WAITING, Stats.MAXIMUM, FIVE_MINUTES, 'longest wait of a due alert, s (alarm)'),
        ],
      }),
      new GraphWidget({
        title: 'Alert deliveries and failures by channel type',
        width: 8,
        left: [this.byDimension(METRIC.DELIVERIES, CHANNEL_DIMENSION, 'delivered')],
        right: [this.byDimension(METRIC.DELIVERY_FAILURES, CHANNEL_DIMENSION, 'failed')],
      }),
    ]);

    // Lambda.
    const labelled = (f: (fn: IFunction) => Metric) => props.functions.map((w) => f(w.fn).with({ label: w.label }));
    rows.push([
      new GraphWidget({ title: 'Lambda errors (per function)', width: 8, left: labelled((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM })) }),
      new GraphWidget({ title: 'Lambda throttles (per function)', width: 8, left: labelled((fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: Stats.SUM })) }),
      new GraphWidget({ title: 'Lambda duration p90 (ms, per function)', width: 8, left: labelled((fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: Stats.p(90) })) }),
    ]);

    // Queues.
    rows.push([
      new GraphWidget({
        title: 'Work queues: messages waiting',
        width: 8,
        left: props.queues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: q.label })),
      }),
      new GraphWidget({
        title: 'Work queues: age of the oldest message (seconds)',
        width: 8,
        left: props.queues.map((q) => q.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: q.label })),
      }),
      new GraphWidget({
        title: 'Dead-letter queues: failed work waiting (should be 0)',
        width: 8,
        view: GraphWidgetView.TIME_SERIES,
        left: props.deadLetterQueues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: Stats.MAXIMUM, label: q.label })),
      }),
    ]);

    rows.push([
      new AlarmStatusWidget({
        title: `Alarms (each says what to do; inbound silence window ${mailSilence.toHours()} h)`,
        width: 24,
        height: 8,
        alarms: this.alarms,
      }),
    ]);
    return rows;
  }
}

/** CloudWatch: an alarm on a metric math expression reads at most 10 metrics. */
const MAX_ALARM_METRICS = 10;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
