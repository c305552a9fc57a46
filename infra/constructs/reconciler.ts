import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/constants';
import { SentinelFunction } from './sentinel-function';
import type { SentinelTable } from './sentinel-table';

export interface ReconcilerProps {
  table: SentinelTable;
  /**
   * How often the reconciler runs (default every minute: with the sender started right after a
   * run that wrote alerts, an alert leaves at most about a minute after its grace period ends).
   */
  interval?: Duration;
  /** Function timeout (default 2 minutes); the run stops taking work `stopBeforeDeadline` before it. */
  timeout?: Duration;
  /** Default 15 s. */
  stopBeforeDeadline?: Duration;
}

/**
 * The scheduled reconciler: every `interval` an EventBridge rule invokes the reconciler function,
 * which reads only the due orders (sparse index), writes transitions and outbox alerts with
 * conditional writes. Overlapping runs are safe (each transition alerts once), so no reserved
 * concurrency is needed. Failed invocations (after the rule's and Lambda's retries) land in a DLQ
 * with an alarm. Access: read/write on the one table (orders, outbox, intake ledger read).
 */
export class Reconciler extends Construct {
  readonly function: SentinelFunction;
  readonly schedule: Rule;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(2);
    this.deadLetterQueue = new Queue(this, 'Dlq', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.function = new SentinelFunction(this, 'Function', {
      handlerFile: 'reconciler.ts',
      description: 'Reconciler: due orders -> status transitions, reminders and outbox alerts',
      timeout,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      environment: {
        [ENV.STOP_BEFORE_DEADLINE_MS]: String((props.stopBeforeDeadline ?? Duration.seconds(15)).toMilliseconds()),
      },
    });
    props.table.grantReadWriteTo(this.function);
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the ShipNow Sentinel reconciler',
      schedule: Schedule.rate(props.interval ?? Duration.minutes(1)),
      targets: [new LambdaTarget(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(10), deadLetterQueue: this.deadLetterQueue })],
    });
    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      'Reconciler: scheduled runs failed after all retries and wait in the reconciler DLQ. What to do: read the Reconciler function logs around the alarm time and fix the cause (DynamoDB throttling or errors, a permission removed by hand); due orders stay due, so the next successful run catches up on its own; then purge the DLQ (its messages are schedule events, nothing to replay).',
    );
    acknowledgeFunctionFindings([this.function], props.table);
  }
}

/**
 * After a run that wrote alerts, the reconciler invokes the alert sender asynchronously (issue 13,
 * time to alert): `lambda:InvokeFunction` on that one function (not its versions or aliases), and
 * its name in SENTINEL_ALERT_SENDER_FUNCTION.
 */
export function startSenderAfterAlerts(reconciler: Reconciler, sender: IFunction): void {
  reconciler.function.addToRolePolicy(
    new PolicyStatement({ sid: 'StartAlertSender', effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [sender.functionArn] }),
  );
  reconciler.function.addEnvironment(ENV.ALERT_SENDER_FUNCTION, sender.functionName);
}

/**
 * The alarm on the DLQ of a scheduled function (id `DlqAlarm`; any message in it: a run failed
 * after all its retries), saying what to do, and the finding of a queue that is itself a DLQ.
 */
export function deadLetterAlarm(scope: Construct, queue: Queue, description: string): Alarm {
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
  return new Alarm(scope, 'DlqAlarm', {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** The findings every Sentinel function shares, each with its reason. */
export function acknowledgeFunctionFindings(fns: SentinelFunction[], table: SentinelTable): void {
  const tableId = Stack.of(table).getLogicalId(table.table.node.defaultChild as CfnElement);
  for (const fn of fns) {
    // No IAM4 here: SentinelFunction's role has no managed policy (logs go to its own group only).
    fn.acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.' });
    fn.acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
      reason: 'Access to the Sentinel table includes its sparse due index (orders and the alert outbox); the index belongs to the same table definition.',
    });
  }
}
