/**
 * The alert outbox and channel health on the Sentinel table.
 *
 * Layout: ./keys.ts (outbox alert `ALERT#<alertId>`, channel health `CHANNEL#<channelId>`, delivery
 * `DELIVERY#<owner>#<n>`, all in the seller's partition; due index partitions `OUTBOX#<n>`).
 *
 * Why no new index: the primary key of an alert is derived from its deterministic ID, so the
 * de-duplicating conditional put (`attribute_not_exists(pk)`) needs no lookup; and pending alerts
 * are found through the table's EXISTING sparse due index, under their own partition values
 * (`OUTBOX#0..n`, never `DUE#n`, so the reconciler's queryDue never sees them). An alert is in the
 * index exactly while it may still need sending: the due keys are removed when it is sent or
 * failed. The claim moves `dueSk` to the lease expiry, so an alert whose sender crashed between
 * claim and send becomes due again by itself when the lease runs out. One item per alert, single-
 * item conditional writes only, no transactions; the sender's cost follows due alerts, not history.
 *
 * Every claim carries an owner token (random per sender run): only that owner may complete or
 * release the item. The tokens of claims that ended uncleanly (the sender died or hung) stay on the
 * item (`owners`), so the next owner can look up whether one of them already delivered it: a
 * delivery (one message, a digest included) is ONE item, written right after the channel answered,
 * keyed by the owner token; completing each alert comes after it (docs/alerting.md).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Alert } from '../../domain/alert-model';
import type { AlertOutbox, ChannelHealth, ChannelHealthStore, DeliveryRecord, OutboxItem } from '../../domain/ports';
import { ConcurrentModificationError, ConditionFailedError } from '../../domain/errors';
import type { IsoTime } from '../../domain/types';
import {
  ALERT_SORT_PREFIX,
  CHANNEL_SORT_PREFIX,
  DELIVERY_SORT_PREFIX,
  TTL_ATTRIBUTE,
  alertKey,
  canonicalIso,
  channelHealthKey,
  deliveryKey,
  keyPart,
  outboxDueKey,
  outboxShardPartitions,
  sellerPartition,
} from './keys';
import { DAY_SECONDS, Table, epochSeconds, type Item } from './table';

// Re-exported for callers that imported the outbox's keys from here before they moved.
export { ALERT_SORT_PREFIX, CHANNEL_SORT_PREFIX, DELIVERY_SORT_PREFIX, OUTBOX_DUE_PREFIX, alertKey, channelHealthKey, deliveryKey, outboxDueKey, outboxShardPartitions } from './keys';

export interface DynamoDbOutboxOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Days sent/failed alerts are kept (TTL) for de-duplication and history. Default 90. */
  retentionDays?: number;
}


export class DynamoDbOutbox implements AlertOutbox, ChannelHealthStore {
  private readonly table: Table;
  private readonly retentionDays: number;

  constructor(options: DynamoDbOutboxOptions) {
    this.table = new Table(options, 'DynamoDbOutbox');
    this.retentionDays = options.retentionDays ?? 90;
  }

  async put(alert: Alert, deliverAt: IsoTime): Promise<'created' | 'exists'> {
    const item: Item = {
      ...alertKey(alert.sellerId, alert.alertId),
      ...outboxDueKey(alert.sellerId, alert.alertId, deliverAt),
      alert,
      status: 'pending',
      deliverAt: canonicalIso(deliverAt),
      // When it first became due: what the operator alarm measures (a retry does not reset it).
      waitingSince: canonicalIso(deliverAt),
      attempts: 0,
    };
    return (await this.table.putIfAbsent(item)) ? 'created' : 'exists';
  }

  async get(sellerId: string, alertId: string): Promise<OutboxItem | undefined> {
    const item = await this.table.get(alertKey(sellerId, alertId), true);
    return item ? toOutboxItem(item) : undefined;
  }

  async due(now: IsoTime, limit?: number): Promise<OutboxItem[]> {
    const { items } = await this.table.queryDue(outboxShardPartitions(), `${canonicalIso(now)}$`, limit);
    return items.map(toOutboxItem);
  }

  async claim(sellerId: string, alertId: string, now: IsoTime, leaseUntil: IsoTime, owner: string = randomUUID()): Promise<OutboxItem | null> {
    const due = outboxDueKey(sellerId, alertId, leaseUntil);
    keyPart('owner', owner);
    try {
      const item = await this.table.update(alertKey(sellerId, alertId), {
          // `owners` keeps the tokens of claims that never ended cleanly (release and completion
          // clear it): the next owner looks up what those delivered before sending again.
          update:
            'SET #s = :sending, leaseUntil = :lease, dueSk = :dueSk, #owner = :owner, owners = list_append(if_not_exists(owners, :empty), :owners) ADD attempts :one',
          condition: '(#s = :pending AND deliverAt <= :now) OR (#s = :sending AND leaseUntil <= :now)',
          names: { '#s': 'status', '#owner': 'owner' },
          values: {
            ':owner': owner,
            ':owners': [owner],
            ':empty': [],
            ':sending': 'sending',
            ':pending': 'pending',
            ':lease': canonicalIso(leaseUntil),
            ':dueSk': due.dueSk,
            ':now': canonicalIso(now),
            ':one': 1,
          },
          returnValues: 'ALL_NEW',
        });
      return item ? toOutboxItem(item) : null;
    } catch (err) {
      if (err instanceof ConditionFailedError) return null;
      throw err;
    }
  }

  async markSent(claimed: OutboxItem, sentAt: IsoTime, via: string[]): Promise<void> {
    await this.finish(claimed, 'SET #s = :sent, sentAt = :at, sentVia = :via, #ttl = :ttl REMOVE duePk, dueSk, leaseUntil, #owner, owners', {
      ':sent': 'sent',
      ':at': canonicalIso(sentAt),
      ':via': via,
      ':ttl': this.expiry(sentAt),
    });
  }

  async release(claimed: OutboxItem, retryAt: IsoTime, error: string): Promise<void> {
    const due = outboxDueKey(claimed.alert.sellerId, claimed.alert.alertId, retryAt);
    // Given back cleanly: nothing was delivered under this claim, so its token is forgotten.
    await this.finish(claimed, 'SET #s = :pending, deliverAt = :at, dueSk = :dueSk, lastError = :err REMOVE leaseUntil, #owner, owners', {
      ':pending': 'pending',
      ':at': canonicalIso(retryAt),
      ':dueSk': due.dueSk,
      ':err': error.slice(0, 1000),
    });
  }

  async markFailed(claimed: OutboxItem, at: IsoTime, error: string): Promise<void> {
    await this.finish(claimed, 'SET #s = :failed, failedAt = :at, lastError = :err, #ttl = :ttl REMOVE duePk, dueSk, leaseUntil, #owner, owners', {
      ':failed': 'failed',
      ':at': canonicalIso(at),
      ':err': error.slice(0, 1000),
      ':ttl': this.expiry(at),
    });
  }

  async listForSeller(sellerId: string): Promise<OutboxItem[]> {
    const items = await this.table.queryPartition(sellerPartition(sellerId), { prefix: ALERT_SORT_PREFIX, consistentRead: true });
    return items.map(toOutboxItem);
  }

  async recordDelivery(d: DeliveryRecord): Promise<void> {
    // Unconditional: the same owner writing the same delivery again (a retried write) is harmless.
    await this.table.put({
      ...deliveryKey(d.sellerId, d.owner, d.n),
      sellerId: d.sellerId,
      owner: d.owner,
      n: d.n,
      alertIds: d.alertIds,
      via: d.via,
      sentAt: canonicalIso(d.sentAt),
      [TTL_ATTRIBUTE]: this.expiry(d.sentAt),
    });
  }

  async deliveriesBy(sellerId: string, owner: string): Promise<DeliveryRecord[]> {
    const items = await this.table.queryPartition(sellerPartition(sellerId), { prefix: `${DELIVERY_SORT_PREFIX}${keyPart('owner', owner)}#`, consistentRead: true });
    return items.map((i) => ({
      sellerId: String(i.sellerId),
      owner: String(i.owner),
      n: Number(i.n),
      alertIds: (i.alertIds as string[]) ?? [],
      via: (i.via as string[]) ?? [],
      sentAt: String(i.sentAt),
    }));
  }

  // ---- channel health ----------------------------------------------------------------------------

  async markBroken(sellerId: string, channelId: string, reason: string, at: IsoTime): Promise<boolean> {
    // One unconditional update: `since` stays the first failure of the spell, `lastFailedAt` (the
    // start of the cool-off) moves; the old image tells whether this is the transition into broken.
    const old = await this.table.update(channelHealthKey(sellerId, channelId), {
      update: 'SET sellerId = :seller, channelId = :channel, since = if_not_exists(since, :at), lastFailedAt = :at, reason = :reason',
      values: { ':seller': sellerId, ':channel': channelId, ':at': canonicalIso(at), ':reason': reason.slice(0, 1000) },
      returnValues: 'ALL_OLD',
    });
    return !old?.since;
  }

  async clear(sellerId: string, channelId: string): Promise<void> {
    await this.table.delete(channelHealthKey(sellerId, channelId));
  }

  async brokenChannels(sellerId: string): Promise<ChannelHealth[]> {
    const items = await this.table.queryPartition(sellerPartition(sellerId), { prefix: CHANNEL_SORT_PREFIX, consistentRead: true });
    return items.map((i) => ({
      sellerId: String(i.sellerId),
      channelId: String(i.channelId),
      since: String(i.since),
      lastFailedAt: String(i.lastFailedAt ?? i.since),
      reason: String(i.reason),
    }));
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** A write only the lease holder may make: status still `sending` with the lease it claimed. */
  private async finish(claimed: OutboxItem, update: string, values: Item): Promise<void> {
    const { sellerId, alertId } = claimed.alert;
    if (claimed.status !== 'sending' || !claimed.leaseUntil || !claimed.owner) throw new TypeError(`outbox ${sellerId}/${alertId}: not a claimed item`);
    const names: Record<string, string> = { '#s': 'status', '#owner': 'owner' };
    if (update.includes('#ttl')) names['#ttl'] = TTL_ATTRIBUTE;
    const key = alertKey(sellerId, alertId);
    try {
      await this.table.update(key, { update, condition: '#s = :holding AND #owner = :me', names, values: { ...values, ':holding': 'sending', ':me': claimed.owner } });
    } catch (err) {
      if (err instanceof ConditionFailedError) throw new ConcurrentModificationError(`${sellerId}|${key.sk}`, { cause: err.cause });
      throw err;
    }
  }

  private expiry(at: IsoTime): number {
    return epochSeconds(at) + this.retentionDays * DAY_SECONDS;
  }
}

function toOutboxItem(i: Item): OutboxItem {
  return {
    alert: i.alert as Alert,
    status: i.status as OutboxItem['status'],
    deliverAt: String(i.deliverAt),
    attempts: Number(i.attempts ?? 0),
    waitingSince: String(i.waitingSince ?? i.deliverAt),
    ...(typeof i.owner === 'string' ? { owner: i.owner } : {}),
    ...(Array.isArray(i.owners) ? { owners: i.owners as string[] } : {}),
    ...(typeof i.leaseUntil === 'string' ? { leaseUntil: i.leaseUntil } : {}),
    ...(typeof i.sentAt === 'string' ? { sentAt: i.sentAt } : {}),
    ...(Array.isArray(i.sentVia) ? { sentVia: i.sentVia as string[] } : {}),
    ...(typeof i.lastError === 'string' ? { lastError: i.lastError } : {}),
  };
}
