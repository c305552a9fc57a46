import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { ConfigurationSet, EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SYNC_EVENT_DETAIL_TYPES, SYNC_EVENT_SOURCE } from '../../functions/adapters/eventbridge-sync-events';
import { ENV } from '../../functions/constants';
import { ALERT_SENDER_METRICS as SENDER_METRIC } from '../../functions/metrics';
import { sentinelMetric } from './sentinel-metric';
import { acknowledgeFunctionFindings } from './reconciler';
import type { LinkKey } from './link-key';
import { SentinelFunction } from './sentinel-function';
import type { SentinelTable } from './sentinel-table';

export interface AlertingProps {
  table: SentinelTable;
  /** The verified sender of alert email, e.g. `alerts@shipnow.example.com`. */
  senderAddress: string;
  /**
   * Verify the whole domain (Easy DKIM) instead of the single address. Recommended in production:
   * DKIM-signed alert mail is less likely to be filtered — which is the failure we alert about.
   */
  senderDomain?: string;
  /** The bus alerts are published to; default: a new bus of the stack. */
  eventBus?: IEventBus;
  /** The bus the order sync publishes "sync broken" events to (default: `eventBus`). */
  syncEventBus?: IEventBus;
  /** How often the sender runs (default every minute). */
  interval?: Duration;
  /** The seller's web: alerts then carry signed "handled" / "snooze" links (default: none). */
  web?: { baseUrl: string; linkKey: LinkKey };
}

/**
 * Alert delivery: the outbox sender on a 1-minute schedule; SES identity and configuration set for
 * alert email; an SNS topic (KMS-encrypted, TLS-only) that is every seller's last-resort channel
 * (operators' alarms go to a separate topic, see observability.ts); the alert event bus every alert is published to; the function
 * that turns order-sync events into alerts; DLQs and alarms. Least privilege: ses:SendEmail on the
 * one identity + configuration set, sns:Publish on the one topic, events:PutEvents on the one bus.
 */
export class Alerting extends Construct {
  readonly topic: Topic;
  readonly topicKey: Key;
  readonly eventBus: IEventBus;
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly sender: SentinelFunction;
  readonly syncAlerts: SentinelFunction;
  readonly schedule: Rule;
  readonly syncRule: Rule;
  readonly deadLetterQueue: Queue;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // ---- SNS topic -----------------------------------------------------------------------------
    this.topicKey = new Key(this, 'TopicKey', {
      description: 'ShipNow Sentinel alert topic encryption',
      enableKeyRotation: true,
    });
    // Only the sender publishes here. Operator alarms go to the operator topic (observability.ts),
    // never to the sellers' topic, so this key grants CloudWatch nothing.
    this.topic = new Topic(this, 'Topic', { displayName: 'ShipNow Sentinel alerts', masterKey: this.topicKey, enforceSSL: true });

    // ---- event bus -----------------------------------------------------------------------------
    this.eventBus = props.eventBus ?? new EventBus(this, 'Bus', { description: 'ShipNow Sentinel alerts and events' });
    const syncBus = props.syncEventBus ?? this.eventBus;

    // ---- SES -----------------------------------------------------------------------------------
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true, sendingEnabled: true });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: props.senderDomain ? Identity.domain(props.senderDomain) : Identity.email(props.senderAddress),
      configurationSet: this.configurationSet,
    });

    // ---- sender --------------------------------------------------------------------------------
    this.deadLetterQueue = new Queue(this, 'Dlq', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.sender = new SentinelFunction(this, 'Sender', {
      handlerFile: 'alert-sender.ts',
      description: 'Alert sender: claims outbox alerts and delivers them (SES, SNS, webhooks, EventBridge)',
      timeout: Duration.seconds(90),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      environment: {
        [ENV.ALERT_FROM_ADDRESS]: props.senderAddress,
        [ENV.ALERT_SES_CONFIGURATION_SET]: this.configurationSet.configurationSetName,
        [ENV.ALERT_TOPIC_ARN]: this.topic.topicArn,
        [ENV.ALERT_EVENT_BUS]: this.eventBus.eventBusName,
        [ENV.STOP_BEFORE_DEADLINE_MS]: '15000',
        ...(props.web ? { [ENV.WEB_BASE_URL]: props.web.baseUrl, [ENV.LINK_KEY_SECRET]: props.web.linkKey.secret.secretArn } : {}),
      },
    });
    props.table.grantReadWriteTo(this.sender);
    props.web?.linkKey.grantRead(this.sender);
    this.sender.addToRolePolicy(
      new PolicyStatement({
        sid: 'SendAlertEmail',
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.identity.emailIdentityName }),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ],
      }),
    );
    this.topic.grantPublish(this.sender);
    this.eventBus.grantPutEventsTo(this.sender);
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the ShipNow Sentinel alert sender',
      schedule: Schedule.rate(props.interval ?? Duration.minutes(1)),
      targets: [new LambdaTarget(this.sender, { retryAttempts: 2, maxEventAge: Duration.minutes(5), deadLetterQueue: this.deadLetterQueue })],
    });

    // ---- order-sync events -> alerts -------------------------------------------------------------
    this.syncAlerts = new SentinelFunction(this, 'SyncAlerts', {
      handlerFile: 'sync-alerts.ts',
      description: 'Turns "Order sync broken/recovered" events into outbox alerts',
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
    });
    props.table.grantReadWriteTo(this.syncAlerts);
    this.syncRule = new Rule(this, 'SyncEvents', {
      description: 'Order sync broken / recovered -> alerts',
      eventBus: syncBus,
      eventPattern: { source: [SYNC_EVENT_SOURCE], detailType: Object.values(SYNC_EVENT_DETAIL_TYPES) },
      targets: [new LambdaTarget(this.syncAlerts, { retryAttempts: 8, maxEventAge: Duration.hours(6), deadLetterQueue: this.deadLetterQueue })],
    });

    // ---- alarms (the observability construct routes them to the OPERATOR topic) -----------------
    const alarm = (alarmId: string, description: string, metric: Metric) =>
      new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      alarm(
        'DlqAlarm',
        'Alerting: alert-sender runs or "order sync broken" events failed after all retries and wait in the alerting DLQ. What to do: read the logs of the Sender and SyncAlerts functions around the alarm time and fix the cause; outbox alerts are retried by the next sender run on their own; for sync events, redrive the DLQ messages (they carry the seller and marketplace) or run `shipnow status` to see the broken syncs, then purge the DLQ.', this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })),
      alarm(
        'FailedAlarm',
        'Alerting: an alert could not be delivered through any channel of its seller (not even the stack topic) until it no longer mattered (its order\'s deadlines passed, or 72 h for alerts without one) and was marked failed; it is not retried. The "alert waited too long" alarm fired long before. What to do: find the seller in the Sender logs ("alerts sent", failed > 0), run `shipnow status --seller ID --table TABLE`, check the SES sending status of the alert sender and the seller\'s channels, and tell the seller directly about the orders concerned.',
        sentinelMetric(SENDER_METRIC.FAILED, 'Sum', Duration.minutes(5)),
      ),
      alarm(
        'ChannelBrokenAlarm',
        'Alerting: a seller channel (webhook, email address) failed permanently and was marked broken; alerts now skip it and use the next channel. What to do: find the seller and channel in the Sender logs ("alert channel broken"), have the seller fix the webhook URL / token or address, then clear the broken mark.',
        sentinelMetric(SENDER_METRIC.CHANNEL_BROKEN, 'Sum', Duration.minutes(5)),
      ),
    ];

    acknowledgeFunctionFindings([this.sender, this.syncAlerts], props.table);
    this.sender.acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to the KMS-encrypted topic needs GenerateDataKey* (all its variants); the grant is on the topic key only.',
    });
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
  }
}
