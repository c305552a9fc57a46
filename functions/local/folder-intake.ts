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
import { JustReadMailStore } from '../adapters/just-read-mail-store';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../domain/inbound';
import { type IntakeLedger } from '../domain/ports';
import type { SentinelRepository } from '../domain/ports';
import type { IsoTime, OrderPolicy } from '../domain/types';
import { intakeMessage, type IntakeDeps, type IntakeResult } from '../services/intake';
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
  /**
   * Messages processed at once (default 1: one after the other). Results keep the folder's
   * order, and files with the same content (one message ID) are still taken one after the
   * other, so the second is a `duplicate` exactly as without concurrency.
   */
  concurrency?: number;
}

export interface FolderIntakeOutcome {
  results: Array<{ file: string; result: IntakeResult }>;
  /** `receivers`: for `unverified` mail, the authserv-ids of the verdicts it carries (none trusted). */
  rejectedMail: Array<{ file: string; reason: string; receivers?: string[] }>;
}

export async function intakeMailFolder(opts: FolderIntakeOptions): Promise<FolderIntakeOutcome> {
  const justRead = new JustReadMailStore(new FolderMailStore(null));
  const deps = {
    repo: opts.repo,
    ledger: opts.ledger,
    // Locations are the file paths as given, so reports name files the way the user did. Each
    // file was just read (for its content hash): intake gets those bytes instead of reading again.
    mailStore: justRead,
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
  type Slot = { file: string; error: Error } | { file: string; result: IntakeResult };
  const slots: Array<Promise<Slot>> = [];
  // The last intake of each message ID: a file with the same content waits for it.
  const byMessage = new Map<string, Promise<unknown>>();
  const inFlight = new Set<Promise<unknown>>();
  const limit = Math.max(1, opts.concurrency ?? 1);
  let failed = false;
  for await (const m of readMailFolder(opts.dir)) {
    if (failed) break;
    if ('error' in m) {
      slots.push(Promise.resolve({ file: m.file, error: m.error }));
      opts.onMessage?.();
      continue;
    }
    while (inFlight.size >= limit) await Promise.race(inFlight);
    if (failed) break;
    justRead.keep(m.file, m.raw);
    const before = byMessage.get(m.messageId);
    const run = (before ?? Promise.resolve()).then(() =>
      intakeMessage(deps, {
        messageId: m.messageId,
        location: m.file,
        size: m.raw.length,
        receivedAt: m.modifiedAt,
        now: opts.now,
        leaseUntil: new Date(Date.parse(opts.now) + 300_000).toISOString(),
        ...(opts.sellerId ? { sellerId: opts.sellerId } : {}),
      }),
    );
    // A failed intake is a bug or a broken store (the service turns bad input into outcomes):
    // it is rethrown below, after the messages already started have finished.
    const settled = run.then(
      () => {
        justRead.forget(m.file);
        opts.onMessage?.();
      },
      () => {
        justRead.forget(m.file);
        failed = true;
      },
    );
    byMessage.set(m.messageId, settled);
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    const slot = run.then((result): Slot => ({ file: m.file, result }));
    slot.catch(() => undefined); // handled below; not an unhandled rejection meanwhile
    slots.push(slot);
  }
  const out: FolderIntakeOutcome = { results: [], rejectedMail: [] };
  const done = await Promise.allSettled(slots);
  for (const d of done) {
    if (d.status === 'rejected') throw d.reason;
    const s = d.value;
    if ('error' in s) {
      out.rejectedMail.push({ file: s.file, reason: `cannot read: ${s.error.message}` });
      continue;
    }
    out.results.push({ file: s.file, result: s.result });
    const reason = reportedReason(s.result);
    if (reason !== null) {
      out.rejectedMail.push({ file: s.file, reason, ...(s.result.outcome === 'rejected' && s.result.receivers ? { receivers: s.result.receivers } : {}) });
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

/**
 * Take in one message already stored in the mail store under its ID, as SES's trigger would (a
 * five-minute claim): `shipnow mail receive` and the inbox of `shipnow serve`.
 */
export function intakeStoredMessage(deps: IntakeDeps, messageId: string, size: number, at: Date, sellerId?: string): Promise<IntakeResult> {
  return intakeMessage(deps, {
    messageId,
    location: messageId,
    size,
    receivedAt: at.toISOString(),
    now: at.toISOString(),
    leaseUntil: new Date(at.getTime() + 300_000).toISOString(),
    ...(sellerId ? { sellerId } : {}),
  });
}
