/**
 * The link key on the local machine (the embedded default of the CLI and `shipnow serve`): the
 * file `<data>/link-key`, readable by the owner only (0600), created with a fresh random key the
 * first time it is needed. On AWS the key is the deployment's secret instead (link-key-secret.ts).
 *
 * Format, shared with the deployment secret: one key per line, the CURRENT key first, then keys
 * being retired (links signed with them still verify, see domain/signed-links.ts). A key is a
 * string of at least 32 characters; the HMAC key is its UTF-8 bytes. A new file holds one key:
 * 32 random bytes, base64url (43 characters). Blank lines and `#` comments are ignored.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SentinelError } from '../domain/errors';
import { MIN_LINK_KEY_BYTES } from '../domain/signed-links';

export const LINK_KEY_FILE = 'link-key';

/** Where the key file of a data folder is. */
export function linkKeyPath(dataDir: string): string {
  return join(dataDir, LINK_KEY_FILE);
}

/** A key file or secret that holds no usable key (the project's error root sets the name). */
export class LinkKeyError extends SentinelError {}

/** Keys (current first) from the text of a key file or secret; LinkKeyError when unusable. */
export function parseLinkKeys(text: string, where: string): Uint8Array[] {
  const keys = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => new Uint8Array(Buffer.from(l, 'utf8')));
  if (keys.length === 0) throw new LinkKeyError(`${where}: no link key in it`);
  const short = keys.findIndex((k) => k.length < MIN_LINK_KEY_BYTES);
  if (short >= 0) throw new LinkKeyError(`${where}: key ${short + 1} is shorter than ${MIN_LINK_KEY_BYTES} characters`);
  return keys;
}

/** A new key line: 32 random bytes as base64url. */
export function newLinkKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The data folder's link keys, current first; the file is created (0600, folder 0700) with a new
 * key when there is none. Two processes creating it at once agree: the exclusive create lets one
 * write, the other reads what it wrote. A file others can read is tightened to 0600.
 */
export async function loadLinkKeys(dataDir: string): Promise<Uint8Array[]> {
  const file = linkKeyPath(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    try {
      await writeFile(file, `${newLinkKey()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    text = await readFile(file, 'utf8');
  }
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return parseLinkKeys(text, file);
}

/** Add a new current key in front, keeping the old ones for verification (key rotation). */
export async function rotateLinkKey(dataDir: string, keep = 1): Promise<void> {
  const old = (await loadLinkKeys(dataDir)).slice(0, keep).map((k) => Buffer.from(k).toString('utf8'));
  await writeFile(linkKeyPath(dataDir), [newLinkKey(), ...old].join('\n') + '\n', { mode: 0o600 });
}
