import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/constants';
import { acknowledgeFunctionFindings, deadLetterAlarm } from './reconciler';
import { SentinelFunction } from './sentinel-function';
import type { SentinelTable } from './sentinel-table';

export interface WeeklyReportProps {
  table: SentinelTable;
}

/**
 * The weekly report: an hourly EventBridge rule runs the function, which queues each seller's
 * Monday report (from 09:00 in the seller's time zone, so every zone is served by the hour it
 * lands on) into the alert outbox; the alert sender delivers it. One outbox item per seller and
 * week: overlapping or retried runs queue nothing twice. Access: read/write on the one table
 * (sellers, hourly stats, the outbox). Failed runs land in a DLQ with an alarm; the next hourly
 * run of the same Monday catches up on its own.
 */
export class WeeklyReport extends Construct {
  readonly function: SentinelFunction;
  readonly schedule: Rule;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WeeklyReportProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'Dlq', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.function = new SentinelFunction(this, 'Function', {
      handlerFile: 'weekly-report.ts',
      description: "Weekly report: queues each seller's Monday summary into the alert outbox",
      timeout: Duration.minutes(5),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      environment: { [ENV.STOP_BEFORE_DEADLINE_MS]: '20000' },
    });
    props.table.grantReadWriteTo(this.function);
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the ShipNow Sentinel weekly report (hourly; each seller on Monday from 09:00 local time)',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaTarget(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(30), deadLetterQueue: this.deadLetterQueue })],
    });
    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      "Weekly report: scheduled runs failed after all retries. What to do: read the WeeklyReport function logs around the alarm time and fix the cause (DynamoDB errors, a permission removed by hand); every later hourly run on a seller's Monday queues what is missing, so nothing needs replaying; then purge the DLQ.",
    );
    acknowledgeFunctionFindings([this.function], props.table);
  }
}
