import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Alerting } from './constructs/alerting';
import { InboundMail } from './constructs/inbound-mail';
import { OrderSync } from './constructs/order-sync';
import { Reconciler } from './constructs/reconciler';
import { SentinelTable } from './constructs/sentinel-table';

/**
 * Everything ShipNow Sentinel deploys: the table, the SES inbound path, order sync, the
 * reconciler and alerting. Operator dashboards and alarm routing come with the observability work.
 */
export class SentinelStack extends Stack {
  readonly table: SentinelTable;
  readonly inboundMail: InboundMail;
  readonly reconciler: Reconciler;
  readonly alerting: Alerting;
  readonly orderSync: OrderSync;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = new SentinelTable(this, 'Data');
    this.inboundMail = new InboundMail(this, 'InboundMail', { table: this.table });
    this.reconciler = new Reconciler(this, 'Reconciler', { table: this.table });
    this.alerting = new Alerting(this, 'Alerting', {
      table: this.table,
      // `-c alertFrom=alerts@your-domain` (and `-c alertDomain=your-domain` to verify the domain).
      senderAddress: (this.node.tryGetContext('alertFrom') as string | undefined) ?? 'alerts@example.com',
      senderDomain: this.node.tryGetContext('alertDomain') as string | undefined,
    });
    this.orderSync = new OrderSync(this, 'OrderSync', {
      table: this.table,
      // Reports under reports/<sellerId>/ beside inbound/ (the prefixes do not overlap).
      bucket: this.inboundMail.bucket,
      // "Order sync broken" events go to the bus the alerting rule listens on.
      eventBus: this.alerting.eventBus,
    });
    this.alerting.notifyOn(
      this.reconciler.deadLetterAlarm,
      this.inboundMail.deadLetterAlarm,
      this.orderSync.staleSyncAlarm,
      ...this.orderSync.deadLetterAlarms,
    );
  }
}
