/** The trust flags `parse`, `check` and `mailbox connect` share. */
import { UsageError } from './cli-io';

/** `--trust-receiver` / `--accept-unverified` of parse and check (issue 9). */
export const TRUST_OPTIONS = {
  'trust-receiver': { type: 'string', multiple: true },
  'accept-unverified': { type: 'boolean', default: false },
} as const;

/** An authserv-id is a domain-like token (RFC 8601 §2.5: a value, in practice a host name). */
export function trustReceiversOf(values: string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    const id = v.trim().toLowerCase();
    if (!/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(id)) throw new UsageError(`--trust-receiver needs an authserv-id such as mx.google.com (got '${v}')`);
    out.push(id);
  }
  return out;
}
