/**
 * SP-API credentials from AWS Secrets Manager. Never in the table, the logs or the repository.
 *
 * Layout (all under one name prefix, default `shipnow-sentinel/sp-api/`, so IAM can grant exactly
 * `secretsmanager:GetSecretValue` on `<prefix>*`):
 * - `<prefix>lwa-app`            `{"clientId": "amzn1.application-oa2-client....", "clientSecret": "..."}`
 * - `<prefix>seller/<sellerId>`  `{"refreshToken": "Atzr|..."}`, or per region
 *                                `{"refreshTokens": {"NA": "Atzr|...", "EU": "Atzr|..."}}`
 *                                (a seller authorises the app once per region it sells in)
 *
 * The seller's token comes first from the per-seller store (`sellerSecrets`, on AWS SSM Parameter
 * Store: `/shipnow-sentinel/seller/<sellerId>/sp-api`, same JSON), and only when that store has
 * none from the Secrets Manager secret `<prefix>seller/<sellerId>` of deployments made before the
 * store existed: an upgrade never stops a working seller's sync, and the old secret can be moved
 * over (docs/order-sync.md, "Moving seller tokens off Secrets Manager") and deleted at leisure.
 * The LWA app secret (one per deployment) stays in Secrets Manager.
 *
 * Values are cached in memory for a few minutes so a warm Lambda does not call Secrets Manager
 * for every seller message; a rotated token is picked up within the cache time, and at once when
 * LWA rejects the old one (the sync calls `forget`).
 */
import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { CredentialsMissingError } from '../domain/errors';
import type { Region } from '../domain/marketplaces';
import type { LwaAppCredentials, SellerSecretStore, SpApiCredentialsStore } from '../domain/ports';

import { DEFAULT_SECRETS_PREFIX } from '../constants';
export { DEFAULT_SECRETS_PREFIX };

// A domain error (the sync service branches on it): domain/errors.ts.
export { CredentialsMissingError };

const LwaAppSecretSchema = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) });
const SellerSecretSchema = z.object({
  refreshToken: z.string().min(1).optional(),
  refreshTokens: z.partialRecord(z.enum(['NA', 'EU', 'FE']), z.string().min(1)).optional(),
});

export function lwaAppSecretId(prefix: string): string {
  return `${prefix}lwa-app`;
}

export function sellerSecretId(prefix: string, sellerId: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(sellerId)) throw new CredentialsMissingError(`${prefix}seller/?`, `seller ID ${JSON.stringify(sellerId)} cannot name a secret`);
  return `${prefix}seller/${sellerId}`;
}

export interface SecretsManagerCredentialsOptions {
  client: Pick<SecretsManagerClient, 'send'>;
  prefix?: string;
  /** Where sellers' tokens live (`sp-api`); absent: only the Secrets Manager seller secrets. */
  sellerSecrets?: SellerSecretStore;
  /** Cache lifetime (default 5 minutes). */
  cacheMs?: number;
  now?: () => number;
}

export class SecretsManagerCredentials implements SpApiCredentialsStore {
  private readonly client: Pick<SecretsManagerClient, 'send'>;
  private readonly prefix: string;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { value: unknown; until: number }>();
  private readonly sellerSecrets: SellerSecretStore | undefined;

  constructor(options: SecretsManagerCredentialsOptions) {
    this.client = options.client;
    this.sellerSecrets = options.sellerSecrets;
    this.prefix = options.prefix ?? DEFAULT_SECRETS_PREFIX;
    this.cacheMs = options.cacheMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  async lwaApp(): Promise<LwaAppCredentials> {
    const id = lwaAppSecretId(this.prefix);
    const parsed = LwaAppSecretSchema.safeParse(await this.json(id));
    if (!parsed.success) throw new CredentialsMissingError(id, 'expected {"clientId", "clientSecret"}');
    return parsed.data;
  }

  async refreshToken(sellerId: string, region: Region): Promise<string> {
    const id = sellerSecretId(this.prefix, sellerId);
    const stored = await this.fromSellerStore(sellerId);
    const source = stored !== undefined ? `seller secret store: ${sellerId}/sp-api` : id;
    const parsed = SellerSecretSchema.safeParse(stored ?? (await this.json(id)));
    if (!parsed.success) throw new CredentialsMissingError(source, 'expected {"refreshToken"} or {"refreshTokens": {"NA"|"EU"|"FE": ...}}');
    const token = parsed.data.refreshTokens?.[region] ?? parsed.data.refreshToken;
    if (!token) throw new CredentialsMissingError(source, `no refresh token for region ${region}`);
    return token;
  }

  /** Drop cached values for a seller (after LWA rejected its token: it may have been rotated). */
  forget(sellerId?: string): void {
    if (sellerId === undefined) this.cache.clear();
    else {
      this.cache.delete(sellerSecretId(this.prefix, sellerId));
      this.cache.delete(storeKey(sellerId));
    }
  }

  /** The seller's `sp-api` secret from the per-seller store (cached like the others); undefined: not there. */
  private async fromSellerStore(sellerId: string): Promise<unknown> {
    if (!this.sellerSecrets) return undefined;
    const key = storeKey(sellerId);
    const hit = this.cache.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const value = await this.sellerSecrets.getSellerSecret(sellerId, 'sp-api');
    // A miss is cached too: a seller still on the old secret costs one store call per cache time.
    this.cache.set(key, { value, until: this.now() + this.cacheMs });
    return value;
  }

  private async json(secretId: string): Promise<unknown> {
    const hit = this.cache.get(secretId);
    if (hit && hit.until > this.now()) return hit.value;
    let text: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      text = out.SecretString;
    } catch (err) {
      if (err instanceof ResourceNotFoundException || (err as { name?: string }).name === 'ResourceNotFoundException') {
        throw new CredentialsMissingError(secretId, 'no such secret', { cause: err });
      }
      throw err;
    }
    if (text === undefined) throw new CredentialsMissingError(secretId, 'no SecretString');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Never echo the text: it is a secret.
      throw new CredentialsMissingError(secretId, 'SecretString is not JSON');
    }
    this.cache.set(secretId, { value, until: this.now() + this.cacheMs });
    return value;
  }
}

const storeKey = (sellerId: string) => `store:${sellerId}`;

/** Fixed credentials (tests; the CLI with environment variables). */
export class StaticCredentials implements SpApiCredentialsStore {
  constructor(
    private readonly app: LwaAppCredentials,
    private readonly refreshTokens: Record<string, string | Partial<Record<Region, string>>>,
  ) {}

  async lwaApp(): Promise<LwaAppCredentials> {
    return this.app;
  }

  async refreshToken(sellerId: string, region: Region): Promise<string> {
    const entry = this.refreshTokens[sellerId];
    const token = typeof entry === 'string' ? entry : entry?.[region];
    if (!token) throw new CredentialsMissingError(`static:${sellerId}`, `no refresh token for region ${region}`);
    return token;
  }
}
