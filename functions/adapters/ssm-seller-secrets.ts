/**
 * Seller secrets on AWS: one SSM Parameter Store SecureString per seller and secret, standard tier,
 * named `<prefix>seller/<sellerId>/<name>` (default prefix `/shipnow-sentinel/`), e.g.
 * `/shipnow-sentinel/seller/A1EXAMPLE/sp-api`. The value is the secret's JSON object.
 *
 * Why Parameter Store and not Secrets Manager: a Secrets Manager secret is $0.40 a month each, so
 * one per seller was most of the per-seller cost ($400 a month at 1,000 sellers). Standard
 * parameters cost nothing to store, and their API calls at the standard throughput cost nothing
 * either; what remains is KMS: the AWS managed key `alias/aws/ssm` (lean profile, no monthly fee) or
 * the stack's customer managed key (default profile), $0.03 per 10,000 Decrypt/Encrypt calls. Each
 * parameter is separately revocable (delete it, or deny it by name in IAM), versioned (SSM keeps
 * the history, `get-parameter-history`), and IAM grants `ssm:GetParameter` on
 * `<prefix>seller/*` only. Values of a standard parameter are at most 4 KB: a seller's JSON with
 * refresh tokens for all three SP-API regions is about 2 KB.
 *
 * No cache here: callers that read often (the sync worker) cache (functions/adapters/secrets.ts).
 */
import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { SellerSecretName, SellerSecretStore } from '../domain/ports';

/** Default name prefix of the seller parameters (the stack's `sellerSecretsPrefix`). */
export const DEFAULT_SELLER_SECRETS_PREFIX = '/shipnow-sentinel/';
/** The AWS managed key of Parameter Store (no monthly fee). */
export const AWS_MANAGED_SSM_KEY = 'alias/aws/ssm';

const SAFE_ID = /^[A-Za-z0-9_.-]+$/;
/** Standard-tier parameters hold at most 4 KB. */
const STANDARD_MAX_BYTES = 4096;

export function sellerParameterName(prefix: string, sellerId: string, name: SellerSecretName): string {
  if (!SAFE_ID.test(sellerId) || sellerId.startsWith('.')) throw new Error(`seller ID ${JSON.stringify(sellerId)} cannot name a parameter`);
  return `${prefix}seller/${sellerId}/${name}`;
}

/** A prefix must be a parameter path: `/` first and last, no `aws`/`ssm` root (reserved by SSM). */
export function checkSellerSecretsPrefix(prefix: string): string {
  if (!/^\/([A-Za-z0-9_.-]+\/)+$/.test(prefix) || /^\/(aws|ssm)/i.test(prefix)) {
    throw new Error(`seller secrets prefix ${JSON.stringify(prefix)} must be a parameter path such as /shipnow-sentinel/ (starts and ends with "/", not under /aws or /ssm)`);
  }
  return prefix;
}

export interface SsmSellerSecretStoreOptions {
  client: Pick<SSMClient, 'send'>;
  prefix?: string;
  /** KMS key of the SecureStrings: a key ID, ARN or alias (default the AWS managed `alias/aws/ssm`). */
  keyId?: string;
}

export class SsmSellerSecretStore implements SellerSecretStore {
  private readonly client: Pick<SSMClient, 'send'>;
  readonly prefix: string;
  readonly keyId: string;

  constructor(options: SsmSellerSecretStoreOptions) {
    this.client = options.client;
    this.prefix = checkSellerSecretsPrefix(options.prefix ?? DEFAULT_SELLER_SECRETS_PREFIX);
    this.keyId = options.keyId ?? AWS_MANAGED_SSM_KEY;
  }

  parameterName(sellerId: string, name: SellerSecretName): string {
    return sellerParameterName(this.prefix, sellerId, name);
  }

  async putSellerSecret(sellerId: string, name: SellerSecretName, value: Record<string, unknown>): Promise<void> {
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > STANDARD_MAX_BYTES) throw new Error(`the ${name} secret of ${sellerId} is ${Buffer.byteLength(text)} bytes; a standard parameter holds at most ${STANDARD_MAX_BYTES}`);
    await this.client.send(
      new PutParameterCommand({
        Name: this.parameterName(sellerId, name),
        Value: text,
        Type: 'SecureString',
        KeyId: this.keyId,
        Tier: 'Standard',
        Overwrite: true,
        Description: `ShipNow Sentinel ${name} secret of seller ${sellerId}`,
      }),
    );
  }

  async getSellerSecret(sellerId: string, name: SellerSecretName): Promise<Record<string, unknown> | undefined> {
    const parameter = this.parameterName(sellerId, name);
    let text: string | undefined;
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
      text = out.Parameter?.Value;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Never echo the text: it is a secret.
      throw new Error(`parameter ${parameter} is not JSON`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`parameter ${parameter} is not a JSON object`);
    return value as Record<string, unknown>;
  }

  async deleteSellerSecret(sellerId: string, name: SellerSecretName): Promise<void> {
    try {
      await this.client.send(new DeleteParameterCommand({ Name: this.parameterName(sellerId, name) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof ParameterNotFound || (err as { name?: string }).name === 'ParameterNotFound';
}
