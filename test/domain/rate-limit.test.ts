import { SP_API_RATE_LIMITS, drain, observeRate, parseRateLimitHeader, refill, tryTake } from '../../functions/domain/rate-limit';

const T = Date.parse('2026-11-28T12:00:00Z');
const search = SP_API_RATE_LIMITS.searchOrders;

describe('token bucket', () => {
  test('a burst of 20 searchOrders calls, then one every 3 minutes', () => {
    let state = undefined;
    for (let i = 0; i < 20; i++) {
      const r = tryTake(state, search, T);
      expect(r.ok).toBe(true);
      state = r.state;
    }
    const blocked = tryTake(state, search, T);
    expect(blocked).toEqual(expect.objectContaining({ ok: false, waitMs: 180_000 }));
    expect(tryTake(blocked.state, search, T + 179_000).ok).toBe(false);
    expect(tryTake(blocked.state, search, T + 180_000).ok).toBe(true);
  });

  test('v0 getOrders refills one a minute and never beyond the burst', () => {
    const lim = SP_API_RATE_LIMITS.getOrders;
    expect(refill({ tokens: 0, updatedAtMs: T }, lim, T + 60_000).tokens).toBeCloseTo(1);
    expect(refill({ tokens: 0, updatedAtMs: T }, lim, T + 24 * 3600_000).tokens).toBe(20);
  });

  test('the rate Amazon announces in x-amzn-RateLimit-Limit overrides the default', () => {
    const s = observeRate({ tokens: 0, updatedAtMs: T }, '0.5');
    expect(s.observedRatePerSecond).toBe(0.5);
    expect(tryTake(s, search, T)).toEqual(expect.objectContaining({ ok: false, waitMs: 2000 }));
    expect(observeRate(s, 'junk')).toBe(s);
    expect(parseRateLimitHeader(undefined)).toBeUndefined();
    expect(parseRateLimitHeader(' 0.0167 ')).toBe(0.0167);
  });

  test('a 429 drains the bucket; a clock that goes backwards adds nothing', () => {
    expect(drain(undefined, search, T).tokens).toBe(0);
    expect(refill({ tokens: 3, updatedAtMs: T }, search, T - 60_000)).toEqual({ tokens: 3, updatedAtMs: T });
  });
});
