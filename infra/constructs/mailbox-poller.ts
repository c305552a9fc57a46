import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/constants';
import { acknowledgeFunctionFindings, deadLetterAlarm } from './reconciler';
import { SentinelFunction } from './sentinel-function';
import type { SellerSecrets } from './seller-secrets';
import type { SentinelTable } from './sentinel-table';

export interface MailboxPollerProps {
  table: SentinelTable;
  /** How often every connected mailbox is read (default 5 minutes, like the reconciler). */
  interval?: Duration;
  /** The stack's per-seller secrets (the mailbox passwords are `<prefix>seller/<id>/imap`). */
  sellerSecrets: SellerSecrets;
  /** Run on schedule (default true; a run with no connected mailbox reads one query page). */
  enabled?: boolean;
}

/**
 * The scheduled mailbox poller (issue 14): every `interval` it reads each connected seller's
 * mailbox over IMAP (outbound TLS to the provider, port 993; no VPC), takes in new Sold, Ship Now
 * emails after the last UID and probes the orders about to be alerted. Overlapping runs are safe
 * (the intake ledger keeps each message once; cursors only move forward). Failed invocations land
 * in a DLQ with an alarm. Access: the table, and read of the sellers' secrets only.

 */
export class MailboxPoller extends Construct {
  readonly function: SentinelFunction;
  readonly schedule: Rule;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: MailboxPollerProps) {
    super(scope, id);
    const timeout = Duration.minutes(5);
    this.deadLetterQueue = new Queue(this, 'Dlq', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.function = new SentinelFunction(this, 'Function', {
      handlerFile: 'mailbox-poller.ts',
      description: "Mailbox poller: sellers' IMAP mailboxes -> Sold, Ship Now intake and the mailbox probe",
      timeout,
      memorySize: 512,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 0,
      environment: {
        [ENV.STOP_BEFORE_DEADLINE_MS]: String(Duration.seconds(30).toMilliseconds()),
      },
    });
    props.table.grantReadWriteTo(this.function);

    // Read (never write) of the sellers' mailbox passwords: SSM SecureString parameters
    // `<prefix>seller/*/imap` (SellerSecrets), and the two variables the wiring reads.
    props.sellerSecrets.grant(this.function, 'read', ['imap']);

    this.schedule = new Rule(this, 'Schedule', {
      description: "Reads ShipNow Sentinel sellers' connected mailboxes",
      schedule: Schedule.rate(props.interval ?? Duration.minutes(5)),
      enabled: props.enabled ?? true,
      targets: [new LambdaTarget(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(10), deadLetterQueue: this.deadLetterQueue })],
    });
    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      "Mailbox poller: scheduled runs failed and wait in its DLQ. What to do: read the MailboxPoller function logs (a seller's wrong password or an unreachable provider is NOT a failure: it is logged and the seller is told; this is the table, a permission or a bug); missing orders are still alerted without the mailbox's evidence; the next run catches up; then purge the DLQ (schedule events, nothing to replay).",
    );
    acknowledgeFunctionFindings([this.function], props.table);
  }
}
