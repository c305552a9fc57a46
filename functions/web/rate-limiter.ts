/**
 * Request rate limits of the seller web, per client IP and per seller: token buckets in memory
 * (functions/domain/rate-limit.ts), so they hold per process: the local server, or one Lambda
 * instance. The Function URL's reserved concurrency bounds how many instances (and so buckets)
 * there can be; see SECURITY.md for what this does and does not protect against.
 *
 * The map is bounded: past `maxKeys` the least recently used keys are forgotten (a forgotten key
 * starts with a full bucket, never with an error), so a flood of new addresses cannot exhaust
 * memory.
 */
import { tryTake, type RateLimit, type TokenBucketState } from '../domain/rate-limit';

export interface WebRateLimits {
  perIp: RateLimit;
  perSeller: RateLimit;
  /** The authorization callback (it calls Login with Amazon): per IP. */
  authorizePerIp: RateLimit;
}

export const DEFAULT_WEB_RATE_LIMITS: WebRateLimits = {
  perIp: { ratePerSecond: 1, burst: 60 },
  perSeller: { ratePerSecond: 2, burst: 120 },
  authorizePerIp: { ratePerSecond: 1 / 30, burst: 10 },
};

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucketState>();

  constructor(private readonly maxKeys = 10_000) {}

  /** Takes one token; `retryAfterSeconds` when the bucket is empty. */
  take(key: string, limit: RateLimit, nowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const state = this.buckets.get(key);
    const result = tryTake(state, limit, nowMs);
    this.buckets.delete(key);
    this.buckets.set(key, result.state);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return result.ok ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(result.waitMs / 1000)) };
  }
}
