/**
 * The one retry loop. `attempt` runs until it reports done (true or a value other than false),
 * at most `attempts` times; between tries it waits `backoff(attempt)` ms (attempt = the try about
 * to run, 2..attempts; default: no wait). An error `attempt` throws is retried only when
 * `retryOn(err)` says so (default: never, it propagates at once). When every try is used up,
 * the last retried error is thrown, or `onExhausted(attempts)` when the tries ended undone.
 *
 * Pure apart from the timer: no AWS SDK, no configuration; the caller says what is retried.
 */
export interface RetryOptions {
  attempts: number;
  backoff?: (attempt: number) => number;
  retryOn?: (err: unknown, attempt: number) => boolean;
  onExhausted?: (attempts: number) => Error;
  sleep?: (ms: number) => Promise<void>;
}

export async function retry<T>(attempt: (n: number) => Promise<T | false>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let n = 1; ; n++) {
    if (n > 1) {
      const wait = options.backoff?.(n) ?? 0;
      if (wait > 0) await sleep(wait);
    }
    try {
      const result = await attempt(n);
      if (result !== false) return result;
    } catch (err) {
      if (n < options.attempts && options.retryOn?.(err, n)) continue;
      throw err;
    }
    if (n >= options.attempts) throw options.onExhausted?.(n) ?? new RangeError(`retry: not done after ${n} attempts`);
  }
}

/** Full-jitter exponential backoff (AWS Architecture Blog): random in [0, min(cap, base * 2^attempt)). */
export function fullJitter(baseMs: number, capMs: number, random: () => number = Math.random): (attempt: number) => number {
  return (attempt) => random() * Math.min(capMs, baseMs * 2 ** attempt);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
