/**
 * Token bucket, pure: the state goes in and comes out, time is passed in as epoch milliseconds.
 * The SP-API throttles each operation per selling partner and application with a token bucket
 * (a steady rate and a burst); pacing our own calls with the same model means we spend tokens
 * the way Amazon counts them, so a run never burns its calls on 429s.
 *
 * The state is persisted per seller + operation (+ region) in the table (see
 * adapters/dynamodb/sync-state.ts), so the next run, in another Lambda, knows how many tokens
 * the last one left.
 */

export interface RateLimit {
  /** Tokens added per second (steady rate). */
  ratePerSecond: number;
  /** Bucket size: calls that may be made at once after a quiet period. */
  burst: number;
}

export interface TokenBucketState {
  /** Tokens in the bucket at `updatedAtMs` (fractional). */
  tokens: number;
  /** Epoch milliseconds of the last refill. */
  updatedAtMs: number;
  /**
   * Rate Amazon reported for this seller + operation in `x-amzn-RateLimit-Limit` (requests per
   * second). When present it overrides the published default: the header is the truth for this
   * selling partner and application.
   */
  observedRatePerSecond?: number;
}

/**
 * Published default usage plans (Orders API reference, "Usage plan" tables).
 * - v0 getOrders: 0.0167 requests/s (one a minute), burst 20.
 * - 2026-01-01 searchOrders: taken as one call every 3 minutes (0.0056/s) after a burst of 20, the
 *   figure this project was given. It could not be checked against a first-party model here (the
 *   published Orders API models carry no usage plan), so the client always prefers the
 *   `x-amzn-RateLimit-Limit` header Amazon sends with each response.
 */
export const SP_API_RATE_LIMITS = {
  searchOrders: { ratePerSecond: 1 / 180, burst: 20 },
  getOrders: { ratePerSecond: 1 / 60, burst: 20 },
} as const satisfies Record<string, RateLimit>;

export type SpApiOperation = keyof typeof SP_API_RATE_LIMITS;

/** The limit in force: the observed rate if Amazon told us one, else the published default. */
export function effectiveLimit(limit: RateLimit, state: TokenBucketState | undefined): RateLimit {
  const observed = state?.observedRatePerSecond;
  return observed !== undefined && observed > 0 ? { ratePerSecond: observed, burst: limit.burst } : limit;
}

/** A full bucket: no state stored yet means no calls were made recently. */
export function fullBucket(limit: RateLimit, nowMs: number): TokenBucketState {
  return { tokens: limit.burst, updatedAtMs: nowMs };
}

/** The state at `nowMs`: tokens added for the time passed, capped at the burst. */
export function refill(state: TokenBucketState | undefined, limit: RateLimit, nowMs: number): TokenBucketState {
  if (!state) return fullBucket(limit, nowMs);
  const lim = effectiveLimit(limit, state);
  // A clock that went backwards (another machine wrote the state) adds nothing, never removes.
  const elapsedMs = Math.max(0, nowMs - state.updatedAtMs);
  const tokens = Math.min(lim.burst, state.tokens + (elapsedMs / 1000) * lim.ratePerSecond);
  return { ...state, tokens, updatedAtMs: Math.max(nowMs, state.updatedAtMs) };
}

export type TakeResult =
  | { ok: true; state: TokenBucketState }
  | { ok: false; state: TokenBucketState; /** milliseconds until a token is there */ waitMs: number };

/** Take one token if there is one; otherwise say how long until there is. */
export function tryTake(state: TokenBucketState | undefined, limit: RateLimit, nowMs: number): TakeResult {
  const s = refill(state, limit, nowMs);
  if (s.tokens >= 1) return { ok: true, state: { ...s, tokens: s.tokens - 1 } };
  const lim = effectiveLimit(limit, s);
  return { ok: false, state: s, waitMs: Math.ceil(((1 - s.tokens) / lim.ratePerSecond) * 1000) };
}

/**
 * Amazon answered 429: its bucket is empty whatever ours says. Empty ours, so the next call waits
 * for a whole token.
 */
export function drain(state: TokenBucketState | undefined, limit: RateLimit, nowMs: number): TokenBucketState {
  return { ...refill(state, limit, nowMs), tokens: 0 };
}

/** Record the rate from `x-amzn-RateLimit-Limit` (ignored when absent or not a positive number). */
export function observeRate(state: TokenBucketState, header: string | null | undefined): TokenBucketState {
  const rate = parseRateLimitHeader(header);
  return rate === undefined ? state : { ...state, observedRatePerSecond: rate };
}

/** `x-amzn-RateLimit-Limit: 0.0167` -> 0.0167; anything else -> undefined. */
export function parseRateLimitHeader(header: string | null | undefined): number | undefined {
  if (header === null || header === undefined) return undefined;
  const n = Number(header.trim());
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
