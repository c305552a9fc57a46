/**
 * The embedded runtime's mail intake: every file of a folder goes through the same intake service
 * as mail SES stored in S3 (functions/services/intake.ts), with the folder standing in for the
 * bucket. Used by `shipnow check` / `npm start` (via run-check) and `shipnow mail receive`.
 *
 * The report contract of `check` is kept: a file that does not count is listed as
 * `{ file, reason }` with the reason `parse` would give (`dmarc-fail`, `not-sold-ship-now`,
 * `empty-file`, `malformed-mime: ...`, `cannot read: ...`).
 */
import { FolderMailStore } from '../adapters/folder-mail-store';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../domain/inbound';
import type { IntakeLedger } from '../domain/intake-ports';
import type { SentinelRepository } from '../domain/ports';
import type { IsoTime, OrderPolicy } from '../domain/types';
import { intakeMessage, type IntakeResult } from '../services/intake';
import { readMailFolder } from './mail-folder';

export interface FolderIntakeOptions {
  repo: SentinelRepository;
  ledger: IntakeLedger;
  dir: string;
  now: IsoTime;
  policy: OrderPolicy;
  /** All mail belongs to this seller whatever its recipient (`check`); else routed by alias. */
  sellerId?: string;
  /** Needed only when routing by alias. */
  inboundDomain?: string;
  trustedAuthservId?: string;
  /** `--trust-receiver`: mailbox providers whose verdicts are trusted too. */
  trustReceivers?: readonly string[];
  /** `--accept-unverified`: mail with no verdict header at all counts, marked unverified. */
  acceptUnverified?: boolean;
  maxMessageBytes?: number;
  /** Called after each file is taken in (for a progress bar). */
  onMessage?: () => void;
}

export interface FolderIntakeOutcome {
  results: Array<{ file: string; result: IntakeResult }>;
  /** `receivers`: for `unverified` mail, the authserv-ids of the verdicts it carries (none trusted). */
  rejectedMail: Array<{ file: string; reason: string; receivers?: string[] }>;
}

export async function intakeMailFolder(opts: FolderIntakeOptions): Promise<FolderIntakeOutcome> {
  const deps = {
    repo: opts.repo,
    ledger: opts.ledger,
    // Locations are the file paths as given, so reports name files the way the user did.
    mailStore: new FolderMailStore(null),
    config: {
      inboundDomain: opts.inboundDomain ?? 'invalid.invalid',
      maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      ...(opts.trustedAuthservId ? { trustedAuthservId: opts.trustedAuthservId } : {}),
      ...(opts.trustReceivers && opts.trustReceivers.length > 0 ? { trustReceivers: opts.trustReceivers } : {}),
      ...(opts.acceptUnverified ? { acceptUnverified: true } : {}),
      // Saved mail (exported from a mailbox) often has no trusted verdict header at all: it is
      // reported `unverified` (not `no-verdicts`), with the flags that would let it count.
      requireVerdicts: false,
      policy: opts.policy,
    },
  };
  const out: FolderIntakeOutcome = { results: [], rejectedMail: [] };
  for await (const m of readMailFolder(opts.dir)) {
    if ('error' in m) {
      out.rejectedMail.push({ file: m.file, reason: `cannot read: ${m.error.message}` });
      opts.onMessage?.();
      continue;
    }
    const result = await intakeMessage(deps, {
      messageId: m.messageId,
      location: m.file,
      size: m.raw.length,
      receivedAt: m.modifiedAt,
      now: opts.now,
      leaseUntil: new Date(Date.parse(opts.now) + 300_000).toISOString(),
      ...(opts.sellerId ? { sellerId: opts.sellerId } : {}),
    });
    out.results.push({ file: m.file, result });
    opts.onMessage?.();
    const reason = reportedReason(result);
    if (reason !== null) {
      out.rejectedMail.push({ file: m.file, reason, ...(result.outcome === 'rejected' && result.receivers ? { receivers: result.receivers } : {}) });
    }
  }
  return out;
}

/** The `parse`-style reason of a message that does not count, or null when it counts. */
export function reportedReason(r: IntakeResult): string | null {
  switch (r.outcome) {
    case 'accepted':
    case 'duplicate':
      return null;
    case 'rejected':
      return r.reason;
    case 'quarantined':
      if (r.reason === 'malformed-mime' && r.detail) {
        return r.detail.startsWith('malformed-mime') || r.detail.startsWith('outlook-msg') ? r.detail : `malformed-mime: ${r.detail}`;
      }
      return r.reason;
  }
}
