/**
 * The CLI's contract with its caller, shared by every command: where output goes (`Io`), the exit
 * codes, and how bad input becomes one `shipnow: <message>` line and exit 2.
 */
import { InputError, SentinelError } from '../domain/errors';

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

export const EXIT = { OK: 0, FAILED: 1, BAD_INPUT: 2 } as const;

/** Bad flags or arguments: reported as `shipnow: <message>`, exit 2. */
export class UsageError extends SentinelError {}

/**
 * The one way a command turns bad input into its contract: a `UsageError` (bad flags) or an
 * `InputError` (an unreadable or malformed file) becomes one stderr line and exit 2; anything else
 * is not the user's fault and is rethrown (the CLI reports it as an internal error, exit 70).
 */
export function exitOnBadInput(err: unknown, io: Io): number {
  if (err instanceof UsageError || err instanceof InputError) {
    io.err(`shipnow: ${err.message}`);
    return EXIT.BAD_INPUT;
  }
  throw err;
}
