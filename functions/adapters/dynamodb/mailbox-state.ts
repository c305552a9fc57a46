/**
 * The IMAP intake's and the probe's state in the seller's partition (keys in ./keys.ts):
 * `MAILBOX#CURSOR#<folder>` (UIDVALIDITY and the last UID taken in), `MAILBOX#HEALTH` (broken,
 * back-off) and `MAILBOX#FINDING#<orderId>` (the probe's newest diagnosis of an order, kept 45
 * days). No credentials and no message content: folder names, UIDs, times and diagnosis codes.
 * A seller's removal deletes them with the rest of the partition.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FolderCursor, OrderProbeFinding } from '../../domain/mailbox-probe';
import type { MailboxHealth, MailboxStateStore } from '../../domain/ports';
import { MAILBOX_FINDING_PREFIX, mailboxCursorKey, mailboxFindingKey, mailboxHealthKey, sellerPartition, TTL_ATTRIBUTE } from './keys';
import { DAY_SECONDS, epochSeconds, Table } from './table';

const FINDING_DAYS = 45;

export class DynamoDbMailboxState implements MailboxStateStore {
  private readonly table: Table;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.table = new Table(options, 'DynamoDbMailboxState');
  }

  async getCursor(sellerId: string, folder: string): Promise<FolderCursor | undefined> {
    const item = await this.table.get(mailboxCursorKey(sellerId, folder), true);
    if (!item || typeof item.uidValidity !== 'string' || typeof item.lastUid !== 'number') return undefined;
    return { uidValidity: item.uidValidity, lastUid: item.lastUid };
  }

  async putCursor(sellerId: string, folder: string, cursor: FolderCursor): Promise<void> {
    await this.table.put({ ...mailboxCursorKey(sellerId, folder), folder, uidValidity: cursor.uidValidity, lastUid: cursor.lastUid });
  }

  async getHealth(sellerId: string): Promise<MailboxHealth | undefined> {
    const item = await this.table.get(mailboxHealthKey(sellerId), true);
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...health } = item;
    return health as unknown as MailboxHealth;
  }

  async putHealth(health: MailboxHealth): Promise<void> {
    await this.table.put({ ...mailboxHealthKey(health.sellerId), ...stripUndefined(health) });
  }

  async putFinding(sellerId: string, finding: OrderProbeFinding): Promise<void> {
    await this.table.put({
      ...mailboxFindingKey(sellerId, finding.orderId),
      finding: stripUndefined(finding),
      [TTL_ATTRIBUTE]: epochSeconds(finding.probedAt) + FINDING_DAYS * DAY_SECONDS,
    });
  }

  async getFinding(sellerId: string, orderId: string): Promise<OrderProbeFinding | undefined> {
    const item = await this.table.get(mailboxFindingKey(sellerId, orderId), false);
    return item?.finding as OrderProbeFinding | undefined;
  }

  async listFindings(sellerId: string): Promise<OrderProbeFinding[]> {
    const items = await this.table.queryPartition(sellerPartition(sellerId), { prefix: MAILBOX_FINDING_PREFIX });
    return items.map((i) => i.finding as OrderProbeFinding).filter(Boolean);
  }
}

function stripUndefined<T extends object>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
