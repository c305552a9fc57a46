import type { DynamoDbRepository } from '../../functions/adapters/dynamodb/repository';
import { toAttributes } from '../../functions/adapters/dynamodb/table';
import type { StoredOrder } from '../../functions/domain/types';

/**
 * Write many NEW orders with BatchWriteItem (25 per request, `concurrency` requests in flight),
 * in exactly the item shape `saveOrder` writes. Unconditional, because BatchWriteItem takes no
 * conditions: only for seeding an empty table (tests, benchmarks), never for orders that may
 * already exist. Unprocessed items are re-sent with jittered backoff (Table.writeBatch).
 */
export async function seedOrders(repository: DynamoDbRepository, orders: readonly StoredOrder[], options: { concurrency?: number } = {}): Promise<void> {
  await repository.writeBatch(
    orders.map((o) => ({ PutRequest: { Item: toAttributes(repository.orderItem(o)) } })),
    options,
  );
}
