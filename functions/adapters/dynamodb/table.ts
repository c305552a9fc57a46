/**
 * The one table, as every store uses it: get, put-if-absent, conditional put/update/delete, the
 * paginated query that reports what it read, the due-index query, and batch writes. The
 * algorithms (conditional create, lost race -> domain error, pagination, due shards merged in
 * time order) live here once; the stores (./sellers.ts, ./orders.ts, ./notifications.ts,
 * ./stats.ts, composed by ./repository.ts; ./intake-ledger.ts, ./outbox.ts, ./sync-state.ts,
 * ./seller-admin.ts) say only what is theirs: keys, item shapes, expressions.
 *
 * Marshalling is @aws-sdk/util-dynamodb's `marshall` / `unmarshall`: plain functions that leave the
 * caller's client untouched (unlike `DynamoDBDocumentClient.from`, which writes its options into
 * the shared client's config, aws-sdk-js-v3#6545). `undefined` members are left out, so an optional
 * domain field cleared with `{ ...order, alertAfter: undefined }` is simply absent from the item.
 *
 * Every write is a single-item conditional write where a race matters; a failed condition
 * surfaces as the domain's ConditionFailedError (a StoreError, with the SDK error as its cause),
 * never as an SDK error the services would have to know about. Throttling retries are the SDK's.
 */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ConditionFailedError, StoreError } from '../../domain/errors';
import { fullJitter, retry } from '../../domain/retry';
import { DUE_INDEX_NAME, STORAGE_ATTRIBUTES, type TableKey } from './keys';

/** An item as plain JavaScript values (before marshalling / after unmarshalling). */
export type Item = Record<string, unknown>;
export type Attributes = Record<string, AttributeValue>;

const MARSHALL_OPTIONS = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;

/** A value the table cannot hold as given (a class instance, a function, NaN, ...). */
export class UnsupportedValueError extends StoreError {
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`cannot store ${path}: ${problem}`, options);
    this.path = path;
  }
}

/** Plain object -> attribute map (util-dynamodb). */
export function toAttributes(item: object, path = 'item'): Attributes {
  assertStorable(item, path);
  return marshall(item, MARSHALL_OPTIONS);
}

/** Attribute map -> plain object (util-dynamodb; numbers as JavaScript numbers). */
export function fromAttributes(attrs: Attributes): Item {
  return unmarshall(attrs);
}

/**
 * util-dynamodb writes NaN and Infinity as numbers DynamoDB then refuses, and functions as maps;
 * refuse them here with the path, as the table always did.
 */
function assertStorable(value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new UnsupportedValueError(path, `${value} is not a finite number`);
      return;
    case 'object': {
      if (Array.isArray(value)) {
        value.forEach((v, i) => assertStorable(v, `${path}[${i}]`));
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new UnsupportedValueError(path, `instance of ${value.constructor?.name ?? 'a class'}`);
      for (const [k, v] of Object.entries(value)) assertStorable(v, `${path}.${k}`);
      return;
    }
    default:
      throw new UnsupportedValueError(path, `a ${typeof value}`);
  }
}

/**
 * Domain object from a stored item: drop the layout attributes (keys, due keys, TTL). The cast is
 * the store's trust boundary: the item was written by the same store from the same type.
 */
export function fromItem<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.includes(k)) out[k] = v;
  return out as T;
}

/**
 * By name rather than `instanceof ConditionalCheckFailedException`: a second copy of
 * @aws-sdk/client-dynamodb in node_modules (another package's dependency) would make instanceof
 * false and turn a lost race into an unexpected error.
 */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

export function keyString(key: TableKey): string {
  return `${key.pk}|${key.sk}`;
}

/** A condition and the names/values its expressions use (plain values, marshalled here). */
export interface Condition {
  condition?: string;
  names?: Record<string, string>;
  values?: Item;
}

export interface UpdateSpec extends Condition {
  update: string;
  returnValues?: 'ALL_NEW' | 'ALL_OLD';
}

/** A Query as the stores describe it: plain values, marshalled in one place. */
export interface QuerySpec {
  indexName?: string;
  keyCondition: string;
  values: Item;
  names?: Record<string, string>;
  projection?: string;
  consistentRead?: boolean;
  /** Stop after this many items (further pages are not requested). */
  limit?: number;
}

export interface QueryResult {
  items: Item[];
  /** What DynamoDB read (ScannedCount; there are no filters, so it equals what is returned). */
  itemsRead: number;
  /** What DynamoDB charged (ConsumedCapacity). */
  readCapacityUnits: number;
}

export interface TableOptions {
  /** Used as it is, never reconfigured; its owner creates and destroys it. */
  client: DynamoDBClient;
  tableName: string;
  /**
   * `Limit` of every Query page. Default: none (DynamoDB pages at 1 MB). Tests set it small to
   * exercise pagination; it never changes results, only the number of requests.
   */
  queryPageSize?: number;
}

const BATCH_WRITE_MAX = 25;
const BATCH_WRITE_ATTEMPTS = 10;

export class Table {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  private readonly pageSize: number | undefined;

  constructor(options: TableOptions, owner = 'Table') {
    if (!options.tableName) throw new TypeError(`${owner}: tableName is required`);
    if (options.queryPageSize !== undefined && !(Number.isInteger(options.queryPageSize) && options.queryPageSize > 0)) {
      throw new RangeError(`${owner}: queryPageSize must be a positive integer, got ${options.queryPageSize}`);
    }
    this.client = options.client;
    this.tableName = options.tableName;
    this.pageSize = options.queryPageSize;
  }

  async get(key: TableKey, consistentRead: boolean): Promise<Item | undefined> {
    const res = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: toAttributes(key), ConsistentRead: consistentRead }));
    return res.Item && fromAttributes(res.Item);
  }

  /** Conditional create. true: created; false: an item with this key already exists. */
  async putIfAbsent(item: Item): Promise<boolean> {
    try {
      await this.put(item, { condition: 'attribute_not_exists(pk)' });
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  /** Put, conditional when `c.condition` is set (a failed condition: ConditionFailedError). */
  async put(item: Item, c: Condition = {}): Promise<void> {
    await this.guarded(keyOf(item), () =>
      this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toAttributes(item), ...expression(c) })),
    );
  }

  /** UpdateItem; a failed condition: ConditionFailedError. Returns the item ReturnValues asked for. */
  async update(key: TableKey, spec: UpdateSpec): Promise<Item | undefined> {
    const res = await this.guarded(key, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toAttributes(key),
          UpdateExpression: spec.update,
          ...expression(spec),
          ...(spec.returnValues ? { ReturnValues: spec.returnValues } : {}),
        }),
      ),
    );
    return res.Attributes && fromAttributes(res.Attributes);
  }

  /** UpdateItem whose failed condition is an expected answer: true updated, false not. */
  async updateIf(key: TableKey, spec: UpdateSpec): Promise<boolean> {
    try {
      await this.update(key, spec);
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  /** DeleteItem; with a condition, true: deleted, false: the condition did not hold. */
  async delete(key: TableKey, c: Condition = {}): Promise<boolean> {
    try {
      await this.guarded(key, () => this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: toAttributes(key), ...expression(c) })));
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  /**
   * Every page of a Query (following LastEvaluatedKey), with its read cost: ScannedCount is what
   * DynamoDB read, CapacityUnits what it charged.
   */
  async query(spec: QuerySpec): Promise<QueryResult> {
    const result: QueryResult = { items: [], itemsRead: 0, readCapacityUnits: 0 };
    const values = toAttributes(spec.values);
    let startKey: Attributes | undefined;
    do {
      const remaining = spec.limit === undefined ? undefined : spec.limit - result.items.length;
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: spec.indexName,
          KeyConditionExpression: spec.keyCondition,
          ExpressionAttributeValues: values,
          ...(spec.names ? { ExpressionAttributeNames: spec.names } : {}),
          ...(spec.projection ? { ProjectionExpression: spec.projection } : {}),
          ConsistentRead: spec.consistentRead,
          ReturnConsumedCapacity: 'TOTAL',
          ExclusiveStartKey: startKey,
          Limit: minDefined(this.pageSize, remaining),
        }),
      );
      for (const item of res.Items ?? []) result.items.push(fromAttributes(item));
      result.itemsRead += res.ScannedCount ?? res.Count ?? 0;
      result.readCapacityUnits += res.ConsumedCapacity?.CapacityUnits ?? res.ConsumedCapacity?.ReadCapacityUnits ?? 0;
      startKey = res.LastEvaluatedKey;
    } while (startKey && (spec.limit === undefined || result.items.length < spec.limit));
    return result;
  }

  /** All items of a partition, or of those of its sort keys that begin with `prefix`. */
  async queryPartition(pk: string, options: { prefix?: string; consistentRead?: boolean; projection?: string; names?: Record<string, string> } = {}): Promise<Item[]> {
    const { prefix, ...rest } = options;
    const res = await this.query({
      keyCondition: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      values: prefix ? { ':pk': pk, ':prefix': prefix } : { ':pk': pk },
      ...rest,
    });
    return res.items;
  }

  /**
   * Items of the sparse due index with a due time before `upper` (an exclusive bound, see
   * keys.ts `dueUpperBound`), from every partition in `partitions` (the shards of one kind: orders,
   * unmatched notifications, outbox alerts): one Query per shard, so DynamoDB reads only due items
   * and the cost follows the number due, never the number stored. The shards are merged in due
   * order (`dueSk` = `<canonical time>#<ids>`, a stable tie-break) and cut to `limit`, so the
   * earliest `limit` overall come back; every item read, cut or not, is reported as read.
   *
   * Index reads are eventually consistent (a GSI offers nothing else): an item written a moment
   * ago may be seen on the next run instead of this one; every write a caller then makes is
   * conditional on what it read.
   */
  async queryDue(partitions: readonly string[], upper: string, limit?: number): Promise<QueryResult> {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new RangeError(`queryDue: limit must be a non-negative integer, got ${limit}`);
    }
    if (limit === 0) return { items: [], itemsRead: 0, readCapacityUnits: 0 };
    const shards = await Promise.all(
      partitions.map((duePk) =>
        this.query({ indexName: DUE_INDEX_NAME, keyCondition: 'duePk = :pk AND dueSk < :upper', values: { ':pk': duePk, ':upper': upper }, limit }),
      ),
    );
    const items = shards.flatMap((s) => s.items);
    // The times are ASCII, so JS string order equals DynamoDB's byte order there.
    items.sort((a, b) => compareStrings(String(a.dueSk), String(b.dueSk)));
    return {
      items: limit === undefined ? items : items.slice(0, limit),
      itemsRead: sum(shards.map((s) => s.itemsRead)),
      readCapacityUnits: sum(shards.map((s) => s.readCapacityUnits)),
    };
  }

  /**
   * Unconditional BatchWriteItem of many puts and deletes (already marshalled): 25 per request,
   * `concurrency` requests in flight (default 8). Items DynamoDB leaves unprocessed (throttling;
   * a partial batch is a success the SDK does not retry) are re-sent with full-jitter exponential
   * backoff, up to 10 attempts per batch, then StoreError. No key may appear twice.
   *
   * BatchWriteItem takes no conditions: only for a table this process alone writes and whose
   * state it knows (seeding in tests and benchmarks; the write-behind store of the local `check`,
   * which decided every conditional write itself first; deleting a removed seller's items).
   * Returns the number of BatchWriteItem requests sent.
   */
  async writeBatch(requests: readonly WriteRequest[], options: { concurrency?: number; what?: string } = {}): Promise<number> {
    const concurrency = Math.max(1, options.concurrency ?? 8);
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX) batches.push(requests.slice(i, i + BATCH_WRITE_MAX));
    let next = 0;
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        // Awaited first: `sent += await ...` would read `sent` before the other worker adds to it.
        const requestsSent = await this.batchWrite(batches[next++], options.what ?? 'BatchWriteItem');
        sent += requestsSent;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    return sent;
  }

  /** One batch until every item is processed; returns the number of requests it took. */
  private async batchWrite(requests: WriteRequest[], what: string): Promise<number> {
    let pending = requests;
    let requestsSent = 0;
    await retry(
      async () => {
        requestsSent++;
        const res = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = res.UnprocessedItems?.[this.tableName] ?? [];
        return pending.length === 0;
      },
      {
        attempts: BATCH_WRITE_ATTEMPTS,
        backoff: fullJitter(50, 2000),
        onExhausted: (attempts) => new StoreError(`${what}: ${pending.length} items still unprocessed after ${attempts} attempts`),
      },
    );
    return requestsSent;
  }

  /** Runs a write; a failed condition becomes ConditionFailedError with the SDK error as cause. */
  private async guarded<T>(key: TableKey | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new ConditionFailedError(key ? keyString(key) : this.tableName, { cause: err });
      throw err;
    }
  }
}

function keyOf(item: Item): TableKey | undefined {
  return typeof item.pk === 'string' && typeof item.sk === 'string' ? { pk: item.pk, sk: item.sk } : undefined;
}

function expression(c: Condition): {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Attributes;
} {
  return {
    ...(c.condition ? { ConditionExpression: c.condition } : {}),
    ...(c.names && Object.keys(c.names).length > 0 ? { ExpressionAttributeNames: c.names } : {}),
    ...(c.values && Object.keys(c.values).length > 0 ? { ExpressionAttributeValues: toAttributes(c.values) } : {}),
  };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The TTL attribute value (epoch seconds) of an ISO time: the one place times become epoch. */
export function epochSeconds(time: string): number {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 time: ${time}`);
  return Math.floor(ms / 1000);
}

export const DAY_SECONDS = 86_400;
