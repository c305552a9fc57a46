/**
 * Shared HTTP delivery for the webhook channels: one POST with a timeout, and the mapping of
 * outcomes to the two errors the sender acts on. Transient (retry with back-off): network errors,
 * timeouts, 408, 429, 5xx, and the bots' own "too fast" codes. Permanent (mark the channel broken,
 * fall through to the next): every other 4xx and any other error code in the body (bad token,
 * bad signature, bot removed, keyword check failed).
 */
import { PermanentChannelError, TransientChannelError } from '../../domain/errors';

export interface HttpOptions {
  /** Default 10 s: a webhook that takes longer is treated as down for this attempt. */
  timeoutMs?: number;
  /** Injected for tests; global fetch by default. */
  fetch?: typeof fetch;
  /** The caller's abort (the sender's own attempt timeout or the Lambda deadline), besides ours. */
  signal?: AbortSignal;
}

export interface HttpReply {
  status: number;
  body: string;
  json: unknown;
}

export async function postJson(channelId: string, url: string, payload: unknown, options: HttpOptions = {}): Promise<HttpReply> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: options.signal
        ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? 10_000), options.signal])
        : AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new TransientChannelError(channelId, `request failed: ${(err as Error).message}`, { cause: err });
  }
  const body = await res.text();
  let json: unknown = undefined;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status === 408 || res.status === 429 || res.status >= 500) {
    const retryAfter = Number(res.headers.get('retry-after'));
    throw new TransientChannelError(channelId, `HTTP ${res.status}`, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : undefined);
  }
  if (res.status >= 300) throw new PermanentChannelError(channelId, `HTTP ${res.status}: ${body.slice(0, 200)}`);
  return { status: res.status, body, json };
}

/**
 * Chat bots answer 200 with an error code in the body. `okCodes` are success; `transientCodes`
 * are rate limits ("send too fast"); anything else is permanent.
 */
export function checkBotCode(channelId: string, code: unknown, message: unknown, transientCodes: readonly number[]): void {
  if (code === 0 || code === undefined) return;
  const text = `error ${String(code)}: ${String(message ?? '')}`;
  if (typeof code === 'number' && transientCodes.includes(code)) throw new TransientChannelError(channelId, text, { retryAfterMs: 60_000 });
  throw new PermanentChannelError(channelId, text);
}
