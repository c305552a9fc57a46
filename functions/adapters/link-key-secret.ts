/**
 * The link key on AWS: the deployment's secret in Secrets Manager (the stack generates it). Its
 * value has the key file's format (link-key-file.ts): one key per line, the current one first,
 * then keys being retired; a generated secret is a single line. Cached for a few minutes, so a
 * rotated key is used within the cache time while links signed with the old one keep working.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseLinkKeys } from './link-key-file';

export class SecretsManagerLinkKeys {
  private cached?: { keys: Uint8Array[]; until: number };

  constructor(
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    private readonly secretId: string,
    private readonly cacheMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The keys, current first (the `linkKeys()` provider of wiring.ts). */
  async keys(): Promise<Uint8Array[]> {
    if (this.cached && this.cached.until > this.now()) return this.cached.keys;
    const res = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const text = res.SecretString ?? (res.SecretBinary ? Buffer.from(res.SecretBinary).toString('utf8') : '');
    const keys = parseLinkKeys(text, `secret ${this.secretId}`);
    this.cached = { keys, until: this.now() + this.cacheMs };
    return keys;
  }
}
