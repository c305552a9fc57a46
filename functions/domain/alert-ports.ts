/**
 * Ports of the alerting work (issue 5). Pure types; adapters: functions/adapters/dynamodb-outbox.ts
 * (outbox + channel health), functions/adapters/channels/* (delivery), and what the email-intake
 * and order-sync work record, consumed through the narrow ports below.
 */
import type { Alert } from './alert-model';
import type { ChannelConfig } from './alert-settings';
import type { RenderedMessage } from './alert-message';
import { SentinelError } from './errors';
import type { AuthResult, IsoTime } from './types';

// ---- outbox ------------------------------------------------------------------------------------

/**
 * `pending` -> (claim) `sending` -> `sent` | back to `pending` (no channel took it this time: tried
 * again with back-off while the alert still matters) | `failed` (only once it no longer matters:
 * `alertMattersUntil` passed). A `sending` item whose lease expired (the sender crashed or hung)
 * is due again and may be claimed again: nothing is lost. A channel sees an alert twice only when
 * the sender died between the channel's answer and the delivery record (docs/alerting.md).
 */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxItem {
  alert: Alert;
  status: OutboxStatus;
  /** Not before this instant (quiet hours, retry back-off, lease expiry). */
  deliverAt: IsoTime;
  /** Claims so far. */
  attempts: number;
  /** When it first became due (a retry keeps it): the operator alarm measures the wait from it. */
  waitingSince: IsoTime;
  /** The owner token of the current claim (only it may complete or release the item). */
  owner?: string;
  /** Tokens of claims that did not end cleanly, the current one last (see `deliveriesBy`). */
  owners?: string[];
  leaseUntil?: IsoTime;
  sentAt?: IsoTime;
  /** Channel IDs that took it. */
  sentVia?: string[];
  lastError?: string;
}

export interface AlertOutbox {
  /** Conditional put: the first writer of an alert ID wins; later ones get 'exists'. */
  put(alert: Alert, deliverAt: IsoTime): Promise<'created' | 'exists'>;
  get(sellerId: string, alertId: string): Promise<OutboxItem | undefined>;
  /** Items due at `now`: pending with deliverAt <= now, and sending with an expired lease. */
  due(now: IsoTime, limit?: number): Promise<OutboxItem[]>;
  /**
   * Compare-and-set pending|expired-sending -> sending until `leaseUntil`, owned by `owner` (a
   * random token when absent); null when someone else has it.
   */
  claim(sellerId: string, alertId: string, now: IsoTime, leaseUntil: IsoTime, owner?: string): Promise<OutboxItem | null>;
  /** Only the owner of the claim (the claimed item) may complete it; else ConcurrentModificationError. */
  markSent(claimed: OutboxItem, sentAt: IsoTime, via: string[]): Promise<void>;
  /** Give it back for a retry at `retryAt` (transient failure). */
  release(claimed: OutboxItem, retryAt: IsoTime, error: string): Promise<void>;
  /** Terminal: it no longer matters and no channel could deliver it. */
  markFailed(claimed: OutboxItem, at: IsoTime, error: string): Promise<void>;
  listForSeller(sellerId: string): Promise<OutboxItem[]>;
  /**
   * One message a channel took (a single alert or a whole digest): ONE write, made right after the
   * channel answered and before the alerts are marked sent. Idempotent (same owner and `n`).
   */
  recordDelivery(d: DeliveryRecord): Promise<void>;
  /** The deliveries made under one claim owner token (for a claim that did not end cleanly). */
  deliveriesBy(sellerId: string, owner: string): Promise<DeliveryRecord[]>;
}

export interface DeliveryRecord {
  sellerId: string;
  /** The owner token of the claim that sent it. */
  owner: string;
  /** The message's number within that claim's run. */
  n: number;
  alertIds: string[];
  via: string[];
  sentAt: IsoTime;
}

/**
 * A channel marked broken after a permanent failure is skipped for a cool-off (the seller's
 * `brokenChannelRetryHours`, default 6) after its latest failure; then it is tried again: cleared
 * on success, broken again (cool-off restarted) on failure. A human may clear it at any time
 * (services/channel-health.ts).
 */
export interface ChannelHealth {
  sellerId: string;
  channelId: string;
  /** First failure of this broken spell (kept while it stays broken). */
  since: IsoTime;
  /** Latest failure: the cool-off counts from it. */
  lastFailedAt: IsoTime;
  reason: string;
}

export interface ChannelHealthStore {
  /**
   * Keeps the first `since` while it stays broken and moves `lastFailedAt` to `at`; returns true
   * on the transition into broken.
   */
  markBroken(sellerId: string, channelId: string, reason: string, at: IsoTime): Promise<boolean>;
  clear(sellerId: string, channelId: string): Promise<void>;
  brokenChannels(sellerId: string): Promise<ChannelHealth[]>;
}

// ---- delivery ----------------------------------------------------------------------------------

export interface OutgoingMessage {
  sellerId: string;
  /** The alerts this message carries (one, or several in a digest). */
  alerts: Alert[];
  message: RenderedMessage;
}

/** One configured channel instance (an adapter bound to a ChannelConfig). */
export interface AlertChannel {
  readonly id: string;
  readonly type: ChannelConfig['type'];
  /**
   * Deliver, or throw Transient/PermanentChannelError. `signal` aborts the attempt when the sender
   * gives up on it (its own timeout, the Lambda deadline); adapters pass it to fetch / the SDK.
   */
  send(message: OutgoingMessage, options?: { signal?: AbortSignal }): Promise<void>;
}

/** Retry later: network errors, timeouts, 429, 5xx, throttling. */
export class TransientChannelError extends SentinelError {
  readonly channelId: string;
  readonly retryAfterMs?: number;
  constructor(channelId: string, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(`${channelId}: ${message}`, options);
    this.channelId = channelId;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Will not work until someone changes something: 4xx, bad token or signature, unverified address. */
export class PermanentChannelError extends SentinelError {
  readonly channelId: string;
  constructor(channelId: string, message: string, options?: { cause?: unknown }) {
    super(`${channelId}: ${message}`, options);
    this.channelId = channelId;
  }
}

/** A channel attempt that did not answer in time: a failure of that channel, which is marked broken. */
export class ChannelTimeoutError extends SentinelError {
  readonly channelId: string;
  readonly timeoutMs: number;
  constructor(channelId: string, timeoutMs: number) {
    super(`${channelId}: no answer within ${timeoutMs} ms`);
    this.channelId = channelId;
    this.timeoutMs = timeoutMs;
  }
}

/** Builds the channel adapters for a seller's configured channels. */
export type ChannelFactory = (config: ChannelConfig) => AlertChannel;

/** Every alert also goes to the stack's EventBridge bus (docs/alert-events.md). */
export interface AlertEventPublisher {
  publish(alerts: readonly Alert[]): Promise<void>;
}

// ---- what other work records, read through narrow ports -----------------------------------------

/**
 * The email-intake ledger's "last email received" per seller and marketplace with its channel
 * facts. `DynamoDbIntakeLedger` (functions/adapters/dynamodb-intake.ts) satisfies it structurally.
 */
export interface LastEmailSource {
  lastEmails(sellerId: string): Promise<
    Array<{
      marketplace: string;
      receivedAt: IsoTime;
      facts: { spf: AuthResult; spam?: AuthResult; forwarding: { forwarded: boolean } };
    }>
  >;
}
