import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface FolderMessage {
  /** Path as the user gave it, joined with the file name: what reports show. */
  file: string;
  raw: Buffer;
  /** Content hash: the idempotency key of a file that has no SES message ID. */
  messageId: string;
  modifiedAt: string;
}

/**
 * A folder standing in for the S3 mail bucket: every regular file in it (recursively, sorted,
 * dot-files skipped) is one raw message. A file that cannot be read is reported, not skipped.
 */
export async function* readMailFolder(
  dir: string,
): AsyncGenerator<FolderMessage | { file: string; error: Error }> {
  for (const file of await listFiles(dir)) {
    let message: FolderMessage;
    try {
      message = readMessageFile(file);
    } catch (error) {
      yield { file, error: error as Error };
      continue;
    }
    yield message;
  }
}

/**
 * One file, read synchronously: a saved message is a few kilobytes, and a synchronous open, fstat,
 * read and close take a fraction of the CPU of the four thread-pool round trips of fs/promises
 * (which matters at tens of thousands of files). Size and time come from the open file itself.
 */
function readMessageFile(file: string): FolderMessage {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    const raw = readFileSync(fd);
    return { file, raw, messageId: contentId(raw), modifiedAt: st.mtime.toISOString() };
  } finally {
    closeSync(fd);
  }
}

export function contentId(raw: Buffer): string {
  return `sha256-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
}

/** The files readMailFolder yields, in its order (so a caller can count them first, e.g. for a progress bar). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await listFiles(p)));
    else files.push(p);
  }
  return files;
}
