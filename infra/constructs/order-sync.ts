import { ArnFormat, Duration, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule, EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_SECRETS_PREFIX, ENV } from '../../functions/constants';
import { ORDER_SYNC_METRICS } from '../../functions/metrics';
import { sentinelMetric } from './sentinel-metric';
import { REPORTS_PREFIX } from '../../functions/domain/order-sync';
import type { SellerSecrets } from './seller-secrets';
import { SentinelFunction } from './sentinel-function';
import type { SentinelTable } from './sentinel-table';

/**
 * Amazon's account that delivers SP-API notifications to SQS (the selling-partner-api-samples
 * notification stacks grant it `sqs:SendMessage`). Configurable in case Amazon documents others.
 */
export const SP_API_NOTIFICATION_ACCOUNTS = ['437568002678'];

export interface OrderSyncProps {
  table: SentinelTable;
  /** The bucket report files are uploaded to, under `reports/<sellerId>/`. */
  bucket: IBucket;
  /** How often every seller is synced (default 15 minutes). */
  interval?: Duration;
  /** Secrets Manager name prefix of the SP-API credentials (default `shipnow-sentinel/sp-api/`). */
  secretsPrefix?: string;
  /** The sellers' refresh tokens (SSM parameters); the worker reads `sp-api`. Absent: Secrets Manager only. */
  sellerSecrets?: SellerSecrets;
  /** Where "sync broken" events go (default: the account's default event bus). */
  eventBus?: IEventBus;
  /** Worker timeout (default 5 minutes); a run stops 15 s before it and resumes next interval. */
  workerTimeout?: Duration;
  /** Workers at most at once (default 100): well under the account's Lambda concurrency. */
  maxConcurrency?: number;
  /** AWS accounts allowed to send ORDER_CHANGE notifications to the queue. */
  notificationAccounts?: string[];
  /** The stale-sync alarm fires when the oldest successful sync (broken syncs excluded) is older than this many intervals, in 2 of 3 intervals (default 3). */
  staleAfterIntervals?: number;
}

/**
 * Order sync: an EventBridge schedule starts the dispatcher, which sends one message per active
 * seller to the sync queue; workers sync a seller each (partial batch failures, DLQ). Also the
 * Unshipped Orders report import (S3 `reports/` prefix) and the SP-API ORDER_CHANGE queue.
 * Every function gets exactly what it uses: table access through SentinelTable's helpers (which
 * set the table variable), `secretsmanager:GetSecretValue` on `<prefix>*` only, `events:PutEvents`
 * on one bus, read of `reports/*` only.
 */
export class OrderSync extends Construct {
  readonly schedule: Rule;
  readonly dispatcher: SentinelFunction;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker: SentinelFunction;
  readonly orderChangeQueue: Queue;
  readonly orderChangeDeadLetterQueue: Queue;
  readonly orderChangeFunction: SentinelFunction;
  readonly reportImport: SentinelFunction;
  readonly reportImportDeadLetterQueue: Queue;
  /** Failed scheduled dispatcher runs (EventBridge target DLQ and Lambda on-failure DLQ). */
  readonly dispatcherDeadLetterQueue: Queue;
  /** No successful sync of some seller (broken authorizations excluded) for `staleAfterIntervals` intervals, or the dispatcher stopped. */
  readonly staleSyncAlarm: Alarm;
  /** A message in any of the dead-letter queues. */
  readonly deadLetterAlarms: Alarm[];

  constructor(scope: Construct, id: string, props: OrderSyncProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const workerTimeout = props.workerTimeout ?? Duration.minutes(5);
    const secretsPrefix = props.secretsPrefix ?? DEFAULT_SECRETS_PREFIX;
    const eventBus = props.eventBus ?? EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    // ---- queues ---------------------------------------------------------------------------------
    const queueDefaults = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;
    this.deadLetterQueue = new Queue(this, 'SyncDlq', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    // Six times the worker timeout (AWS guidance for Lambda event sources).
    const syncVisibility = Duration.seconds(workerTimeout.toSeconds() * 6);
    const syncMaxReceives = 3;
    this.queue = new Queue(this, 'SyncQueue', {
      ...queueDefaults,
      visibilityTimeout: syncVisibility,
      // A message must live through every receive (each followed by a visibility timeout) to reach
      // the DLQ; with a shorter retention SQS deletes it first, the failed seller is dropped
      // silently and the DLQ alarm never fires. Receives + 1 visibility timeouts, plus an hour.
      // (A late duplicate is harmless: the worker holds a per-seller lease.)
      retentionPeriod: Duration.seconds(syncVisibility.toSeconds() * (syncMaxReceives + 1) + Duration.hours(1).toSeconds()),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: syncMaxReceives },
    });

    // ---- dispatcher + schedule -----------------------------------------------------------------
    // Failed scheduled runs (after EventBridge's and Lambda's retries) land here, as for the
    // reconciler and the alert sender: a dispatcher that keeps failing is never silent.
    this.dispatcherDeadLetterQueue = new Queue(this, 'DispatcherDlq', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    this.dispatcher = new SentinelFunction(this, 'Dispatcher', {
      handlerFile: 'sync-dispatcher.ts',
      description: 'Order sync: one SQS message per active seller, and the oldest-successful-sync metric',
      timeout: Duration.minutes(5),
      deadLetterQueue: this.dispatcherDeadLetterQueue,
      retryAttempts: 2,
      environment: { [ENV.SYNC_QUEUE_URL]: this.queue.queueUrl },
    });
    props.table.grantReadTo(this.dispatcher);
    this.queue.grantSendMessages(this.dispatcher);
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Starts the order sync of every seller',
      schedule: Schedule.rate(props.interval ?? Duration.minutes(15)),
      targets: [new LambdaTarget(this.dispatcher, { retryAttempts: 2, maxEventAge: Duration.minutes(10), deadLetterQueue: this.dispatcherDeadLetterQueue })],
    });

    // ---- worker ----------------------------------------------------------------------------------
    this.worker = new SentinelFunction(this, 'Worker', {
      handlerFile: 'sync-worker.ts',
      description: "Order sync: one seller's orders from the Selling Partner API",
      timeout: workerTimeout,
      // Not traced in any profile: it runs once per seller every sync interval, so X-Ray (whose
      // Lambda sampling, 1 a second + 5 %, cannot be configured) would trace nearly every run and
      // cost $0.016 per seller-month, more than the rest of the sync. Its log lines carry the
      // request IDs and the SP-API call timings instead.
      tracing: Tracing.DISABLED,
      environment: {
        [ENV.SP_API_SECRETS_PREFIX]: secretsPrefix,
        [ENV.SYNC_EVENT_BUS]: eventBus.eventBusName,
      },
    });
    props.table.grantReadWriteTo(this.worker);
    this.worker.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadSpApiCredentials',
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends a random 6-character suffix to secret ARNs, hence the wildcard.
        resources: [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${secretsPrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    // The seller's token from its parameter (old per-seller secrets above stay readable as the fallback).
    props.sellerSecrets?.grant(this.worker, 'read', ['sp-api']);
    eventBus.grantPutEventsTo(this.worker);
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 100,
      }),
    );

    // ---- ORDER_CHANGE notifications ------------------------------------------------------------
    this.orderChangeDeadLetterQueue = new Queue(this, 'OrderChangeDlq', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    // Standard queue (SP-API does not deliver to FIFO queues), SQS-managed encryption (a KMS key
    // would need a key policy for Amazon's account too).
    this.orderChangeQueue = new Queue(this, 'OrderChangeQueue', {
      ...queueDefaults,
      visibilityTimeout: Duration.minutes(3),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.orderChangeDeadLetterQueue, maxReceiveCount: 5 },
    });
    for (const account of props.notificationAccounts ?? SP_API_NOTIFICATION_ACCOUNTS) {
      this.orderChangeQueue.addToResourcePolicy(
        new PolicyStatement({
          sid: `AllowSpApiNotifications${account}`,
          effect: Effect.ALLOW,
          principals: [new AccountPrincipal(account)],
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          resources: [this.orderChangeQueue.queueArn],
        }),
      );
    }
    this.orderChangeFunction = new SentinelFunction(this, 'OrderChange', {
      handlerFile: 'order-change.ts',
      description: 'SP-API ORDER_CHANGE notifications: update the order at once',
      timeout: Duration.seconds(30),
    });
    props.table.grantReadWriteTo(this.orderChangeFunction);
    this.orderChangeFunction.addEventSource(new SqsEventSource(this.orderChangeQueue, { batchSize: 10, reportBatchItemFailures: true }));

    // ---- report import ---------------------------------------------------------------------------
    this.reportImportDeadLetterQueue = new Queue(this, 'ReportImportDlq', { ...queueDefaults, retentionPeriod: Duration.days(14) });
    this.reportImport = new SentinelFunction(this, 'ReportImport', {
      handlerFile: 'report-import.ts',
      description: 'Imports Unshipped Orders reports uploaded under reports/<sellerId>/',
      timeout: Duration.minutes(5),
      memorySize: 1024,
      retryAttempts: 2,
      deadLetterQueue: this.reportImportDeadLetterQueue,
    });
    props.table.grantReadWriteTo(this.reportImport);
    // GetObject on the reports prefix only (Bucket.grantRead would add List*/GetBucket*).
    this.reportImport.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadReports',
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects(`${REPORTS_PREFIX}*`)],
      }),
    );
    props.bucket.encryptionKey?.grantDecrypt(this.reportImport);
    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.reportImport), { prefix: REPORTS_PREFIX });

    // ---- alarms (actions are attached by the alerting work) -------------------------------------
    const interval = props.interval ?? Duration.minutes(15);
    const staleAfter = props.staleAfterIntervals ?? 3;
    // The dispatcher reports the metric once per interval. Sellers whose sync is marked broken
    // (revoked authorization) are left out of it by the dispatcher: they have their own seller
    // alert and the BrokenSyncs metric, and would otherwise keep this alarm red and hide a real
    // outage. 2 of the last 3 intervals must breach: one interval without a datapoint (schedule
    // jitter, a deployment) does not page; two without any, i.e. a dispatcher silent for two
    // intervals, still does (missing data breaches).
    this.staleSyncAlarm = new Alarm(this, 'StaleSyncAlarm', {
      alarmDescription:
        `Order sync: some seller and marketplace has had no successful order sync for ${staleAfter} intervals (${interval.toMinutes() * staleAfter} min), or the dispatcher stopped reporting, in 2 of the last 3 intervals. ` +
        'Sellers whose authorization is broken are not counted here (they get a seller alert; see BrokenSyncs on the dashboard). ' +
        'Without fresh orders no missing email can be detected. What to do: run `shipnow status --table TABLE` to see which sellers; ' +
        'check the Dispatcher and Worker logs and Lambda errors/throttles on the dashboard, the SyncDlq and DispatcherDlq, and SP-API throttling (ThrottledCalls).',
      metric: sentinelMetric(ORDER_SYNC_METRICS.OLDEST_SUCCESSFUL_SYNC_AGE, 'Maximum', interval),
      threshold: interval.toSeconds() * staleAfter,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      // No data means the dispatcher did not run: that is a stopped sync too.
      treatMissingData: TreatMissingData.BREACHING,
    });
    const dlqs: Array<[string, Queue, string]> = [
      [
        'DispatcherDlqAlarm',
        this.dispatcherDeadLetterQueue,
        'Order sync: scheduled dispatcher runs failed after all retries and wait in the DispatcherDlq, so no seller was dispatched for those intervals (the stale-sync alarm follows). What to do: read the Dispatcher logs around the alarm time and fix the cause (DynamoDB or SQS errors, a permission removed by hand); the next scheduled run dispatches every seller again, so purge the DLQ once fixed (its messages are schedule events, nothing to replay).',
      ],
      [
        'SyncDlqAlarm',
        this.deadLetterQueue,
        'Order sync: per-seller sync messages failed 3 times and wait in the SyncDlq. What to do: read the Worker logs for the seller IDs and fix the cause; the next schedule dispatches every seller again, so purge the DLQ once fixed (no need to redrive).',
      ],
      [
        'OrderChangeDlqAlarm',
        this.orderChangeDeadLetterQueue,
        'Order sync: SP-API ORDER_CHANGE notifications failed 5 times and wait in the OrderChangeDlq. What to do: read the OrderChange function logs, fix the cause, then redrive the DLQ to the OrderChangeQueue (the scheduled sync also picks the orders up within an interval).',
      ],
      [
        'ReportImportDlqAlarm',
        this.reportImportDeadLetterQueue,
        'Order sync: report uploads under reports/ could not be imported after retries (ReportImportDlq). What to do: read the ReportImport logs for the file key, fix the file or the cause, then upload the report again (or import it with `shipnow orders import FILE --seller ID --table TABLE`) and purge the DLQ.',
      ],
    ];
    this.deadLetterAlarms = dlqs.map(
      ([alarmId, q, description]) =>
        new Alarm(this, alarmId, {
          alarmDescription: description,
          metric: q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );

    this.acknowledgeFindings(props.table, props.bucket, secretsPrefix);
  }

  /** cdk-nag findings that are deliberate, each with its reason next to the resource. */
  private acknowledgeFindings(table: SentinelTable, bucket: IBucket, secretsPrefix: string): void {
    const stack = Stack.of(this);
    for (const q of [this.deadLetterQueue, this.orderChangeDeadLetterQueue, this.dispatcherDeadLetterQueue]) {
      Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
    }
    Validations.of(this.reportImportDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'Dead-letter queue of the report-import function (asynchronous invocations); a DLQ of its own would only move the question.',
    });
    const tableId = stack.getLogicalId(table.table.node.defaultChild as CfnElement);
    for (const fn of [this.dispatcher, this.worker, this.orderChangeFunction, this.reportImport]) {
      // No IAM4 here: SentinelFunction's role has no managed policy (logs go to its own group only).
      fn.acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      });
      fn.acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        reason: 'Access to the Sentinel table includes its sparse due index; the index belongs to the same table definition.',
      });
    }
    // cdk-nag names the resource as rendered: concrete when the stack has an env, tokens otherwise.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    this.worker.acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${secretsPrefix}*]`,
      reason:
        'One secret per seller under a fixed name prefix; Secrets Manager adds a random suffix to every secret ARN, so a prefix wildcard is the narrowest grant.',
    });
    // The Lambda CDK adds once per stack to configure bucket notifications (also acknowledged by
    // InboundMail when both are in the stack; acknowledging twice is harmless).
    const notificationsHandler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            'CDK-provided deployment-time helper (not a project function): aws-cdk-lib gives its role the managed AWSLambdaBasicExecutionRole policy (logs on any log group) and offers no way to replace it; it runs only while CloudFormation deploys.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'CDK-provided deployment-time helper: s3:PutBucketNotification, called only by CloudFormation.',
        },
        {
          id: 'AwsSolutions-L1',
          reason: 'CDK-provided deployment-time helper; its runtime is chosen and updated by aws-cdk-lib, not by this project.',
        },
      );
    }
    this.reportImport.acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/${REPORTS_PREFIX}*]`,
      reason: 'Reads the report files every seller uploads under reports/<sellerId>/: the prefix is the narrowest fixed scope.',
    });
  }
}
