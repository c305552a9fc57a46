import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../functions/constants';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import {
  DUE_INDEX_NAME,
  DUE_PARTITION_KEY,
  DUE_SORT_KEY,
  PARTITION_KEY,
  SORT_KEY,
  TTL_ATTRIBUTE,
} from '../../functions/adapters/dynamodb/keys';

/** The DynamoDB calls the adapters make (functions/adapters/dynamodb-*.ts); nothing scans. */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/**
 * The one table of ShipNow Sentinel: sellers, orders, notifications, with the sparse due index.
 * Key names come from functions/adapters/dynamodb/keys.ts, the definition the code and the local
 * server use too. No physical name, so two stages do not collide on its name. Retained when the
 * stack is deleted: it holds the sellers' history.
 */
export interface SentinelTableProps {
  /**
   * Days DynamoDB's TTL keeps a notification after it arrived, and a closed order (shipped or
   * cancelled, nothing due) after the last thing known about it. Default 90 each: well past the
   * 30-day auto-cancel window and the 7-day diagnosis window.
   */
  notificationRetentionDays?: number;
  closedOrderRetentionDays?: number;
  /**
   * Grace period (minutes) after the expected time before an email counts as missing. Part of the
   * order policy: the intake, order sync, report import and ORDER_CHANGE store `alertAfter` with
   * it, the reconciler and the alert sender use it, so every function of the table gets the same
   * value from here. Default: the domain default (DEFAULT_POLICY.graceMinutes, 60).
   */
  graceMinutes?: number;
}

export class SentinelTable extends Construct {
  readonly table: TableV2;
  readonly notificationRetentionDays: number;
  readonly closedOrderRetentionDays: number;
  readonly graceMinutes: number;

  constructor(scope: Construct, id: string, props: SentinelTableProps = {}) {
    super(scope, id);
    this.notificationRetentionDays = props.notificationRetentionDays ?? 90;
    this.closedOrderRetentionDays = props.closedOrderRetentionDays ?? 90;
    this.graceMinutes = props.graceMinutes ?? DEFAULT_POLICY.graceMinutes;
    if (!Number.isInteger(this.graceMinutes) || this.graceMinutes < 0) throw new Error(`graceMinutes must be a whole number >= 0 (got ${this.graceMinutes})`);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [
        {
          indexName: DUE_INDEX_NAME,
          partitionKey: { name: DUE_PARTITION_KEY, type: AttributeType.STRING },
          sortKey: { name: DUE_SORT_KEY, type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        },
      ],
    });
  }

  /**
   * Grant read/write and set the table-name variable in one call, so the two cannot drift.
   * Exactly the calls the functions make (single-item conditional writes, Query; BatchWriteItem
   * is only for seeding and the local check, never a Lambda) on the table and its indexes: no Scan, no streams, no DescribeTable
   * (TableV2's grantReadWriteData would add them).
   */
  grantReadWriteTo(fn: LambdaFunction): void {
    this.table.grant(fn, ...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS);
    for (const [k, v] of Object.entries(this.environment())) fn.addEnvironment(k, v);
  }

  /**
   * What a function of the table must know: its name, the retention of its items, and the grace
   * period of the order policy (the stored `alertAfter` depends on it). The one place these are
   * set, so no function can run with another policy than the others.
   */
  environment(): Record<string, string> {
    return {
      [ENV.TABLE_NAME]: this.table.tableName,
      [ENV.NOTIFICATION_RETENTION_DAYS]: String(this.notificationRetentionDays),
      [ENV.CLOSED_ORDER_RETENTION_DAYS]: String(this.closedOrderRetentionDays),
      [ENV.GRACE_MINUTES]: String(this.graceMinutes),
    };
  }

  /** Read-only variant for functions that only look (same environment, so the policy is the same everywhere). */
  grantReadTo(fn: LambdaFunction & IGrantable): void {
    this.table.grant(fn, ...TABLE_READ_ACTIONS);
    for (const [k, v] of Object.entries(this.environment())) fn.addEnvironment(k, v);
  }
}
