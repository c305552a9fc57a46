/**
 * Deliver what the outbox holds: claim each due alert with a compare-and-set under this run's
 * owner token, publish every alert to the event bus, send per seller (one digest when a seller has
 * more than a few), and complete the outbox item.
 *
 * Under faults (docs/alerting.md, "What is promised"):
 * - Every channel attempt has its own timeout, and the time left in the invocation is checked
 *   before every attempt: a channel that hangs is a failure of that channel (marked broken), and
 *   the next channel is tried in the same run; a run that is out of time gives its claims back.
 * - No alert is failed for good while it still matters (`alertMattersUntil`): when no channel took
 *   it, it waits with back-off and is tried again; channels cooling off after a failure are tried
 *   anyway when nothing else is left; the stack's fallback topic is the last resort.
 * - A message (one alert or a whole digest) is ONE delivery record, written right after the
 *   channel answered; marking the alerts sent comes after it, and a failing record-keeping write
 *   is retried, never the send. A claim that did not end cleanly leaves its token on the item, so
 *   the next owner finds that delivery and does not send again. Delivery is therefore at least
 *   once, with one extra delivery only when the process dies between a channel's answer and its
 *   record. Consumers of the bus de-duplicate on `alert.alertId`.
 * - Only Transient/Permanent channel errors (and timeouts) are channel outcomes. Anything else (a
 *   bug) is reported in `errors` for the handler to log, never taken for an outage or a bad
 *   channel: the alert still goes to the next channel.
 */
import { randomUUID } from 'node:crypto';
import { alertMattersUntil, retryDelayMinutes, shouldDigest } from '../domain/alert-timing';
import { type Alert } from '../domain/alert-model';
import { type ChannelConfig } from '../domain/alert-settings';
import { renderAlert, renderDigest } from '../domain/alert-message';
import type { LinkSigning } from '../domain/alert-links';
import { type AlertChannel, type AlertEventPublisher, type AlertOutbox, type ChannelFactory, type ChannelHealthStore, type OutboxItem, type OutgoingMessage } from '../domain/ports';
import { ChannelTimeoutError, PermanentChannelError, TransientChannelError } from '../domain/errors';
import { addMinutes } from '../domain/deadlines';
import { ConcurrentModificationError } from '../domain/errors';
import type { SentinelRepository } from '../domain/ports';
import { computeStatus } from '../domain/order-status';
import { acknowledgementEffect } from '../domain/acknowledgement';
import type { IsoTime, OrderPolicy } from '../domain/types';
import { RATE_LIMIT_PER_MINUTE } from '../adapters/channels/webhooks';
import { settingsOrDefaults } from './alert-sources';
import { retry } from '../domain/retry';

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
  /**
   * The web endpoint and the link keys (current first): order alerts then carry signed "handled" /
   * "snooze 4 h" links, signed at send time. Absent: no links (the message names the CLI command).
   */
  links?: { webBaseUrl: string; keys: () => Promise<readonly Uint8Array[]> };
}

export interface SendAlertsOptions {
  limit?: number;
  /** How long a claim holds (ms). Default 5 min: longer than a run, short enough to recover soon. */
  leaseMs?: number;
  /** Attempts per channel for transient failures. Default 3. */
  attempts?: number;
  /** First back-off (ms), doubled each retry. Default 500. */
  backoffMs?: number;
  /** Stop taking new sellers and making new attempts when true. */
  shouldStop?: () => boolean;
  /** Time left in this invocation (ms), checked before every channel attempt. Default: unlimited. */
  remainingMs?: () => number;
  /** How long one channel attempt may take before it counts as a failure (ms). Default 10 s. */
  attemptTimeoutMs?: number;
  /** Kept free after the last attempt for the record-keeping writes (ms). Default 3 s. */
  reserveMs?: number;
  /** Tries of a record-keeping write (delivery record, mark sent, release). Default 5. */
  writeAttempts?: number;
  /** This run's claim owner token. Default: a random UUID. */
  owner?: string;
}

export interface SendAlertsResult {
  due: number;
  claimed: number;
  sent: number;
  /** Given back for a later retry (no channel took them, the bus failed, or the run ran out of time). */
  retried: number;
  /** No longer mattering (past `alertMattersUntil`) and no channel could take them: terminal. */
  failed: number;
  messages: number;
  digests: number;
  /** Channels marked broken in this run (a retried one that failed again included; timeouts too). */
  brokenChannels: Array<{ sellerId: string; channelId: string; reason: string }>;
  /** Broken channels tried again after their cool-off that worked: cleared. */
  recoveredChannels: Array<{ sellerId: string; channelId: string }>;
  /** Items skipped because another sender holds them. */
  notClaimed: number;
  /** Order alerts that no longer held at send time (marked sent via `suppressed:stale`). */
  suppressed: number;
  /** Alerts an earlier claim had delivered before it died: marked sent now, not sent again. */
  alreadyDelivered: number;
  /** True when the run ran out of time (or was told to stop) before everything due was tried. */
  stoppedEarly: boolean;
  /**
   * Unexpected errors (bugs, or record-keeping that kept failing): the caller logs each with its
   * name, message and cause. The alerts concerned are retried (released, or their lease runs out).
   */
  errors: Array<{ sellerId: string; alertIds: string[]; channelId?: string; error: unknown }>;
  /** The due alert that has waited longest since it first became due (the operator alarm), if any. */
  oldestWaiting?: { sellerId: string; alertId: string; since: IsoTime; seconds: number };
  /**
   * Per channel *type* (email, sns, slack, ...): messages delivered, and sends that failed after
   * their retries. For metrics: a small fixed set of keys, never per seller.
   */
  byChannel: Record<string, { delivered: number; failed: number }>;
}

export async function sendDueAlerts(deps: SendAlertsDeps, now: IsoTime, options: SendAlertsOptions = {}): Promise<SendAlertsResult> {
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const owner = options.owner ?? randomUUID();
  const result: SendAlertsResult = {
    due: 0,
    claimed: 0,
    sent: 0,
    retried: 0,
    failed: 0,
    messages: 0,
    digests: 0,
    brokenChannels: [],
    recoveredChannels: [],
    notClaimed: 0,
    suppressed: 0,
    alreadyDelivered: 0,
    stoppedEarly: false,
    errors: [],
    byChannel: {},
  };
  const run = new Run(deps, now, options, owner, result);
  const due = await deps.outbox.due(now, options.limit);
  result.due = due.length;
  // The longest wait among what is due. An alert waiting with back-off is due again at least every
  // 15 minutes (retryDelayMinutes), so the alarm's 15-minute maximum always sees it.
  for (const item of due) {
    const seconds = Math.max(0, Math.round((Date.parse(now) - Date.parse(item.waitingSince)) / 1000));
    if (!result.oldestWaiting || seconds > result.oldestWaiting.seconds) {
      result.oldestWaiting = { sellerId: item.alert.sellerId, alertId: item.alert.alertId, since: item.waitingSince, seconds };
    }
  }

  const bySeller = new Map<string, OutboxItem[]>();
  for (const item of due) {
    const list = bySeller.get(item.alert.sellerId) ?? [];
    list.push(item);
    bySeller.set(item.alert.sellerId, list);
  }

  for (const [sellerId, items] of bySeller) {
    if (run.outOfTime()) {
      result.stoppedEarly = true;
      break;
    }
    const leaseUntil = new Date(Date.parse(now) + leaseMs).toISOString();
    const claimed: OutboxItem[] = [];
    for (const item of items) {
      const c = await deps.outbox.claim(sellerId, item.alert.alertId, now, leaseUntil, owner);
      if (c) claimed.push(c);
      else result.notClaimed++;
    }
    if (claimed.length === 0) continue;
    result.claimed += claimed.length;
    try {
      await run.deliverForSeller(sellerId, claimed);
    } catch (error) {
      // One seller's failure never stops the others. Its claims stay until the lease runs out,
      // then the next run takes them (nothing is lost); the caller logs the error.
      result.errors.push({ sellerId, alertIds: claimed.map((c) => c.alert.alertId), error });
    }
  }

  return result;
}

class Run {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly attemptTimeoutMs: number;
  private readonly reserveMs: number;

  constructor(
    private readonly deps: SendAlertsDeps,
    private readonly now: IsoTime,
    private readonly options: SendAlertsOptions,
    private readonly owner: string,
    private readonly result: SendAlertsResult,
  ) {
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.reserveMs = options.reserveMs ?? 3_000;
  }

  private signingCache?: Promise<LinkSigning | undefined>;

  /**
   * How to sign this run's links (keys loaded once per run). A key that cannot be loaded never
   * holds an alert back: it goes out without links, and the error is reported for the logs.
   */
  private signing(): Promise<LinkSigning | undefined> {
    const links = this.deps.links;
    if (!links) return Promise.resolve(undefined);
    this.signingCache ??= links.keys().then(
      (keys) => (keys[0] ? { webBaseUrl: links.webBaseUrl, key: keys[0], nowMs: Date.parse(this.now) } : undefined),
      (error: unknown) => {
        this.result.errors.push({ sellerId: '*', alertIds: [], channelId: 'link-keys', error });
        return undefined;
      },
    );
    return this.signingCache;
  }

  /** Not enough time left for one more attempt plus the writes after it (or told to stop). */
  outOfTime(extraMs = 0): boolean {
    if (this.options.shouldStop?.()) return true;
    const left = this.options.remainingMs?.() ?? Infinity;
    return left < this.attemptTimeoutMs + this.reserveMs + extraMs;
  }

  async deliverForSeller(sellerId: string, claimedIn: OutboxItem[]): Promise<void> {
    const { deps, now, result } = this;
    let claimed = await this.settleEarlierDeliveries(sellerId, claimedIn);
    if (claimed.length === 0) return;

    // Order alerts that no longer hold (the email came, the order shipped) are not sent; nor are
    // those of an order the seller marked handled since; a snoozed order's wait for the snooze.
    if (deps.orders) {
      const live: OutboxItem[] = [];
      for (const c of claimed) {
        const check = await checkOrderAlert(c.alert, deps.orders, now);
        if (check.verdict === 'stale' || check.verdict === 'acknowledged') {
          await this.write(() => deps.outbox.markSent(c, now, [`suppressed:${check.verdict}`]));
          result.suppressed++;
        } else if (check.verdict === 'snoozed') {
          await this.write(() => deps.outbox.release(c, check.until, 'snoozed by the seller'));
          result.retried++;
        } else live.push(c);
      }
      claimed = live;
      if (claimed.length === 0) return;
    }

    // Invalid settings (a typo) must never silence an alert: defaults (both languages) and the
    // fallback channels. The reconciler logs the invalid settings.
    const { settings } = settingsOrDefaults(await deps.sellers.getSeller(sellerId));

    // Every alert goes to the bus first: if that fails, nothing is sent and all is retried later.
    if (deps.events) {
      try {
        await deps.events.publish(claimed.map((c) => c.alert));
      } catch (err) {
        if (!isOutage(err)) result.errors.push({ sellerId, alertIds: claimed.map((c) => c.alert.alertId), channelId: 'eventbridge', error: err });
        await this.giveBack(claimed, `event bus: ${(err as Error).message}`);
        return;
      }
    }

    // A broken channel is skipped during its cool-off (from its latest failure), then tried again:
    // cleared on success, broken again (cool-off restarted) on a permanent failure or a timeout.
    const health = await deps.health.brokenChannels(sellerId);
    const coolOffMs = settings.brokenChannelRetryHours * 3_600_000;
    const cooling = new Set(health.filter((b) => Date.parse(b.lastFailedAt) + coolOffMs > Date.parse(now)).map((b) => b.channelId));
    const retrying = new Set(health.map((b) => b.channelId).filter((id) => !cooling.has(id)));
    const configs = [...settings.channels, ...(deps.fallbackChannels ?? [])].filter((c, i, all) => all.findIndex((x) => x.id === c.id) === i);
    const failedNow = new Set<string>();
    // Usable: not cooling off and not failed in this run. When nothing else is left, the cooling
    // ones are tried anyway: a cool-off never means an alert goes without an attempt.
    const candidates = (): ChannelConfig[] => {
      const fresh = configs.filter((c) => !cooling.has(c.id) && !failedNow.has(c.id));
      return fresh.length > 0 ? fresh : configs.filter((c) => !failedNow.has(c.id));
    };

    // Digest: more than `digestThreshold` alerts, or more than a chat bot may take in one run.
    const botCap = Math.min(...candidates().map((c) => Math.floor((RATE_LIMIT_PER_MINUTE[c.type] ?? Infinity) / 2)), Infinity);
    // The weekly report is a message of its own, never folded into a digest of alarms.
    const reports = claimed.filter((c) => c.alert.kind === 'weekly-report');
    const alarms = claimed.filter((c) => c.alert.kind !== 'weekly-report');
    const groups: OutboxItem[][] = [
      ...(alarms.length === 0 ? [] : shouldDigest(alarms.length, settings) || alarms.length > botCap ? [alarms] : alarms.map((c) => [c])),
      ...reports.map((c) => [c]),
    ];

    for (let g = 0; g < groups.length; g++) {
      const group = groups[g];
      if (this.outOfTime()) {
        result.stoppedEarly = true;
        await this.giveBack(groups.slice(g).flat(), 'out of time before this message was tried', now);
        return;
      }
      const alerts: Alert[] = group.map((x) => x.alert);
      const signing = await this.signing();
      const message = alerts.length === 1 ? renderAlert(alerts[0], settings, now, signing) : renderDigest(alerts, settings, now, signing);
      result.messages++;
      if (alerts.length > 1) result.digests++;

      let delivered: string | undefined;
      const errors: string[] = [];
      for (const config of candidates()) {
        if (this.outOfTime()) {
          result.stoppedEarly = true;
          errors.push('out of time');
          break;
        }
        const channel = deps.channels(config);
        try {
          await this.sendWithRetries(channel, { sellerId, alerts, message });
          delivered = channel.id;
          countChannel(result, config.type, 'delivered');
          break;
        } catch (err) {
          countChannel(result, config.type, 'failed');
          errors.push(err instanceof Error ? err.message : String(err));
          failedNow.add(config.id);
          if (err instanceof PermanentChannelError || err instanceof ChannelTimeoutError) {
            await this.write(() => deps.health.markBroken(sellerId, config.id, err.message, now));
            retrying.delete(config.id);
            result.brokenChannels.push({ sellerId, channelId: config.id, reason: err.message });
          } else if (!(err instanceof TransientChannelError)) {
            // A bug in an adapter is not an outage and not a bad channel: logged by the caller;
            // the alert still goes to the next channel.
            result.errors.push({ sellerId, alertIds: alerts.map((a) => a.alertId), channelId: config.id, error: err });
          }
        }
      }

      if (delivered !== undefined) {
        const via = [delivered];
        // The record first (one write for the whole message), then each alert. Retried, never re-sent.
        await this.write(() => deps.outbox.recordDelivery({ sellerId, owner: this.owner, n: g, alertIds: alerts.map((a) => a.alertId), via, sentAt: now }));
        for (const i of group) await this.write(() => deps.outbox.markSent(i, now, via));
        result.sent += group.length;
        if (retrying.delete(delivered)) {
          await this.write(() => deps.health.clear(sellerId, delivered as string));
          result.recoveredChannels.push({ sellerId, channelId: delivered });
        }
      } else {
        const why = errors.length > 0 ? errors.join(' | ') : 'no channel configured';
        const later = group.filter((i) => Date.parse(now) < Date.parse(alertMattersUntil(i.alert)));
        const over = group.filter((i) => !later.includes(i));
        await this.giveBack(later, why);
        for (const i of over) await this.write(() => deps.outbox.markFailed(i, now, why));
        result.failed += over.length;
      }
    }
  }

  /**
   * Claims that did not end cleanly (a sender died or hung) left their owner tokens on the item:
   * an alert one of them delivered is marked sent now, without sending it again.
   */
  private async settleEarlierDeliveries(sellerId: string, claimed: OutboxItem[]): Promise<OutboxItem[]> {
    const tokens = new Set<string>();
    for (const c of claimed) for (const t of c.owners ?? []) if (t !== this.owner) tokens.add(t);
    if (tokens.size === 0) return claimed;
    const via = new Map<string, string[]>();
    for (const t of tokens) for (const d of await this.deps.outbox.deliveriesBy(sellerId, t)) for (const id of d.alertIds) via.set(id, d.via);
    const rest: OutboxItem[] = [];
    for (const c of claimed) {
      const v = via.get(c.alert.alertId);
      if (!v) {
        rest.push(c);
        continue;
      }
      await this.write(() => this.deps.outbox.markSent(c, this.now, v));
      this.result.sent++;
      this.result.alreadyDelivered++;
    }
    return rest;
  }

  /** Back to pending: due again after the back-off (or at `at`). */
  private async giveBack(items: OutboxItem[], why: string, at?: IsoTime): Promise<void> {
    for (const i of items) await this.write(() => this.deps.outbox.release(i, at ?? addMinutes(this.now, retryDelayMinutes(i.attempts)), why));
    this.result.retried += items.length;
  }

  /** One channel, with retries of transient failures; each attempt under its own timeout. */
  private async sendWithRetries(channel: AlertChannel, message: OutgoingMessage): Promise<void> {
    const attempts = this.options.attempts ?? 3;
    const base = this.options.backoffMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        await withTimeout(channel, message, this.attemptTimeoutMs);
        return;
      } catch (err) {
        if (!(err instanceof TransientChannelError) || attempt >= attempts) throw err;
        const wait = Math.max(base * 2 ** (attempt - 1), Math.min(err.retryAfterMs ?? 0, 5_000));
        // No time for the wait and another attempt: this channel failed for this run.
        if (this.outOfTime(wait)) throw err;
        await this.sleep(wait);
      }
    }
  }

  /**
   * A record-keeping write, retried with back-off (a throttled write must not make the alert go
   * out again). Losing the claim to another sender is not an error: the item is theirs now.
   */
  private async write(op: () => Promise<unknown>): Promise<void> {
    await retry(
      async () => {
        try {
          await op();
        } catch (err) {
          if (!(err instanceof ConcurrentModificationError)) throw err;
        }
      },
      { attempts: this.options.writeAttempts ?? 5, retryOn: () => true, backoff: (attempt) => 100 * 2 ** (attempt - 2), sleep: (ms) => this.sleep(ms) },
    );
  }
}

/** One attempt: the channel's own answer, or ChannelTimeoutError after `ms` (the attempt is aborted). */
async function withTimeout(channel: AlertChannel, message: OutgoingMessage, ms: number): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new ChannelTimeoutError(channel.id, ms));
      reject(new ChannelTimeoutError(channel.id, ms));
    }, ms);
  });
  try {
    await Promise.race([channel.send(message, { signal: controller.signal }), timeout]);
  } catch (err) {
    // An adapter that reports the abort in its own words: it is still the timeout.
    if (controller.signal.aborted) throw new ChannelTimeoutError(channel.id, ms);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Errors that mean "the service is unavailable right now": transient channel errors, SDK errors. */
function isOutage(err: unknown): boolean {
  return err instanceof TransientChannelError || (typeof err === 'object' && err !== null && '$metadata' in err);
}

function countChannel(result: SendAlertsResult, type: string, outcome: 'delivered' | 'failed'): void {
  const c = (result.byChannel[type] ??= { delivered: 0, failed: 0 });
  c[outcome]++;
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
  return (await checkOrderAlert(alert, orders, now)).verdict === 'stale';
}

export type OrderAlertCheck = { verdict: 'send' | 'stale' | 'acknowledged' } | { verdict: 'snoozed'; until: IsoTime };

/**
 * An order alert at send time: `stale` (see isStale), `acknowledged` (the seller marked the order
 * handled: nothing more about it goes out), `snoozed` (wait until the snooze ends), else `send`.
 * One strongly consistent read of the order per order alert; seller-level alerts read nothing.
 */
export async function checkOrderAlert(
  alert: Alert,
  orders: { repo: Pick<SentinelRepository, 'getOrder'>; policy: OrderPolicy },
  now: IsoTime,
): Promise<OrderAlertCheck> {
  if (!alert.order) return { verdict: 'send' };
  const order = await orders.repo.getOrder(alert.sellerId, alert.order.orderId);
  if (!order) return { verdict: 'send' };
  const effect = acknowledgementEffect(order, now);
  if (effect.kind === 'handled') return { verdict: 'acknowledged' };
  if (effect.kind === 'snoozed') return { verdict: 'snoozed', until: effect.until };
  if (alert.kind !== 'notification-missing' && alert.kind !== 'deadline-reminder') return { verdict: 'send' };
  if (computeStatus(order, now, orders.policy) !== 'missing') return { verdict: 'stale' };
  const unshipped = order.orderState === 'Unshipped' || order.orderState === 'PartiallyShipped';
  return alert.kind === 'deadline-reminder' && !unshipped ? { verdict: 'stale' } : { verdict: 'send' };
}
