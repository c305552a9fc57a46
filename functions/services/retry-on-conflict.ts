import { ConcurrentModificationError } from '../domain/errors';
import type { SentinelRepository } from '../domain/ports';
import { retry } from '../domain/retry';
import type { StoredOrder } from '../domain/types';

/** How many times a read-decide-write cycle is retried after losing a race. */
const MAX_ATTEMPTS = 5;

/**
 * Read an order, let a pure function decide its next version, write it conditionally on the
 * version read. If another writer got there first, read again and decide again: the decision
 * is always made on the freshest stored state, so concurrent writers never overwrite each other.
 *
 * `decide` returns null when nothing changes (then nothing is written).
 * Resolves to the order as stored afterwards (`undefined` if it does not exist) and whether
 * this call wrote it.
 */
export async function updateOrder(
  repo: SentinelRepository,
  sellerId: string,
  orderId: string,
  decide: (current: StoredOrder | undefined) => StoredOrder | null,
): Promise<{ order: StoredOrder | undefined; written: boolean }> {
  return retry(
    async () => {
      const current = await repo.getOrder(sellerId, orderId);
      const next = decide(current);
      if (next === null) return { order: current, written: false };
      await repo.saveOrder(next, current ? current.version : null);
      return { order: next, written: true };
    },
    { attempts: MAX_ATTEMPTS, retryOn: (err) => err instanceof ConcurrentModificationError },
  );
}
