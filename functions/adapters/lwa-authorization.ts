/**
 * Login with Amazon, authorization-code grant: the last step of the SP-API website authorization.
 * `POST <token endpoint>` (default https://api.amazon.com/auth/o2/token), form-encoded
 * `grant_type=authorization_code&code=<spapi_oauth_code>&redirect_uri=...&client_id=...&client_secret=...`;
 * the answer carries the seller's refresh token (and a first access token, not kept).
 *
 * One attempt only: an authorization code is good once and for a few minutes, so a retry after an
 * answer that was lost would fail as `invalid_grant` anyway; the seller is told to start again.
 * Nothing of the request or the answer is logged (the code and the tokens are credentials).
 */
import { SentinelError } from '../domain/errors';
import { LWA_TOKEN_URL } from './sp-api-client';

export type LwaExchangeFailure =
  /** The code is unknown, used or expired (`invalid_grant`). */
  | 'invalid-grant'
  /** The app's client ID / secret were refused (`invalid_client`, `unauthorized_client`). */
  | 'invalid-client'
  /** LWA did not answer in time, or answered 5xx. */
  | 'unavailable'
  /** Any other refusal or an answer without a refresh token. */
  | 'refused';

export class LwaExchangeError extends SentinelError {
  readonly failure: LwaExchangeFailure;
  constructor(failure: LwaExchangeFailure, detail: string, options?: { cause?: unknown }) {
    super(`Login with Amazon refused the authorization code (${failure}): ${detail}`, { ...options, data: { failure } });
    this.failure = failure;
  }
}

export interface LwaExchangeOptions {
  /** Default https://api.amazon.com/auth/o2/token (tests: a local fake). */
  tokenEndpoint?: string;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  timeoutMs?: number;
}

export interface AuthorizationCodeRequest {
  code: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string;
}

export async function exchangeAuthorizationCode(req: AuthorizationCodeRequest, options: LwaExchangeOptions = {}): Promise<{ refreshToken: string }> {
  const fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: req.code,
    redirect_uri: req.redirectUri,
    client_id: req.clientId,
    client_secret: req.clientSecret,
  });
  let res: Response;
  try {
    res = await fetchFn(options.tokenEndpoint ?? LWA_TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
      body: body.toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new LwaExchangeError('unavailable', (err as Error).name === 'TimeoutError' ? 'no answer in time' : 'connection failed', { cause: err });
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // not JSON: judged by the status below
  }
  if (res.status >= 500) throw new LwaExchangeError('unavailable', `HTTP ${res.status}`);
  if (!res.ok) {
    const error = typeof json.error === 'string' ? json.error : `HTTP ${res.status}`;
    if (error === 'invalid_grant') throw new LwaExchangeError('invalid-grant', error);
    if (error === 'invalid_client' || error === 'unauthorized_client') throw new LwaExchangeError('invalid-client', error);
    throw new LwaExchangeError('refused', error);
  }
  if (typeof json.refresh_token !== 'string' || json.refresh_token === '') throw new LwaExchangeError('refused', 'the answer has no refresh_token');
  return { refreshToken: json.refresh_token };
}
