/**
 * Ports of the email intake: where raw messages are kept (MailStore: the S3 bucket, or a folder
 * locally) and the intake ledger (message idempotency, rejection log, quarantine, last email per
 * seller and marketplace). Pure types; adapters: functions/adapters/{s3-mail-store,
 * folder-mail-store,dynamodb-intake}.ts.
 *
 * Nothing here holds buyer personal data: no subject, body, names or buyer addresses; only
 * message IDs, storage locations, reasons, order IDs, marketplaces, times and verdicts.
 */
import { SentinelError } from './errors';
import type { ChannelFacts } from './inbound';
import type { IsoTime } from './types';

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

export class MailNotFoundError extends SentinelError {
  readonly location: string;
  constructor(location: string, options?: { cause?: unknown }) {
    super(`no stored message at ${location}`, options);
    this.location = location;
  }
}

export class MailTooLargeError extends SentinelError {
  readonly location: string;
  readonly size: number;
  readonly maxBytes: number;
  constructor(location: string, size: number, maxBytes: number) {
    super(`message at ${location} is ${size} bytes, over the limit of ${maxBytes}`);
    this.location = location;
    this.size = size;
    this.maxBytes = maxBytes;
  }
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
