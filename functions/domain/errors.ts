/**
 * Error hierarchy. Each error sets `name`, takes `cause`, and carries its data, so a caller
 * can branch on the class and a log line can say exactly what went wrong and where.
 */

export class SentinelError extends Error {
  /** Facts about the failure for a log line (ids, keys, counts); never secrets. */
  readonly data?: Readonly<Record<string, unknown>>;
  constructor(message: string, options?: { cause?: unknown; data?: Record<string, unknown> }) {
    super(message, options);
    this.name = new.target.name;
    if (options?.data !== undefined) this.data = Object.freeze({ ...options.data });
  }
}

/** Root of what the table and its stores report: a lost race, a missing item, a value it cannot hold. */
export class StoreError extends SentinelError {}

/**
 * Input that cannot be understood: an unreadable or unrecognised orders file, a malformed row.
 * `file` and `line` (1-based) say where; `line` is absent when the problem is the whole file.
 */
export class InputError extends SentinelError {
  readonly file: string;
  readonly line?: number;
  constructor(file: string, problem: string, line?: number, options?: { cause?: unknown }) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`, options);
    this.file = file;
    this.line = line;
  }
}

/** A conditional write lost a race: someone else changed the item first. Retry from a fresh read. */
export class ConcurrentModificationError extends StoreError {
  readonly key: string;
  constructor(key: string, options?: { cause?: unknown }) {
    super(`concurrent modification of ${key}`, options);
    this.key = key;
  }
}

/**
 * A conditional write's condition did not hold (DynamoDB's ConditionalCheckFailedException is its
 * `cause`). A lost race in the general case, so it is a ConcurrentModificationError; a store that
 * expects the condition to fail sometimes (put-if-absent, a claim) turns it into its answer.
 */
export class ConditionFailedError extends ConcurrentModificationError {}

/** Raised when an item expected to exist does not. */
export class NotFoundError extends StoreError {
  readonly key: string;
  constructor(key: string) {
    super(`not found: ${key}`);
    this.key = key;
  }
}

/** Two sellers can never share an inbound alias: mail to it would reach the wrong seller. */
export class AliasTakenError extends StoreError {
  readonly alias: string;
  readonly sellerId: string;
  constructor(alias: string, sellerId: string) {
    // The owning seller is deliberately not named: this message may reach the requesting seller.
    super(`inbound alias "${alias}" is already used by another seller (requested for ${sellerId})`);
    this.alias = alias;
    this.sellerId = sellerId;
  }
}

/**
 * Raw email that cannot be parsed as MIME at all. `reason`, when set, is the whole reason to
 * report instead of `malformed-mime: <message>` (an Outlook .msg file: `outlook-msg: ...`).
 */
export class MalformedMailError extends SentinelError {
  readonly reason?: string;
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super(message, options);
    if (options?.reason) this.reason = options.reason;
  }
}

/** What `parse` and the intakes report for an Outlook .msg file (a binary compound file). */
export const OUTLOOK_MSG_REASON = 'outlook-msg: save the message as .eml';

// ---- mail store (the stored raw email the intake reads) ----------------------------------------

/** Root of what a mail store reports. */
export class MailStoreError extends SentinelError {}

export class MailNotFoundError extends MailStoreError {
  readonly location: string;
  constructor(location: string, options?: { cause?: unknown }) {
    super(`no stored message at ${location}`, options);
    this.location = location;
  }
}

export class MailTooLargeError extends MailStoreError {
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

// ---- alert channels -----------------------------------------------------------------------------

/** Root of what an alert channel reports: retry later, will not work as configured, or no answer. */
export class AlertChannelError extends SentinelError {}

/** Retry later: network errors, timeouts, 429, 5xx, throttling. */
export class TransientChannelError extends AlertChannelError {
  readonly channelId: string;
  readonly retryAfterMs?: number;
  constructor(channelId: string, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(`${channelId}: ${message}`, options);
    this.channelId = channelId;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Will not work until someone changes something: 4xx, bad token or signature, unverified address. */
export class PermanentChannelError extends AlertChannelError {
  readonly channelId: string;
  constructor(channelId: string, message: string, options?: { cause?: unknown }) {
    super(`${channelId}: ${message}`, options);
    this.channelId = channelId;
  }
}

/** A channel attempt that did not answer in time: a failure of that channel, which is marked broken. */
export class ChannelTimeoutError extends AlertChannelError {
  readonly channelId: string;
  readonly timeoutMs: number;
  constructor(channelId: string, timeoutMs: number) {
    super(`${channelId}: no answer within ${timeoutMs} ms`);
    this.channelId = channelId;
    this.timeoutMs = timeoutMs;
  }
}

// ---- order sync ---------------------------------------------------------------------------------

/** Root of what the order sync reports: the SP-API client's errors and missing credentials. */
export class SyncError extends SentinelError {}

/** Root of the SP-API client's errors. `status` is the HTTP status (0: no response). */
export class SpApiError extends SyncError {
  readonly status: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly operation: string;
  constructor(operation: string, status: number, message: string, data: { code?: string; requestId?: string } = {}, options?: { cause?: unknown }) {
    super(`${operation}: ${message}`, options);
    this.operation = operation;
    this.status = status;
    this.code = data.code;
    this.requestId = data.requestId;
  }
}

/**
 * The seller's authorisation is gone: LWA said `invalid_grant` (refresh token revoked, expired or
 * wrong), or the SP-API refused a fresh token (403 Unauthorized). Retrying will not help until
 * the seller re-authorises; the sync marks itself broken and keeps trying on schedule.
 */
export class SpApiAuthorizationError extends SpApiError {
  readonly reason: 'invalid-grant' | 'authorization-revoked';
  constructor(operation: string, status: number, reason: 'invalid-grant' | 'authorization-revoked', data: { code?: string; requestId?: string } = {}) {
    super(operation, status, reason === 'invalid-grant' ? `LWA refused the refresh token (${data.code ?? 'invalid_grant'})` : `access denied (${data.code ?? status})`, data);
    this.reason = reason;
  }
}

/** Still throttled when the retries or the time ran out. `retryAfterMs`: when a call may succeed. */
export class SpApiThrottledError extends SpApiError {
  readonly retryAfterMs: number;
  readonly rateLimitHeader?: string;
  readonly throttled: number;
  constructor(operation: string, retryAfterMs: number, throttled: number, rateLimitHeader?: string, data: { requestId?: string } = {}) {
    super(operation, 429, `throttled (${throttled} x 429), next call in ${Math.ceil(retryAfterMs / 1000)} s`, { code: 'QuotaExceeded', ...data });
    this.retryAfterMs = retryAfterMs;
    this.rateLimitHeader = rateLimitHeader;
    this.throttled = throttled;
  }
}

/** 2xx with a body that is not the documented response. */
export class SpApiResponseError extends SpApiError {}

/** No usable credentials for this seller (or the app): the sync cannot run until someone adds them. */
export class CredentialsMissingError extends SyncError {
  readonly secretId: string;
  constructor(secretId: string, problem: string, options?: { cause?: unknown }) {
    // Names the secret, never its value.
    super(`credentials ${secretId}: ${problem}`, options);
    this.secretId = secretId;
  }
}

// ---- the seller's mailbox over IMAP (issue 14) ----------------------------------------------------

/**
 * Root of what an IMAP mailbox reports. `host` is always named; the password never is. `broken`:
 * the connection cannot work until the seller changes something (the password, the host), so it
 * is not retried on every run; otherwise it is an outage, tried again later with back-off.
 */
export class MailboxError extends SentinelError {
  readonly host: string;
  readonly code: 'auth-failed' | 'tls' | 'timeout' | 'connection' | 'protocol' | 'no-credentials';
  constructor(host: string, code: MailboxError['code'], message: string, options?: { cause?: unknown }) {
    super(message, { ...options, data: { host, code } });
    this.host = host;
    this.code = code;
  }
  get broken(): boolean {
    return this.code === 'auth-failed' || this.code === 'no-credentials';
  }
}
