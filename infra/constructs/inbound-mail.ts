/**
 * The SES inbound path: a receipt rule for the inbound domain stores every message in S3, S3
 * announces it on an SQS queue (with a DLQ), and the intake Lambda processes it with partial
 * batch failures. See docs/inbound-mail.md for the choice of trigger and the DNS / Seller Central
 * setup.
 *
 *   SES receipt rule (scan on) --S3 action--> bucket `inbound/<messageId>` (SSE-S3, TLS only,
 *   expires after N days) --ObjectCreated--> SQS (SSE, TLS only) --> Lambda (batch, partial
 *   failures) ; after 5 failed receives a record moves to the DLQ (14 days).
 *
 * Context (props win): `inboundDomain` (default `inbound.shipnow.example`, so synth works offline),
 * `rawMailExpirationDays` (30), `maxMessageBytes` (10 MB), `activateRuleSet` (true),
 * `createDomainIdentity` (true).
 */
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import {
  EmailIdentity,
  Identity,
  ReceiptRule,
  ReceiptRuleSet,
  TlsPolicy,
  type IReceiptRuleAction,
  type ReceiptRuleActionConfig,
} from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from '../../functions/constants';
import { SentinelFunction } from './sentinel-function';
import type { SentinelTable } from './sentinel-table';

export const DEFAULT_INBOUND_DOMAIN = 'inbound.shipnow.example';
export const RAW_MAIL_PREFIX = 'inbound/';

export interface InboundMailProps {
  table: SentinelTable;
  /** Domain whose mail SES receives (MX record). Default: context `inboundDomain`, else a placeholder. */
  inboundDomain?: string;
  /** Raw mail is deleted from the bucket after this many days (default 30). */
  rawMailExpirationDays?: number;
  /** Larger messages are quarantined unread (default 10 MB). */
  maxMessageBytes?: number;
  /** Make this the account's active receipt rule set in the region (default true). */
  activateRuleSet?: boolean;
  /** Create the SES domain identity for the inbound domain (default true). */
  createDomainIdentity?: boolean;
}

export class InboundMail extends Construct {
  readonly bucket: Bucket;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: SentinelFunction;
  readonly ruleSet: ReceiptRuleSet;
  readonly rule: ReceiptRule;
  readonly inboundDomain: string;
  /** In alarm while any record waits in the DLQ: a message that could not be processed. */
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    const ctx = <T>(key: string): T | undefined => this.node.tryGetContext(key) as T | undefined;
    this.inboundDomain = (props.inboundDomain ?? ctx<string>('inboundDomain') ?? DEFAULT_INBOUND_DOMAIN).toLowerCase();
    const expirationDays = props.rawMailExpirationDays ?? numberContext(ctx('rawMailExpirationDays')) ?? 30;
    const maxMessageBytes = props.maxMessageBytes ?? numberContext(ctx('maxMessageBytes')) ?? 10 * 1024 * 1024;
    const activate = props.activateRuleSet ?? booleanContext(ctx('activateRuleSet')) ?? true;
    const createIdentity = props.createDomainIdentity ?? booleanContext(ctx('createDomainIdentity')) ?? true;
    if (!Number.isInteger(expirationDays) || expirationDays < 1) throw new Error(`rawMailExpirationDays must be a whole number >= 1 (got ${expirationDays})`);

    // ---- storage of the raw mail ----------------------------------------------------------------
    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the raw-mail bucket; logging it to itself would loop.',
    });

    this.bucket = new Bucket(this, 'RawMail', {
      // SSE-S3: SES's S3 action can write to it without a KMS key policy; the content never leaves
      // the account and expires after `expirationDays`.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'raw-mail/',
      lifecycleRules: [{ id: 'expire-raw-mail', prefix: RAW_MAIL_PREFIX, expiration: Duration.days(expirationDays) }],
      // Raw mail of the last days is evidence for replay; keep it if the stack is deleted.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- queue ----------------------------------------------------------------------------------
    const fnTimeout = Duration.seconds(60);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the intake queue; a DLQ of a DLQ would only move the problem.',
    });
    this.queue = new Queue(this, 'Arrivals', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // AWS guidance for Lambda event sources: at least 6x the function timeout.
      visibilityTimeout: Duration.seconds(fnTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    // Someone must look at a record in the DLQ (observability.ts routes this alarm to the operator topic).
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'Inbound mail: S3 "mail arrived" records failed 5 times and wait in the intake DLQ, so those emails were not processed. What to do: read the Intake function logs for the message IDs and fix the cause (see docs/inbound-mail.md); the raw mail is still in the bucket; then redrive the DLQ to the Arrivals queue (SQS console: Start DLQ redrive) or replay with `shipnow mail replay MESSAGE_ID --table TABLE`.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue), { prefix: RAW_MAIL_PREFIX });

    // ---- the Lambda -----------------------------------------------------------------------------
    this.function = new SentinelFunction(this, 'Intake', {
      handlerFile: 'inbound-mail.ts',
      description: 'ShipNow Sentinel: SES inbound mail (S3 -> SQS) -> intake',
      timeout: fnTimeout,
      // Not traced in any profile, like the sync worker: it runs once per email, so X-Ray would
      // trace nearly every one and be a per-seller cost (the target is <= $0.10 a seller-month,
      // `npm run cost`). Its log lines carry the message ID, S3 key and verdict of each email.
      tracing: Tracing.DISABLED,
      environment: {
        [ENV.MAIL_BUCKET]: this.bucket.bucketName,
        [ENV.INBOUND_DOMAIN]: this.inboundDomain,
        [ENV.MAX_MESSAGE_BYTES]: String(maxMessageBytes),
        [ENV.INTAKE_RETENTION_DAYS]: String(expirationDays + 15),
        ...props.table.environment(),
      },
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true }),
    );
    // Least privilege: read raw mail under the prefix only; the table with single-item calls and
    // Query (no Scan, no batch writes, no table management).
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${RAW_MAIL_PREFIX}*`)] }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        // The base table only: the intake never reads the due index.
        resources: [props.table.table.tableArn],
      }),
    );

    // ---- SES ------------------------------------------------------------------------------------
    if (createIdentity) {
      const identity = new EmailIdentity(this, 'Domain', { identity: Identity.domain(this.inboundDomain) });
      identity.dkimRecords.forEach((r, i) => {
        // Plain output keys (no construct-path hash): the deploy guide names them.
        new CfnOutput(this, `DkimRecord${i + 1}`, { value: `${r.name} CNAME ${r.value}`, description: 'DKIM CNAME to publish for the inbound domain' }).overrideLogicalId(`DkimRecord${i + 1}`);
      });
    }
    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet');
    this.rule = new ReceiptRule(this, 'Rule', {
      ruleSet: this.ruleSet,
      recipients: [this.inboundDomain],
      // Spam and virus verdicts are added to the stored message (X-SES-*-Verdict headers).
      scanEnabled: true,
      // Never refuse Amazon or a forwarding mailbox for lack of TLS: losing the notification is the
      // failure this project exists to catch. SPF/DKIM/DMARC still decide authenticity.
      tlsPolicy: TlsPolicy.OPTIONAL,
      actions: [new StoreRawMail(this.bucket, RAW_MAIL_PREFIX, this.ruleSet.receiptRuleSetName)],
    });

    if (activate) {
      // There is no CloudFormation resource for "the active rule set". On create/update this sets
      // it; on delete it calls SetActiveReceiptRuleSet without a name, which DEACTIVATES whatever
      // rule set is active in the account and region (SES refuses to delete an active rule set,
      // so the stack could not be removed otherwise). Only one rule set can be active per region:
      // activating this one replaces any other. See docs/inbound-mail.md.
      const activation = new AwsCustomResource(this, 'ActivateRuleSet', {
        onCreate: {
          service: 'SES',
          action: 'SetActiveReceiptRuleSet',
          parameters: { RuleSetName: this.ruleSet.receiptRuleSetName },
          physicalResourceId: PhysicalResourceId.of(`active-receipt-rule-set-${this.node.addr}`),
        },
        onUpdate: {
          service: 'SES',
          action: 'SetActiveReceiptRuleSet',
          parameters: { RuleSetName: this.ruleSet.receiptRuleSetName },
          physicalResourceId: PhysicalResourceId.of(`active-receipt-rule-set-${this.node.addr}`),
        },
        onDelete: { service: 'SES', action: 'SetActiveReceiptRuleSet', parameters: {} },
        // SetActiveReceiptRuleSet has no resource-level permissions: it can only be granted on '*'.
        policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
      });
      activation.node.addDependency(this.rule);
      Validations.of(activation).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ses:SetActiveReceiptRuleSet supports no resource-level permissions; the policy allows that single action.',
      });
    }

    new CfnOutput(this, 'MxRecord', {
      value: `${this.inboundDomain} MX 10 inbound-smtp.${Aws.REGION}.amazonaws.com`,
      description: 'MX record to publish for the inbound domain',
    }).overrideLogicalId('MxRecord');
    new CfnOutput(this, 'InboundDomain', { value: this.inboundDomain }).overrideLogicalId('InboundDomain');

    acknowledgeFunctionFindings(this.function, this.bucket);
    acknowledgeStackSingletons(Stack.of(this));
  }
}

/**
 * S3 action that stores the raw message, with a bucket policy narrower than aws-ses-actions' S3
 * (which checks only aws:SourceAccount): SES may write under the prefix only for receipt rules
 * of this rule set in this account (aws:SourceAccount + aws:SourceArn). The rule waits for the
 * policy, because SES checks that it can write when the rule is created.
 */
class StoreRawMail implements IReceiptRuleAction {
  constructor(
    private readonly bucket: Bucket,
    private readonly prefix: string,
    private readonly ruleSetName: string,
  ) {}

  bind(rule: IConstruct): ReceiptRuleActionConfig {
    const stack = Stack.of(this.bucket);
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesToStoreInboundMail',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${this.prefix}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:ses:${stack.region}:${stack.account}:receipt-rule-set/${this.ruleSetName}:receipt-rule/*`,
          },
        },
      }),
    );
    const policy = this.bucket.policy;
    if (policy) rule.node.addDependency(policy);
    return { s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: this.prefix } };
  }
}

function numberContext(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`context value must be a number (got ${String(v)})`);
  return n;
}

function booleanContext(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  return String(v).toLowerCase() === 'true';
}

function acknowledgeFunctionFindings(fn: SentinelFunction, bucket: Bucket): void {
  // No IAM4 here: SentinelFunction's role has no managed policy (logs go to its own group only).
  fn.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
  });
  fn.acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(fn).getLogicalId(bucket.node.defaultChild as never)}.Arn>/${RAW_MAIL_PREFIX}*]`,
    reason: 'Message objects are named by SES message ID, unknown in advance; read access is limited to the inbound/ prefix of this bucket.',
  });
}

/** Lambdas CDK adds once per stack (bucket notifications, AwsCustomResource provider). */
function acknowledgeStackSingletons(stack: Stack): void {
  for (const id of ['BucketNotificationsHandler050a0587b7544547bf325f094a3db834', 'AWS679f53fac002430cb0da5b7982bd2287']) {
    const c = stack.node.tryFindChild(id);
    if (!c) continue;
    const v = Validations.of(c);
    v.acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'CDK-provided deployment-time helper (not a project function): aws-cdk-lib gives its role the managed AWSLambdaBasicExecutionRole policy (logs on any log group) and offers no way to replace it; it runs only while CloudFormation deploys.',
    });
    v.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CDK-provided deployment-time helper: s3:PutBucketNotification / ses:SetActiveReceiptRuleSet, called only by CloudFormation.',
    });
    v.acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'CDK-provided deployment-time helper; its runtime is chosen and updated by aws-cdk-lib, not by this project.',
    });
  }
}
