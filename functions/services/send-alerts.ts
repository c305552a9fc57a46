/**
 * Deliver what the outbox holds: claim each due alert with a compare-and-set, publish every alert
 * to the event bus, send per seller (one digest when a seller has more than a few), retry
 * transient failures with back-off, mark a channel broken on a permanent failure and fall through
 * to the seller's next channel, and complete the outbox item.
 *
 * Nothing is lost when a run crashes: an item claimed but never completed becomes due again when
 * its lease expires (the outbox puts the lease expiry in its due key), and the next run takes it.
 * Delivery is therefore at least once; consumers of the bus de-duplicate on `alert.alertId`.
 */
import { alertSettings, InvalidAlertSettingsError, shouldDigest, type Alert, type AlertSettings, type ChannelConfig } from '../domain/alerts';
import { renderAlert, renderDigest } from '../domain/alert-message';
import {
  PermanentChannelError,
  TransientChannelError,
  type AlertEventPublisher,
  type AlertOutbox,
  type ChannelFactory,
  type ChannelHealthStore,
  type OutboxItem,
} from '../domain/alert-ports';
import { addMinutes } from '../domain/deadlines';
import { ConcurrentModificationError } from '../domain/errors';
import type { SentinelRepository } from '../domain/ports';
import { computeStatus } from '../domain/order-status';
import type { IsoTime, OrderPolicy } from '../domain/types';
import { RATE_LIMIT_PER_MINUTE } from '../adapters/channels/webhooks';

export interface SendAlertsDeps {
  outbox: AlertOutbox;
  health: ChannelHealthStore;
  sellers: Pick<SentinelRepository, 'getSeller'>;
  channels: ChannelFactory;
  events?: AlertEventPublisher;
  /** Channels every seller falls back to after their own (e.g. the stack's SNS topic). */
  fallbackChannels?: ChannelConfig[];
  /** Waits between retries; injected so tests do not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Re-check order alerts before sending (see `isStale`). The reconciler writes the outbox before
   * the order; if another writer (an email arriving) wins the order write in between, the alert
   * no longer holds and no `resolved` will follow it: it is suppressed here instead of sent.
   */
  orders?: { repo: Pick<SentinelRepository, 'getOrder'>; policy: OrderPolicy };
}

export interface SendAlertsOptions {
  limit?: number;
  /** How long a claim holds (ms). Default 5 min: longer than a run, short enough to recover soon. */
  leaseMs?: number;
  /** Attempts per channel for transient failures. Default 3. */
  attempts?: number;
  /** First back-off (ms), doubled each retry. Default 500. */
  backoffMs?: number;
  /** Stop taking new sellers when true (the Lambda deadline is near). */
  shouldStop?: () => boolean;
}

export interface SendAlertsResult {
  due: number;
  claimed: number;
  sent: number;
  /** Given back for a later retry (every channel failed transiently, or the bus did). */
  retried: number;
  /** No channel could take them. */
  failed: number;
  messages: number;
  digests: number;
  /** Channels marked broken in this run (a retried one that failed again included). */
  brokenChannels: Array<{ sellerId: string; channelId: string; reason: string }>;
  /** Broken channels tried again after their cool-off that worked: cleared. */
  recoveredChannels: Array<{ sellerId: string; channelId: string }>;
  /** Items skipped because another sender holds them. */
  notClaimed: number;
  /** Order alerts that no longer held at send time (marked sent via `suppressed:stale`). */
  suppressed: number;
  /**
   * Per channel *type* (email, sns, slack, ...): messages delivered, and sends that failed after
   * their retries. For metrics: a small fixed set of keys, never per seller.
   */
  byChannel: Record<string, { delivered: number; failed: number }>;
}

export async function sendDueAlerts(deps: SendAlertsDeps, now: IsoTime, options: SendAlertsOptions = {}): Promise<SendAlertsResult> {
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const result: SendAlertsResult = { due: 0, claimed: 0, sent: 0, retried: 0, failed: 0, messages: 0, digests: 0, brokenChannels: [], recoveredChannels: [], notClaimed: 0, suppressed: 0, byChannel: {} };
  const due = await deps.outbox.due(now, options.limit);
  result.due = due.length;

  const bySeller = new Map<string, OutboxItem[]>();
  for (const item of due) {
    const list = bySeller.get(item.alert.sellerId) ?? [];
    list.push(item);
    bySeller.set(item.alert.sellerId, list);
  }

  for (const [sellerId, items] of bySeller) {
    if (options.shouldStop?.()) break;
    const leaseUntil = new Date(Date.parse(now) + leaseMs).toISOString();
    const claimed: OutboxItem[] = [];
    for (const item of items) {
      const c = await deps.outbox.claim(sellerId, item.alert.alertId, now, leaseUntil);
      if (c) claimed.push(c);
      else result.notClaimed++;
    }
    if (claimed.length === 0) continue;
    result.claimed += claimed.length;
    await deliverForSeller(deps, sellerId, claimed, now, options, result);
  }
  return result;
}

async function deliverForSeller(
  deps: SendAlertsDeps,
  sellerId: string,
  claimedIn: OutboxItem[],
  now: IsoTime,
  options: SendAlertsOptions,
  result: SendAlertsResult,
): Promise<void> {
  let claimed = claimedIn;
  const retryAt = (item: OutboxItem) => addMinutes(now, Math.min(60, 2 ** Math.min(item.attempts, 6)));
  const releaseAll = async (items: OutboxItem[], why: string) => {
    for (const i of items) await complete(() => deps.outbox.release(i, retryAt(i), why));
    result.retried += items.length;
  };

  // Order alerts that no longer hold (the email came, the order shipped) are not sent.
  if (deps.orders) {
    const live: OutboxItem[] = [];
    for (const c of claimed) {
      if (await isStale(c.alert, deps.orders, now)) {
        await complete(() => deps.outbox.markSent(c, now, ['suppressed:stale']));
        result.suppressed++;
      } else live.push(c);
    }
    claimed = live;
    if (claimed.length === 0) return;
  }

  let settings: AlertSettings;
  try {
    settings = alertSettings(await deps.sellers.getSeller(sellerId));
  } catch (err) {
    // Invalid settings (a typo) must never silence an alert: defaults (both languages) and the
    // fallback channels. The reconciler logs the invalid settings.
    if (!(err instanceof InvalidAlertSettingsError)) throw err;
    settings = alertSettings(undefined);
  }

  // Every alert goes to the bus first: if that fails, nothing is sent and all is retried later.
  if (deps.events) {
    try {
      await deps.events.publish(claimed.map((c) => c.alert));
    } catch (err) {
      await releaseAll(claimed, `event bus: ${(err as Error).message}`);
      return;
    }
  }

  // A broken channel is skipped during its cool-off (from its latest failure), then tried again:
  // cleared on success, broken again (cool-off restarted) on a permanent failure.
  const health = await deps.health.brokenChannels(sellerId);
  const coolOffMs = settings.brokenChannelRetryHours * 3_600_000;
  const broken = new Set(health.filter((b) => Date.parse(b.lastFailedAt) + coolOffMs > Date.parse(now)).map((b) => b.channelId));
  const retrying = new Set(health.map((b) => b.channelId).filter((id) => !broken.has(id)));
  const configs = [...settings.channels, ...(deps.fallbackChannels ?? [])].filter((c, i, all) => all.findIndex((x) => x.id === c.id) === i);
  let usable = configs.filter((c) => !broken.has(c.id));

  // Digest: more than `digestThreshold` alerts, or more than a chat bot may take in one run.
  const botCap = Math.min(...usable.map((c) => Math.floor((RATE_LIMIT_PER_MINUTE[c.type] ?? Infinity) / 2)), Infinity);
  const groups: OutboxItem[][] =
    shouldDigest(claimed.length, settings) || claimed.length > botCap ? [claimed] : claimed.map((c) => [c]);

  for (const group of groups) {
    const alerts: Alert[] = group.map((g) => g.alert);
    const message = alerts.length === 1 ? renderAlert(alerts[0], settings, now) : renderDigest(alerts, settings, now);
    result.messages++;
    if (alerts.length > 1) result.digests++;

    const delivered: string[] = [];
    let transientSeen = false;
    const errors: string[] = [];
    for (const config of usable) {
      const channel = deps.channels(config);
      try {
        await sendWithRetry(() => channel.send({ sellerId, alerts, message }), options, deps.sleep);
        delivered.push(channel.id);
        countChannel(result, config.type, 'delivered');
        if (retrying.delete(config.id)) {
          await deps.health.clear(sellerId, config.id);
          result.recoveredChannels.push({ sellerId, channelId: config.id });
        }
        break;
      } catch (err) {
        countChannel(result, config.type, 'failed');
        errors.push((err as Error).message);
        if (err instanceof PermanentChannelError) {
          await deps.health.markBroken(sellerId, config.id, err.message, now);
          retrying.delete(config.id);
          result.brokenChannels.push({ sellerId, channelId: config.id, reason: err.message });
          usable = usable.filter((c) => c.id !== config.id);
        } else {
          transientSeen = true;
        }
      }
    }

    if (delivered.length > 0) {
      for (const i of group) await complete(() => deps.outbox.markSent(i, now, delivered));
      result.sent += group.length;
    } else if (transientSeen) {
      await releaseAll(group, errors.join(' | '));
    } else {
      const why = errors.length > 0 ? errors.join(' | ') : 'no usable channel configured';
      for (const i of group) await complete(() => deps.outbox.markFailed(i, now, why));
      result.failed += group.length;
    }
  }
}

function countChannel(result: SendAlertsResult, type: string, outcome: 'delivered' | 'failed'): void {
  const c = (result.byChannel[type] ??= { delivered: 0, failed: 0 });
  c[outcome]++;
}

/** Retry a send on TransientChannelError with exponential back-off; other errors propagate. */
export async function sendWithRetry(
  send: () => Promise<void>,
  options: Pick<SendAlertsOptions, 'attempts' | 'backoffMs'>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  const attempts = options.attempts ?? 3;
  const base = options.backoffMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (err) {
      if (!(err instanceof TransientChannelError) || attempt >= attempts) throw err;
      await sleep(Math.max(base * 2 ** (attempt - 1), Math.min(err.retryAfterMs ?? 0, 5_000)));
    }
  }
}

/** A completion that lost its lease (another sender took the item over) is not an error here. */
async function complete(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof ConcurrentModificationError)) throw err;
  }
}

/**
 * A `notification-missing` or `deadline-reminder` alert whose order is no longer missing and
 * unshipped at send time. Other kinds are facts about the past and always go out.
 */
export async function isStale(
  alert: Alert,
  orders: { repo: Pick<SentinelRepository, 'getOrder'>; policy: OrderPolicy },
  now: IsoTime,
): Promise<boolean> {
  if ((alert.kind !== 'notification-missing' && alert.kind !== 'deadline-reminder') || !alert.order) return false;
  const order = await orders.repo.getOrder(alert.sellerId, alert.order.orderId);
  if (!order) return false;
  if (computeStatus(order, now, orders.policy) !== 'missing') return true;
  return alert.kind === 'deadline-reminder' && order.orderState !== 'Unshipped' && order.orderState !== 'PartiallyShipped';
}
