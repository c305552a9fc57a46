import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/constants';
import { acknowledgeFunctionFindings, deadLetterAlarm } from './reconciler';
import { SentinelFunction } from './sentinel-function';
import type { SentinelTable } from './sentinel-table';

export interface MailboxPollerProps {
  table: SentinelTable;
  /** How often every connected mailbox is read (default 5 minutes, like the reconciler). */
  interval?: Duration;
  /** Name prefix of the per-seller SSM parameters, e.g. `/shipnow-sentinel/` (the parameters are `<prefix>seller/<id>/imap`). */
  secretsParameterPrefix: string;
  /**
   * Run on schedule. Default false until the AWS SellerSecretStore is wired into
   * `wireMailboxPoller` (functions/wiring.ts): without it the function refuses to start.
   */
  enabled?: boolean;
}

/**
 * The scheduled mailbox poller (issue 14): every `interval` it reads each connected seller's
 * mailbox over IMAP (outbound TLS to the provider, port 993; no VPC), takes in new Sold, Ship Now
 * emails after the last UID and probes the orders about to be alerted. Overlapping runs are safe
 * (the intake ledger keeps each message once; cursors only move forward). Failed invocations land
 * in a DLQ with an alarm. Access: the table, and read of the sellers' secrets only.
 *
 * Not yet part of SentinelStack: the merge adds `new MailboxPoller(this, 'MailboxPoller', { table,
 * secretsParameterPrefix })` and its function and DLQ to Observability, together with the AWS
 * SellerSecretStore.
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

    // ---- MERGE(i13b): seller secrets -------------------------------------------------------------
    // Read (never write) of the sellers' secrets, SSM SecureString parameters under
    // `<prefix>seller/*` encrypted with the account's aws/ssm key; adjust to the store as merged.
    const stack = Stack.of(this);
    const prefix = props.secretsParameterPrefix.replace(/^\/+/, '');
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${prefix}seller/*` })],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [stack.formatArn({ service: 'kms', resource: 'alias', resourceName: 'aws/ssm' })],
        conditions: { StringEquals: { 'kms:ViaService': `ssm.${stack.region}.amazonaws.com` } },
      }),
    );
    // ---- end MERGE(i13b) ---------------------------------------------------------------------------

    this.schedule = new Rule(this, 'Schedule', {
      description: "Reads ShipNow Sentinel sellers' connected mailboxes",
      schedule: Schedule.rate(props.interval ?? Duration.minutes(5)),
      enabled: props.enabled ?? false,
      targets: [new LambdaTarget(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(10), deadLetterQueue: this.deadLetterQueue })],
    });
    this.deadLetterAlarm = deadLetterAlarm(
      this,
      this.deadLetterQueue,
      "Mailbox poller: scheduled runs failed and wait in its DLQ. What to do: read the MailboxPoller function logs (a seller's wrong password or an unreachable provider is NOT a failure: it is logged and the seller is told; this is the table, a permission or a bug); missing orders are still alerted without the mailbox's evidence; the next run catches up; then purge the DLQ (schedule events, nothing to replay).",
    );
    acknowledgeFunctionFindings([this.function], props.table);
    this.function.acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${shown(stack.region, '<AWS::Region>')}:${shown(stack.account, '<AWS::AccountId>')}:parameter/${prefix}seller/*]`,
      reason: 'One parameter per seller and secret: the poller reads every connected seller\'s, and only under the seller/ prefix.',
    });
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });
  }
}

/** How cdk-nag writes a value in a finding ID: the value, or its pseudo-parameter when it is a token. */
function shown(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? pseudo : value;
}
