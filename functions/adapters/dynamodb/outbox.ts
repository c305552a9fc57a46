/**
 * The alert outbox and channel health on the Sentinel table.
 *
 * | item            | pk                  | sk                     | while due (pending/sending)            |
 * |-----------------|---------------------|------------------------|----------------------------------------|
 * | outbox alert    | `SELLER#<sellerId>` | `ALERT#<alertId>`      | duePk `OUTBOX#<n>`, dueSk `<deliverAt>#<seller>#<alertId>` |
 * | channel health  | `SELLER#<sellerId>` | `CHANNEL#<channelId>`  |                                        |
 * | delivery        | `SELLER#<sellerId>` | `DELIVERY#<owner>#<n>` | (one per message a channel took)       |
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
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Alert } from '../../domain/alerts';
import type { AlertOutbox, ChannelHealth, ChannelHealthStore, DeliveryRecord, OutboxItem } from '../../domain/alert-ports';
import { ConcurrentModificationError } from '../../domain/errors';
import type { IsoTime } from '../../domain/types';
import { fromAttributes, isConditionalCheckFailed, toAttributes, type Item } from './table';
import { DUE_INDEX_NAME, DUE_SHARDS, InvalidKeyError, TTL_ATTRIBUTE, canonicalIso, sellerPartition, stableHash, type TableKey } from './keys';

export const ALERT_SORT_PREFIX = 'ALERT#';
export const CHANNEL_SORT_PREFIX = 'CHANNEL#';
export const DELIVERY_SORT_PREFIX = 'DELIVERY#';
export const OUTBOX_DUE_PREFIX = 'OUTBOX#';

function idPart(field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidKeyError(field, String(value), 'empty');
  if (value.includes('#')) throw new InvalidKeyError(field, value, 'must not contain "#"');
  return value;
}

export function alertKey(sellerId: string, alertId: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: ALERT_SORT_PREFIX + idPart('alertId', alertId) };
}

export function channelHealthKey(sellerId: string, channelId: string): TableKey {
  return { pk: sellerPartition(sellerId), sk: CHANNEL_SORT_PREFIX + idPart('channelId', channelId) };
}

export function deliveryKey(sellerId: string, owner: string, n: number): TableKey {
  return { pk: sellerPartition(sellerId), sk: `${DELIVERY_SORT_PREFIX}${idPart('owner', owner)}#${n}` };
}

export function outboxShardPartitions(): string[] {
  return Array.from({ length: DUE_SHARDS }, (_, i) => OUTBOX_DUE_PREFIX + i);
}

export function outboxDueKey(sellerId: string, alertId: string, at: IsoTime): { duePk: string; dueSk: string } {
  return {
    duePk: OUTBOX_DUE_PREFIX + (stableHash(`${sellerId}#${alertId}`) % DUE_SHARDS),
    dueSk: `${canonicalIso(at)}#${idPart('sellerId', sellerId)}#${idPart('alertId', alertId)}`,
  };
}

export interface DynamoDbOutboxOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Days sent/failed alerts are kept (TTL) for de-duplication and history. Default 90. */
  retentionDays?: number;
}


export class DynamoDbOutbox implements AlertOutbox, ChannelHealthStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionDays: number;

  constructor(options: DynamoDbOutboxOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
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
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: toAttributes(item), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return 'created';
    } catch (err) {
      if (isConditionalCheckFailed(err)) return 'exists';
      throw err;
    }
  }

  async get(sellerId: string, alertId: string): Promise<OutboxItem | undefined> {
    const res = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: toAttributes(alertKey(sellerId, alertId)), ConsistentRead: true }),
    );
    return res.Item ? toOutboxItem(fromAttributes(res.Item)) : undefined;
  }

  async due(now: IsoTime, limit?: number): Promise<OutboxItem[]> {
    const upper = `${canonicalIso(now)}$`;
    const shards = await Promise.all(
      outboxShardPartitions().map((duePk) =>
        this.queryAll(
          {
            IndexName: DUE_INDEX_NAME,
            KeyConditionExpression: 'duePk = :pk AND dueSk < :upper',
            ExpressionAttributeValues: toAttributes({ ':pk': duePk, ':upper': upper }),
          },
          limit,
        ),
      ),
    );
    const items = shards.flat().sort((a, b) => (String(a.dueSk) < String(b.dueSk) ? -1 : 1));
    return (limit === undefined ? items : items.slice(0, limit)).map(toOutboxItem);
  }

  async claim(sellerId: string, alertId: string, now: IsoTime, leaseUntil: IsoTime, owner: string = randomUUID()): Promise<OutboxItem | null> {
    const due = outboxDueKey(sellerId, alertId, leaseUntil);
    idPart('owner', owner);
    try {
      const res = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toAttributes(alertKey(sellerId, alertId)),
          // `owners` keeps the tokens of claims that never ended cleanly (release and completion
          // clear it): the next owner looks up what those delivered before sending again.
          UpdateExpression:
            'SET #s = :sending, leaseUntil = :lease, dueSk = :dueSk, #owner = :owner, owners = list_append(if_not_exists(owners, :empty), :owners) ADD attempts :one',
          ConditionExpression: '(#s = :pending AND deliverAt <= :now) OR (#s = :sending AND leaseUntil <= :now)',
          ExpressionAttributeNames: { '#s': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: toAttributes({
            ':owner': owner,
            ':owners': [owner],
            ':empty': [],
            ':sending': 'sending',
            ':pending': 'pending',
            ':lease': canonicalIso(leaseUntil),
            ':dueSk': due.dueSk,
            ':now': canonicalIso(now),
            ':one': 1,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? toOutboxItem(fromAttributes(res.Attributes)) : null;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return null;
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
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: toAttributes({ ':pk': sellerPartition(sellerId), ':prefix': ALERT_SORT_PREFIX }),
      ConsistentRead: true,
    });
    return items.map(toOutboxItem);
  }

  async recordDelivery(d: DeliveryRecord): Promise<void> {
    // Unconditional: the same owner writing the same delivery again (a retried write) is harmless.
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: toAttributes({
          ...deliveryKey(d.sellerId, d.owner, d.n),
          sellerId: d.sellerId,
          owner: d.owner,
          n: d.n,
          alertIds: d.alertIds,
          via: d.via,
          sentAt: canonicalIso(d.sentAt),
          [TTL_ATTRIBUTE]: this.expiry(d.sentAt),
        }),
      }),
    );
  }

  async deliveriesBy(sellerId: string, owner: string): Promise<DeliveryRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: toAttributes({ ':pk': sellerPartition(sellerId), ':prefix': `${DELIVERY_SORT_PREFIX}${idPart('owner', owner)}#` }),
      ConsistentRead: true,
    });
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
    const res = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: toAttributes(channelHealthKey(sellerId, channelId)),
        UpdateExpression: 'SET sellerId = :seller, channelId = :channel, since = if_not_exists(since, :at), lastFailedAt = :at, reason = :reason',
        ExpressionAttributeValues: toAttributes({ ':seller': sellerId, ':channel': channelId, ':at': canonicalIso(at), ':reason': reason.slice(0, 1000) }),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return !res.Attributes?.since;
  }

  async clear(sellerId: string, channelId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: toAttributes(channelHealthKey(sellerId, channelId)) }));
  }

  async brokenChannels(sellerId: string): Promise<ChannelHealth[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: toAttributes({ ':pk': sellerPartition(sellerId), ':prefix': CHANNEL_SORT_PREFIX }),
      ConsistentRead: true,
    });
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
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toAttributes(alertKey(sellerId, alertId)),
          UpdateExpression: update,
          ConditionExpression: '#s = :holding AND #owner = :me',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: toAttributes({ ...values, ':holding': 'sending', ':me': claimed.owner }),
        }),
      );
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new ConcurrentModificationError(`${sellerId}|ALERT#${alertId}`, { cause: err });
      throw err;
    }
  }

  private expiry(at: IsoTime): number {
    return Math.floor(Date.parse(at) / 1000) + this.retentionDays * 86_400;
  }

  private async queryAll(
    spec: {
      IndexName?: string;
      KeyConditionExpression: string;
      ExpressionAttributeValues: Record<string, AttributeValue>;
      ConsistentRead?: boolean;
    },
    limit?: number,
  ): Promise<Item[]> {
    const out: Item[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const res = await this.client.send(
        new QueryCommand({ TableName: this.tableName, ...spec, ...(limit ? { Limit: limit } : {}), ExclusiveStartKey: start }),
      );
      for (const i of res.Items ?? []) out.push(fromAttributes(i));
      start = res.LastEvaluatedKey;
    } while (start && (limit === undefined || out.length < limit));
    return out;
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
