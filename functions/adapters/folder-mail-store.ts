/**
 * MailStore on a local folder: the folder stands in for the S3 bucket in the embedded runtime.
 * A location is a path relative to the folder (like an S3 key), or an absolute path inside it;
 * anything that would escape the folder (`..`) is refused.
 *
 * With `root` null, a location is a file path as the user gave it (relative to the working
 * directory): `shipnow check --mail DIR` reports files by the paths it was given.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { type MailStore, type StoredMail } from '../domain/ports';
import { MailNotFoundError, MailTooLargeError } from '../domain/errors';

export class FolderMailStore implements MailStore {
  private readonly root: string | null;

  constructor(root: string | null) {
    this.root = root === null ? null : resolve(root);
  }

  private pathOf(location: string): string {
    if (this.root === null) return resolve(location);
    const p = isAbsolute(location) ? resolve(location) : resolve(this.root, location);
    const rel = relative(this.root, p);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new MailNotFoundError(location);
    return p;
  }

  async get(location: string, maxBytes: number): Promise<StoredMail> {
    const path = this.pathOf(location);
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new MailNotFoundError(location);
      size = st.size;
    } catch (err) {
      if (err instanceof MailNotFoundError) throw err;
      throw new MailNotFoundError(location, { cause: err });
    }
    if (size > maxBytes) throw new MailTooLargeError(location, size, maxBytes);
    const raw = await readFile(path);
    return { raw, size: raw.length };
  }
}
