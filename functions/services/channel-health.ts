/**
 * Broken alert channels of a seller, for operators (a CLI command): list them, and clear some or
 * all so the next sender run tries them at once instead of waiting for the cool-off.
 */
import type { ChannelHealth, ChannelHealthStore } from '../domain/ports';

export interface BrokenChannelsResult {
  /** The seller's broken channels before clearing. */
  broken: ChannelHealth[];
  /** IDs cleared by this call (only channels that were broken). */
  cleared: string[];
}

/**
 * List a seller's broken channels; with `clear`, clear the named ones (`'all'`: every one).
 * Naming a channel that is not broken clears nothing and is not an error.
 */
export async function brokenChannels(
  store: ChannelHealthStore,
  sellerId: string,
  options: { clear?: readonly string[] | 'all' } = {},
): Promise<BrokenChannelsResult> {
  const broken = await store.brokenChannels(sellerId);
  const wanted = options.clear === 'all' ? null : new Set(options.clear ?? []);
  const cleared: string[] = [];
  if (options.clear !== undefined) {
    for (const b of broken) {
      if (wanted && !wanted.has(b.channelId)) continue;
      await store.clear(sellerId, b.channelId);
      cleared.push(b.channelId);
    }
  }
  return { broken, cleared };
}
