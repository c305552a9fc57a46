/**
 * Core domain types. Pure data: no AWS SDK, no process.env, no clock.
 * Every time is an ISO-8601 string in UTC (`2026-11-28T09:30:00.000Z`), so records
 * round-trip through DynamoDB and JSON unchanged and compare lexicographically.
 */

export type IsoTime = string;
/** The one clock type: what time it is now, as an ISO-8601 instant (injected; tests freeze it). */
export type Clock = () => IsoTime;

/** Order state, normalised across the Unshipped Orders report, Orders API v0 and 2026-01-01. */
export type OrderState =
  | 'PendingAvailability'
  | 'Pending'
  | 'Unshipped'
  | 'PartiallyShipped'
  | 'Shipped'
  | 'Canceled'
  | 'Unfulfillable'
  | 'InvoiceUnconfirmed';

export type FulfilledBy = 'MERCHANT' | 'AMAZON';

/** Where a fact about an order came from. */
export type OrderSourceKind = 'report' | 'sp-api-2026' | 'sp-api-v0' | 'order-change';

/**
 * What a source tells us about one order. Several rows of one order in a report are
 * folded into one OrderFacts before they get here. No buyer personal data.
 */
export interface OrderFacts {
  sellerId: string;
  /** Amazon order ID, 3-7-7 digits. */
  orderId: string;
  /** Marketplace key (its domain, e.g. `amazon.de`), or null when the source does not say. */
  marketplace: string | null;
  fulfilledBy: FulfilledBy;
  orderState: OrderState;
  purchaseDate: IsoTime;
  /** When payment was confirmed (report `payments-date`). Absent in Orders API 2026-01-01. */
  paymentsDate?: IsoTime;
  earliestShipDate?: IsoTime;
  latestShipDate?: IsoTime;
  /** The source's own last-updated time; a fact older than what is stored never overwrites it. */
  lastUpdated?: IsoTime;
  source: OrderSourceKind;
}

/** Status of an order with respect to its Sold, Ship Now email. */
export type OrderStatus = 'notified' | 'missing' | 'awaiting' | 'not-expected';

/** An order as stored: its facts plus what we learnt and decided about it. */
export interface StoredOrder extends OrderFacts {
  /** Arrival time of the matching, authentic Sold, Ship Now email. */
  notifiedAt?: IsoTime;
  /** ID of the notification that matched (message ID or content hash). */
  notificationId?: string;
  /**
   * False when the matching email had no verdict of a trusted receiver and was let count by
   * `--accept-unverified`; absent otherwise.
   */
  notificationVerified?: boolean;
  /**
   * The `Ship by:` date of the matching Sold, Ship Now email. Used as the ship-by deadline only
   * when no order source gave a latest ship date (report orders), see deadlines.ts `shipBy`.
   */
  emailShipBy?: IsoTime;
  /** Last status written on a transition (status itself is always recomputable from facts + now). */
  status?: OrderStatus;
  /** When the status last changed, as it really happened (e.g. expectedBy + grace), not when noticed. */
  statusChangedAt?: IsoTime;
  /**
   * The next instant someone must look at this order. Present only while something may still be
   * due; it is what places the order in the sparse "due" index.
   */
  alertAfter?: IsoTime;
  /** First time any source told us about this order. */
  firstSeenAt: IsoTime;
  /** Optimistic-concurrency version; every write is conditional on it. */
  version: number;
}

/** A Sold, Ship Now notice recognised in an email. */
export interface SoldShipNowNotice {
  orderIds: string[];
  /** Marketplace key, e.g. `amazon.co.jp`. */
  marketplace: string;
  /** BCP-47-ish language of the email, e.g. `ja`. */
  language: string;
}

/** Verdicts of the receiving server, from Authentication-Results or the SES receipt. */
export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy' | 'unknown';

export interface AuthVerdicts {
  spf: AuthResult;
  dkim: AuthResult;
  dmarc: AuthResult;
  /** Spam and virus verdicts when the receiver gives them (SES does). */
  spam?: AuthResult;
  virus?: AuthResult;
  /** Which receiver's verdict this is (authserv-id), or `ses-receipt`. */
  authservId?: string;
  /**
   * Signing domains (`header.d`, else the domain of `header.i`) of the DKIM signatures that
   * passed, when the receiver names them. A pass only vouches for the From address when its
   * domain is aligned with it; absent (e.g. SES receipt verdicts): the receiver's pass is taken.
   */
  dkimPassDomains?: string[];
  /** The `header.from` domain the DMARC result is about, when the receiver names it. */
  dmarcHeaderFrom?: string;
  /** The domain SPF checked (`smtp.mailfrom`), when the receiver names it. */
  spfDomain?: string;
}

export interface AuthenticityDecision {
  authentic: boolean;
  /** Machine-readable reason when not authentic, e.g. `dmarc-fail`, `sender-not-amazon`. */
  reason: string | null;
}

/** A notification seen: one email naming one order. Kept whether or not the order is known yet. */
export interface NotificationRecord {
  sellerId: string;
  orderId: string;
  /** Stable ID of the message: SES message ID, or a hash of the raw bytes for local files. */
  messageId: string;
  marketplace: string;
  language: string;
  /** When the email reached us. */
  receivedAt: IsoTime;
  /** Where the raw message is kept (S3 key or file path), for replay and diagnosis. */
  location: string;
  verdicts: AuthVerdicts;
  /** False when no trusted receiver vouched for it and `--accept-unverified` let it count. */
  verified?: boolean;
  /** The email's `Ship by:` date (end of that day in the marketplace), when it has one. */
  shipBy?: IsoTime;
  /** The Date header (when the sender wrote it), when present. */
  sentAt?: IsoTime;
  /** Set once the order exists and was marked notified by this email. */
  matchedAt?: IsoTime;
}

export interface Seller {
  sellerId: string;
  name: string;
  /** Marketplace keys the seller sells in, e.g. `['amazon.com', 'amazon.de']`. */
  marketplaces: string[];
  /** Local part of the per-seller inbound address (unguessable). */
  inboundAlias?: string;
  alertEmails?: string[];
  language?: 'zh-CN' | 'en';
  timeZone?: string;
  createdAt: IsoTime;
}

/** Policy knobs of the order model. */
export interface OrderPolicy {
  /** Minutes after the expected time before a missing email counts as missing. */
  graceMinutes: number;
}

export const DEFAULT_POLICY: Readonly<OrderPolicy> = Object.freeze({ graceMinutes: 60 });

// ---- alerting (issue 5) ------------------------------------------------------------------------

/** Lead times of the deadline reminders sent while a missing order is still unshipped. */
export interface ReminderSchedule {
  /** Hours before ship-by, e.g. [24, 12, 4]. */
  shipByHours: number[];
  /** Days before auto-cancel, e.g. [7, 3, 1]. */
  autoCancelDays: number[];
}

/**
 * Alert bookkeeping kept on an order once the reconciler flagged it missing (absent before, so
 * orders that never went missing carry nothing): the seller's reminder schedule as it was then
 * (so any later writer computes the same next checkpoint), which reminder instants are done, and
 * when a missing order was resolved by shipping (its status stays `missing`: the email never came).
 */
export interface OrderAlerting {
  reminders: ReminderSchedule;
  /** Every reminder instant at or before this one has been handled (sent or skipped as stale). */
  remindedThrough?: IsoTime;
  /** When the "resolved: shipped" alert was raised for this missing order. */
  resolvedAt?: IsoTime;
}

// Declaration merging: optional alerting fields of a stored order (see OrderAlerting).
export interface StoredOrder {
  alerting?: OrderAlerting;
}

// Declaration merging: the seller's answer to an alert (ports.ts OrderAcknowledgement), kept on
// the order by the AcknowledgementStore. It stops (handled) or pauses (snoozed, until `until`)
// the order's alerts and reminders; it never changes the order's status, notifiedAt or state.
export interface StoredOrder {
  acknowledgement?: import('./ports').OrderAcknowledgement;
}
