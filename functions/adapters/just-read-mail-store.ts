import { MailTooLargeError } from '../domain/errors';
import type { MailStore, StoredMail } from '../domain/ports';

/**
 * The bytes of messages just read (a folder's files, an IMAP FETCH), each handed to the intake
 * once by location; anything else from the fallback store.
 */
export class JustReadMailStore implements MailStore {
  private readonly kept = new Map<string, Buffer>();
  constructor(private readonly fallback: MailStore) {}

  keep(location: string, raw: Buffer): void {
    this.kept.set(location, raw);
  }

  /** Not needed after all (a duplicate is answered without reading its mail). */
  forget(location: string): void {
    this.kept.delete(location);
  }

  async get(location: string, maxBytes: number): Promise<StoredMail> {
    const raw = this.kept.get(location);
    if (raw === undefined) return this.fallback.get(location, maxBytes);
    this.kept.delete(location);
    if (raw.length > maxBytes) throw new MailTooLargeError(location, raw.length, maxBytes);
    return { raw, size: raw.length };
  }
}
