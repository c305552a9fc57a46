import { MailboxPoller } from './constructs/mailbox-poller';
import { Aspects, CfnOutput, CfnResource, Duration, Stack, type IAspect, type StackProps } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { REPORTS_PREFIX } from '../functions/domain/order-sync';
import { loadConfig, type SentinelConfig } from './config';
import { addDeployGuards } from './deploy-guards';
import { PROFILE_CONTEXT } from './profile';
import { Alerting } from './constructs/alerting';
import { WeeklyReport } from './constructs/weekly-report';
import { InboundMail } from './constructs/inbound-mail';
import { Observability } from './constructs/observability';
import { OrderSync } from './constructs/order-sync';
import { Reconciler, startSenderAfterAlerts } from './constructs/reconciler';
import { SELLER_SECRETS_ID, SellerSecrets } from './constructs/seller-secrets';
import { SentinelTable } from './constructs/sentinel-table';
import { SellerWeb } from './constructs/seller-web';

export interface SentinelStackProps extends StackProps {
  /**
   * The validated configuration (infra/config.ts). Default: read from the CDK context, so
   * `new SentinelStack(app, id)` behaves like `cdk synth` with the same `-c` values.
   */
  config?: SentinelConfig;
}

/**
 * Everything ShipNow Sentinel deploys: the table, the SES inbound path, order sync, the
 * reconciler, alerting, and the operator's dashboard and alarms (to the operator's topic, never
 * the sellers'). No physical names anywhere, so two stages do not collide on names; but SES has one
 * active receipt rule set per account and region, so a second stage in the same account needs
 * another region for inbound mail or `-c activateRuleSet=false` (docs/inbound-mail.md). The
 * table and the raw-mail bucket are retained when the stack is deleted.
 */
export class SentinelStack extends Stack {
  readonly config: SentinelConfig;
  readonly table: SentinelTable;
  readonly inboundMail: InboundMail;
  readonly reconciler: Reconciler;
  readonly alerting: Alerting;
  readonly weeklyReport: WeeklyReport;
  readonly orderSync: OrderSync;
  readonly observability: Observability;
  /** The sellers' secrets (SSM parameters); any function: `grantSellerSecrets(fn, 'read' | 'write')`. */
  readonly sellerSecrets: SellerSecrets;
  readonly mailboxPoller: MailboxPoller;
  readonly sellerWeb: SellerWeb;

  constructor(scope: Construct, id: string, props: SentinelStackProps = {}) {
    super(scope, id, props);
    const config = (this.config = props.config ?? loadConfig(this.node));
    // Before any child: every construct below reads the profile (infra/profile.ts).
    this.node.setContext(PROFILE_CONTEXT, config.profile);
    const syncInterval = Duration.minutes(config.syncIntervalMinutes);
    const reconcileInterval = Duration.minutes(config.reconcileIntervalMinutes);
    const alertInterval = Duration.minutes(config.alertIntervalMinutes);
    // Placeholders synthesise (offline, fresh clone) but CloudFormation refuses to deploy them.
    addDeployGuards(this, config);

    this.sellerSecrets = new SellerSecrets(this, SELLER_SECRETS_ID, {
      prefix: config.sellerSecretsPrefix,
      customerManagedKey: config.profile !== 'lean',
    });
    this.table = new SentinelTable(this, 'Data', {
      notificationRetentionDays: config.notificationRetentionDays,
      closedOrderRetentionDays: config.closedOrderRetentionDays,
      // The order policy every function of the table shares (SentinelTable.environment()).
      ...(config.graceMinutes !== undefined ? { graceMinutes: config.graceMinutes } : {}),
    });
    this.inboundMail = new InboundMail(this, 'InboundMail', {
      table: this.table,
      inboundDomain: config.inboundDomain,
      rawMailExpirationDays: config.rawMailExpirationDays,
      activateRuleSet: config.activateRuleSet,
      createDomainIdentity: config.createDomainIdentity,
      ...(config.maxMessageBytes !== undefined ? { maxMessageBytes: config.maxMessageBytes } : {}),
    });
    this.reconciler = new Reconciler(this, 'Reconciler', {
      table: this.table,
      interval: reconcileInterval,
    });
    this.alerting = new Alerting(this, 'Alerting', {
      table: this.table,
      senderAddress: config.alertFrom,
      ...(config.alertDomain ? { senderDomain: config.alertDomain } : {}),
      interval: alertInterval,
    });
    // Time to alert: the reconciler starts the sender as soon as it has written alerts.
    startSenderAfterAlerts(this.reconciler, this.alerting.sender);
    this.weeklyReport = new WeeklyReport(this, 'WeeklyReport', { table: this.table });
    this.orderSync = new OrderSync(this, 'OrderSync', {
      table: this.table,
      // Reports under reports/<sellerId>/ beside inbound/ (the prefixes do not overlap).
      bucket: this.inboundMail.bucket,
      // "Order sync broken" events go to the bus the alerting rule listens on.
      eventBus: this.alerting.eventBus,
      sellerSecrets: this.sellerSecrets,
      interval: syncInterval,
      // Issue 6: the operator hears of a stopped sync after two intervals without success.
      staleAfterIntervals: 2,
    });
    // Issue 14: sellers' connected IMAP mailboxes, read every 5 minutes (intake and the probe).
    this.mailboxPoller = new MailboxPoller(this, 'MailboxPoller', { table: this.table, sellerSecrets: this.sellerSecrets });
    // Uploaded Unshipped Orders reports carry buyer names and addresses (the importer drops them,
    // the file keeps them): they expire with the raw mail.
    this.inboundMail.bucket.addLifecycleRule({
      id: 'expire-order-reports',
      prefix: REPORTS_PREFIX,
      expiration: Duration.days(config.rawMailExpirationDays),
    });

    // The seller's pages (issue 15): website authorization, setup, status, acknowledge.
    this.sellerWeb = new SellerWeb(this, 'SellerWeb', {
      table: this.table,
      sellerSecrets: this.sellerSecrets,
      inboundDomain: config.inboundDomain,
      ...(config.spApiApplicationId ? { applicationId: config.spApiApplicationId } : {}),
      draftApp: config.spApiDraftApp,
      // `-c webBaseUrl`: where sellers reach the pages when not at the Function URL (a CloudFront alias).
      ...(config.webBaseUrl ? { publicOrigin: config.webBaseUrl } : {}),
    });
    // One link key (the web's): the sender signs the "handled" / "snooze" links of alerts and the
    // status link of weekly reports with it, at send time; the pages check them.
    this.sellerWeb.grantLinkSigning(this.alerting.sender);

    const { inboundMail: mail, reconciler, alerting, orderSync: sync, mailboxPoller: poller } = this;
    if (config.profile === 'lean') {
      // Lean (at most 10 alarms): the constructs' per-queue DLQ alarms and the two delivery alarms
      // are replaced by one "any DLQ" and one "delivery failing" alarm (Observability), so they are
      // taken out of the tree before synthesis.
      for (const a of [mail.deadLetterAlarm, reconciler.deadLetterAlarm, poller.deadLetterAlarm, this.weeklyReport.deadLetterAlarm, ...sync.deadLetterAlarms, ...alerting.alarms]) a.node.scope?.node.tryRemoveChild(a.node.id);
    }
    // Every dead-letter queue of the stack: on the dashboard, and a stack output each (the ARN the
    // redrive in docs/operations.md needs). `redrive`: an SQS queue's DLQ (start-message-move-task
    // moves messages back); otherwise it holds failed schedule/event invocations (nothing to replay).
    const deadLetterQueues = [
      { output: 'IntakeDlqArn', label: 'Inbound mail DLQ', queue: mail.deadLetterQueue, partialBatch: true, redrive: 'redrive to the Arrivals queue after the fix (or `shipnow mail replay`)' },
      { output: 'ReconcilerDlqArn', label: 'Reconciler DLQ', queue: reconciler.deadLetterQueue, redrive: 'schedule events: purge after the fix (the next run catches up)' },
      { output: 'AlertingDlqArn', label: 'Alerting DLQ', queue: alerting.deadLetterQueue, redrive: 'sender runs (purge) and "order sync broken" events (re-send with aws events put-events)' },
      { output: 'SyncDlqArn', label: 'Order sync DLQ', queue: sync.deadLetterQueue, partialBatch: true, redrive: 'redrive to the sync queue, or purge (the next schedule dispatches every seller)' },
      { output: 'OrderChangeDlqArn', label: 'ORDER_CHANGE DLQ', queue: sync.orderChangeDeadLetterQueue, partialBatch: true, redrive: 'redrive to the OrderChange queue after the fix' },
      { output: 'ReportImportDlqArn', label: 'Report import DLQ', queue: sync.reportImportDeadLetterQueue, redrive: 'S3 events: upload the report again, then purge' },
      { output: 'DispatcherDlqArn', label: 'Order sync dispatcher DLQ', queue: sync.dispatcherDeadLetterQueue, redrive: 'schedule events: purge after the fix' },
      { output: 'WeeklyReportDlqArn', label: 'Weekly report DLQ', queue: this.weeklyReport.deadLetterQueue, redrive: 'schedule events: purge after the fix (later runs that Monday catch up)' },
      { output: 'MailboxPollerDlqArn', label: 'Mailbox poller DLQ', queue: poller.deadLetterQueue, redrive: 'schedule events: purge after the fix (the next run resumes from the stored UIDs)' },
    ];
    this.observability = new Observability(this, 'Observability', {
      functions: [
        { label: 'Inbound mail intake', purpose: 'reads each email SES stored and records the Sold, Ship Now notification; when it fails, emails are not matched to their orders.', fn: mail.function },
        { label: 'Reconciler', purpose: 'marks orders whose email did not come as missing and raises alerts; when it fails, no missing email is detected.', fn: reconciler.function },
        { label: 'Alert sender', purpose: 'delivers alerts to the sellers\' channels; when it fails, sellers are not told.', fn: alerting.sender },
        { label: 'Sync alerts', purpose: 'turns "order sync broken" events into seller alerts.', fn: alerting.syncAlerts },
        { label: 'Order sync dispatcher', purpose: 'starts every seller\'s order sync on schedule and measures the oldest successful sync.', fn: sync.dispatcher },
        { label: 'Order sync worker', purpose: 'fetches one seller\'s orders from the Selling Partner API; when it fails, new orders are not known.', fn: sync.worker },
        { label: 'ORDER_CHANGE notifications', purpose: 'applies SP-API order-change notifications at once.', fn: sync.orderChangeFunction },
        { label: 'Report import', purpose: 'imports Unshipped Orders reports uploaded under reports/.', fn: sync.reportImport },
        { label: 'Mailbox poller', purpose: 'reads sellers\' connected IMAP mailboxes for Sold, Ship Now emails and probes where missing ones went; when it fails, missing orders are still alerted, without the mailbox\'s evidence.', fn: poller.function },
        { label: 'Seller web', purpose: "serves the sellers' pages (authorize, setup, status, acknowledge); when it fails, sellers cannot onboard or answer alerts.", fn: this.sellerWeb.function },
        { label: 'Weekly report', purpose: "queues each seller's Monday summary; when it fails, sellers get no weekly report.", fn: this.weeklyReport.function },
      ],
      queues: [
        { label: 'Inbound mail arrivals', queue: mail.queue },
        { label: 'Order sync (one message per seller)', queue: sync.queue },
        { label: 'ORDER_CHANGE notifications', queue: sync.orderChangeQueue },
      ],
      deadLetterQueues: deadLetterQueues.map(({ label, queue, partialBatch }) => ({ label, queue, ...(partialBatch ? { partialBatch } : {}) })),
      alarms: config.profile === 'lean' ? [sync.staleSyncAlarm] : [mail.deadLetterAlarm, reconciler.deadLetterAlarm, poller.deadLetterAlarm, ...sync.deadLetterAlarms, sync.staleSyncAlarm, ...alerting.alarms, this.weeklyReport.deadLetterAlarm],
      reconciler: reconciler.function,
      reconcileInterval,
      alertSender: alerting.sender,
      alertInterval,
      syncInterval,
      mailSilence: Duration.hours(config.mailSilenceHours),
      alertMaxWait: Duration.minutes(config.alertMaxWaitMinutes),
      ...(config.alarmTopicArn ? { alarmTopicArn: config.alarmTopicArn } : {}),
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    // What the deploy guide (docs/operations.md) and `shipnow` need after a deployment.
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'DynamoDB table: `shipnow ... --table <TableName>`' });
    new CfnOutput(this, 'MailBucket', { value: mail.bucket.bucketName, description: 'Raw inbound mail (inbound/) and uploaded Unshipped Orders reports (reports/<sellerId>/)' });
    new CfnOutput(this, 'OperatorTopicArn', { value: this.observability.topic.topicArn, description: 'SNS topic every operator alarm goes to (subscribe your on-call here)' });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName, description: 'CloudWatch dashboard of this stage' });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.observability.dashboard.dashboardName}`,
      description: 'Link to the CloudWatch dashboard',
    });
    for (const d of deadLetterQueues) {
      new CfnOutput(this, d.output, { value: d.queue.queueArn, description: `${d.label}: ${d.redrive}` }).overrideLogicalId(d.output);
    }

    // Every function's logs in a log group with the configured retention, including the
    // deployment-time helpers CDK adds (bucket notifications, the rule-set activation).
    Aspects.of(this).add(new LogRetention(config.logRetentionDays as RetentionDays));
  }
}

/**
 * Sets the retention of every log group, and gives every Lambda function that has no log group
 * of its own (CDK's singleton helpers) one with that retention, so no log is kept forever.
 */
export class LogRetention implements IAspect {
  constructor(private readonly days: RetentionDays) {}

  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup) {
      node.retentionInDays = this.days;
      return;
    }
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    if (node instanceof CfnFunction) {
      const cfg = node.loggingConfig as CfnFunction.LoggingConfigProperty | undefined;
      if (cfg?.logGroup) return;
    }
    const scope = node.node.scope as Construct;
    const id = `${node.node.id}LogGroup`;
    if (scope.node.tryFindChild(id)) return;
    const group = new LogGroup(scope, id, { retention: this.days });
    node.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
  }
}
