/**
 * EventBridge schedule -> one look into every connected seller's mailbox (issue 14): new Sold,
 * Ship Now emails taken in after the last UID, and the orders due now or within 15 minutes probed,
 * so the reconciler's alerts carry where the email went (services/mailbox-poll.ts).
 *
 * Sellers are independent: one broken or unreachable mailbox is logged (host and reason, never
 * the password) and the run goes on; a wrong password is told to the seller once, an outage backs
 * off. Only a failure of the table itself (a bug or an outage) throws, so the invocation retries
 * and its DLQ keeps the event. The run stops taking sellers shortly before the deadline.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { mailboxSettingsOf } from '../domain/seller-input';
import type { SentinelRepository } from '../domain/ports';
import type { Clock, OrderPolicy, StoredOrder } from '../domain/types';
import { pollSellerMailbox, type MailboxPollDeps } from '../services/mailbox-poll';
import { systemClock } from '../wiring';
import { wireMailboxPoller } from '../wiring-mailbox';
import { builtOnColdStart, lambdaChain } from './lambda-chain';

export interface MailboxPollerDeps extends Omit<MailboxPollDeps, 'repo'> {
  repo: SentinelRepository;
  policy: OrderPolicy;
  logger: Logger;
  now?: Clock;
  /** Stop taking sellers this long before the deadline. Default 20 s. */
  stopBeforeDeadlineMs?: number;
}

export interface MailboxPollSummary {
  sellers: number;
  read: number;
  failed: number;
  skipped: number;
  accepted: number;
  probed: number;
  stoppedEarly: boolean;
}

/** Orders whose email is due within this many minutes are probed before their alert. */
const PROBE_AHEAD_MINUTES = 15;
/** Mailboxes read at once. */
const PARALLEL = 8;

export async function pollAll(deps: MailboxPollerDeps, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<MailboxPollSummary> {
  const now = (deps.now ?? systemClock)();
  const margin = deps.stopBeforeDeadlineMs ?? 20_000;
  const sellers = (await deps.repo.listSellers()).filter((s) => mailboxSettingsOf(s as { mailbox?: unknown }));
  // One read of the due index for everyone: the orders about to be alerted, grouped by seller.
  const ahead = new Date(Date.parse(now) + PROBE_AHEAD_MINUTES * 60_000).toISOString();
  const due = new Map<string, StoredOrder[]>();
  for (const o of (await deps.repo.queryDue(ahead)).orders) due.set(o.sellerId, [...(due.get(o.sellerId) ?? []), o]);

  const summary: MailboxPollSummary = { sellers: sellers.length, read: 0, failed: 0, skipped: 0, accepted: 0, probed: 0, stoppedEarly: false };
  // A few mailboxes at a time: each is mostly waiting on its provider.
  let next = 0;
  const worker = async () => {
    while (next < sellers.length) {
      if ((context.getRemainingTimeInMillis?.() ?? Infinity) < margin) {
        summary.stoppedEarly = true;
        return;
      }
      const seller = sellers[next++];
      await pollOne(seller.sellerId);
    }
  };
  const pollOne = async (sellerId: string) => {
    const r = await pollSellerMailbox(deps, sellerId, now, deps.policy, { probeOrders: due.get(sellerId) ?? [] });
    switch (r.status) {
      case 'ok': {
        summary.read++;
        const accepted = r.intake.results.filter((x) => x.result.outcome === 'accepted').length;
        summary.accepted += accepted;
        summary.probed += r.probe?.findings.length ?? 0;
        deps.logger.info('mailbox read', { sellerId, accepted, folders: r.intake.folders, findings: (r.probe?.findings ?? []).map((f) => ({ orderId: f.orderId, diagnosis: f.diagnosis })) });
        break;
      }
      case 'failed':
        summary.failed++;
        // The error's message names the host and the reason; the password is never in it.
        deps.logger.warn('mailbox not read', { sellerId, host: r.error.host, reason: r.error.code, error: r.error.message, sellerTold: r.told });
        break;
      case 'skipped':
        summary.skipped++;
        deps.logger.info('mailbox skipped', { sellerId, reason: r.reason, ...(r.until ? { until: r.until } : {}) });
        break;
      case 'not-connected':
        break;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, sellers.length) }, worker));
  deps.logger.info('mailbox poll done', { ...summary });
  return summary;
}

export function makeHandler(deps: MailboxPollerDeps) {
  return lambdaChain(async (_event: ScheduledEvent, context: Context) => pollAll(deps, context), { logger: deps.logger });
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => makeHandler(wireMailboxPoller(process.env)));
