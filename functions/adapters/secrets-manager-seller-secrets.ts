/**
 * SellerSecretStore on AWS Secrets Manager, in the layout the order-sync worker already reads
 * (./secrets.ts): the seller's SP-API secret is `<prefix>seller/<sellerId>` (`{"refreshTokens": {...}}`),
 * an IMAP secret `<prefix>seller/<sellerId>/imap`. Created on first put, a new version after that.
 * Values are never logged.
 *
 * MERGE(i13b): the deployment's per-seller secret store moves off Secrets Manager; this adapter is
 * what the seller web writes through until then (the port is the same).
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SellerSecretName, SellerSecretStore } from '../domain/ports';
import { DEFAULT_SECRETS_PREFIX, sellerSecretId } from './secrets';

export class SecretsManagerSellerSecrets implements SellerSecretStore {
  constructor(private readonly client: Pick<SecretsManagerClient, 'send'>, private readonly prefix: string = DEFAULT_SECRETS_PREFIX) {}

  secretId(sellerId: string, name: SellerSecretName): string {
    const base = sellerSecretId(this.prefix, sellerId);
    return name === 'sp-api' ? base : `${base}/${name}`;
  }

  async putSellerSecret(sellerId: string, name: SellerSecretName, value: Record<string, unknown>): Promise<void> {
    const id = this.secretId(sellerId, name);
    const text = JSON.stringify(value);
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: id, SecretString: text }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      await this.client.send(new CreateSecretCommand({ Name: id, SecretString: text, Description: `ShipNow Sentinel: ${name} secret of seller ${sellerId}` }));
    }
  }

  async getSellerSecret(sellerId: string, name: SellerSecretName): Promise<Record<string, unknown> | undefined> {
    try {
      const res = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId(sellerId, name) }));
      const value: unknown = JSON.parse(res.SecretString ?? 'null');
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`secret of ${sellerId}/${name} is not a JSON object`);
      return value as Record<string, unknown>;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  }

  async deleteSellerSecret(sellerId: string, name: SellerSecretName): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: this.secretId(sellerId, name), ForceDeleteWithoutRecovery: true }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }
}
