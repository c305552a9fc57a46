/**
 * "Order sync broken / recovered" events on EventBridge, for the alerting work to turn into a
 * message. One event per transition (the sync state decides that), never one per run.
 *
 *   source: `shipnow.sentinel`, detail-type: `Order sync broken` | `Order sync recovered`,
 *   detail: the SyncEvent (seller, marketplace, reason, since) — no credentials, no buyer data.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SentinelError } from '../domain/errors';
import type { SyncEvent, SyncEventSink } from '../domain/ports';

export const SYNC_EVENT_SOURCE = 'shipnow.sentinel';
export const SYNC_EVENT_DETAIL_TYPES = {
  'order-sync-broken': 'Order sync broken',
  'order-sync-recovered': 'Order sync recovered',
} as const satisfies Record<SyncEvent['type'], string>;

export class SyncEventPublishError extends SentinelError {}

export class EventBridgeSyncEvents implements SyncEventSink {
  constructor(
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly eventBusName: string = 'default',
  ) {}

  async publish(event: SyncEvent): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: SYNC_EVENT_SOURCE,
            DetailType: SYNC_EVENT_DETAIL_TYPES[event.type],
            Detail: JSON.stringify(event),
          },
        ],
      }),
    );
    if (out.FailedEntryCount) {
      // Thrown, so the worker's message is retried: a lost "sync broken" event is what this issue is about.
      throw new SyncEventPublishError(`PutEvents failed: ${out.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
    }
  }
}
