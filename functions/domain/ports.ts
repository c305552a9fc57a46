/**
 * Ports: what the services need from the outside world. Adapters in functions/adapters
 * implement them (DynamoDB, S3, folders, SP-API, ...); services depend only on these.
 */
import type { Alert } from './alert-model';
import type { ChannelConfig } from './alert-settings';
import type { RenderedMessage } from './alert-message';
import type { ChannelFacts } from './inbound';
import type { Region } from './marketplaces';
import type { OrdersApiVersion } from './order-sync';
import type { TokenBucketState } from './rate-limit';
import type { AuthResult, IsoTime, NotificationRecord, OrderFacts, Seller, StoredOrder } from './types';

/** Read cost of a query, as DynamoDB reports it (ReturnConsumedCapacity: TOTAL). */
export interface ReadCost {
  itemsRead: number;
  readCapacityUnits: number;
}

export interface DueOrders extends ReadCost {
  orders: StoredOrder[];
}

export type PutResult = 'created' | 'exists';

export interface DueNotifications extends ReadCost {
  notifications: NotificationRecord[];
}

/**
 * One day (UTC, of the orders' expected-by) of one marketplace: orders whose email came, and
 * orders that are missing. Incremented once per order transition (see SentinelRepository).
 */
export interface OrderStatsDay {
  marketplace: string;
  day: string;
  notified: number;
  missing: number;
  /** Expected-by of the first order counted that day (the "since" of the diagnosis). */
  firstAt: IsoTime;
}

export interface RecentOrderStats extends ReadCost {
  days: OrderStatsDay[];
  /** The newest email that marked an order notified, as counted with the stats; null: none. */
  lastNotifiedAt: IsoTime | null;
}

/** Orders that went missing since the seller's last email (one episode per last email). */
export interface MissingStreak {
  lastEmailAt: IsoTime | null;
  count: number;
  /** In the order they went missing. */
  orderIds: string[];
  /** Earliest expected time (payments or purchase date) among them. */
  firstExpectedAt: IsoTime;
}

export interface OrderStatsDelta {
  notified?: number;
  missing?: number;
  /**
   * When the order's email became expected (payment confirmed, else the order time): with it, the
   * transition is also counted into the hour of that time (HourlyOrderStats, for the weekly stats),
   * and a notified email's delay from it is kept.
   */
  orderAt?: IsoTime;
}

/**
 * One UTC hour (of the orders' expected time) of one marketplace: orders whose email came, orders
 * missing, and each received email's delay in minutes (order time -> email arrival). Enough to
 * re-bin into any time zone's days (exact for whole-hour offsets) with an exact median.
 */
export interface HourlyOrderStats {
  marketplace: string;
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  received: number;
  missing: number;
  delaysMinutes: number[];
}

/** The weekly stats' source: the hourly counters of a time range (one Query, bounded). */
export interface OrderStatsHistory {
  /** Hours from `fromHour` to `toHour` inclusive (`YYYY-MM-DDTHH`, UTC). */
  hourlyOrderStats(sellerId: string, fromHour: string, toHour: string): Promise<HourlyOrderStats[]>;
}

/**
 * Storage of sellers, orders and notifications. Every write is a single-item conditional write:
 * - `saveOrder(order, expectedVersion)` succeeds only if the stored version is `expectedVersion`
 *   (`null`: the order must not exist yet) and throws ConcurrentModificationError otherwise;
 *   the stored version becomes `order.version`.
 * - `putNotification` is idempotent on (sellerId, orderId, messageId).
 * An order is in the due index exactly while `alertAfter` is set.
 */
export interface SentinelRepository {
  putSeller(seller: Seller): Promise<PutResult>;
  getSeller(sellerId: string): Promise<Seller | undefined>;
  listSellers(): Promise<Seller[]>;
  /** Resolve a per-seller inbound alias (the local part of the address) to its seller. */
  sellerByAlias(alias: string): Promise<Seller | undefined>;

  getOrder(sellerId: string, orderId: string): Promise<StoredOrder | undefined>;
  saveOrder(order: StoredOrder, expectedVersion: number | null): Promise<void>;
  listOrders(sellerId: string): Promise<StoredOrder[]>;
  /** Orders whose `alertAfter <= now`, read from the sparse due index only. */
  queryDue(now: IsoTime, limit?: number): Promise<DueOrders>;

  putNotification(n: NotificationRecord): Promise<PutResult>;
  /** Notifications naming this order (strongly consistent), to match an email that came first. */
  notificationsForOrder(sellerId: string, orderId: string): Promise<NotificationRecord[]>;
  listNotifications(sellerId: string): Promise<NotificationRecord[]>;
  /** Sets matchedAt once; the notification leaves the due index (nothing left to check). */
  markNotificationMatched(n: NotificationRecord, matchedAt: IsoTime): Promise<void>;
  /**
   * Unmatched notifications whose check is due (`<= now`), from the sparse due index only: a
   * notification is in it from its arrival until it is matched or its unknown-order check is done.
   */
  queryDueNotifications(now: IsoTime, limit?: number): Promise<DueNotifications>;
  /** Check again at `at` (the seller's unknown-order threshold); a no-op once matched. */
  rescheduleNotification(n: NotificationRecord, at: IsoTime): Promise<void>;
  /** Nothing more to check: out of the due index. */
  clearNotificationDue(n: NotificationRecord): Promise<void>;

  /**
   * History for the diagnosis, read with a bounded number of items per seller (days x
   * marketplaces), never by listing orders. Callers add once per order transition, after the
   * conditional order write that made it succeeded (a replay or a lost race writes nothing, so
   * counts nothing): notified when an order is first marked notified (and missing -1 if it was
   * missing), missing on the reconciler's missing transition (-1 when a missing order stops
   * expecting an email). `emailAt`: the notifying email's arrival, kept as the newest.
   *
   * Best effort by design: a crash between the order write and this one under-counts. Nothing
   * that decides whether an alert is sent reads these counts (they only shape the diagnosis
   * text); the channel-down decision reads the missing streak, which is idempotent per order.
   */
  addOrderStats(sellerId: string, marketplace: string, expectedBy: IsoTime, delta: OrderStatsDelta, emailAt?: IsoTime): Promise<void>;
  /** The last `days` days up to `now` (one Query), with the newest notified email. */
  recentOrderStats(sellerId: string, now: IsoTime, days: number): Promise<RecentOrderStats>;
  /**
   * Count an order into the missing streak since `lastEmailAt`: idempotent per order (adding the
   * same order again changes nothing and returns the stored streak), so it can be written BEFORE
   * the order's transition and written again by the run after a crash.
   */
  addToMissingStreak(sellerId: string, lastEmailAt: IsoTime | null, orderId: string, expectedAt: IsoTime): Promise<MissingStreak>;
}

// ==== email intake ===============================================================================

/**
 * Ports of the email intake: where raw messages are kept (MailStore: the S3 bucket, or a folder
 * locally) and the intake ledger (message idempotency, rejection log, quarantine, last email per
 * seller and marketplace). Pure types; adapters: functions/adapters/{s3-mail-store,
 * folder-mail-store,dynamodb/intake-ledger}.ts.
 *
 * Nothing here holds buyer personal data: no subject, body, names or buyer addresses; only
 * message IDs, storage locations, reasons, order IDs, marketplaces, times and verdicts.
 */

// ---- MailStore --------------------------------------------------------------------------------

export interface StoredMail {
  raw: Buffer;
  /** Size in bytes as stored. */
  size: number;
}

/** Raw messages by location (S3 object key, or a file path for the folder store). */
export interface MailStore {
  /**
   * The raw bytes at `location`. Throws MailTooLargeError without reading the body when the stored
   * size exceeds `maxBytes`, and MailNotFoundError when nothing is there (expired, deleted).
   */
  get(location: string, maxBytes: number): Promise<StoredMail>;
}



// ---- ledger records ---------------------------------------------------------------------------

/** How one message ended. `rejected`: recorded and counted, touched nothing. */
export type IntakeOutcome = 'accepted' | 'rejected' | 'quarantined';

/**
 * The idempotency record of one message (key: SES message ID), Powertools-idempotency style:
 * `in-progress` while one worker holds it (until `leaseUntil`, after which a crashed attempt may
 * be taken over), `completed` once its outcome is recorded.
 */
export interface MessageRecord {
  messageId: string;
  status: 'in-progress' | 'completed';
  /** Where the raw message is (S3 key or file path). */
  location: string;
  leaseUntil?: IsoTime;
  /** The owner token of the current claim: only it may complete or release the message. */
  owner?: string;
  firstSeenAt: IsoTime;
  /** Times processing started (claims), replays included. */
  attempts: number;
  outcome?: IntakeOutcome;
  reason?: string;
  sellerId?: string;
  marketplace?: string;
  orderIds?: string[];
  completedAt?: IsoTime;
  facts?: ChannelFacts;
}

export type ClaimResult =
  | { claimed: true; record: MessageRecord }
  /** Someone else holds it (`in-progress`, lease valid) or it is done (`completed`). */
  | { claimed: false; record: MessageRecord };

export interface CompletedMessage {
  outcome: IntakeOutcome;
  reason?: string;
  sellerId?: string;
  marketplace?: string;
  orderIds?: string[];
  facts?: ChannelFacts;
}

export interface RejectionRecord {
  messageId: string;
  /** Machine-readable reason code, e.g. `unknown-alias`, `dmarc-fail`, `not-sold-ship-now`. */
  reason: string;
  location: string;
  rejectedAt: IsoTime;
  /** The seller the message was addressed to, when the alias was known. */
  sellerId?: string;
}

export interface QuarantineRecord {
  messageId: string;
  /** `oversized`, `virus`, `malformed-mime`, `parser-exception`, `mail-missing`, ... */
  reason: string;
  /** Human detail (error message; never message content). */
  detail?: string;
  location: string;
  quarantinedAt: IsoTime;
  sellerId?: string;
  size?: number;
}

/** The latest accepted email of a seller in one marketplace: the "last email received". */
export interface LastEmailRecord {
  sellerId: string;
  marketplace: string;
  messageId: string;
  receivedAt: IsoTime;
  facts: ChannelFacts;
}

export interface IntakeLedger {
  /**
   * Take the message for processing under `opts.owner` (a random token when absent; the claimed
   * record carries it). Succeeds when there is no record, when the previous attempt's lease
   * expired (a crashed or hung worker), or, with `replay`, when it is completed.
   */
  claimMessage(
    messageId: string,
    location: string,
    now: IsoTime,
    leaseUntil: IsoTime,
    opts?: { replay?: boolean; owner?: string },
  ): Promise<ClaimResult>;
  /**
   * Record the outcome; only the owner of the in-progress claim may complete it (else
   * ConcurrentModificationError: a stale worker whose lease ran out cannot complete the claim of
   * the worker that took over). `'unchanged'`: a replay that changed nothing; the record keeps
   * everything it had (outcome, seller, marketplace, orders, facts).
   */
  completeMessage(messageId: string, result: CompletedMessage | 'unchanged', now: IsoTime, owner: string): Promise<void>;
  /**
   * Give the claim back after a failure, so a retry can take it at once. Only its owner can: a
   * stale worker's release leaves the claim of the worker that took over alone.
   */
  releaseMessage(messageId: string, owner: string): Promise<void>;
  getMessage(messageId: string): Promise<MessageRecord | undefined>;

  /** Logged once per message, and counted once per reason: 'created' the first time only. */
  recordRejection(r: RejectionRecord): Promise<'created' | 'exists'>;
  listRejections(): Promise<RejectionRecord[]>;
  rejectionCounts(): Promise<Record<string, number>>;

  quarantine(q: QuarantineRecord): Promise<'created' | 'exists'>;
  listQuarantine(): Promise<QuarantineRecord[]>;
  getQuarantine(messageId: string): Promise<QuarantineRecord | undefined>;
  /** Remove from quarantine after a replay that did not quarantine it again. */
  releaseQuarantine(messageId: string): Promise<void>;

  /** Keep the newest: a record older than the stored one changes nothing (returns false). */
  recordLastEmail(r: LastEmailRecord): Promise<boolean>;
  lastEmails(sellerId: string): Promise<LastEmailRecord[]>;
}

// ==== alerting ===================================================================================

/**
 * Ports of the alerting work (issue 5). Pure types; adapters: functions/adapters/dynamodb/outbox.ts
 * (outbox + channel health), functions/adapters/channels/* (delivery), and what the email-intake
 * and order-sync work record, consumed through the narrow ports below.
 */

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




/** Builds the channel adapters for a seller's configured channels. */
export type ChannelFactory = (config: ChannelConfig) => AlertChannel;

/** Every alert also goes to the stack's EventBridge bus (docs/alert-events.md). */
export interface AlertEventPublisher {
  publish(alerts: readonly Alert[]): Promise<void>;
}

// ---- what other work records, read through narrow ports -----------------------------------------

/**
 * The email-intake ledger's "last email received" per seller and marketplace with its channel
 * facts. `DynamoDbIntakeLedger` (functions/adapters/dynamodb/intake-ledger.ts) satisfies it structurally.
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

// ==== seller administration ======================================================================

/**
 * Ports of the seller lifecycle (`shipnow seller update | remove | channels`): a profile read with
 * its optimistic version and changed field by field, and everything the table keeps for a seller.
 * Pure types; adapter: functions/adapters/dynamodb/seller-admin.ts.
 */

/** A profile as stored, with the settings kept on it (alerting, orderSync). */
export type StoredSellerProfile = Seller & { alerting?: unknown; orderSync?: unknown; [key: string]: unknown };

export interface VersionedSeller {
  seller: StoredSellerProfile;
  /** 0 for a profile written before versions existed. */
  version: number;
}

/** What the table keeps for one seller, by kind. */
export type SellerItemKind =
  | 'orders'
  | 'notifications'
  | 'outboxAlerts'
  | 'channelHealth'
  | 'syncState'
  | 'syncHealth'
  | 'history'
  | 'lastEmails'
  | 'other';

/** An item key (the table's `pk` / `sk`). */
export interface ItemKey {
  pk: string;
  sk: string;
}

export interface SellerInventory {
  sellerId: string;
  profile: StoredSellerProfile | undefined;
  /** The alias item exists and names this seller. */
  aliasClaimed: boolean;
  counts: Record<SellerItemKind, number>;
  /** Orders not shipped, cancelled or unfulfillable. */
  openOrders: number;
  /** Outbox alerts still pending or being sent (they will not be delivered). */
  unsentAlerts: number;
  /** Every key a removal deletes besides the profile and the alias. */
  keys: ItemKey[];
}

export interface RemovalResult {
  aliasReleased: boolean;
  profileDeleted: boolean;
  itemsDeleted: number;
}

export interface SellerProfileStore {
  getProfile(sellerId: string): Promise<VersionedSeller | undefined>;
  /**
   * SET / REMOVE only the named attributes if the stored version is still `expectedVersion`;
   * resolves to the new version. NotFoundError: no such seller; ConcurrentModificationError:
   * changed since it was read.
   */
  updateProfile(sellerId: string, expectedVersion: number, set: Readonly<Record<string, unknown>>, remove?: readonly string[]): Promise<number>;
}

export interface SellerRemovalStore {
  inventory(sellerId: string): Promise<SellerInventory>;
  remove(inventory: SellerInventory): Promise<RemovalResult>;
}

// ==== order sync =================================================================================

// ---- sync state -----------------------------------------------------------------------------------

/**
 * Where a seller's sync of one region and API stands.
 * - `watermark`: the next fresh query asks for orders updated after `watermark - overlap`.
 * - `pending`: a query stopped mid-pagination (time limit, throttling); the next run resumes it
 *   with the same parameters, as the API requires for a pagination token.
 */
export interface SyncCursor {
  watermark?: IsoTime;
  pending?: {
    paginationToken: string;
    /** The `lastUpdatedAfter` the paginated query was started with. */
    lastUpdatedAfter: IsoTime;
    /** When the first page was requested: becomes the watermark once the query completes. */
    queryStartedAt: IsoTime;
  };
}

export type SyncBrokenReason = 'invalid-grant' | 'authorization-revoked' | 'credentials-missing';

/** Health of one seller + marketplace. */
export interface SyncHealth {
  sellerId: string;
  marketplace: string;
  lastSuccessAt?: IsoTime;
  lastAttemptAt?: IsoTime;
  broken?: { reason: SyncBrokenReason; since: IsoTime; detail: string };
  /** Last transient failure (throttled, 5xx, network): recorded, never marks the sync broken. */
  lastError?: { reason: string; at: IsoTime };
  /** Last `shipnow orders import` (a report or saved response): orders received, but not a sync. */
  lastImportAt?: IsoTime;
}

export type LeaseResult = { acquired: true } | { acquired: false; heldBy: string; until: IsoTime };

/** Persisted sync state: lease, cursors, token buckets, health. One implementation per store. */
export interface SyncStateStore {
  /**
   * Take the seller's lease until `untilMs` unless another owner holds an unexpired one. Two runs
   * for one seller: exactly one acquires; the other makes no API calls.
   */
  acquireLease(sellerId: string, owner: string, nowMs: number, untilMs: number): Promise<LeaseResult>;
  releaseLease(sellerId: string, owner: string): Promise<void>;

  getCursor(sellerId: string, region: Region, api: OrdersApiVersion): Promise<SyncCursor>;
  putCursor(sellerId: string, region: Region, api: OrdersApiVersion, cursor: SyncCursor): Promise<void>;

  getBucket(sellerId: string, region: Region, operation: string): Promise<TokenBucketState | undefined>;
  putBucket(sellerId: string, region: Region, operation: string, state: TokenBucketState): Promise<void>;

  /** Record a successful sync; returns whether the marketplace was broken before (a recovery). */
  markSuccess(sellerId: string, marketplace: string, at: IsoTime): Promise<{ recovered: boolean }>;
  /**
   * Mark broken (keeping the first `since` while it stays broken); returns whether this is the
   * transition into broken, so the event fires once, not on every run.
   */
  markBroken(sellerId: string, marketplace: string, reason: SyncBrokenReason, detail: string, at: IsoTime): Promise<{ newlyBroken: boolean }>;
  markError(sellerId: string, marketplace: string, reason: string, at: IsoTime): Promise<void>;
  getHealth(sellerId: string, marketplace: string): Promise<SyncHealth | undefined>;
  /** Every seller's health, for the "oldest successful sync" metric. */
  listHealth(): Promise<SyncHealth[]>;
}

// ---- ports to the outside ---------------------------------------------------------------------

/** Login with Amazon application credentials (one per deployment). */
export interface LwaAppCredentials {
  clientId: string;
  clientSecret: string;
}

/** Where credentials live (Secrets Manager in AWS; static values in tests and the CLI). */
export interface SpApiCredentialsStore {
  lwaApp(): Promise<LwaAppCredentials>;
  /** The seller's refresh token for a region. Throws CredentialsMissingError when there is none. */
  refreshToken(sellerId: string, region: Region): Promise<string>;
}

/**
 * A seller's answer to an alert, from a signed link ("handled", "snooze 4 h") or the CLI: it stops
 * (or pauses, until `until`) that order's reminders. Stored with the order.
 */
export type OrderAcknowledgement =
  | { kind: 'handled'; at: IsoTime; via: 'link' | 'cli' }
  | { kind: 'snoozed'; at: IsoTime; until: IsoTime; via: 'link' | 'cli' };

export type AcknowledgeResult = 'applied' | 'unknown-order';

export interface AcknowledgementStore {
  acknowledge(sellerId: string, orderId: string, ack: OrderAcknowledgement): Promise<AcknowledgeResult>;
}

/**
 * One seller's secrets, each separately revocable: the SP-API refresh token(s) the website
 * authorization stores, the IMAP app password of a connected mailbox. Values are small JSON
 * objects; an adapter never logs them. (AWS: the deployment's per-seller secret store; locally: a
 * file per secret under the data folder, mode 0600.)
 */
export type SellerSecretName = 'sp-api' | 'imap';

export interface SellerSecretStore {
  /** Create or replace. */
  putSellerSecret(sellerId: string, name: SellerSecretName, value: Record<string, unknown>): Promise<void>;
  /** undefined when the seller has no such secret. */
  getSellerSecret(sellerId: string, name: SellerSecretName): Promise<Record<string, unknown> | undefined>;
  /** Idempotent: deleting a secret that is not there is not an error. */
  deleteSellerSecret(sellerId: string, name: SellerSecretName): Promise<void>;
}

export interface OrdersPageRequest {
  sellerId: string;
  region: Region;
  marketplaceIds: string[];
  lastUpdatedAfter: IsoTime;
  paginationToken?: string;
  credentials: LwaAppCredentials & { refreshToken: string };
  /** Epoch ms: the call must not sleep (retry back-off) past this. */
  deadlineMs: number;
}

export interface OrdersPage {
  orders: OrderFacts[];
  nextToken?: string;
  /** `x-amzn-RateLimit-Limit` of the last response, as sent. */
  rateLimitHeader?: string;
  /** 429 responses met (and retried) while getting this page. */
  throttled: number;
}

/** One page of merchant-fulfilled orders updated after a time. */
export interface OrdersApi {
  listOrders(api: OrdersApiVersion, request: OrdersPageRequest): Promise<OrdersPage>;
}

/** Events for the alerting work: a sync that broke (and that recovered). */
export type SyncEvent =
  | { type: 'order-sync-broken'; sellerId: string; marketplace: string; reason: SyncBrokenReason; detail: string; since: IsoTime }
  | { type: 'order-sync-recovered'; sellerId: string; marketplace: string; at: IsoTime };

export interface SyncEventSink {
  publish(event: SyncEvent): Promise<void>;
}
