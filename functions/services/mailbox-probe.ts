/**
 * The mailbox probe: for a seller's missing orders, where did the Sold, Ship Now email go? Every
 * folder that matters (inbox, junk/spam, trash, archives and the seller's own folders; never sent
 * or drafts) is searched on the server (UID SEARCH: Amazon's sender domains, SINCE, the order IDs
 * in the body), only the few hits are read (BODY.PEEK[], never marked read) and understood like
 * any other mail (a return request naming the order is not its Sold, Ship Now email), QUOTA is
 * read, and each order gets a diagnosis with its evidence (domain/mailbox-probe.ts). Read-only,
 * except `rescue`: the seller's opt-in to move a found email back to the inbox.
 */
import { DEFAULT_MAX_MESSAGE_BYTES } from '../domain/inbound';
import { diagnoseOrder, probeFolders, probeSearches, windowStart, type OrderProbeFinding, type ProbeHit } from '../domain/mailbox-probe';
import type { MailboxSession, MailboxStateStore } from '../domain/ports';
import type { IsoTime } from '../domain/types';
import { understandEmail } from './understand-email';

export interface ProbeRequest {
  orderIds: readonly string[];
  now: IsoTime;
  trustReceivers: readonly string[];
  /** Move a found email (junk, trash, another folder) back to the inbox. */
  rescue?: boolean;
  windowDays?: number;
}

export interface ProbeOutcome {
  findings: OrderProbeFinding[];
  folders: Array<{ path: string; role: string; hits: number }>;
  quotaPercent?: number;
  capabilities: string[];
}

export async function probeMailbox(session: MailboxSession, req: ProbeRequest): Promise<ProbeOutcome> {
  const capabilities = session.capabilities();
  const folders = probeFolders(await session.listFolders());
  const quota = await session.quota();
  const since = windowStart(req.now, req.windowDays);
  const hits: ProbeHit[] = [];
  const perFolder: ProbeOutcome['folders'] = [];
  for (const f of folders) {
    let n = 0;
    if (req.orderIds.length > 0) {
      const uids = new Set<number>();
      for (const s of probeSearches(req.orderIds, since)) for (const u of await session.search(f.path, s)) uids.add(u);
      const messages = await session.fetchRaw(f.path, [...uids].sort((a, b) => a - b), DEFAULT_MAX_MESSAGE_BYTES);
      for (const m of messages) {
        if (!m.raw) continue;
        const u = await understandEmail(m.raw, { trustReceivers: req.trustReceivers });
        hits.push({
          folder: f.path,
          role: f.role,
          uid: m.uid,
          orderIds: u.soldShipNow ? u.orderIds : [],
          soldShipNow: u.soldShipNow,
          verified: u.verified === true,
          // Rejected for anything but the mere lack of a verdict: not Amazon's email.
          forged: u.authentic === false && u.reason !== 'unverified',
          receivedAt: u.receivedAt,
        });
        n++;
      }
    }
    perFolder.push({ path: f.path, role: f.role, hits: n });
  }
  const searched = folders.map((f) => f.path);
  const findings = req.orderIds.map((id) => diagnoseOrder(id, hits, quota, searched, req.now));
  if (req.rescue) {
    for (const f of findings) {
      if ((f.diagnosis === 'filtered' || f.diagnosis === 'deleted') && f.folder && f.uid !== undefined) {
        f.rescuedTo = await session.moveToInbox(f.folder, f.uid);
      }
    }
  }
  const percent = findings[0]?.quotaPercent;
  return { findings, folders: perFolder, ...(percent !== undefined ? { quotaPercent: percent } : {}), capabilities };
}

/** Probe and keep each finding for the alerts and `shipnow status`. */
export async function probeAndStore(session: MailboxSession, state: MailboxStateStore, sellerId: string, req: ProbeRequest): Promise<ProbeOutcome> {
  const outcome = await probeMailbox(session, req);
  for (const f of outcome.findings) await state.putFinding(sellerId, f);
  return outcome;
}
