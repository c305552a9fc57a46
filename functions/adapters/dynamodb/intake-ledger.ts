/**
 * IntakeLedger on the Sentinel table (layout: ./keys.ts). Single-item conditional writes
 * only, like the repository; a lost race becomes a domain answer (`claimed: false`, `exists`) or
 * ConcurrentModificationError, never an SDK error the service must know.
 *
 * Idempotency follows Powertools' DynamoDBPersistenceLayer (`_putRecord`): a conditional write
 * claims the message as `in-progress` with an expiry (here `leaseUntil`, the invocation's
 * deadline) unless a live record exists; `completed` records are answered from the table. A
 * worker that crashes leaves an in-progress record whose lease runs out, after which the next
 * delivery takes it over; a worker that fails cleanly gives the claim back at once. Every claim
 * carries an owner token, and completing or releasing is conditional on it: a stale worker whose
 * lease ran out can neither delete nor complete the claim of the worker that took over.
 * Powertools' own persistence layer is not used because the intake needs what it does not do:
 * a replay that deliberately re-runs a completed message, the outcome kept as a queryable record
 * (quarantine, counters) rather than a hashed response blob, keys in this table's `pk`/`sk`
 * layout spread over partitions, and no coupling to the Lambda context (the CLI uses it too).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { ConcurrentModificationError, ConditionFailedError } from '../../domain/errors';
import type { ClaimResult, CompletedMessage, IntakeLedger, LastEmailRecord, MessageRecord, QuarantineRecord, RejectionRecord } from '../../domain/ports';
import {
  COUNTS_PARTITION,
  LAST_MAIL_PREFIX,
  QUARANTINE_PARTITION,
  REJECTED_COUNTER_PREFIX,
  REJECTED_PARTITION,
  TTL_ATTRIBUTE,
  counterKey,
  lastMailKey,
  messageKey,
  quarantineKey,
  rejectionKey,
  sellerPartition,
  type TableKey,
} from './keys';
import { DAY_SECONDS, Table, epochSeconds, fromItem, keyString, type Item } from './table';

/** Days before DynamoDB's TTL removes intake items. Absent: kept. */
export interface IntakeRetention {
  /** Message (idempotency) records: must outlive every redelivery and replay of the raw mail. */
  messageDays?: number;
  rejectionDays?: number;
  quarantineDays?: number;
}

export interface DynamoDbIntakeLedgerOptions {
  client: DynamoDBClient;
  tableName: string;
  retention?: IntakeRetention;
}

export class DynamoDbIntakeLedger implements IntakeLedger {
  private readonly table: Table;
  private readonly retention: IntakeRetention;

  constructor(options: DynamoDbIntakeLedgerOptions) {
    this.table = new Table(options, 'DynamoDbIntakeLedger');
    this.retention = options.retention ?? {};
  }

  // ---- messages --------------------------------------------------------------------------------

  async claimMessage(
    messageId: string,
    location: string,
    now: string,
    leaseUntil: string,
    opts: { replay?: boolean; owner?: string } = {},
  ): Promise<ClaimResult> {
    const key = messageKey(messageId);
    const owner = opts.owner ?? randomUUID();
    const values: Item = {
      ':owner': owner,
      ':inprogress': 'in-progress',
      ':lease': leaseUntil,
      ':loc': location,
      ':now': now,
      ':zero': 0,
      ':one': 1,
      ':mid': messageId,
    };
    let condition = 'attribute_not_exists(pk) OR (#status = :inprogress AND leaseUntil < :now)';
    if (opts.replay) {
      condition += ' OR #status = :completed';
      values[':completed'] = 'completed';
    }
    const expires = expiry(now, this.retention.messageDays);
    if (expires !== undefined) values[':exp'] = expires;
    try {
      const item = await this.table.update(key, {
        update:
          'SET #status = :inprogress, leaseUntil = :lease, #owner = :owner, #location = :loc, messageId = :mid, ' +
          'firstSeenAt = if_not_exists(firstSeenAt, :now), attempts = if_not_exists(attempts, :zero) + :one' +
          (expires !== undefined ? `, ${TTL_ATTRIBUTE} = :exp` : ''),
        condition,
        names: { '#status': 'status', '#location': 'location', '#owner': 'owner' },
        values,
        returnValues: 'ALL_NEW',
      });
      return { claimed: true, record: fromItem<MessageRecord>(item ?? {}) };
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
    const record = await this.getMessage(messageId);
    // Deleted between the two calls (a release): report it as held; the caller retries later.
    return {
      claimed: false,
      record: record ?? { messageId, status: 'in-progress', location, firstSeenAt: now, attempts: 0, leaseUntil },
    };
  }

  async completeMessage(messageId: string, result: CompletedMessage | 'unchanged', now: string, owner: string): Promise<void> {
    const key = messageKey(messageId);
    const sets: Item = { ':completed': 'completed', ':at': now, ':inprogress': 'in-progress', ':owner': owner };
    const parts = ['#status = :completed', 'completedAt = :at'];
    const removes = ['leaseUntil', '#owner'];
    if (result === 'unchanged') {
      // A replay that changed nothing: the whole earlier record stays as it was.
      parts.splice(1, 1);
      delete sets[':at'];
    } else {
      // The whole record is rewritten: every field the outcome has, none left from before.
      sets[':outcome'] = result.outcome;
      parts.push('outcome = :outcome');
      for (const field of ['reason', 'sellerId', 'marketplace', 'orderIds', 'facts'] as const) {
        const v = result[field];
        if (v === undefined) removes.push(field);
        else {
          sets[`:${field}`] = v;
          parts.push(`${field} = :${field}`);
        }
      }
    }
    try {
      await this.table.update(key, {
        update: `SET ${parts.join(', ')} REMOVE ${removes.join(', ')}`,
        condition: '#status = :inprogress AND #owner = :owner',
        names: { '#status': 'status', '#owner': 'owner' },
        values: sets,
      });
    } catch (err) {
      if (err instanceof ConditionFailedError) throw new ConcurrentModificationError(keyString(key), { cause: err.cause });
      throw err;
    }
  }

  async releaseMessage(messageId: string, owner: string): Promise<void> {
    const key = messageKey(messageId);
    const names = { '#status': 'status', '#owner': 'owner' };
    // Never completed before: forget the attempt entirely.
    const deleted = await this.table.delete(key, {
      condition: '#status = :inprogress AND #owner = :owner AND attribute_not_exists(outcome)',
      names,
      values: { ':inprogress': 'in-progress', ':owner': owner },
    });
    if (deleted) return;
    // A failed replay of a completed message: it stays completed with its earlier outcome. Not
    // updated: not ours any more (our lease ran out and another worker took it over), left alone.
    await this.table.updateIf(key, {
      update: 'SET #status = :completed REMOVE leaseUntil, #owner',
      condition: '#status = :inprogress AND #owner = :owner AND attribute_exists(outcome)',
      names,
      values: { ':inprogress': 'in-progress', ':completed': 'completed', ':owner': owner },
    });
  }

  async getMessage(messageId: string): Promise<MessageRecord | undefined> {
    const item = await this.table.get(messageKey(messageId), true);
    return item && fromItem<MessageRecord>(item);
  }

  // ---- rejections ------------------------------------------------------------------------------

  async recordRejection(r: RejectionRecord): Promise<'created' | 'exists'> {
    const created = await this.table.putIfAbsent({
      ...r,
      ...rejectionKey(r.messageId),
      [TTL_ATTRIBUTE]: expiry(r.rejectedAt, this.retention.rejectionDays),
    });
    // Counted only by the write that created the log entry: exactly once per message, even when
    // a crash between the two writes makes the message run again.
    if (created) await this.increment(counterKey('REJECTED', r.reason));
    return created ? 'created' : 'exists';
  }

  async listRejections(): Promise<RejectionRecord[]> {
    return (await this.queryPartition(REJECTED_PARTITION)).map((i) => fromItem<RejectionRecord>(i));
  }

  async rejectionCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const item of await this.queryPartition(COUNTS_PARTITION, REJECTED_COUNTER_PREFIX)) {
      out[String(item.sk).slice(REJECTED_COUNTER_PREFIX.length)] = Number(item.count ?? 0);
    }
    return out;
  }

  // ---- quarantine ------------------------------------------------------------------------------

  async quarantine(q: QuarantineRecord): Promise<'created' | 'exists'> {
    const created = await this.table.putIfAbsent({
      ...q,
      ...quarantineKey(q.messageId),
      [TTL_ATTRIBUTE]: expiry(q.quarantinedAt, this.retention.quarantineDays),
    });
    if (created) await this.increment(counterKey('QUARANTINED', q.reason));
    return created ? 'created' : 'exists';
  }

  async listQuarantine(): Promise<QuarantineRecord[]> {
    return (await this.queryPartition(QUARANTINE_PARTITION)).map((i) => fromItem<QuarantineRecord>(i));
  }

  async getQuarantine(messageId: string): Promise<QuarantineRecord | undefined> {
    const item = await this.table.get(quarantineKey(messageId), true);
    return item && fromItem<QuarantineRecord>(item);
  }

  async releaseQuarantine(messageId: string): Promise<void> {
    await this.table.delete(quarantineKey(messageId));
  }

  // ---- last email ------------------------------------------------------------------------------

  async recordLastEmail(r: LastEmailRecord): Promise<boolean> {
    try {
      await this.table.put(
        { ...r, ...lastMailKey(r.sellerId, r.marketplace) },
        // Newest wins; the same message again (a replay) rewrites the same facts.
        { condition: 'attribute_not_exists(pk) OR receivedAt < :t OR (receivedAt = :t AND messageId = :m)', values: { ':t': r.receivedAt, ':m': r.messageId } },
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  async lastEmails(sellerId: string): Promise<LastEmailRecord[]> {
    const items = await this.queryPartition(sellerPartition(sellerId), LAST_MAIL_PREFIX);
    return items.map((i) => fromItem<LastEmailRecord>(i));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async increment(key: TableKey): Promise<void> {
    await this.table.update(key, { update: 'ADD #count :one', names: { '#count': 'count' }, values: { ':one': 1 } });
  }

  private queryPartition(pk: string, prefix?: string): Promise<Item[]> {
    return this.table.queryPartition(pk, { prefix, consistentRead: true });
  }
}

/** The TTL (epoch seconds) `days` after `from`; undefined: kept. */
export function expiry(from: string, days: number | undefined): number | undefined {
  if (days === undefined) return undefined;
  return epochSeconds(from) + Math.round(days * DAY_SECONDS);
}


