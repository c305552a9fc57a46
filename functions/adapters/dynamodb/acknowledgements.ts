/**
 * AcknowledgementStore on the one table: a seller's "handled" / "snooze" answer is kept ON the
 * order item (attribute `acknowledgement`), written with one UpdateItem that is conditional on the
 * order existing, so an answer for an order that is not there (a forged or stale link, a typo in
 * the CLI) creates nothing and is reported as 'unknown-order'.
 *
 * The write also bumps the order's `version`: every other writer of the order (the reconciler,
 * the email intake, the order sync) replaces the whole item conditionally on the version it read,
 * so a writer that read the order before the answer loses its race, reads the order again and
 * keeps the answer, instead of silently writing it away. Nothing else on the order changes: an
 * answer never marks an order notified or shipped, and the due-index keys stay as they are (the
 * reconciler moves the checkpoint the next time it looks at the order).
 */
import { ConditionFailedError } from '../../domain/errors';
import type { AcknowledgeResult, AcknowledgementStore, OrderAcknowledgement } from '../../domain/ports';
import { canonicalIso, orderKey } from './keys';
import { Table, type TableOptions } from './table';

export class DynamoDbAcknowledgements implements AcknowledgementStore {
  private readonly table: Table;

  constructor(options: TableOptions | Table) {
    this.table = options instanceof Table ? options : new Table(options, 'DynamoDbAcknowledgements');
  }

  async acknowledge(sellerId: string, orderId: string, ack: OrderAcknowledgement): Promise<AcknowledgeResult> {
    const stored: OrderAcknowledgement =
      ack.kind === 'handled'
        ? { kind: 'handled', at: canonicalIso(ack.at), via: ack.via }
        : { kind: 'snoozed', at: canonicalIso(ack.at), until: canonicalIso(ack.until), via: ack.via };
    if (stored.kind === 'snoozed' && !(Date.parse(stored.until) > Date.parse(stored.at))) {
      throw new RangeError(`acknowledge ${sellerId}/${orderId}: a snooze must end after it starts (${stored.at} .. ${stored.until})`);
    }
    try {
      await this.table.update(orderKey(sellerId, orderId), {
        update: 'SET #ack = :ack, #version = #version + :one',
        condition: 'attribute_exists(pk)',
        names: { '#ack': 'acknowledgement', '#version': 'version' },
        values: { ':ack': stored, ':one': 1 },
      });
      return 'applied';
    } catch (err) {
      if (err instanceof ConditionFailedError) return 'unknown-order';
      throw err;
    }
  }
}
