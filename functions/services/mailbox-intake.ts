/**
 * IMAP intake: the Sold, Ship Now emails in a seller's own mailbox go through the SAME intake as
 * mail SES stored in S3 (services/intake.ts: ledger idempotency, size limit, MIME check,
 * understanding, authenticity, storage), with the provider's Authentication-Results trusted for
 * that seller (its `trustReceivers`). No inbound domain, MX record or SES needed.
 *
 * Per folder (default the inbox): EXAMINE (read-only), resume after the stored last UID when
 * UIDVALIDITY is unchanged, else scan the SINCE window again; one server-side UID SEARCH for mail
 * from Amazon's sender domains; only those messages are fetched (BODY.PEEK[], so nothing is marked
 * read), each exactly once: the ledger keys a message by its content hash, so a rescan after a
 * UIDVALIDITY change, or the same message in two folders, is a `duplicate`. The cursor moves only
 * over what was taken in: an outage mid-way leaves the rest for the next run.
 */
import { contentId } from '../local/mail-folder';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../domain/inbound';
import { JustReadMailStore } from '../adapters/just-read-mail-store';
import { MailNotFoundError } from '../domain/errors';
import { advanceCursor, amazonSenderDomains, planFolderScan } from '../domain/mailbox-probe';
import type { IntakeLedger, MailboxSession, MailboxStateStore, MailStore, SentinelRepository } from '../domain/ports';
import type { IsoTime, OrderPolicy } from '../domain/types';
import { intakeMessage, type IntakeResult } from './intake';

export interface MailboxIntakeDeps {
  repo: SentinelRepository;
  ledger: IntakeLedger;
  state: MailboxStateStore;
}

export interface MailboxIntakeRequest {
  sellerId: string;
  /** `imaps://user@host` for the locations the ledger and reports show. */
  address: string;
  folders: readonly string[];
  trustReceivers: readonly string[];
  acceptUnverified?: boolean;
  now: IsoTime;
  policy: OrderPolicy;
  maxMessageBytes?: number;
  windowDays?: number;
}

export interface MailboxIntakeOutcome {
  folders: Array<{ folder: string; uidValidity: string; rescan: boolean; searched: number; fetched: number; fromUid: number }>;
  results: Array<{ location: string; result: IntakeResult }>;
}

export async function intakeMailbox(deps: MailboxIntakeDeps, session: MailboxSession, req: MailboxIntakeRequest): Promise<MailboxIntakeOutcome> {
  const maxBytes = req.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const mailStore = new JustReadMailStore(NOWHERE);
  const intakeDeps = {
    repo: deps.repo,
    ledger: deps.ledger,
    mailStore,
    config: {
      inboundDomain: 'invalid.invalid',
      maxMessageBytes: maxBytes,
      ...(req.trustReceivers.length > 0 ? { trustReceivers: req.trustReceivers } : {}),
      ...(req.acceptUnverified ? { acceptUnverified: true } : {}),
      // A mailbox is not SES: its mail carries the provider's verdicts, or none (then `unverified`).
      requireVerdicts: false,
      policy: req.policy,
    },
  };
  const out: MailboxIntakeOutcome = { folders: [], results: [] };
  for (const folder of req.folders) {
    const box = await session.examine(folder);
    const stored = await deps.state.getCursor(req.sellerId, folder);
    const plan = planFolderScan(stored, box, req.now, req.windowDays);
    const uids = box.exists === 0 || plan.uidFrom >= box.uidNext ? [] : await session.search(folder, { fromDomains: amazonSenderDomains(), since: plan.since, uidFrom: plan.uidFrom });
    let failedUid: number | undefined;
    let fetched = 0;
    // In small batches: one FETCH per batch, each message taken in before the next batch.
    for (let i = 0; i < uids.length && failedUid === undefined; i += FETCH_BATCH) {
      const batch = uids.slice(i, i + FETCH_BATCH);
      let messages;
      try {
        messages = await session.fetchRaw(folder, batch, maxBytes);
      } catch (err) {
        await saveCursor(deps, req.sellerId, folder, plan, box.uidValidity, stored, batch[0]);
        throw err;
      }
      for (const uid of batch) {
        const m = messages.find((x) => x.uid === uid);
        if (!m) continue; // expunged meanwhile: nothing to take in
        const location = `${req.address}/${encodeURIComponent(folder)};UIDVALIDITY=${box.uidValidity}/;UID=${uid}`;
        // Oversized: quarantined unread by the intake (its size is known); keyed by location then.
        const messageId = m.raw ? contentId(m.raw) : `imap-${contentId(Buffer.from(location))}`;
        if (m.raw) mailStore.keep(location, m.raw);
        try {
          const result = await intakeMessage(intakeDeps, {
            messageId,
            location,
            size: m.size,
            // When the message has no Received header to tell: when the mailbox got it.
            receivedAt: m.internalDate ?? req.now,
            now: req.now,
            leaseUntil: new Date(Date.parse(req.now) + 300_000).toISOString(),
            sellerId: req.sellerId,
          });
          out.results.push({ location, result });
          fetched++;
        } catch (err) {
          failedUid = uid;
          await saveCursor(deps, req.sellerId, folder, plan, box.uidValidity, stored, uid);
          throw err;
        } finally {
          mailStore.forget(location);
        }
      }
    }
    await saveCursor(deps, req.sellerId, folder, plan, box.uidValidity, stored, failedUid);
    out.folders.push({ folder, uidValidity: box.uidValidity, rescan: plan.rescan, searched: uids.length, fetched, fromUid: plan.uidFrom });
  }
  return out;
}

/** Messages fetched per UID FETCH. */
const FETCH_BATCH = 20;

async function saveCursor(deps: MailboxIntakeDeps, sellerId: string, folder: string, plan: ReturnType<typeof planFolderScan>, uidValidity: string, stored: Parameters<typeof advanceCursor>[2], failedUid: number | undefined): Promise<void> {
  const next = advanceCursor(plan, uidValidity, stored, failedUid);
  if (stored && stored.uidValidity === next.uidValidity && stored.lastUid === next.lastUid) return;
  await deps.state.putCursor(sellerId, folder, next);
}

/** Nothing is stored anywhere else: a location not just fetched is not there. */
const NOWHERE: MailStore = {
  get: async (location) => {
    throw new MailNotFoundError(location);
  },
};
