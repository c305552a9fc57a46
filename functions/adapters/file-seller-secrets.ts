/**
 * Seller secrets on the local machine (the embedded default of the CLI and `shipnow serve`): one
 * JSON file per seller and secret under `<data>/secrets/`, readable by the owner only (0600, the
 * folders 0700). Never used on AWS.
 */
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { SellerSecretName, SellerSecretStore } from '../domain/ports';

const SAFE_ID = /^[A-Za-z0-9_.-]+$/;

export class FileSellerSecretStore implements SellerSecretStore {
  constructor(private readonly dir: string) {}

  private path(sellerId: string, name: SellerSecretName): string {
    if (!SAFE_ID.test(sellerId) || sellerId.startsWith('.')) throw new Error(`seller ID ${JSON.stringify(sellerId)} cannot name a secret file`);
    return join(this.dir, sellerId, `${name}.json`);
  }

  async putSellerSecret(sellerId: string, name: SellerSecretName, value: Record<string, unknown>): Promise<void> {
    const file = this.path(sellerId, name);
    await mkdir(join(this.dir, sellerId), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(value), { mode: 0o600 });
    await rename(tmp, file);
  }

  async getSellerSecret(sellerId: string, name: SellerSecretName): Promise<Record<string, unknown> | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(sellerId, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`secret file for ${sellerId}/${name} is not a JSON object`);
    return value as Record<string, unknown>;
  }

  async deleteSellerSecret(sellerId: string, name: SellerSecretName): Promise<void> {
    await rm(this.path(sellerId, name), { force: true });
  }
}
