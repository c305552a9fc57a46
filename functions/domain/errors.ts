/**
 * Error hierarchy. Each error sets `name`, takes `cause`, and carries its data, so a caller
 * can branch on the class and a log line can say exactly what went wrong and where.
 */

export class SentinelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Input that cannot be understood: an unreadable or unrecognised orders file, a malformed row.
 * `file` and `line` (1-based) say where; `line` is absent when the problem is the whole file.
 */
export class InputError extends SentinelError {
  readonly file: string;
  readonly line?: number;
  constructor(file: string, problem: string, line?: number, options?: { cause?: unknown }) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`, options);
    this.file = file;
    this.line = line;
  }
}

/** A conditional write lost a race: someone else changed the item first. Retry from a fresh read. */
export class ConcurrentModificationError extends SentinelError {
  readonly key: string;
  constructor(key: string, options?: { cause?: unknown }) {
    super(`concurrent modification of ${key}`, options);
    this.key = key;
  }
}

/** Raised when an item expected to exist does not. */
export class NotFoundError extends SentinelError {
  readonly key: string;
  constructor(key: string) {
    super(`not found: ${key}`);
    this.key = key;
  }
}

/**
 * Raw email that cannot be parsed as MIME at all. `reason`, when set, is the whole reason to
 * report instead of `malformed-mime: <message>` (an Outlook .msg file: `outlook-msg: ...`).
 */
export class MalformedMailError extends SentinelError {
  readonly reason?: string;
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super(message, options);
    if (options?.reason) this.reason = options.reason;
  }
}

/** What `parse` and the intakes report for an Outlook .msg file (a binary compound file). */
export const OUTLOOK_MSG_REASON = 'outlook-msg: save the message as .eml';
