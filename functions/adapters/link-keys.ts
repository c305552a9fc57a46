/**
 * Where the link keys of the signed links (domain/signed-links.ts) come from:
 * - locally the file `<data>/link-key` (0600, folder 0700), made with a fresh random key on first use;
 * - on AWS the deployment's secret (the stack generates it), read by functions/wiring.ts.
 *
 * Format of both: one key per line, the CURRENT key first, then keys being retired (links signed
 * with them still verify). A key is a line of at least 32 characters; the HMAC key is its UTF-8
 * bytes. Blank lines and `#` comments are ignored. A new file holds one key: 32 random bytes,
 * base64url.
 *
 * MERGE(i15b): the alert links work keeps the same file and format in adapters/link-key-file.ts
 * and adapters/link-key-secret.ts; keep one of the two.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_LINK_KEY_BYTES } from '../domain/signed-links';

export function parseLinkKeyLines(text: string, where: string): Uint8Array[] {
  const keys = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => new Uint8Array(Buffer.from(l, 'utf8')));
  if (keys.length === 0) throw new Error(`${where}: no link key in it`);
  const short = keys.findIndex((k) => k.length < MIN_LINK_KEY_BYTES);
  if (short >= 0) throw new Error(`${where}: key ${short + 1} is shorter than ${MIN_LINK_KEY_BYTES} characters`);
  return keys;
}

/** The data folder's link keys, current first; the file is made (0600) when there is none. */
export async function localLinkKeys(dataDir: string): Promise<Uint8Array[]> {
  const file = join(dataDir, 'link-key');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // Exclusive create: of two processes starting at once, one writes and both read the same key.
    await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
    text = await readFile(file, 'utf8');
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return parseLinkKeyLines(text, file);
}
